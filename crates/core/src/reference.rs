//! Order references: short, uppercase, and unambiguous when read aloud or typed.

use serde::{Deserialize, Serialize};
use std::fmt;

/// 32 symbols without 0/O and 1/I, so a reference is never misread.
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// Why a reference text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an order reference like K7F3-9Q2M")]
pub struct ReferenceError(String);

/// An order reference such as `K7F3-9Q2M` (40 random bits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrderReference(String);

impl OrderReference {
    /// Builds a reference from random bytes the caller supplies (the browser's crypto, or the
    /// server's RNG); each byte picks one symbol, and 256 is a multiple of 32, so no bias.
    pub fn from_random_bytes(bytes: [u8; 8]) -> Self {
        let symbols: Vec<char> = bytes
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
            .collect();
        let (left, right) = symbols.split_at(4);
        Self(format!(
            "{}-{}",
            left.iter().collect::<String>(),
            right.iter().collect::<String>()
        ))
    }

    /// Parses a reference typed by a person: case-insensitive, dash optional.
    pub fn parse(text: &str) -> Result<Self, ReferenceError> {
        let symbols: Vec<u8> = text
            .trim()
            .bytes()
            .filter(|b| *b != b'-')
            .map(|b| b.to_ascii_uppercase())
            .collect();
        if symbols.len() != 8 || !symbols.iter().all(|b| ALPHABET.contains(b)) {
            return Err(ReferenceError(text.to_string()));
        }
        let text = String::from_utf8_lossy(&symbols);
        Ok(Self(format!("{}-{}", &text[..4], &text[4..])))
    }

    /// The reference text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The references a person's message names, in the order written, each once: `K7F3-9Q2M`
    /// anywhere in the text, in any case, with a hyphen or a dash between its halves (`true`:
    /// written as a reference is), or as its 8 symbols in one word (`false`: such a word may
    /// as well be an ordinary one, so callers should act on it only when an order has it).
    pub fn find_in(text: &str) -> Vec<(Self, bool)> {
        let words: Vec<(usize, &str)> = text
            .char_indices()
            .filter(|(_, c)| c.is_ascii_alphanumeric())
            .fold(Vec::<(usize, usize)>::new(), |mut runs, (at, c)| {
                match runs.last_mut() {
                    Some((_, end)) if *end == at => *end = at + c.len_utf8(),
                    _ => runs.push((at, at + c.len_utf8())),
                }
                runs
            })
            .into_iter()
            .map(|(start, end)| (start, &text[start..end]))
            .collect();
        let symbols = |word: &str| {
            word.bytes()
                .all(|b| ALPHABET.contains(&b.to_ascii_uppercase()))
        };
        let mut found: Vec<(Self, bool)> = Vec::new();
        let mut add = |candidate: &str, dashed: bool| {
            if let Ok(reference) = Self::parse(candidate) {
                match found.iter_mut().find(|(r, _)| *r == reference) {
                    Some((_, was_dashed)) => *was_dashed |= dashed,
                    None => found.push((reference, dashed)),
                }
            }
        };
        for (n, (start, word)) in words.iter().enumerate() {
            if word.len() == 8 && symbols(word) {
                add(word, false);
            }
            let Some((next_start, next)) = words.get(n + 1) else {
                continue;
            };
            let between = &text[start + word.len()..*next_start];
            let dash = matches!(
                between,
                "-" | "\u{2010}" | "\u{2011}" | "\u{2012}" | "\u{2013}" | "\u{2014}"
            );
            if dash && word.len() == 4 && next.len() == 4 && symbols(word) && symbols(next) {
                add(&format!("{word}-{next}"), true);
            }
        }
        found
    }
}

impl fmt::Display for OrderReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for OrderReference {
    type Error = ReferenceError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OrderReference> for String {
    fn from(value: OrderReference) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found_in_edited_messages() {
        let found = |text: &str| {
            OrderReference::find_in(text)
                .into_iter()
                .map(|(r, dashed)| (r.to_string(), dashed))
                .collect::<Vec<_>>()
        };
        let k7 = || ("K7F3-9Q2M".to_string(), true);
        assert_eq!(
            found("*Order K7F3-9Q2M — Demo Shop*\n2 × Linen shirt"),
            [k7()]
        );
        assert_eq!(found("hi! is k7f3-9q2m ready?"), [k7()]);
        assert_eq!(found("(order K7F3–9Q2M)"), [k7()], "an en dash");
        assert_eq!(found("K7F39Q2M please"), [("K7F3-9Q2M".to_string(), false)]);
        assert_eq!(found("K7F3-9Q2M and again K7F3-9Q2M"), [k7()]);
        assert_eq!(
            found("K7F3-9Q2M, ABCD-EFGH"),
            [k7(), ("ABCD-EFGH".to_string(), true)]
        );
        for none in [
            "",
            "thanks!",
            "K7F3 9Q2M",
            "K7F3-9Q2MX",
            "XK7F3-9Q2M",
            "K0F3-9Q2M",
            "order 12345678",
        ] {
            let dashed: Vec<_> = found(none).into_iter().filter(|(_, d)| *d).collect();
            assert!(dashed.is_empty(), "{none:?}: {dashed:?}");
        }
        assert_eq!(
            found("STRENGTH"),
            [("STRE-NGTH".to_string(), false)],
            "a word, undashed"
        );
    }

    #[test]
    fn references_use_only_unambiguous_symbols() {
        for seed in 0..=255u8 {
            let bytes = [seed, seed.wrapping_mul(7), 3, 250, 31, 32, 0, 255];
            let reference = OrderReference::from_random_bytes(bytes);
            assert_eq!(reference.as_str().len(), 9);
            assert!(!reference.as_str().contains(['0', 'O', '1', 'I']));
            assert_eq!(&reference.as_str()[4..5], "-");
        }
    }

    #[test]
    fn different_bytes_give_different_references() {
        let a = OrderReference::from_random_bytes([0, 1, 2, 3, 4, 5, 6, 7]);
        let b = OrderReference::from_random_bytes([0, 1, 2, 3, 4, 5, 6, 8]);
        assert_ne!(a, b);
        assert_eq!(a.as_str(), "2345-6789");
    }

    #[test]
    fn typed_references_parse_back() {
        assert_eq!(
            OrderReference::parse("k7f39q2m").unwrap().as_str(),
            "K7F3-9Q2M"
        );
        assert!(OrderReference::parse("K7F3-9Q2O").is_err());
        assert!(OrderReference::parse("K7F3").is_err());
    }
}
