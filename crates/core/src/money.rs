//! Money in integer minor units, with the currency's exponent taken from ISO 4217.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Largest amount, in minor units, that a price, line total or subtotal may reach.
///
/// Ten trillion minor units is far above any shop's cart and far below `i64::MAX`,
/// so quantities times prices can never overflow silently.
pub const MAX_MINOR_UNITS: i64 = 10_000_000_000_000;

/// Why an amount or currency was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The code is not an ISO 4217 currency code.
    #[error("'{0}' is not an ISO 4217 currency code")]
    UnknownCurrency(String),
    /// The code exists but has no minor unit (precious metals, testing codes).
    #[error("'{0}' is not a currency that prices can be given in")]
    NotMonetary(String),
    /// The price text is not a plain decimal such as `29.90`.
    #[error("'{0}' is not a price: use digits with '.' as decimal separator, like 29.90")]
    Malformed(String),
    /// The price has more decimals than the currency allows.
    #[error("'{text}' has more than {max} decimals, the most {currency} allows")]
    TooManyDecimals {
        /// The text as given.
        text: String,
        /// The currency's exponent.
        max: u8,
        /// The currency code.
        currency: &'static str,
    },
    /// The amount is larger than [`MAX_MINOR_UNITS`].
    #[error("the amount is too large")]
    TooLarge,
    /// Two amounts in different currencies were combined.
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(&'static str, &'static str),
}

/// An ISO 4217 currency that has a minor unit (EUR, JPY, KWD …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    iso: iso_currency::Currency,
    exponent: u8,
}

impl Currency {
    /// Looks up an ISO 4217 code (case-insensitive).
    pub fn from_code(code: &str) -> Result<Self, MoneyError> {
        let upper = code.trim().to_ascii_uppercase();
        let iso = iso_currency::Currency::from_code(&upper)
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_string()))?;
        let exponent = iso
            .exponent()
            .and_then(|e| u8::try_from(e).ok())
            .filter(|e| *e <= 4)
            .ok_or(MoneyError::NotMonetary(upper))?;
        Ok(Self { iso, exponent })
    }

    /// The three-letter code, e.g. `EUR`.
    pub fn code(&self) -> &'static str {
        self.iso.code()
    }

    /// Number of minor-unit digits: 2 for EUR, 0 for JPY, 3 for KWD.
    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    /// The usual symbol (`€`, `$`, `¥`), or the code where ISO data has none. Without the
    /// `locale-data` feature always the code: the widget takes symbols from `Intl.NumberFormat`
    /// and does not ship a table of them.
    pub fn symbol(&self) -> String {
        #[cfg(feature = "locale-data")]
        {
            let symbol = self.iso.symbol().symbol;
            if !symbol.trim().is_empty() {
                return symbol;
            }
        }
        self.code().to_string()
    }

    fn scale(&self) -> i64 {
        10_i64.pow(u32::from(self.exponent))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_code(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Self::from_code(&code).map_err(serde::de::Error::custom)
    }
}

