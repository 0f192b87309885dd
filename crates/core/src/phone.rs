//! Phone numbers in any common notation, normalised to international digits for wa.me.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Letters or other characters that no phone notation uses.
    #[error("'{0}' contains characters that are not part of a phone number")]
    InvalidCharacters(String),
    /// A national number (`06 …`) without a known country.
    #[error("'{0}' needs a country code, like +31 6 1234 5678")]
    MissingCountryCode(String),
    /// Fewer than 8 or more than 15 digits in international form (E.164).
    #[error("'{0}' does not have the length of a phone number")]
    BadLength(String),
}

/// A country calling code such as 31 (Netherlands) or 39 (Italy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallingCode(u16);

impl CallingCode {
    /// The digits of the code.
    pub fn digits(&self) -> String {
        self.0.to_string()
    }

    /// Countries whose national numbers keep their leading 0 after the country code.
    fn keeps_leading_zero(&self) -> bool {
        matches!(self.0, 39 | 378 | 379)
    }
}

/// A phone number as international digits without `+` (E.164), e.g. `31612345678`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses `+31 6 1234 5678`, `0031612345678`, `+31 (0)6-1234 5678`, or a national
    /// number like `(06) 1234 5678` when `default_country` is known.
    pub fn parse(input: &str, default_country: Option<CallingCode>) -> Result<Self, PhoneError> {
        let text = input.trim();
        if text.is_empty()
            || !text
                .chars()
                .all(|c| c.is_ascii_digit() || " +-.()/\u{a0}".contains(c))
            || text.chars().skip(1).any(|c| c == '+')
        {
            return Err(PhoneError::InvalidCharacters(input.to_string()));
        }
        // "+31 (0)6 …" is a common way of writing the trunk prefix: it is not dialled.
        let without_trunk_hint = text.replacen("(0)", "", 1);
        let digits: String = without_trunk_hint
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let international = if text.starts_with('+') {
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_string()
        } else {
            let country =
                default_country.ok_or_else(|| PhoneError::MissingCountryCode(input.to_string()))?;
            let national = if country.keeps_leading_zero() {
                digits.as_str()
            } else {
                digits.strip_prefix('0').unwrap_or(&digits)
            };
            format!("{}{national}", country.0)
        };
        if !(8..=15).contains(&international.len()) || international.starts_with('0') {
            return Err(PhoneError::BadLength(input.to_string()));
        }
        Ok(Self(international))
    }

    /// The international digits, as wa.me wants them.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The country calling code at the start of the number (E.164 codes are prefix-free).
    pub fn calling_code(&self) -> CallingCode {
        // One-digit codes are 1 and 7; these are the assigned two-digit ones; all others have three.
        const TWO_DIGIT: [u16; 44] = [
            20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54,
            55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
        ];
        let prefix = |n: usize| self.0[..n].parse::<u16>().unwrap_or_default();
        let code = if matches!(self.0.as_bytes()[0], b'1' | b'7') {
            prefix(1)
        } else if TWO_DIGIT.contains(&prefix(2)) {
            prefix(2)
        } else {
            prefix(3)
        };
        CallingCode(code)
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "+{}", self.0)
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text, None).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nl() -> Option<CallingCode> {
        Some(CallingCode(31))
    }

    #[test]
    fn common_notations_normalise_to_the_same_digits() {
        for input in [
            "+31 6 1234 5678",
            "0031612345678",
            "+31 (0)6-1234 5678",
            "(06) 1234 5678",
            "06-12345678",
        ] {
            assert_eq!(
                PhoneNumber::parse(input, nl()).unwrap().digits(),
                "31612345678",
                "{input}"
            );
        }
    }

    #[test]
    fn italian_landlines_keep_their_zero() {
        let rome = PhoneNumber::parse("06 1234 5678", Some(CallingCode(39))).unwrap();
        assert_eq!(rome.digits(), "390612345678");
    }

    #[test]
    fn national_numbers_need_a_country() {
        assert!(matches!(
            PhoneNumber::parse("06 1234 5678", None),
            Err(PhoneError::MissingCountryCode(_))
        ));
    }

    #[test]
    fn letters_and_short_numbers_are_refused() {
        assert!(matches!(
            PhoneNumber::parse("+31 6 CALL ME", nl()),
            Err(PhoneError::InvalidCharacters(_))
        ));
        assert!(matches!(
            PhoneNumber::parse("+31 6", nl()),
            Err(PhoneError::BadLength(_))
        ));
        assert!(matches!(
            PhoneNumber::parse("+1234567890123456", nl()),
            Err(PhoneError::BadLength(_))
        ));
        assert!(PhoneNumber::parse("+31+6", nl()).is_err());
    }

    #[test]
    fn calling_codes_are_read_off_the_number() {
        let code = |s: &str| PhoneNumber::parse(s, None).unwrap().calling_code().digits();
        assert_eq!(code("+1 212 555 0100"), "1");
        assert_eq!(code("+31 6 1234 5678"), "31");
        assert_eq!(code("+39 333 123 4567"), "39");
        assert_eq!(code("+234 803 123 4567"), "234");
    }
}
