//! The order message closing the loop: when a message from a contact names an order's
//! reference, whether that links the order to the contact, or is something for staff to
//! look at (a forwarded order is never merged silently).

use chatout_core::OrderStatus;

/// What the database knows of an order a message named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedOrder {
    /// Where the order is.
    pub status: OrderStatus,
    /// The contact it is linked to already, if any.
    pub contact_id: Option<i64>,
}

/// Why a named order was not linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkWarning {
    /// No order has that reference.
    Unknown,
    /// The order expired before its message arrived.
    Expired,
    /// Another contact's message linked the order first.
    OtherContact,
}

impl LinkWarning {
    /// Every warning.
    pub const ALL: [Self; 3] = [Self::Unknown, Self::Expired, Self::OtherContact];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Expired => "expired",
            Self::OtherContact => "other_contact",
        }
    }

    /// Reads a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.as_str() == name)
    }

    /// What staff read.
    pub fn text(self) -> &'static str {
        match self {
            Self::Unknown => "names no order of this shop",
            Self::Expired => "names an order that had expired",
            Self::OtherContact => "names an order another WhatsApp number sent first",
        }
    }
}

/// What a message naming an order does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// The order is this contact's now: received on WhatsApp.
    Link,
    /// It was linked to this contact before; nothing changes.
    AlreadyLinked,
    /// Nothing is linked; staff see why.
    Warn(LinkWarning),
    /// Nothing happens (a word that only looked like a reference).
    Ignore,
}

/// Decides for a message from `contact_id` naming `order` (`None`: no such order);
/// `dashed` says the text wrote it as a reference is written (`K7F3-9Q2M`).
pub fn link(order: Option<NamedOrder>, dashed: bool, contact_id: i64) -> Link {
    match order {
        None if dashed => Link::Warn(LinkWarning::Unknown),
        None => Link::Ignore,
        Some(order) => match order.contact_id {
            Some(linked) if linked == contact_id => Link::AlreadyLinked,
            Some(_) => Link::Warn(LinkWarning::OtherContact),
            None if order.status == OrderStatus::Expired => Link::Warn(LinkWarning::Expired),
            None => Link::Link,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_is_linked_once_to_the_first_contact_that_names_it() {
        let fresh = NamedOrder {
            status: OrderStatus::Pending,
            contact_id: None,
        };
        assert_eq!(link(Some(fresh), true, 7), Link::Link);
        assert_eq!(
            link(Some(fresh), false, 7),
            Link::Link,
            "undashed, but real"
        );
        let mine = NamedOrder {
            contact_id: Some(7),
            ..fresh
        };
        assert_eq!(link(Some(mine), true, 7), Link::AlreadyLinked);
        assert_eq!(
            link(Some(mine), true, 8),
            Link::Warn(LinkWarning::OtherContact)
        );
        let expired = NamedOrder {
            status: OrderStatus::Expired,
            ..fresh
        };
        assert_eq!(
            link(Some(expired), true, 7),
            Link::Warn(LinkWarning::Expired)
        );
        assert_eq!(link(None, true, 7), Link::Warn(LinkWarning::Unknown));
        assert_eq!(link(None, false, 7), Link::Ignore, "an ordinary word");
        for warning in LinkWarning::ALL {
            assert_eq!(LinkWarning::parse(warning.as_str()), Some(warning));
        }
    }
}
