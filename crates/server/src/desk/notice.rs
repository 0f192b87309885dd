//! What a desk page says after a change: chosen by a code in the link (`?notice=…`), so a link
//! can only pick one of these texts, never put words of its own on the page.

use crate::auth::MIN_PASSWORD;
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
    const FIXED: [(Self, &'static str); 46] = [
        (Self::Assigned, "assigned"),
        (Self::Illegal, "illegal"),
        (Self::OutOfStock, "out-of-stock"),
        (Self::Replied, "replied"),
        (Self::ReplyWindow, "reply-window"),
        (Self::ReplyConsent, "reply-consent"),
        (Self::ReplyEmpty, "reply-empty"),
        (Self::Requeued, "requeued"),
        (Self::MessagingOff, "messaging-off"),
        (Self::BadTracking, "bad-tracking"),
        (Self::TrackingRequired, "tracking-required"),
        (Self::StaffAdded, "added"),
        (Self::UsernameTaken, "taken"),
        (Self::StaffInvalid, "invalid"),
        (Self::TokenRevoked, "token-revoked"),
        (Self::TokenTaken, "token-taken"),
        (Self::TokenInvalid, "token-invalid"),
        (Self::TokenUnknown, "token-unknown"),
        (Self::Tagged, "tagged"),
        (Self::DeliveryRequeued, "delivery-requeued"),
        (Self::DeliveryNotFailed, "delivery-not-failed"),
        (Self::TemplateSent, "template-sent"),
        (Self::TemplateConsent, "template-consent"),
        (Self::TemplateBad, "template-bad"),
        (Self::TotalSaved, "total-saved"),
        (Self::TotalInvalid, "total-invalid"),
        (Self::TotalDiscount, "total-discount"),
        (Self::TotalClosed, "total-closed"),
        (Self::TotalNoLines, "total-no-lines"),
        (Self::TotalStock, "total-stock"),
        (Self::PaymentDown, "payment-down"),
        (Self::LinkCreated, "link-created"),
        (Self::PaidByHand, "paid-by-hand"),
        (Self::PaidPartly, "paid-partly"),
        (Self::PaidInvalid, "paid-invalid"),
        (Self::NotPayable, "not-payable"),
        (Self::Refunded, "refunded"),
        (Self::StockSaved, "stock-saved"),
        (Self::StockInvalid, "stock-invalid"),
        (Self::TestSent, "test-sent"),
        (Self::TestInvalid, "test-invalid"),
        (Self::CampaignCancelled, "campaign-cancelled"),
        (Self::CampaignStarted, "campaign-started"),
        (Self::CampaignCreated, "campaign-created"),
        (Self::TemplatesSynced, "templates-synced"),
        (Self::TemplatesNotSynced, "templates-not-synced"),
    ];

    /// The code in the link.
    pub fn code(self) -> &'static str {
        match self {
            Self::Marked(status) => status.as_str(),
            other => Self::FIXED
                .iter()
                .find(|(notice, _)| *notice == other)
                .map_or("", |(_, code)| code),
        }
    }

    /// The notice a code names.
    pub fn parse(code: &str) -> Option<Self> {
        OrderStatus::parse(code).map(Self::Marked).or_else(|| {
            Self::FIXED
                .iter()
                .find(|(_, c)| *c == code)
                .map(|(notice, _)| *notice)
        })
    }

    /// What the page says.
    pub fn text(self) -> String {
        match self {
            Self::Marked(status) => format!("Marked {}.", status.as_str()),
            Self::Assigned => "Saved who responds.".into(),
            Self::Illegal => {
                "That change is not allowed from the order's current status; nothing was changed."
                    .into()
            }
            Self::OutOfStock => "Not confirmed: nobody confirmed this order while it held its \
                 stock, and its products are no longer all available. Cancel it, or agree a \
                 change with the customer."
                .into(),
            Self::Replied => "Reply queued; its state shows below.".into(),
            Self::ReplyWindow => "Not sent: more than 24 hours since the customer last wrote. \
                 Only templates can be sent."
                .into(),
            Self::ReplyConsent => {
                "Not sent: the customer replied STOP, or has never written to the shop.".into()
            }
            Self::ReplyEmpty => "Not sent: a reply has 1 to 4096 characters.".into(),
            Self::TemplateSent => "Template queued; its state shows below.".into(),
            Self::TotalSaved => "Saved; the history shows what changed.".into(),
            Self::TotalInvalid => "Not changed: amounts are written like 4.95 (at most the \
                 currency's decimals) and quantities are whole numbers from 0 to 99."
                .into(),
            Self::TotalDiscount => "Not changed: the discount is more than the order.".into(),
            Self::TotalClosed => "Not changed: a paid, shipped, cancelled or expired order keeps \
                 its lines and amounts."
                .into(),
            Self::TotalNoLines => {
                "Not changed: an order keeps at least one line; cancel it instead.".into()
            }
            Self::TotalStock => "Not changed: there is not enough stock for that quantity.".into(),
            Self::PaymentDown => "Nothing changed: the payment provider did not answer or \
                 refused (the server log says which). Try again in a moment."
                .into(),
            Self::LinkCreated => "Payment link made; copy it below to send in the chat.".into(),
            Self::PaidByHand => "Payment recorded: the order is paid.".into(),
            Self::PaidPartly => "Payment recorded: part of the total is still open.".into(),
            Self::PaidInvalid => "Not recorded: the amount is written like 12.50 and is at most \
                 what is still open."
                .into(),
            Self::NotPayable => "Nothing changed: the order is not waiting for that (a link and \
                 a payment need a confirmed order; a refund a cancelled one with a payment)."
                .into(),
            Self::Refunded => "Refunded through the payment provider.".into(),
            Self::StockSaved => "Stock saved.".into(),
            Self::StockInvalid => {
                "Not saved: stock is a whole number of units (empty for unlimited).".into()
            }
            Self::TestSent => {
                "Test message queued to that number; its state shows in its conversation.".into()
            }
            Self::TestInvalid => {
                "Not sent: give a phone number with a country code, like +31 6 1234 5678.".into()
            }
            Self::CampaignCancelled => "Campaign called off; nothing was sent.".into(),
            Self::CampaignStarted => {
                "It has started sending, so it can no longer be called off.".into()
            }
            Self::TemplatesSynced => "Synced the approved marketing templates from WhatsApp \
                 Manager. Their parameters are typed texts; list a template in WHATSAPP_TEMPLATES \
                 to fill names, products or links."
                .into(),
            Self::TemplatesNotSynced => "WhatsApp Manager could not be read (the server's log \
                 says why); the templates stay as they were."
                .into(),
            Self::CampaignCreated => "Campaign saved. It goes out at its time, through the \
                 outbox and its rate limit."
                .into(),
            Self::TemplateConsent => "Not sent: templates go only to customers whose opt-in to \
                 WhatsApp updates is active."
                .into(),
            Self::TemplateBad => {
                "Not sent: that template is not configured or this order cannot fill it.".into()
            }
            Self::Requeued => "Queued to be sent again.".into(),
            Self::MessagingOff => "WhatsApp messaging is off on this server.".into(),
            Self::BadTracking => {
                "Not changed: the tracking link must start with https:// or http://.".into()
            }
            Self::TrackingRequired => {
                "Not changed: the customer's shipping update on WhatsApp needs the tracking link."
                    .into()
            }
            Self::StaffAdded => "Account added.".into(),
            Self::UsernameTaken => "That username is taken.".into(),
            Self::StaffInvalid => format!(
                "Usernames are 1 to 40 of a-z, 0-9, '.', '_' and '-'; passwords at least \
                 {MIN_PASSWORD} characters."
            ),
            Self::TokenRevoked => "Token revoked: it stops working at once.".into(),
            Self::TokenTaken => "A token of that name exists (perhaps revoked); pick another \
                 name."
                .into(),
            Self::TokenInvalid => {
                "Token names are 1 to 40 of a-z, 0-9, '.', '_' and '-'; the scope is read or \
                 write."
                    .into()
            }
            Self::TokenUnknown => "No live token has that name; nothing was changed.".into(),
            Self::Tagged => "Saved the topic.".into(),
            Self::DeliveryRequeued => "Queued to be delivered again.".into(),
            Self::DeliveryNotFailed => "Only a failed delivery can be sent again.".into(),
        }
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

    #[test]
    fn every_code_names_its_notice_and_nothing_else_names_one() {
        let all = Notice::FIXED
            .iter()
            .map(|(n, _)| *n)
            .chain(OrderStatus::ALL.iter().map(|s| Notice::Marked(*s)));
        for notice in all {
            assert_eq!(Notice::parse(notice.code()), Some(notice), "{notice:?}");
            assert!(!notice.text().is_empty());
        }
        assert_eq!(Notice::parse("<script>"), None);
        assert_eq!(Notice::parse(""), None);
    }
}
