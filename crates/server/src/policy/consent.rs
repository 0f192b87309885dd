//! A contact's consent to WhatsApp messages (docs/CONTRACT.md section 10), as a state machine.
//!
//! A number typed into a web form proves nothing, so a web opt-in is only `Pending` until a
//! message from that number carrying the request's own reference arrives (normally the order
//! message the widget just opened); any other message leaves it pending, and it lapses after
//! `CHATOUT_OPT_IN_PENDING`. It never overrides a STOP. Only the contact's own messages
//! (START, or the request's reference) make consent active.

pub use super::outbox::MessageKind;

/// Where a contact's consent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// No opt-in.
    None,
    /// Opted in on the web at `since` (ms); active once a message from the number carrying
    /// the request's reference arrives after that, lapsed after `CHATOUT_OPT_IN_PENDING`.
    Pending {
        /// When the web opt-in arrived.
        since: i64,
    },
    /// Business-initiated messages (templates) may be sent.
    Active,
    /// The contact replied STOP: nothing but the acknowledgement, until they send START.
    Stopped,
}

/// Why a message may not go to a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The contact said STOP.
    #[error("the customer replied STOP")]
    Stopped,
    /// A web opt-in that the number has not confirmed by writing to the shop.
    #[error("the opt-in is pending until the customer writes from this number with its reference")]
    Pending,
    /// No opt-in at all.
    #[error("the customer has not opted in")]
    NoOptIn,
    /// More than 24 hours since the contact last wrote.
    #[error("the 24-hour window is closed")]
    WindowClosed,
}

impl Consent {
    /// Reads the stored name and pending time.
    pub fn from_stored(name: &str, pending_since: Option<i64>) -> Option<Self> {
        Some(match (name, pending_since) {
            ("none", _) => Self::None,
            ("pending", Some(since)) => Self::Pending { since },
            ("active", _) => Self::Active,
            ("stopped", _) => Self::Stopped,
            _ => return None,
        })
    }

    /// The stored name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Pending { .. } => "pending",
            Self::Active => "active",
            Self::Stopped => "stopped",
        }
    }

    /// The stored pending time.
    pub fn pending_since(&self) -> Option<i64> {
        match self {
            Self::Pending { since } => Some(*since),
            _ => None,
        }
    }

    /// A web opt-in (a ticked box at checkout) arrived at `now`.
    pub fn on_web_opt_in(self, now: i64) -> Self {
        match self {
            Self::None | Self::Pending { .. } => Self::Pending { since: now },
            Self::Active | Self::Stopped => self,
        }
    }

    /// A message carrying the reference of one of the contact's own web opt-ins arrived at
    /// `received_at`: the number proved it.
    pub fn on_proof(self, received_at: i64) -> Self {
        match self {
            Self::Pending { since } if received_at >= since => Self::Active,
            other => other,
        }
    }

    /// Where it stands at `now` when a pending opt-in lapses after `pending_for` ms.
    pub fn lapsed(self, now: i64, pending_for: i64) -> Self {
        match self {
            Self::Pending { since } if now.saturating_sub(since) >= pending_for => Self::None,
            other => other,
        }
    }

    /// The consent of two contacts found to be one person: a STOP from either stays, then an
    /// active opt-in, then the later pending one.
    pub fn merged(self, other: Self) -> Self {
        match (self, other) {
            (Self::Stopped, _) | (_, Self::Stopped) => Self::Stopped,
            (Self::Active, _) | (_, Self::Active) => Self::Active,
            (Self::Pending { since: a }, Self::Pending { since: b }) => {
                Self::Pending { since: a.max(b) }
            }
            (pending @ Self::Pending { .. }, Self::None) | (Self::None, pending) => pending,
        }
    }

    /// The contact sent STOP (`false`) or START (`true`).
    pub fn on_keyword(self, start: bool) -> Self {
        if start {
            Self::Active
        } else {
            Self::Stopped
        }
    }

    /// Whether `kind` may go to the contact now, given until when the window is open.
    pub fn may_receive(
        &self,
        kind: MessageKind,
        window_until: i64,
        now: i64,
    ) -> Result<(), Refusal> {
        match (kind, self) {
            (MessageKind::Ack, _) => Ok(()),
            (_, Self::Stopped) => Err(Refusal::Stopped),
            (MessageKind::Test, _) => Ok(()),
            (MessageKind::Reply, _) if window_until <= now => Err(Refusal::WindowClosed),
            (MessageKind::Reply, _)
            | (MessageKind::Template | MessageKind::Marketing, Self::Active) => Ok(()),
            (MessageKind::Template | MessageKind::Marketing, Self::Pending { .. }) => {
                Err(Refusal::Pending)
            }
            (MessageKind::Template | MessageKind::Marketing, Self::None) => Err(Refusal::NoOptIn),
        }
    }
}

