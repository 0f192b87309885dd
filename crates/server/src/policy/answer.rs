//! A customer's answer with a button: what the buttons the shop sends carry, and what a tap
//! does to the order it names, from where that order is.

use chatout_core::{OrderReference, OrderStatus};
use serde::Deserialize;

/// What a button asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// "Yes, confirm": the customer agrees with the confirmed order.
    Confirm,
    /// "Cancel order".
    Cancel,
}

impl Action {
    /// Every action.
    pub const ALL: [Self; 2] = [Self::Confirm, Self::Cancel];

    /// The name in payloads, the templates file and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirm => "confirm",
            Self::Cancel => "cancel",
        }
    }

    /// Reads a name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// What a button of order `reference` carries back (`order:K7F3-9Q2M:cancel`).
pub fn payload(reference: &str, action: Action) -> String {
    format!("order:{reference}:{}", action.as_str())
}

/// The order reference and action a tapped button's payload names; `None` for buttons that
/// are not the shop's order buttons.
pub fn parse_payload(payload: &str) -> Option<(OrderReference, Action)> {
    let mut parts = payload.strip_prefix("order:")?.split(':');
    let reference = OrderReference::parse(parts.next()?).ok()?;
    let action = Action::parse(parts.next()?)?;
    parts.next().is_none().then_some((reference, action))
}

/// What an answer did to its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The order was cancelled, its stock given back.
    Cancelled,
    /// Recorded; the order stays as it is.
    Noted,
    /// The order is past the point where the answer could change it: staff look at it.
    TooLate,
    /// The order is not this contact's: nothing changed.
    NotTheirs,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Self; 4] = [Self::Cancelled, Self::Noted, Self::TooLate, Self::NotTheirs];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cancelled => "cancelled",
            Self::Noted => "noted",
            Self::TooLate => "too_late",
            Self::NotTheirs => "not_theirs",
        }
    }

    /// Reads a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == name)
    }

    /// Whether staff should look at it (the answer changed nothing it asked for).
    pub fn needs_staff(self) -> bool {
        matches!(self, Self::TooLate | Self::NotTheirs)
    }

    /// What staff read.
    pub fn text(self) -> &'static str {
        match self {
            Self::Cancelled => "cancelled the order",
            Self::Noted => "recorded",
            Self::TooLate => "changed nothing: the order is past that point; answer in the chat",
            Self::NotTheirs => "changed nothing: the order is not this number's",
        }
    }
}

/// What `action` does to an order that is `status`. A customer cancels only before paying:
/// a paid order is cancelled (and refunded) by staff.
pub fn decide(status: OrderStatus, action: Action) -> Outcome {
    match (status, action) {
        (OrderStatus::Pending | OrderStatus::Confirmed, Action::Cancel) => Outcome::Cancelled,
        (OrderStatus::Pending | OrderStatus::Confirmed, Action::Confirm) => Outcome::Noted,
        (
            OrderStatus::Paid
            | OrderStatus::Fulfilled
            | OrderStatus::Cancelled
            | OrderStatus::Expired,
            _,
        ) => Outcome::TooLate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_read_back_and_nothing_else_does() {
        for action in Action::ALL {
            let text = payload("K7F3-9Q2M", action);
            let (reference, read) = parse_payload(&text).unwrap();
            assert_eq!((reference.as_str(), read), ("K7F3-9Q2M", action));
        }
        for other in [
            "order:K7F3-9Q2M",
            "order:K7F3-9Q2M:refund",
            "order:NOPE:cancel",
            "order:K7F3-9Q2M:cancel:x",
            "Stop promotions",
            "",
        ] {
            assert_eq!(parse_payload(other), None, "{other}");
        }
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
        }
    }

    #[test]
    fn a_customer_cancels_only_before_paying() {
        use OrderStatus::*;
        assert_eq!(decide(Pending, Action::Cancel), Outcome::Cancelled);
        assert_eq!(decide(Confirmed, Action::Cancel), Outcome::Cancelled);
        assert_eq!(decide(Confirmed, Action::Confirm), Outcome::Noted);
        for late in [Paid, Fulfilled, Cancelled, Expired] {
            assert_eq!(decide(late, Action::Cancel), Outcome::TooLate, "{late:?}");
            assert_eq!(decide(late, Action::Confirm), Outcome::TooLate, "{late:?}");
        }
    }
}
