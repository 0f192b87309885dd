//! What a message from a contact changes: the 24-hour window, the contact's consent (a
//! keyword, or the reference of one of its own web opt-ins), and what is sent or cancelled
//! because of it. WhatsApp's own notices (`system`, `unsupported`) are not the contact
//! writing: they change neither.

use super::campaign::is_stop_button;
use super::consent::{Consent, ConsentSource};
use chatout_core::{consent_acknowledgement, consent_keyword, ConsentCommand};

/// How long an inbound message keeps the customer-service window open.
pub const WINDOW_MS: i64 = 24 * 3600 * 1000;

/// Why a message changed the contact's consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentChange {
    /// The number sent the reference of its own web opt-in, which makes that opt-in its own.
    Wrote,
    /// `START` (true) or `STOP` (false), in one of its languages.
    Keyword(bool),
    /// Meta's "Stop promotions" quick reply (or a button like it): offers only.
    StopButton,
}

impl ConsentChange {
    /// Whether it opts in, and the source the consent history records.
    pub fn recorded(self) -> (bool, ConsentSource) {
        match self {
            Self::Wrote => (true, ConsentSource::Message),
            Self::Keyword(start) => (start, ConsentSource::Keyword),
            Self::StopButton => (false, ConsentSource::StopPromotions),
        }
    }
}

/// Which of the contact's pending web opt-ins a message proves: it carries the reference of
/// a request (an order, an `ALERT-…` code) that opted in to that purpose for this number,
/// made within `CHATOUT_OPT_IN_PENDING`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Proof {
    /// Order updates.
    pub order_updates: bool,
    /// Offers and news.
    pub marketing: bool,
}

/// Whether a message of type `kind` is the contact writing; WhatsApp's own notices are not.
pub fn written_by_contact(kind: &str) -> bool {
    !matches!(kind, "system" | "unsupported")
}

/// A message as far as the window and consent go.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    /// Its type (`text`, `system`…).
    pub kind: &'a str,
    /// Its text.
    pub text: &'a str,
    /// When it was sent (Unix seconds, the sender's clock).
    pub timestamp: Option<i64>,
    /// The opt-ins its reference proves.
    pub proves: Proof,
}

/// What one inbound message does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundEffects {
    /// When it was sent: the sender's clock, never later than now.
    pub sent_at: i64,
    /// It is the contact writing: the window opens (else it changes nothing).
    pub opens_window: bool,
    /// The window stays open at least until then.
    pub window_until: i64,
    /// The contact's consent to order updates after it, when it changed, and why.
    pub consent: Option<(Consent, ConsentChange)>,
    /// The contact's consent to offers and news after it, when it changed, and why: STOP
    /// revokes it too, START does not restore it (docs/CONTRACT.md section 10).
    pub marketing: Option<(Consent, ConsentChange)>,
    /// The acknowledgement to send, when a keyword changed the consent.
    pub acknowledgement: Option<&'static str>,
    /// Everything queued for the contact, but acknowledgements, is cancelled (STOP).
    pub cancel_queued: bool,
}

