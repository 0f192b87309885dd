//! The order lifecycle: pending → confirmed → paid → fulfilled; pending or confirmed →
//! cancelled; pending → expired. Everything else is refused.

use serde::{Deserialize, Serialize};

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Created by the widget, waiting for the shop; holds stock.
    Pending,
    /// The shop accepted it in chat.
    Confirmed,
    /// Payment received.
    Paid,
    /// Shipped or picked up.
    Fulfilled,
    /// Called off by the shop or the shopper.
    Cancelled,
    /// Left pending too long; its stock was released.
    Expired,
}

impl OrderStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [OrderStatus; 6] = [
        Self::Pending,
        Self::Confirmed,
        Self::Paid,
        Self::Fulfilled,
        Self::Cancelled,
        Self::Expired,
    ];

    /// The stored and wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Paid => "paid",
            Self::Fulfilled => "fulfilled",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The statuses this one may move to.
    pub fn next(&self) -> &'static [OrderStatus] {
        match self {
            Self::Pending => &[Self::Confirmed, Self::Cancelled, Self::Expired],
            Self::Confirmed => &[Self::Paid, Self::Cancelled],
            // A paid order can still be called off (its payment is then refunded).
            Self::Paid => &[Self::Fulfilled, Self::Cancelled],
            Self::Fulfilled | Self::Cancelled | Self::Expired => &[],
        }
    }

    /// True when moving to `to` is a legal transition.
    pub fn can_become(&self, to: OrderStatus) -> bool {
        self.next().contains(&to)
    }

    /// True while the order holds stock (released on cancel or expiry).
    pub fn holds_stock(&self) -> bool {
        !matches!(self, Self::Cancelled | Self::Expired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_documented_transitions_are_legal() {
        let legal = [
            ("pending", "confirmed"),
            ("pending", "cancelled"),
            ("pending", "expired"),
            ("confirmed", "paid"),
            ("confirmed", "cancelled"),
            ("paid", "fulfilled"),
            ("paid", "cancelled"),
        ];
        for from in OrderStatus::ALL {
            for to in OrderStatus::ALL {
                let expected = legal.contains(&(from.as_str(), to.as_str()));
                assert_eq!(from.can_become(to), expected, "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(OrderStatus::parse("Pending"), None);
    }
}
