//! What a desk page says after a change: chosen by a code in the link (`?notice=…`), so a link
//! can only pick one of these texts, never put words of its own on the page.

use axum::response::Redirect;
use chatout_core::OrderStatus;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;

/// The `?notice=` of a page.
#[derive(Deserialize)]
pub struct NoticeQuery {
    /// The code.
    pub notice: Option<String>,
}

impl NoticeQuery {
    /// The notice it names, if it names one.
    pub fn notice(&self) -> Option<Notice> {
        self.notice.as_deref().and_then(Notice::parse)
    }
}

/// Every notice the desk shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// The order moved to this status.
    Marked(OrderStatus),
    /// Who responds was saved.
    Assigned,
    /// The lifecycle does not allow that move.
    Illegal,
    /// The order's hold lapsed and its stock is gone.
    OutOfStock,
    /// A reply was queued.
    Replied,
    /// No reply: the 24-hour window is closed.
    ReplyWindow,
    /// No reply: STOP, or the customer never wrote.
    ReplyConsent,
    /// No reply: empty or too long.
    ReplyEmpty,
    /// A message was queued again.
    Requeued,
    /// Messaging is off on this server.
    MessagingOff,
    /// The tracking link is not a web address.
    BadTracking,
    /// The shipping template needs a tracking link.
    TrackingRequired,
    /// A staff account was added.
    StaffAdded,
    /// The username is taken.
    UsernameTaken,
    /// The username or password does not meet the rules.
    StaffInvalid,
    /// An API token was revoked.
    TokenRevoked,
    /// A token of that name exists.
    TokenTaken,
    /// The token name breaks the rules.
    TokenInvalid,
    /// No live token has that name.
    TokenUnknown,
    /// A conversation's topic was saved.
    Tagged,
    /// A webhook delivery was queued again.
    DeliveryRequeued,
    /// The delivery was not failed (nothing to send again).
    DeliveryNotFailed,
    /// A template was queued.
    TemplateSent,
    /// No template: the customer's opt-in is not active.
    TemplateConsent,
    /// No template: unknown, or the order cannot fill it.
    TemplateBad,
    /// The order's lines or amounts were changed.
    TotalSaved,
    /// An amount or quantity did not read.
    TotalInvalid,
    /// The discount is more than the order.
    TotalDiscount,
    /// The order is past changing.
    TotalClosed,
    /// Every line would be gone.
    TotalNoLines,
    /// Not enough stock for a larger quantity.
    TotalStock,
    /// The payment provider failed: nothing changed.
    PaymentDown,
    /// A payment link was made.
    LinkCreated,
    /// A payment by hand covered the total.
    PaidByHand,
    /// A payment by hand left part of the total open.
    PaidPartly,
    /// A payment by hand with an amount that does not read or is too much.
    PaidInvalid,
    /// Not waiting for payment (or nothing to refund).
    NotPayable,
    /// Refunded.
    Refunded,
    /// A product's stock was set.
    StockSaved,
    /// A stock count that does not read.
    StockInvalid,
    /// A campaign's test message was queued.
    TestSent,
    /// A test number that does not read.
    TestInvalid,
    /// A campaign was called off.
    CampaignCancelled,
    /// A campaign that started can no longer be called off.
    CampaignStarted,
    /// A campaign was made.
    CampaignCreated,
    /// The templates were synced from WhatsApp Manager.
    TemplatesSynced,
    /// They could not be.
    TemplatesNotSynced,
}

