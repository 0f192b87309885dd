//! Which order-event templates may go to a number, and with whose words (docs/CONTRACT.md
//! section 10, issue 27 item 4).
//!
//! A number typed into a web form proves nothing, and neither does the name typed beside it:
//! a stranger could post an order with someone else's number and a name like "your payment
//! failed, pay again at …". So text a stranger typed (the order's `name`) goes into a template
//! only when this order's own message arrived from the number the template goes to. Otherwise
//! the name the number's owner sent themselves (on an earlier order whose message came from
//! that number) stands in, or the template is withheld. Reminders of an order whose message
//! never arrived go only to a number proven that way. And no number gets more than
//! [`ORDER_TEMPLATES_PER_DAY`] automatic order templates in 24 hours, whoever placed the orders.

/// The most automatic order-event templates (confirmations, payments, shipping, reminders…)
/// one contact gets in 24 hours; the rest are withheld. A real customer rarely needs more
/// than three in a day (confirmed, paid, shipped); five leaves room for a second order.
pub const ORDER_TEMPLATES_PER_DAY: i64 = 5;

/// The window [`ORDER_TEMPLATES_PER_DAY`] counts in.
pub const CAP_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;

/// What the server knows of the number an order's template would go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    /// This order's own message arrived from the number (or the order was made in its chat).
    Arrived,
    /// Another order's message arrived from the number: its owner sent `name` themselves.
    Proven {
        /// The name on the latest order whose message came from the number.
        name: String,
    },
    /// Nothing but a number typed into a form.
    Unproven,
}

/// What fills a template's `name` parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameToUse {
    /// The name on the order (its message arrived from this number).
    Order,
    /// The name the number's owner sent on an earlier order.
    Proven(String),
}

/// Why an order template is not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Withheld {
    /// A reminder for a number that never sent the shop an order's message.
    #[error(
        "withheld: this number never sent the shop an order's message, so a reminder could \
         reach someone who did not order"
    )]
    ReminderToUnproven,
    /// The template carries the typed name and nothing else can stand in for it.
    #[error(
        "withheld: it carries the name typed on the web, and this order's message has not \
         arrived from this number"
    )]
    TypedText,
    /// The number had its [`ORDER_TEMPLATES_PER_DAY`] already.
    #[error("withheld: this number got {ORDER_TEMPLATES_PER_DAY} order messages in 24 hours")]
    OverCap,
}

/// What an order template needs to be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// It is a reminder of a pending order.
    pub reminder: bool,
    /// Its parameters include text the shopper typed (the name).
    pub typed_text: bool,
    /// Automatic order templates the contact got (or has queued) in the last 24 hours.
    pub sent_today: i64,
}

/// Decides whether an order template goes to a number with `proof`, and which name it
/// carries.
pub fn decide(request: Request, proof: &Proof) -> Result<NameToUse, Withheld> {
    if request.sent_today >= ORDER_TEMPLATES_PER_DAY {
        return Err(Withheld::OverCap);
    }
    match proof {
        Proof::Arrived => Ok(NameToUse::Order),
        Proof::Proven { name } if request.typed_text => Ok(NameToUse::Proven(name.clone())),
        Proof::Proven { .. } => Ok(NameToUse::Order),
        Proof::Unproven if request.reminder => Err(Withheld::ReminderToUnproven),
        Proof::Unproven if request.typed_text => Err(Withheld::TypedText),
        Proof::Unproven => Ok(NameToUse::Order),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REMINDER: Request = Request {
        reminder: true,
        typed_text: true,
        sent_today: 0,
    };

    /// Issue 27 item 4: a stranger's order with a victim's number and the name "Anna — your
    /// payment failed, pay again at https://evil.example/…" had the shop send that text.
    #[test]
    fn a_strangers_words_never_reach_a_number_that_did_not_send_the_order() {
        let proven = Proof::Proven {
            name: "Anna de Vries".into(),
        };
        assert_eq!(
            decide(REMINDER, &proven),
            Ok(NameToUse::Proven("Anna de Vries".into()))
        );
        assert_eq!(
            decide(REMINDER, &Proof::Unproven),
            Err(Withheld::ReminderToUnproven)
        );
        let confirmed = Request {
            reminder: false,
            ..REMINDER
        };
        assert_eq!(
            decide(confirmed, &Proof::Unproven),
            Err(Withheld::TypedText)
        );
        assert_eq!(decide(confirmed, &Proof::Arrived), Ok(NameToUse::Order));
        let plain = Request {
            typed_text: false,
            ..confirmed
        };
        assert_eq!(decide(plain, &Proof::Unproven), Ok(NameToUse::Order));
        assert_eq!(decide(plain, &proven), Ok(NameToUse::Order));
    }

    #[test]
    fn a_number_gets_a_handful_of_order_templates_a_day() {
        let under = Request {
            sent_today: ORDER_TEMPLATES_PER_DAY - 1,
            ..REMINDER
        };
        assert!(decide(under, &Proof::Arrived).is_ok());
        let over = Request {
            sent_today: ORDER_TEMPLATES_PER_DAY,
            ..under
        };
        assert_eq!(decide(over, &Proof::Arrived), Err(Withheld::OverCap));
    }
}
