//! What a message from a contact changes: the 24-hour window, the contact's consent (a
//! keyword, or writing after a web opt-in), and what is sent or cancelled because of it.

use super::campaign::is_stop_button;
use super::consent::Consent;
use chatout_core::{consent_acknowledgement, consent_keyword, ConsentCommand};

/// How long an inbound message keeps the customer-service window open.
pub const WINDOW_MS: i64 = 24 * 3600 * 1000;

/// Why a message changed the contact's consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentChange {
    /// The number wrote after a web opt-in, which makes that opt-in its own.
    Wrote,
    /// `START` (true) or `STOP` (false), in one of its languages.
    Keyword(bool),
}

/// What one inbound message does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundEffects {
    /// When it was sent: the sender's clock, never later than now.
    pub sent_at: i64,
    /// The window stays open at least until then.
    pub window_until: i64,
    /// The contact's consent to order updates after it, when it changed, and why.
    pub consent: Option<(Consent, ConsentChange)>,
    /// The contact's consent to offers and news after it, when it changed, and why: STOP
    /// revokes it too, START does not restore it (CONTRACT.md section 10).
    pub marketing: Option<(Consent, ConsentChange)>,
    /// The acknowledgement to send, when a keyword changed the consent.
    pub acknowledgement: Option<&'static str>,
    /// Everything queued for the contact, but acknowledgements, is cancelled (STOP).
    pub cancel_queued: bool,
}

/// Decides what a message with `text`, sent at `timestamp` (Unix seconds, the sender's
/// clock), does to a contact whose consents are `consent` (order updates) and `marketing`
/// and whose last order was in `locale`, received `now` (ms).
pub fn on_inbound(
    consent: Consent,
    marketing: Consent,
    locale: Option<&str>,
    text: &str,
    timestamp: Option<i64>,
    now: i64,
) -> InboundEffects {
    // The sender's clock is not trusted beyond the present.
    let sent_at = timestamp
        .and_then(|s| s.checked_mul(1000))
        .unwrap_or(now)
        .min(now);
    let mut effects = InboundEffects {
        sent_at,
        window_until: sent_at.saturating_add(WINDOW_MS),
        consent: None,
        marketing: None,
        acknowledgement: None,
        cancel_queued: false,
    };
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
                effects.marketing = Some((Consent::Stopped, ConsentChange::Keyword(false)));
            }
            let next = consent.on_inbound(now);
            if next != consent {
                effects.consent = Some((next, ConsentChange::Wrote));
            }
        }
        None => {
            let next = consent.on_inbound(now);
            if next != consent {
                effects.consent = Some((next, ConsentChange::Wrote));
            }
            let next = marketing.on_inbound(now);
            if next != marketing {
                effects.marketing = Some((next, ConsentChange::Wrote));
            }
        }
    }
    effects
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn a_message_opens_the_window_from_when_it_was_sent_but_never_from_the_future() {
        let an_hour_ago = on_inbound(
            Consent::None,
            Consent::None,
            None,
            "Hi",
            Some(NOW / 1000 - 3600),
            NOW,
        );
        assert_eq!(an_hour_ago.window_until, NOW - 3_600_000 + WINDOW_MS);
        let future = on_inbound(
            Consent::None,
            Consent::None,
            None,
            "Hi",
            Some(NOW / 1000 + 3600),
            NOW,
        );
        assert_eq!(future.sent_at, NOW);
        assert_eq!(
            on_inbound(Consent::None, Consent::None, None, "Hi", None, NOW).sent_at,
            NOW
        );
        assert_eq!(an_hour_ago.consent, None);
    }

    #[test]
    fn writing_after_a_web_opt_in_makes_it_active() {
        let pending = Consent::Pending { since: NOW - 1000 };
        let effects = on_inbound(pending, Consent::None, None, "*Order K7F3-9Q2M*", None, NOW);
        assert_eq!(
            effects.consent,
            Some((Consent::Active, ConsentChange::Wrote))
        );
        assert_eq!(effects.acknowledgement, None);
    }

    #[test]
    fn stop_revokes_offers_too_and_start_brings_back_order_updates_only() {
        let stop = on_inbound(Consent::Active, Consent::Active, None, "STOP", None, NOW);
        assert_eq!(
            stop.marketing,
            Some((Consent::Stopped, ConsentChange::Keyword(false)))
        );
        let start = on_inbound(Consent::Stopped, Consent::Stopped, None, "START", None, NOW);
        assert_eq!(start.marketing, None);
        assert_eq!(start.consent.map(|c| c.0), Some(Consent::Active));
        // Writing proves the number for both opt-ins ticked on the web.
        let pending = Consent::Pending { since: NOW - 1 };
        let wrote = on_inbound(Consent::None, pending, None, "Hi", None, NOW);
        assert_eq!(
            wrote.marketing,
            Some((Consent::Active, ConsentChange::Wrote))
        );
        assert_eq!(wrote.consent, None);
    }

    #[test]
    fn stop_promotions_stops_offers_and_nothing_else() {
        let tap = on_inbound(
            Consent::Active,
            Consent::Active,
            None,
            "Stop promotions",
            None,
            NOW,
        );
        assert_eq!(
            tap.marketing,
            Some((Consent::Stopped, ConsentChange::Keyword(false)))
        );
        assert_eq!((tap.consent, tap.acknowledgement), (None, None));
        assert!(!tap.cancel_queued);
    }

    #[test]
    fn stop_is_acknowledged_once_in_its_language_and_cancels_what_waits() {
        let stop = on_inbound(
            Consent::Active,
            Consent::None,
            Some("nl"),
            "Basta",
            None,
            NOW,
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
        let again = on_inbound(
            Consent::Stopped,
            Consent::None,
            Some("nl"),
            "STOP",
            None,
            NOW,
        );
        assert_eq!((again.consent, again.acknowledgement), (None, None));
        // STOP in the contact's language when the word has none of its own.
        let plain = on_inbound(
            Consent::Pending { since: 1 },
            Consent::None,
            Some("nl"),
            "STOP",
            None,
            NOW,
        );
        assert!(plain
            .acknowledgement
            .unwrap()
            .starts_with("Je ontvangt geen"));
        let start = on_inbound(Consent::Stopped, Consent::None, None, "START", None, NOW);
        assert_eq!(
            start.consent,
            Some((Consent::Active, ConsentChange::Keyword(true)))
        );
        assert!(!start.cancel_queued);
    }
}
