//! The shop's catalog (docs/CONTRACT.md section 6): what the order server prices orders from.
//!
//! Parsed from JSON text and validated as a whole, so a shop owner sees every mistake with
//! the path of the field at fault (`products[2].options.Size.XL`) instead of the first one.

use crate::money::{Currency, Money, MoneyError};
use crate::order::{DeliveryMethod, PaymentPreference, ShopRules};
use crate::phone::PhoneNumber;
use crate::product::{ProductName, ProductOptions, Sku};
use parse::{Problems, RawCatalog};

mod options;
mod parse;
mod reprice;
mod validate;

pub use reprice::Repriced;

/// One problem in a catalog, named by its JSON path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct CatalogProblem {
    /// Where, e.g. `products[2].price` (or `line 4, column 7` for JSON syntax).
    pub path: String,
    /// What is wrong, in a shop owner's words.
    pub reason: String,
}

/// A catalog that could not be used; lists every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the catalog has {} problem(s): {}", .0.len(), join(.0))]
pub struct CatalogError(pub Vec<CatalogProblem>);

fn join(problems: &[CatalogProblem]) -> String {
    let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
    texts.join("; ")
}

/// The shop's own settings, used to write the order message and validate checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopSettings {
    /// The shop's name, as in the message heading.
    pub name: String,
    /// The WhatsApp number orders are sent to.
    pub phone: PhoneNumber,
    /// Shipping expectation printed in the message.
    pub shipping_note: Option<String>,
    /// Payment preference ids accepted, in display order.
    pub payments: Vec<PaymentPreference>,
    /// Delivery methods offered.
    pub deliveries: Vec<DeliveryMethod>,
    /// Labels of the shop's own payment ids (`ideal` → "iDEAL").
    pub payment_labels: Vec<(String, String)>,
    /// How to pay by bank transfer (account, name, what to write as the reference), for the
    /// confirmation of orders paid that way.
    pub bank_transfer: Option<String>,
}

impl ShopSettings {
    /// What checkout input is validated against.
    pub fn rules(&self) -> ShopRules {
        ShopRules {
            payments: self.payments.clone(),
            deliveries: self.deliveries.clone(),
            default_country: Some(self.phone.calling_code()),
        }
    }
}

/// One option value and its price difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionValue {
    /// The value, e.g. `XL`.
    pub value: String,
    /// Added to the base price (may be negative).
    pub delta_minor: i64,
}

/// A product the shop sells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogProduct {
    /// The product's id.
    pub sku: Sku,
    /// Its name.
    pub name: ProductName,
    /// Base price of one unit.
    pub price: Money,
    /// Units on hand; `None` is unlimited.
    pub stock: Option<u32>,
    /// Option names with their values, in the catalog's order.
    pub options: Vec<(String, Vec<OptionValue>)>,
    /// The product's page on the shop's site.
    pub url: Option<String>,
    /// Its picture.
    pub image: Option<String>,
    /// The shop's category (agents, campaigns).
    pub category: Option<String>,
}

impl CatalogProduct {
    /// The options sorted by name.
    fn sorted_options(&self) -> Vec<&(String, Vec<OptionValue>)> {
        let mut sorted: Vec<_> = self.options.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        sorted
    }

    /// The price of one unit with these options: every option chosen, deltas added.
    pub fn unit_price(
        &self,
        options: &ProductOptions,
        currency: Currency,
    ) -> Result<Money, PriceError> {
        for (name, _) in options.pairs() {
            if !self.options.iter().any(|(known, _)| known == name) {
                return Err(PriceError::UnknownOption(name.clone()));
            }
        }
        let mut price = self.price;
        for (name, values) in self.sorted_options() {
            let chosen = options
                .pairs()
                .iter()
                .find(|(n, _)| n == name)
                .ok_or_else(|| PriceError::MissingOption(name.clone()))?;
            let value = values
                .iter()
                .find(|v| v.value == chosen.1)
                .ok_or_else(|| PriceError::UnknownOption(format!("{name}={}", chosen.1)))?;
            price = price.checked_add(Money::from_minor(value.delta_minor, currency)?)?;
        }
        if price.minor_units() < 0 {
            return Err(MoneyError::Malformed(price.minor_units().to_string()).into());
        }
        Ok(price)
    }
}

/// Why a line could not be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    /// The catalog has no such sku.
    #[error("unknown product")]
    UnknownSku,
    /// An option name or value the product does not have.
    #[error("the product has no option {0}")]
    UnknownOption(String),
    /// An option of the product was not chosen.
    #[error("choose a value for {0}")]
    MissingOption(String),
    /// The amount is out of range.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// The whole catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    /// The currency of every price.
    pub currency: Currency,
    /// The shop's settings.
    pub shop: ShopSettings,
    /// Products, in the catalog's order.
    pub products: Vec<CatalogProduct>,
}

impl Catalog {
    /// Parses and validates catalog JSON.
    pub fn from_json(text: &str) -> Result<Self, CatalogError> {
        let raw: RawCatalog = serde_json::from_str(text).map_err(|e| {
            CatalogError(vec![CatalogProblem {
                path: format!("line {}, column {}", e.line(), e.column()),
                reason: e.to_string(),
            }])
        })?;
        let mut problems = Problems::default();
        let catalog = raw.validate(&mut problems);
        match catalog {
            Some(catalog) if problems.0.is_empty() => Ok(catalog),
            _ => Err(CatalogError(problems.0)),
        }
    }

    /// The product with this sku.
    pub fn product(&self, sku: &str) -> Option<&CatalogProduct> {
        self.products.iter().find(|p| p.sku.as_str() == sku)
    }

    /// The price of one unit of `sku` with these options.
    pub fn unit_price(&self, sku: &str, options: &ProductOptions) -> Result<Money, PriceError> {
        let product = self.product(sku).ok_or(PriceError::UnknownSku)?;
        product.unit_price(options, self.currency)
    }
}

#[cfg(test)]
mod tests;
