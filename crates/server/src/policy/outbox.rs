//! The outbox's messages: what kind each is and the states it moves through, with the one
//! rule for which moves are allowed.

/// The Cloud API's error code for a message outside the 24-hour customer-service window: the
/// contact's window is closed, whatever the server thought.
pub const WINDOW_CLOSED: i64 = 131047;

/// The Cloud API's error code when Meta holds back a marketing message because the person got
/// enough of them lately (its per-user marketing limit): the message is `capped`, never
/// retried.
pub const MARKETING_LIMIT: i64 = 131049;

/// What a message is, as the WhatsApp rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// An approved template: business-initiated, needs active consent.
    Template,
    /// Staff's free-form reply: inside the 24-hour window only.
    Reply,
    /// The acknowledgement of STOP or START: always.
    Ack,
    /// A marketing template (a campaign, a back-in-stock alert): business-initiated, needs
    /// the active opt-in to offers and news, and counts towards the frequency cap.
    Marketing,
    /// A campaign's test send to a number staff typed (their own): no opt-in needed, but a
    /// STOP from that number holds; never counted.
    Test,
}

impl MessageKind {
    /// The stored name (`text` for a reply: the Cloud API's message type).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Template => "template",
            Self::Reply => "text",
            Self::Ack => "ack",
            Self::Marketing => "marketing",
            Self::Test => "test",
        }
    }

    /// Reads a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::Template,
            Self::Reply,
            Self::Ack,
            Self::Marketing,
            Self::Test,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == name)
    }
}

/// Where an outbound message is. `Queued → Sending → Sent → Delivered → Read`; `Failed` and
/// `Cancelled` end it; `Uncertain` is a send interrupted by a stop of the server (it may or
/// may not have arrived, so it is never resent on its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxStatus {
    /// Waiting for its turn.
    Queued,
    /// Its request is under way.
    Sending,
    /// The Cloud API accepted it.
    Sent,
    /// On the customer's phone.
    Delivered,
    /// Opened.
    Read,
    /// Refused for good (by the API, or a parameter the order could not fill).
    Failed,
    /// Stopped by the server: consent revoked, window closed.
    Cancelled,
    /// Interrupted mid-request by a stop of the server.
    Uncertain,
    /// A marketing message Meta held back under its per-user limit ([`MARKETING_LIMIT`]):
    /// ended, not retried, counted apart from failures.
    Capped,
}

impl OutboxStatus {
    /// Every state, in the order the desk and `/metrics` list them.
    pub const ALL: [Self; 9] = [
        Self::Queued,
        Self::Sending,
        Self::Sent,
        Self::Delivered,
        Self::Read,
        Self::Failed,
        Self::Cancelled,
        Self::Uncertain,
        Self::Capped,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Uncertain => "uncertain",
            Self::Capped => "capped",
        }
    }

    /// Reads a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// How far along the way to the customer: statuses only move forward.
    fn progress(self) -> Option<u8> {
        match self {
            Self::Queued | Self::Sending | Self::Uncertain => Some(0),
            Self::Sent => Some(1),
            Self::Delivered => Some(2),
            Self::Read => Some(3),
            Self::Failed | Self::Cancelled | Self::Capped => None,
        }
    }

    /// Whether a status report (webhooks arrive late, twice, out of order) may move a message
    /// from here to `to`: only forward, and `failed` only before delivery.
    pub fn may_advance_to(self, to: Self) -> bool {
        match (self.progress(), to) {
            (Some(from), Self::Failed | Self::Capped) => from <= 1,
            (Some(from), _) => to.progress().is_some_and(|to| to > from && to >= 1),
            (None, _) => false,
        }
    }

    /// The statuses a report of `to` may move a message from.
    pub fn before(to: Self) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|s| s.may_advance_to(to))
            .collect()
    }

    /// How a refusal with `code` ends a message: `capped` for Meta's marketing limit, else
    /// `failed`.
    pub fn of_refusal(code: i64) -> Self {
        if code == MARKETING_LIMIT {
            Self::Capped
        } else {
            Self::Failed
        }
    }

    /// Whether it still counts towards a contact's marketing frequency cap: everything but
    /// what never reached them (failed, cancelled, capped).
    pub fn counts_towards_cap(self) -> bool {
        !matches!(self, Self::Failed | Self::Cancelled | Self::Capped)
    }

    /// Whether staff may put it back in the queue ("Send again").
    pub fn can_send_again(self) -> bool {
        matches!(self, Self::Failed | Self::Uncertain)
    }

    /// `'queued', 'sending'`: a list for SQL's `IN (…)`, made from these names only.
    pub fn sql_list(statuses: &[Self]) -> String {
        statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OutboxStatus::*;

    #[test]
    fn names_read_back() {
        for status in OutboxStatus::ALL {
            assert_eq!(OutboxStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(OutboxStatus::parse("lost"), None);
        for kind in [
            MessageKind::Template,
            MessageKind::Reply,
            MessageKind::Ack,
            MessageKind::Marketing,
            MessageKind::Test,
        ] {
            assert_eq!(MessageKind::parse(kind.as_str()), Some(kind));
        }
    }

    /// The moves the outbox made in SQL before (FORWARD_FROM), now in one place.
    #[test]
    fn reports_only_move_a_message_forward() {
        assert_eq!(OutboxStatus::before(Sent), [Queued, Sending, Uncertain]);
        assert_eq!(
            OutboxStatus::before(Delivered),
            [Queued, Sending, Sent, Uncertain]
        );
        assert_eq!(
            OutboxStatus::before(Read),
            [Queued, Sending, Sent, Delivered, Uncertain]
        );
        assert_eq!(
            OutboxStatus::before(Failed),
            [Queued, Sending, Sent, Uncertain]
        );
        for terminal in [Cancelled, Queued, Sending, Uncertain] {
            assert!(OutboxStatus::before(terminal).is_empty(), "{terminal:?}");
        }
        assert!(!Read.may_advance_to(Delivered));
        assert!(!Failed.may_advance_to(Read));
        assert!(Sent.may_advance_to(Capped) && !Delivered.may_advance_to(Capped));
        assert!(!Capped.may_advance_to(Delivered));
        assert_eq!(OutboxStatus::of_refusal(MARKETING_LIMIT), Capped);
        assert_eq!(OutboxStatus::of_refusal(131026), Failed);
        let counted: Vec<_> = OutboxStatus::ALL
            .into_iter()
            .filter(|s| s.counts_towards_cap())
            .collect();
        assert_eq!(counted, [Queued, Sending, Sent, Delivered, Read, Uncertain]);
        assert_eq!(OutboxStatus::sql_list(&[Queued, Sent]), "'queued', 'sent'");
    }
}
