//! What a shopper puts in the cart: sku, name, options and quantity, each validated once.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a product field was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProductError {
    /// The sku is empty, too long or has spaces or control characters.
    #[error("sku '{0}' must be 1 to 64 characters without spaces")]
    BadSku(String),
    /// The name is empty or longer than 200 characters.
    #[error("product name must be 1 to 200 characters")]
    BadName,
    /// A quantity outside 1..=max.
    #[error("quantity {given} must be between 1 and {max}")]
    BadQuantity {
        /// The quantity asked for.
        given: i64,
        /// The most allowed for this product.
        max: u32,
    },
    /// An option pair is not `Name=Value`, or a name repeats.
    #[error("options '{0}' must be Name=Value pairs separated by ';'")]
    BadOptions(String),
    /// A category is empty, longer than 60 characters or has control characters.
    #[error("category '{0}' must be 1 to 60 characters without control characters")]
    BadCategory(String),
}

/// The shop's product category (`shoes`, `Gift cards`), used to route an order to the agent
/// who handles it. Compared ignoring ASCII case and surrounding spaces.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Category(String);

impl Category {
    /// Accepts 1 to 60 characters (after trimming) without control characters.
    pub fn parse(text: &str) -> Result<Self, ProductError> {
        let text = text.trim();
        let ok = (1..=60).contains(&text.chars().count()) && !text.chars().any(char::is_control);
        ok.then(|| Self(text.to_string()))
            .ok_or_else(|| ProductError::BadCategory(text.to_string()))
    }

    /// The category as the shop wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Category {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for Category {}

impl TryFrom<String> for Category {
    type Error = ProductError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Category> for String {
    fn from(value: Category) -> Self {
        value.0
    }
}

/// A stock-keeping unit: the shop's id of a product.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sku(String);

impl Sku {
    /// Accepts 1 to 64 characters with no white space or control characters.
    pub fn parse(text: &str) -> Result<Self, ProductError> {
        let ok = (1..=64).contains(&text.chars().count())
            && !text.chars().any(|c| c.is_whitespace() || c.is_control());
        ok.then(|| Self(text.to_string()))
            .ok_or_else(|| ProductError::BadSku(text.to_string()))
    }

    /// The sku text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Sku {
    type Error = ProductError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Sku> for String {
    fn from(value: Sku) -> Self {
        value.0
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A product's display name, as the host page gives it (neutralised only when rendered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProductName(String);

impl ProductName {
    /// Accepts 1 to 200 characters after trimming.
    pub fn parse(text: &str) -> Result<Self, ProductError> {
        let trimmed = text.trim();
        (1..=200)
            .contains(&trimmed.chars().count())
            .then(|| Self(trimmed.to_string()))
            .ok_or(ProductError::BadName)
    }

    /// The name text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProductName {
    type Error = ProductError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ProductName> for String {
    fn from(value: ProductName) -> Self {
        value.0
    }
}

/// How many of one line a shopper orders: at least 1, at most the product's maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Quantity(u32);

impl Quantity {
    /// The maximum used when the host page gives none.
    pub const DEFAULT_MAX: u32 = 99;

    /// A quantity within `1..=max`.
    pub fn new(given: i64, max: u32) -> Result<Self, ProductError> {
        u32::try_from(given)
            .ok()
            .filter(|q| (1..=max).contains(q))
            .map(Self)
            .ok_or(ProductError::BadQuantity { given, max })
    }

    /// The number.
    pub fn get(&self) -> u32 {
        self.0
    }
}

/// A product's chosen options (`Size=M;Colour=Sand`), in the order the shop wrote them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductOptions(Vec<(String, String)>);

impl ProductOptions {
    /// At most this many pairs per line.
    pub const MAX_PAIRS: usize = 12;

    /// Parses `Name=Value` pairs separated by `;`. Empty text means no options.
    pub fn parse(text: &str) -> Result<Self, ProductError> {
        let bad = || ProductError::BadOptions(text.to_string());
        let pairs = text
            .split(';')
            .map(str::trim)
            .filter(|segment| !segment.is_empty())
            .map(|segment| {
                let (name, value) = segment.split_once('=').ok_or_else(bad)?;
                Ok((name.trim().to_string(), value.trim().to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_pairs(pairs).map_err(|_| bad())
    }

    /// Options from name/value pairs, as the JS API passes them.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<Self, ProductError> {
        let fits = |s: &str| (1..=60).contains(&s.chars().count());
        // At most a dozen pairs: comparing each name with the earlier ones is cheapest.
        let repeated = |at: usize| pairs[..at].iter().any(|(n, _)| *n == pairs[at].0);
        let valid = pairs.len() <= Self::MAX_PAIRS
            && !(0..pairs.len()).any(repeated)
            && pairs.iter().all(|(n, v)| fits(n) && fits(v));
        if !valid {
            let shown: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
            return Err(ProductError::BadOptions(shown.join(";")));
        }
        Ok(Self(pairs))
    }

    /// The pairs in display order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// True when there are no options.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The pairs sorted by name: equal for the same choice whatever the order given.
    pub fn canonical(&self) -> Vec<(&str, &str)> {
        let mut pairs: Vec<(&str, &str)> = self
            .0
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        // Names are unique (checked on creation), so sorting by name alone is total.
        pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skus_refuse_spaces_and_empty_text() {
        assert!(Sku::parse("shirt-linen").is_ok());
        assert!(Sku::parse("").is_err());
        assert!(Sku::parse("two words").is_err());
        assert!(Sku::parse(&"x".repeat(65)).is_err());
    }

    #[test]
    fn quantities_stay_within_bounds() {
        assert_eq!(Quantity::new(3, 10).unwrap().get(), 3);
        assert!(Quantity::new(0, 10).is_err());
        assert!(Quantity::new(11, 10).is_err());
        assert!(Quantity::new(-1, 10).is_err());
        assert!(Quantity::new(i64::MAX, 10).is_err());
    }

    #[test]
    fn options_parse_in_given_order() {
        let options = ProductOptions::parse(" Size = M ; Colour=Sand;").unwrap();
        assert_eq!(
            options.pairs(),
            &[
                ("Size".into(), "M".into()),
                ("Colour".into(), "Sand".into())
            ]
        );
        assert!(ProductOptions::parse("").unwrap().is_empty());
    }

    #[test]
    fn malformed_options_are_refused() {
        for text in ["Size", "=M", "Size=", "Size=M;Size=L"] {
            assert!(ProductOptions::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn canonical_order_ignores_the_given_order() {
        let a = ProductOptions::parse("Size=M;Colour=Sand").unwrap();
        let b = ProductOptions::parse("Colour=Sand;Size=M").unwrap();
        assert_eq!(a.canonical(), b.canonical());
    }
}