impl Notice {
    /// Every notice but `Marked`: (notice, its code in the link, what the page says).
    const FIXED: [(Self, &'static str, &'static str); 46] = [
        (Self::Assigned, "assigned", "Saved who responds."),
        (
            Self::Illegal,
            "illegal",
            "That change is not allowed from the order's current status; nothing was changed.",
        ),
        (
            Self::OutOfStock,
            "out-of-stock",
            "Not confirmed: nobody confirmed this order while it held its stock, and its products \
             are no longer all available. Cancel it, or agree a change with the customer.",
        ),
        (Self::Replied, "replied", "Reply queued; its state shows below."),
        (
            Self::ReplyWindow,
            "reply-window",
            "Not sent: more than 24 hours since the customer last wrote. Only templates can be \
             sent.",
        ),
        (
            Self::ReplyConsent,
            "reply-consent",
            "Not sent: the customer replied STOP, or has never written to the shop.",
        ),
        (Self::ReplyEmpty, "reply-empty", "Not sent: a reply has 1 to 4096 characters."),
        (Self::Requeued, "requeued", "Queued to be sent again."),
        (Self::MessagingOff, "messaging-off", "WhatsApp messaging is off on this server."),
        (
            Self::BadTracking,
            "bad-tracking",
            "Not changed: the tracking link must start with https:// or http://.",
        ),
        (
            Self::TrackingRequired,
            "tracking-required",
            "Not changed: the customer's shipping update on WhatsApp needs the tracking link.",
        ),
        (Self::StaffAdded, "added", "Account added."),
        (Self::UsernameTaken, "taken", "That username is taken."),
        (
            Self::StaffInvalid,
            "invalid",
            "Usernames are 1 to 40 of a-z, 0-9, '.', '_' and '-'; passwords at \
             least 12 characters.",
        ),
        (Self::TokenRevoked, "token-revoked", "Token revoked: it stops working at once."),
        (
            Self::TokenTaken,
            "token-taken",
            "A token of that name exists (perhaps revoked); pick another name.",
        ),
        (
            Self::TokenInvalid,
            "token-invalid",
            "Token names are 1 to 40 of a-z, 0-9, '.', '_' and '-'; the scope is read or write.",
        ),
        (Self::TokenUnknown, "token-unknown", "No live token has that name; nothing was changed."),
        (Self::Tagged, "tagged", "Saved the topic."),
        (Self::DeliveryRequeued, "delivery-requeued", "Queued to be delivered again."),
        (
            Self::DeliveryNotFailed,
            "delivery-not-failed",
            "Only a failed delivery can be sent again.",
        ),
        (Self::TemplateSent, "template-sent", "Template queued; its state shows below."),
        (
            Self::TemplateConsent,
            "template-consent",
            "Not sent: templates go only to customers whose opt-in to WhatsApp updates is active.",
        ),
        (
            Self::TemplateBad,
            "template-bad",
            "Not sent: that template is not configured or this order cannot fill it.",
        ),
        (Self::TotalSaved, "total-saved", "Saved; the history shows what changed."),
        (
            Self::TotalInvalid,
            "total-invalid",
            "Not changed: amounts are written like 4.95 (at most the currency's decimals) and \
             quantities are whole numbers from 0 to 99.",
        ),
        (
            Self::TotalDiscount,
            "total-discount",
            "Not changed: the discount is more than the order.",
        ),
        (
            Self::TotalClosed,
            "total-closed",
            "Not changed: a paid, shipped, cancelled or expired order keeps its lines and amounts.",
        ),
        (
            Self::TotalNoLines,
            "total-no-lines",
            "Not changed: an order keeps at least one line; cancel it instead.",
        ),
        (
            Self::TotalStock,
            "total-stock",
            "Not changed: there is not enough stock for that quantity.",
        ),
        (
            Self::PaymentDown,
            "payment-down",
            "Nothing changed: the payment provider did not answer or refused (the server log says \
             which). Try again in a moment.",
        ),
        (
            Self::LinkCreated,
            "link-created",
            "Payment link made; copy it below to send in the chat.",
        ),
        (Self::PaidByHand, "paid-by-hand", "Payment recorded: the order is paid."),
        (Self::PaidPartly, "paid-partly", "Payment recorded: part of the total is still open."),
        (
            Self::PaidInvalid,
            "paid-invalid",
            "Not recorded: the amount is written like 12.50 and is at most what is still open.",
        ),
        (
            Self::NotPayable,
            "not-payable",
            "Nothing changed: the order is not waiting for that (a link and a payment need a \
             confirmed order; a refund a cancelled one with a payment).",
        ),
        (Self::Refunded, "refunded", "Refunded through the payment provider."),
        (Self::StockSaved, "stock-saved", "Stock saved."),
        (
            Self::StockInvalid,
            "stock-invalid",
            "Not saved: stock is a whole number of units (empty for unlimited).",
        ),
        (
            Self::TestSent,
            "test-sent",
            "Test message queued to that number; its state shows in its conversation.",
        ),
        (
            Self::TestInvalid,
            "test-invalid",
            "Not sent: give a phone number with a country code, like +31 6 1234 5678.",
        ),
        (Self::CampaignCancelled, "campaign-cancelled", "Campaign called off; nothing was sent."),
        (
            Self::CampaignStarted,
            "campaign-started",
            "It has started sending, so it can no longer be called off.",
        ),
        (
            Self::CampaignCreated,
            "campaign-created",
            "Campaign saved. It goes out at its time, through the outbox and its rate limit.",
        ),
        (
            Self::TemplatesSynced,
            "templates-synced",
            "Synced the approved marketing templates from WhatsApp Manager. Their parameters are \
             typed texts; list a template in WHATSAPP_TEMPLATES to fill names, products or links.",
        ),
        (
            Self::TemplatesNotSynced,
            "templates-not-synced",
            "WhatsApp Manager could not be read (the server's log says why); the templates stay as \
             they were.",
        ),
    ];