/// Decides what `message` does to a contact whose consents are `consent` (order updates) and
/// `marketing` and whose last order was in `locale`, received `now` (ms).
pub fn on_inbound(
    consent: Consent,
    marketing: Consent,
    locale: Option<&str>,
    message: &Received<'_>,
    now: i64,
) -> InboundEffects {
    // The sender's clock is not trusted beyond the present.
    let sent_at = message
        .timestamp
        .and_then(|s| s.checked_mul(1000))
        .unwrap_or(now)
        .min(now);
    let written = written_by_contact(message.kind);
    let mut effects = InboundEffects {
        sent_at,
        opens_window: written,
        window_until: if written {
            sent_at.saturating_add(WINDOW_MS)
        } else {
            0
        },
        consent: None,
        marketing: None,
        acknowledgement: None,
        cancel_queued: false,
    };
    if !written {
        return effects;
    }
    let proved = |state: Consent, proof: bool| {
        let next = if proof { state.on_proof(now) } else { state };
        (next != state).then_some((next, ConsentChange::Wrote))
    };
    let text = message.text;
    match consent_keyword(text) {
        Some(keyword) => {
            let start = keyword.command == ConsentCommand::Start;
            if !start && marketing != marketing.on_keyword(false) {
                effects.marketing =
                    Some((marketing.on_keyword(false), ConsentChange::Keyword(false)));
            }
            let next = consent.on_keyword(start);
            // A keyword that changes nothing (a second STOP) is not acknowledged again.
            if next != consent {
                effects.consent = Some((next, ConsentChange::Keyword(start)));
                let language = keyword.language.or(locale).unwrap_or("en");
                effects.acknowledgement = Some(consent_acknowledgement(keyword.command, language));
                effects.cancel_queued = !start;
            }
        }
        // A campaign's "Stop promotions" button stops offers only.
        None if is_stop_button(text) => {
            if marketing != Consent::Stopped {
                effects.marketing = Some((Consent::Stopped, ConsentChange::StopButton));
            }
            effects.consent = proved(consent, message.proves.order_updates);
        }
        None => {
            effects.consent = proved(consent, message.proves.order_updates);
            effects.marketing = proved(marketing, message.proves.marketing);
        }
    }
    effects
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;
    const BOTH: Proof = Proof {
        order_updates: true,
        marketing: true,
    };

    /// A text message proving `proves`.
    fn receive(
        consent: Consent,
        marketing: Consent,
        locale: Option<&str>,
        text: &str,
        timestamp: Option<i64>,
        proves: Proof,
    ) -> InboundEffects {
        let message = Received {
            kind: "text",
            text,
            timestamp,
            proves,
        };
        on_inbound(consent, marketing, locale, &message, NOW)
    }

    #[test]
    fn a_message_opens_the_window_from_when_it_was_sent_but_never_from_the_future() {
        let an_hour_ago = receive(
            Consent::None,
            Consent::None,
            None,
            "Hi",
            Some(NOW / 1000 - 3600),
            Proof::default(),
        );
        assert_eq!(an_hour_ago.window_until, NOW - 3_600_000 + WINDOW_MS);
        let future = receive(
            Consent::None,
            Consent::None,
            None,
            "Hi",
            Some(NOW / 1000 + 3600),
            Proof::default(),
        );
        assert_eq!(future.sent_at, NOW);
        assert_eq!(
            receive(
                Consent::None,
                Consent::None,
                None,
                "Hi",
                None,
                Proof::default()
            )
            .sent_at,
            NOW
        );
        assert_eq!(an_hour_ago.consent, None);
    }

    #[test]
    fn the_requests_own_reference_makes_a_web_opt_in_active() {
        let pending = Consent::Pending { since: NOW - 1000 };
        let effects = receive(
            pending,
            Consent::None,
            None,
            "*Order K7F3-9Q2M*",
            None,
            BOTH,
        );
        assert_eq!(
            effects.consent,
            Some((Consent::Active, ConsentChange::Wrote))
        );
        assert_eq!(effects.acknowledgement, None);
    }

    /// Regression (#27.5): any later message from the number activated a stranger's opt-in.
    #[test]
    fn any_other_message_leaves_a_web_opt_in_pending() {
        let pending = Consent::Pending { since: NOW - 1000 };
        let effects = receive(
            pending,
            pending,
            None,
            "Do you ship to Belgium?",
            None,
            Proof::default(),
        );
        assert_eq!((effects.consent, effects.marketing), (None, None));
        assert!(effects.opens_window);
    }

    /// Regression (#27.7): WhatsApp's own notices opened the window and proved opt-ins.
    #[test]
    fn system_and_unsupported_messages_change_nothing() {
        let pending = Consent::Pending { since: NOW - 1000 };
        for kind in ["system", "unsupported"] {
            let message = Received {
                kind,
                text: "STOP",
                timestamp: None,
                proves: BOTH,
            };
            let effects = on_inbound(pending, pending, None, &message, NOW);
            assert!(!effects.opens_window, "{kind}");
            assert_eq!(effects.window_until, 0);
            assert_eq!((effects.consent, effects.marketing), (None, None));
            assert_eq!(effects.acknowledgement, None);
        }
        assert!(written_by_contact("reaction") && written_by_contact("text"));
    }

    #[test]
    fn stop_revokes_offers_too_and_start_brings_back_order_updates_only() {
        let stop = receive(
            Consent::Active,
            Consent::Active,
            None,
            "STOP",
            None,
            Proof::default(),
        );
        assert_eq!(
            stop.marketing,
            Some((Consent::Stopped, ConsentChange::Keyword(false)))
        );
        let start = receive(
            Consent::Stopped,
            Consent::Stopped,
            None,
            "START",
            None,
            Proof::default(),
        );
        assert_eq!(start.marketing, None);
        assert_eq!(start.consent.map(|c| c.0), Some(Consent::Active));
        // The reference proves the number for the opt-in it names.
        let pending = Consent::Pending { since: NOW - 1 };
        let proof = Proof {
            order_updates: false,
            marketing: true,
        };
        let wrote = receive(Consent::None, pending, None, "Hi", None, proof);
        assert_eq!(
            wrote.marketing,
            Some((Consent::Active, ConsentChange::Wrote))
        );
        assert_eq!(wrote.consent, None);
    }

    #[test]
    fn stop_promotions_stops_offers_and_nothing_else() {
        let tap = receive(
            Consent::Active,
            Consent::Active,
            None,
            "Stop promotions",
            None,
            Proof::default(),
        );
        assert_eq!(
            tap.marketing,
            Some((Consent::Stopped, ConsentChange::StopButton))
        );
        let (opted_in, source) = ConsentChange::StopButton.recorded();
        assert_eq!((opted_in, source.as_str()), (false, "stop_promotions"));
        assert_eq!((tap.consent, tap.acknowledgement), (None, None));
        assert!(!tap.cancel_queued);
    }

    #[test]
    fn stop_is_acknowledged_once_in_its_language_and_cancels_what_waits() {
        let stop = receive(
            Consent::Active,
            Consent::None,
            Some("nl"),
            "Basta",
            None,
            Proof::default(),
        );
        assert_eq!(
            stop.consent,
            Some((Consent::Stopped, ConsentChange::Keyword(false)))
        );
        assert!(stop
            .acknowledgement
            .unwrap()
            .starts_with("Non riceverai più"));
        assert!(stop.cancel_queued);
        let again = receive(
            Consent::Stopped,
            Consent::None,
            Some("nl"),
            "STOP",
            None,
            Proof::default(),
        );
        assert_eq!((again.consent, again.acknowledgement), (None, None));
        // STOP in the contact's language when the word has none of its own.
        let plain = receive(
            Consent::Pending { since: 1 },
            Consent::None,
            Some("nl"),
            "STOP",
            None,
            Proof::default(),
        );
        assert!(plain
            .acknowledgement
            .unwrap()
            .starts_with("Je ontvangt geen"));
        let start = receive(
            Consent::Stopped,
            Consent::None,
            None,
            "START",
            None,
            Proof::default(),
        );
        assert_eq!(
            start.consent,
            Some((Consent::Active, ConsentChange::Keyword(true)))
        );
        assert!(!start.cancel_queued);
    }
}