/// An amount of money: integer minor units of one currency. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount from minor units (cents for EUR, yen for JPY, fils for KWD).
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Self, MoneyError> {
        if minor.abs() > MAX_MINOR_UNITS {
            return Err(MoneyError::TooLarge);
        }
        Ok(Self { minor, currency })
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Self { minor: 0, currency }
    }

    /// Parses a price in major units exactly, as `data-price` carries it: digits, optionally
    /// `.` and at most the currency's minor digits. `19,99`, `-1`, `NaN`, `1e3` are refused.
    pub fn parse_major(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        let malformed = || MoneyError::Malformed(text.to_string());
        let trimmed = text.trim();
        let (whole, fraction) = match trimmed.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (trimmed, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || fraction.is_some_and(|f| !all_digits(f)) {
            return Err(malformed());
        }
        let fraction = fraction.unwrap_or("");
        let exponent = usize::from(currency.exponent);
        if fraction.len() > exponent {
            return Err(MoneyError::TooManyDecimals {
                text: text.to_string(),
                max: currency.exponent,
                currency: currency.code(),
            });
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > 15 {
            return Err(MoneyError::TooLarge);
        }
        let digits = format!("{whole}{fraction:0<exponent$}");
        let minor = if digits.is_empty() {
            0
        } else {
            digits.parse::<i64>().map_err(|_| MoneyError::TooLarge)?
        };
        Self::from_minor(minor, currency)
    }

    /// The amount in minor units.
    pub fn minor_units(&self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Sum of two amounts of one currency.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(
                self.currency.code(),
                other.currency.code(),
            ));
        }
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::TooLarge)?;
        Self::from_minor(minor, self.currency)
    }

    /// `self` less `other`, of one currency.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(
                self.currency.code(),
                other.currency.code(),
            ));
        }
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::TooLarge)?;
        Self::from_minor(minor, self.currency)
    }

    /// The amount times a quantity.
    pub fn checked_mul(self, quantity: u32) -> Result<Money, MoneyError> {
        let minor = self
            .minor
            .checked_mul(i64::from(quantity))
            .ok_or(MoneyError::TooLarge)?;
        Self::from_minor(minor, self.currency)
    }

    /// The amount as a plain decimal in major units, e.g. `29.90`, `1500`, `1.250`.
    pub fn to_decimal_string(&self) -> String {
        let scale = self.currency.scale();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let whole = abs / scale.unsigned_abs();
        if self.currency.exponent == 0 {
            return format!("{sign}{whole}");
        }
        let fraction = abs % scale.unsigned_abs();
        let width = usize::from(self.currency.exponent);
        format!("{sign}{whole}.{fraction:0width$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::from_code("EUR").unwrap()
    }

    #[test]
    fn exponents_come_from_iso_4217() {
        assert_eq!(Currency::from_code("EUR").unwrap().exponent(), 2);
        assert_eq!(Currency::from_code("jpy").unwrap().exponent(), 0);
        assert_eq!(Currency::from_code("KWD").unwrap().exponent(), 3);
    }

    #[test]
    fn unknown_and_non_monetary_codes_are_refused() {
        assert!(matches!(
            Currency::from_code("EURO"),
            Err(MoneyError::UnknownCurrency(_))
        ));
        assert!(matches!(
            Currency::from_code("XAU"),
            Err(MoneyError::NotMonetary(_))
        ));
    }

    #[test]
    fn prices_parse_exactly() {
        let cases = [("29.90", 2990), ("29.9", 2990), ("29", 2900), ("0.10", 10)];
        for (text, minor) in cases {
            assert_eq!(
                Money::parse_major(text, eur()).unwrap().minor_units(),
                minor
            );
        }
        let kwd = Currency::from_code("KWD").unwrap();
        assert_eq!(
            Money::parse_major("1.250", kwd).unwrap().minor_units(),
            1250
        );
        let jpy = Currency::from_code("JPY").unwrap();
        assert_eq!(Money::parse_major("1500", jpy).unwrap().minor_units(), 1500);
    }

    #[test]
    fn malformed_prices_are_refused() {
        for text in [
            "19,99", "-1", "NaN", "1e3", "", ".5", "5.", "+5", "1.2.3", "Infinity",
        ] {
            assert!(
                matches!(
                    Money::parse_major(text, eur()),
                    Err(MoneyError::Malformed(_))
                ),
                "{text:?} should be refused"
            );
        }
    }

    #[test]
    fn too_many_decimals_names_the_limit() {
        let jpy = Currency::from_code("JPY").unwrap();
        let err = Money::parse_major("10.5", jpy).unwrap_err();
        assert_eq!(
            err.to_string(),
            "'10.5' has more than 0 decimals, the most JPY allows"
        );
        assert!(Money::parse_major("1.999", eur()).is_err());
    }

    #[test]
    fn huge_prices_are_refused_not_wrapped() {
        assert_eq!(
            Money::parse_major("99999999999999999999", eur()),
            Err(MoneyError::TooLarge)
        );
        let max = Money::from_minor(MAX_MINOR_UNITS, eur()).unwrap();
        assert_eq!(max.checked_mul(2), Err(MoneyError::TooLarge));
    }

    #[test]
    fn arithmetic_is_exact() {
        // 0.10 three times is 0.30, not 0.30000000000000004.
        let dime = Money::parse_major("0.10", eur()).unwrap();
        assert_eq!(dime.checked_mul(3).unwrap().to_decimal_string(), "0.30");
        let sum = dime
            .checked_add(Money::parse_major("19.99", eur()).unwrap())
            .unwrap();
        assert_eq!(sum.minor_units(), 2009);
    }

    #[test]
    fn mixing_currencies_is_an_error() {
        let usd = Currency::from_code("USD").unwrap();
        let err = Money::zero(eur())
            .checked_add(Money::zero(usd))
            .unwrap_err();
        assert_eq!(err, MoneyError::CurrencyMismatch("EUR", "USD"));
    }

    #[test]
    fn decimal_strings_follow_the_exponent() {
        let kwd = Currency::from_code("KWD").unwrap();
        assert_eq!(
            Money::from_minor(1005, kwd).unwrap().to_decimal_string(),
            "1.005"
        );
        let jpy = Currency::from_code("JPY").unwrap();
        assert_eq!(
            Money::from_minor(1500, jpy).unwrap().to_decimal_string(),
            "1500"
        );
        assert_eq!(
            Money::from_minor(-5, eur()).unwrap().to_decimal_string(),
            "-0.05"
        );
    }
}
