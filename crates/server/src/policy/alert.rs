//! Back-in-stock alerts (docs/CONTRACT.md section 10): the subscription's reference that the
//! shopper's message carries back, where a subscription stands, and how many subscribers one
//! restock alerts.

/// The symbols of a reference: those of order references (no 0/O, no 1/I).
const SYMBOLS: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// What every alert reference starts with, so it is never read as an order's.
const PREFIX: &str = "ALERT-";
/// Symbols after the prefix (30 random bits; the database refuses a repeat).
const LENGTH: usize = 6;

/// A subscription's reference, `ALERT-7K3F9Q`, from random bytes the caller supplies (256
/// is a multiple of 32, so no bias).
pub fn new_reference(bytes: [u8; LENGTH]) -> String {
    let symbols: String = bytes
        .iter()
        .map(|b| char::from(SYMBOLS[usize::from(b % 32)]))
        .collect();
    format!("{PREFIX}{symbols}")
}

/// The alert references a message names, uppercased, each once, in the order written: the
/// prefix in any case, then exactly six symbols ending the word.
pub fn find_in(text: &str) -> Vec<String> {
    let upper = text.to_ascii_uppercase();
    let mut found: Vec<String> = Vec::new();
    let mut rest = upper.as_str();
    while let Some(at) = rest.find(PREFIX) {
        let after = &rest[at + PREFIX.len()..];
        let symbols: String = after
            .bytes()
            .take_while(u8::is_ascii_alphanumeric)
            .map(char::from)
            .collect();
        let starts_word = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        if starts_word && symbols.len() == LENGTH && symbols.bytes().all(|b| SYMBOLS.contains(&b)) {
            let reference = format!("{PREFIX}{symbols}");
            if !found.contains(&reference) {
                found.push(reference);
            }
        }
        rest = &after[symbols.len()..];
    }
    found
}

/// Where a subscription is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStatus {
    /// Asked for on the web; nothing goes out until its message arrives from that number.
    Pending,
    /// Its message arrived: the next restock alerts it.
    Active,
    /// The alert was queued; the subscription is over.
    Alerted,
    /// Ended without an alert: STOP, the unsubscribe link.
    Ended,
}

impl AlertStatus {
    /// Every status, as the desk lists them.
    pub const ALL: [Self; 4] = [Self::Pending, Self::Active, Self::Alerted, Self::Ended];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Alerted => "alerted",
            Self::Ended => "ended",
        }
    }

    /// Reads a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether it is still waiting for a restock (a second request for the same product and
    /// number is this one).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Active)
    }
}

/// How many subscribers a restock of `units` alerts (`None`: the product became unlimited,
/// so all of them), at `per_unit` alerts per unit; the rest wait for the next restock.
pub fn alerts_for(units: Option<i64>, per_unit: u32) -> Option<i64> {
    units.map(|units| units.max(0).saturating_mul(i64::from(per_unit)))
}

/// Whether availability moving from `before` to `after` (units left; `None` = unlimited) is
/// a restock: from nothing to something.
pub fn is_restock(before: Option<i64>, after: Option<i64>) -> bool {
    let available = |units: Option<i64>| units.is_none_or(|n| n > 0);
    !available(before) && available(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_reads_back_from_the_message_in_any_case() {
        let reference = new_reference([0, 31, 7, 8, 40, 255]);
        assert_eq!(reference, "ALERT-2Z9AAZ");
        let message = format!("Tell me when *Linen shirt* is back. (alert {reference})");
        assert_eq!(find_in(&message), std::slice::from_ref(&reference));
        assert_eq!(
            find_in(&message.to_lowercase()),
            std::slice::from_ref(&reference)
        );
        let twice = format!("{reference} {reference}");
        assert_eq!(find_in(&twice), [reference]);
    }

    #[test]
    fn near_misses_are_not_references() {
        for text in [
            "ALERT-29AB2",      // too short
            "ALERT-29AB2ZZ",    // too long
            "ALERT-29AB0Z",     // 0 is not a symbol
            "XALERT-29AB2Z",    // inside a word
            "ALERT 29AB2Z",     // no dash
            "K7F3-9Q2M",        // an order's
            "ALERT-",           // nothing after
            "ALERT-ÄÖÜ29A",     // not ASCII
            "ALERT-ALERT-29AB", // prefix twice, short
        ] {
            assert!(find_in(text).is_empty(), "{text}");
        }
        assert_eq!(
            find_in("alert-ALERT-29AB2Z, ALERT-33333Q."),
            ["ALERT-33333Q"],
            "a prefix run into another is not a reference; punctuation ends one"
        );
    }

    #[test]
    fn a_restock_alerts_a_multiple_of_its_units() {
        assert_eq!(alerts_for(Some(2), 3), Some(6));
        assert_eq!(alerts_for(Some(0), 3), Some(0));
        assert_eq!(alerts_for(Some(-4), 3), Some(0));
        assert_eq!(alerts_for(None, 3), None);
        assert_eq!(alerts_for(Some(i64::MAX), 3), Some(i64::MAX));
        for status in AlertStatus::ALL {
            assert_eq!(AlertStatus::parse(status.as_str()), Some(status));
        }
        assert!(AlertStatus::Active.is_open() && !AlertStatus::Alerted.is_open());
    }

    #[test]
    fn a_restock_is_from_nothing_to_something() {
        assert!(is_restock(Some(0), Some(2)));
        assert!(is_restock(Some(-1), Some(1)));
        assert!(is_restock(Some(0), None));
        assert!(!is_restock(Some(0), Some(0)), "a restock of 0 is none");
        assert!(!is_restock(Some(1), Some(5)), "it was there already");
        assert!(!is_restock(None, Some(3)));
        assert!(!is_restock(Some(3), Some(0)));
    }
}
