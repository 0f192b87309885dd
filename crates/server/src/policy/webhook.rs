//! Outbound webhooks (docs/CONTRACT.md section 8): which order event a change raises, the states
//! a delivery moves through, and when a failed attempt is tried again.

use chatout_core::OrderStatus;
use std::time::Duration;

/// An order event a receiver is told of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// A pending order was registered.
    Created,
    /// The shopper's message reached the shop's WhatsApp.
    Received,
    /// Lines, shipping or discount changed.
    Updated,
    /// Staff confirmed it.
    Confirmed,
    /// It was paid.
    Paid,
    /// It was shipped or handed over.
    Fulfilled,
    /// It was cancelled.
    Cancelled,
    /// Nobody confirmed it in time.
    Expired,
}

impl EventType {
    /// Every type, in lifecycle order.
    pub const ALL: [Self; 8] = [
        Self::Created,
        Self::Received,
        Self::Updated,
        Self::Confirmed,
        Self::Paid,
        Self::Fulfilled,
        Self::Cancelled,
        Self::Expired,
    ];

    /// The name on the wire (`order.confirmed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "order.created",
            Self::Received => "order.received",
            Self::Updated => "order.updated",
            Self::Confirmed => "order.confirmed",
            Self::Paid => "order.paid",
            Self::Fulfilled => "order.fulfilled",
            Self::Cancelled => "order.cancelled",
            Self::Expired => "order.expired",
        }
    }

    /// The event of an order reaching `status`.
    pub fn of_status(status: OrderStatus) -> Self {
        match status {
            OrderStatus::Pending => Self::Created,
            OrderStatus::Confirmed => Self::Confirmed,
            OrderStatus::Paid => Self::Paid,
            OrderStatus::Fulfilled => Self::Fulfilled,
            OrderStatus::Cancelled => Self::Cancelled,
            OrderStatus::Expired => Self::Expired,
        }
    }
}

/// Where one delivery (an event to one URL) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// Waiting for its time, or for the same order's earlier events to that URL.
    Queued,
    /// Its request is under way.
    Delivering,
    /// The receiver answered 2xx.
    Delivered,
    /// Retried for as long as events are, without a 2xx.
    Failed,
}

impl DeliveryStatus {
    /// Every state.
    pub const ALL: [Self; 4] = [
        Self::Queued,
        Self::Delivering,
        Self::Delivered,
        Self::Failed,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Delivering => "delivering",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// Reads a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether a later event of the same order to the same URL must wait for this one.
    pub fn holds_back_later_events(self) -> bool {
        matches!(self, Self::Queued | Self::Delivering)
    }
}

/// What a receiver's answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 2xx: delivered.
    Delivered,
    /// Anything else (3xx, 4xx, 5xx, a timeout, a refused connection): tried again.
    TryAgain,
}

impl Answer {
    /// The meaning of HTTP status `code`; redirects are not followed (a receiver moved is a
    /// configuration to fix, not a place to send the shop's orders to unasked).
    pub fn of_status(code: u16) -> Self {
        if (200..300).contains(&code) {
            Self::Delivered
        } else {
            Self::TryAgain
        }
    }
}

/// The longest wait between two attempts of one delivery.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(3600);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_only_2xx_delivers() {
        for status in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(DeliveryStatus::parse("sent"), None);
        assert_eq!(Answer::of_status(204), Answer::Delivered);
        for code in [0, 199, 301, 302, 404, 500] {
            assert_eq!(Answer::of_status(code), Answer::TryAgain, "{code}");
        }
        assert_eq!(
            EventType::of_status(OrderStatus::Confirmed).as_str(),
            "order.confirmed"
        );
    }
}