    /// The code in the link.
    pub fn code(self) -> &'static str {
        match self {
            Self::Marked(status) => status.as_str(),
            other => other.fixed().map_or("", |(_, code, _)| code),
        }
    }

    /// The notice a code names.
    pub fn parse(code: &str) -> Option<Self> {
        OrderStatus::parse(code).map(Self::Marked).or_else(|| {
            Self::FIXED
                .iter()
                .find(|(_, c, _)| *c == code)
                .map(|(notice, _, _)| *notice)
        })
    }

    /// What the page says.
    pub fn text(self) -> String {
        match self {
            Self::Marked(status) => format!("Marked {}.", status.as_str()),
            other => other
                .fixed()
                .map_or_else(String::new, |(_, _, text)| text.to_string()),
        }
    }

    /// This notice's row of [`Self::FIXED`].
    fn fixed(self) -> Option<(Self, &'static str, &'static str)> {
        Self::FIXED
            .iter()
            .find(|(notice, ..)| *notice == self)
            .copied()
    }
}

/// Back to an order's page, with a notice.
pub fn order_page_with(reference: &str, notice: Notice) -> Redirect {
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-');
    Redirect::to(&format!(
        "/admin/orders/{}?notice={}",
        utf8_percent_encode(reference, SEGMENT),
        notice.code()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::MIN_PASSWORD;

    #[test]
    fn every_code_names_its_notice_and_nothing_else_names_one() {
        let all = Notice::FIXED
            .iter()
            .map(|(n, ..)| *n)
            .chain(OrderStatus::ALL.iter().map(|s| Notice::Marked(*s)));
        for notice in all {
            assert_eq!(Notice::parse(notice.code()), Some(notice), "{notice:?}");
            assert!(!notice.text().is_empty());
        }
        assert_eq!(Notice::parse("<script>"), None);
        assert_eq!(Notice::parse(""), None);
    }

    // The table's text is a literal: it must follow the rule in `auth`.
    #[test]
    fn the_password_rule_names_the_real_minimum() {
        let text = Notice::StaffInvalid.text();
        assert!(
            text.contains(&format!("at least {MIN_PASSWORD} characters")),
            "{text}"
        );
    }
}