/// Where a line of a contact's consent history came from (stored as `as_str`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentSource {
    /// A web opt-in at checkout, pending until the number sends the order's reference.
    Checkout,
    /// A checkout opt-in from a number that had replied STOP: recorded, not applied.
    CheckoutAfterStop,
    /// A web opt-in with a back-in-stock request.
    BackInStock,
    /// A back-in-stock opt-in from a number that had replied STOP: recorded, not applied.
    BackInStockAfterStop,
    /// The number sent a request's reference, making its opt-in active.
    Message,
    /// The contact sent STOP or START.
    Keyword,
    /// A web opt-in whose message never came.
    Lapsed,
    /// Meta's "Stop promotions" quick reply.
    StopPromotions,
    /// Stopped in WhatsApp's own settings.
    WhatsappSettings,
}

impl ConsentSource {
    /// Every source.
    pub const ALL: [Self; 9] = [
        Self::Checkout,
        Self::CheckoutAfterStop,
        Self::BackInStock,
        Self::BackInStockAfterStop,
        Self::Message,
        Self::Keyword,
        Self::Lapsed,
        Self::StopPromotions,
        Self::WhatsappSettings,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Checkout => "checkout",
            Self::CheckoutAfterStop => "checkout_after_stop",
            Self::BackInStock => "back_in_stock",
            Self::BackInStockAfterStop => "back_in_stock_after_stop",
            Self::Message => "message",
            Self::Keyword => "keyword",
            Self::Lapsed => "lapsed",
            Self::StopPromotions => "stop_promotions",
            Self::WhatsappSettings => "whatsapp_settings",
        }
    }

    /// Reads a stored name; `None` for a name this server does not know.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// What a web opt-in from this source is recorded as, given where consent stands after
    /// it: one that a STOP kept from applying is its own `…_after_stop` source.
    pub fn of_web_opt_in(self, after: Consent) -> Self {
        match (self, after) {
            (Self::Checkout, Consent::Stopped) => Self::CheckoutAfterStop,
            (Self::BackInStock, Consent::Stopped) => Self::BackInStockAfterStop,
            (other, _) => other,
        }
    }
}

