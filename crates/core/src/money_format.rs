//! How an amount is written for people: symbol placement and separators.
//!
//! The widget fills a [`MoneyStyle`] from the browser's `Intl.NumberFormat`, so no locale
//! data ships in the wasm; the server and tests use [`MoneyStyle::for_language`].

use crate::money::Money;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Symbol placement and separators for writing amounts in one locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyStyle {
    /// The symbol to print; `None` uses the currency's own symbol.
    pub symbol: Option<String>,
    /// `€29.90` (true) or `29,90 €` (false).
    pub symbol_first: bool,
    /// Whether a space stands between symbol and number.
    pub space: bool,
    /// Decimal separator.
    pub decimal: String,
    /// Thousands separator; empty for none.
    pub group: String,
    /// The locale's digit zero: `0`, or `٠` for Arabic-Indic digits. The numbering systems
    /// `Intl` uses are runs of ten consecutive code points, so zero gives them all.
    #[serde(default = "latin_zero")]
    pub zero: char,
}

fn latin_zero() -> char {
    '0'
}

impl MoneyStyle {
    /// A sensible style for a language subtag (`en`, `nl`, `it`, …), for places without `Intl`.
    pub fn for_language(language: &str) -> Self {
        let (symbol_first, space, decimal, group) = match language {
            "nl" => (true, true, ",", "."),
            "it" | "es" | "de" | "pt" => (false, true, ",", "."),
            "fr" => (false, true, ",", "\u{202f}"),
            _ => (true, false, ".", ","),
        };
        Self {
            symbol: None,
            symbol_first,
            space,
            decimal: decimal.to_string(),
            group: group.to_string(),
            zero: '0',
        }
    }

    /// This style with the currency's symbol looked up once, for writing many amounts.
    pub fn resolved_for(&self, currency: crate::money::Currency) -> Self {
        Self {
            symbol: Some(self.symbol.clone().unwrap_or_else(|| currency.symbol())),
            ..self.clone()
        }
    }

    /// Writes `money` in this style, e.g. `€ 1.234,50`.
    pub fn format(&self, money: Money) -> String {
        let mut out = String::with_capacity(16);
        self.format_into(&mut out, money);
        out
    }

    /// [`MoneyStyle::format`], appended to `out`.
    pub fn format_into(&self, out: &mut String, money: Money) {
        let symbol: Cow<'_, str> = match &self.symbol {
            Some(symbol) => Cow::Borrowed(symbol),
            None => Cow::Owned(money.currency().symbol()),
        };
        // A letter symbol like "CHF" always needs a space to stay readable.
        let space = if self.space || symbol.chars().all(char::is_alphabetic) {
            "\u{a0}"
        } else {
            ""
        };
        if money.minor_units() < 0 {
            out.push('-');
        }
        if self.symbol_first {
            out.push_str(&symbol);
            out.push_str(space);
        }
        let exponent = u32::from(money.currency().exponent());
        let scale = 10_u64.pow(exponent);
        let abs = money.minor_units().unsigned_abs();
        group_thousands_into(out, abs / scale, &self.group, self.zero);
        if exponent > 0 {
            out.push_str(&self.decimal);
            let fraction = abs % scale;
            // Leading zeros of the fraction: 5 cents is ",05".
            for digit in (0..exponent).rev() {
                let d = (fraction / 10_u64.pow(digit)) % 10;
                out.push(digit_char(self.zero, d as u32));
            }
        }
        if !self.symbol_first {
            out.push_str(space);
            out.push_str(&symbol);
        }
    }
}

fn group_thousands_into(out: &mut String, whole: u64, separator: &str, zero: char) {
    let digits = whole.to_string();
    for (i, digit) in digits.bytes().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(digit_char(zero, u32::from(digit - b'0')));
    }
}

/// Digit `d` (0–9) of the numbering system whose zero is `zero`.
fn digit_char(zero: char, d: u32) -> char {
    char::from_u32(zero as u32 + d).unwrap_or('?')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn money(minor: i64, code: &str) -> Money {
        Money::from_minor(minor, Currency::from_code(code).unwrap()).unwrap()
    }

    #[test]
    fn english_puts_the_symbol_first() {
        let style = MoneyStyle::for_language("en");
        assert_eq!(style.format(money(123450, "EUR")), "€1,234.50");
        assert_eq!(style.format(money(1500, "JPY")), "¥1,500");
    }

    #[test]
    fn dutch_and_italian_use_decimal_commas() {
        assert_eq!(
            MoneyStyle::for_language("nl").format(money(2990, "EUR")),
            "€\u{a0}29,90"
        );
        assert_eq!(
            MoneyStyle::for_language("it").format(money(2990, "EUR")),
            "29,90\u{a0}€"
        );
    }

    #[test]
    fn three_decimal_currencies_keep_three_digits() {
        let style = MoneyStyle {
            symbol: Some("KWD".into()),
            ..MoneyStyle::for_language("en")
        };
        assert_eq!(style.format(money(1250, "KWD")), "KWD\u{a0}1.250");
    }

    #[test]
    fn other_numbering_systems_write_their_own_digits() {
        let style = MoneyStyle {
            symbol: Some("€".into()),
            symbol_first: false,
            space: true,
            decimal: "٫".into(),
            group: "٬".into(),
            zero: '٠',
        };
        assert_eq!(
            style.format(money(123_456_789, "EUR")),
            "١٬٢٣٤٬٥٦٧٫٨٩\u{a0}€"
        );
    }

    #[test]
    fn negative_amounts_keep_their_sign() {
        assert_eq!(
            MoneyStyle::for_language("en").format(money(-5, "EUR")),
            "-€0.05"
        );
    }
}