/// Whether `kind` may go now to a contact with these consents: a marketing message by the
/// opt-in to offers and news, everything else by the opt-in to order updates (and a reply
/// by the window).
pub fn may_receive(
    order_updates: Consent,
    marketing: Consent,
    kind: MessageKind,
    window_until: i64,
    now: i64,
) -> Result<(), Refusal> {
    match kind {
        MessageKind::Marketing => marketing.may_receive(kind, window_until, now),
        _ => order_updates.may_receive(kind, window_until, now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: a stranger's checkout with the customer's number undid their STOP.
    #[test]
    fn a_web_opt_in_never_overrides_stop() {
        let stopped = Consent::Active.on_keyword(false);
        assert_eq!(stopped.on_web_opt_in(10), Consent::Stopped);
        assert_eq!(stopped.on_web_opt_in(10).on_proof(20), Consent::Stopped);
        assert_eq!(stopped.on_keyword(true), Consent::Active);
    }

    #[test]
    fn a_web_opt_in_waits_for_the_number_to_write() {
        let pending = Consent::None.on_web_opt_in(100);
        assert_eq!(pending, Consent::Pending { since: 100 });
        assert_eq!(
            pending.may_receive(MessageKind::Template, 0, 150),
            Err(Refusal::Pending)
        );
        // A message from before the opt-in proves nothing about it.
        assert_eq!(pending.on_proof(99), pending);
        let active = pending.on_proof(100);
        assert_eq!(active, Consent::Active);
        assert_eq!(active.may_receive(MessageKind::Template, 0, 150), Ok(()));
        assert_eq!(active.on_web_opt_in(200), Consent::Active);
    }

    /// Regression (#27.5): a stranger's opt-in never expired.
    #[test]
    fn a_pending_opt_in_lapses_after_its_time() {
        let pending = Consent::Pending { since: 1_000 };
        assert_eq!(pending.lapsed(1_999, 1_000), pending);
        assert_eq!(pending.lapsed(2_000, 1_000), Consent::None);
        for other in [Consent::None, Consent::Active, Consent::Stopped] {
            assert_eq!(other.lapsed(i64::MAX, 1), other);
        }
    }

    #[test]
    fn merged_contacts_keep_a_stop_and_otherwise_the_strongest_opt_in() {
        let (p1, p2) = (Consent::Pending { since: 1 }, Consent::Pending { since: 2 });
        assert_eq!(Consent::Active.merged(Consent::Stopped), Consent::Stopped);
        assert_eq!(Consent::None.merged(Consent::Stopped), Consent::Stopped);
        assert_eq!(p1.merged(Consent::Active), Consent::Active);
        assert_eq!(p1.merged(p2), p2);
        assert_eq!(Consent::None.merged(p1), p1);
        assert_eq!(p2.merged(Consent::None), p2);
        assert_eq!(Consent::None.merged(Consent::None), Consent::None);
    }

    #[test]
    fn replies_need_the_window_and_acks_always_go() {
        for consent in [
            Consent::None,
            Consent::Pending { since: 1 },
            Consent::Active,
        ] {
            assert_eq!(consent.may_receive(MessageKind::Reply, 500, 400), Ok(()));
            assert_eq!(
                consent.may_receive(MessageKind::Reply, 400, 400),
                Err(Refusal::WindowClosed)
            );
        }
        assert_eq!(
            Consent::Stopped.may_receive(MessageKind::Reply, 500, 400),
            Err(Refusal::Stopped)
        );
        assert_eq!(
            Consent::Stopped.may_receive(MessageKind::Ack, 0, 400),
            Ok(())
        );
        assert_eq!(
            Consent::None.may_receive(MessageKind::Template, 500, 400),
            Err(Refusal::NoOptIn)
        );
    }

    #[test]
    fn marketing_goes_by_its_own_opt_in_only() {
        let kind = MessageKind::Marketing;
        // Order updates on, offers never ticked: no marketing.
        let updates_only = may_receive(Consent::Active, Consent::None, kind, 500, 400);
        assert_eq!(updates_only, Err(Refusal::NoOptIn));
        let pending = Consent::Pending { since: 1 };
        assert_eq!(
            may_receive(Consent::Active, pending, kind, 500, 400),
            Err(Refusal::Pending)
        );
        assert_eq!(
            may_receive(Consent::None, Consent::Active, kind, 0, 400),
            Ok(())
        );
        assert_eq!(
            may_receive(Consent::Active, Consent::Stopped, kind, 500, 400),
            Err(Refusal::Stopped)
        );
        // A template about an order still goes by the order-update opt-in.
        let template = MessageKind::Template;
        assert_eq!(
            may_receive(Consent::Active, Consent::None, template, 0, 400),
            Ok(())
        );
    }

    #[test]
    fn stored_names_read_back() {
        for state in [
            Consent::None,
            Consent::Pending { since: 7 },
            Consent::Active,
            Consent::Stopped,
        ] {
            assert_eq!(
                Consent::from_stored(state.as_str(), state.pending_since()),
                Some(state)
            );
        }
        assert_eq!(Consent::from_stored("pending", None), None);
        assert_eq!(Consent::from_stored("maybe", None), None);
    }

    #[test]
    fn sources_read_back_and_a_stop_marks_web_opt_ins() {
        for source in ConsentSource::ALL {
            assert_eq!(ConsentSource::parse(source.as_str()), Some(source));
        }
        assert_eq!(ConsentSource::parse("maybe"), None);
        let checkout = ConsentSource::Checkout;
        assert_eq!(
            checkout.of_web_opt_in(Consent::Stopped).as_str(),
            "checkout_after_stop"
        );
        assert_eq!(
            checkout.of_web_opt_in(Consent::Pending { since: 1 }),
            checkout
        );
        assert_eq!(
            ConsentSource::BackInStock
                .of_web_opt_in(Consent::Stopped)
                .as_str(),
            "back_in_stock_after_stop"
        );
    }
}
