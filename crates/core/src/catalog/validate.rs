//! Every field of the raw catalog checked by its core type, each problem with its path.

use super::parse::{InCatalogOrder, Problems, RawCatalog, RawProduct, RawShop};
use super::{Catalog, CatalogProduct, OptionValue, ShopSettings};
use crate::money::{Currency, Money, MoneyError};
use crate::order::{DeliveryMethod, PaymentPreference};
use crate::phone::PhoneNumber;
use crate::product::{ProductName, ProductOptions, Sku};

impl RawCatalog {
    pub(super) fn validate(self, problems: &mut Problems) -> Option<Catalog> {
        let currency = Currency::from_code(&self.currency)
            .map_err(|e| problems.add("currency", e.to_string()))
            .ok();
        let shop = self.shop.validate(problems);
        let currency = currency?;
        if self.products.is_empty() {
            problems.add("products", "lists no product");
        }
        let mut products: Vec<CatalogProduct> = Vec::new();
        for (at, raw) in self.products.into_iter().enumerate() {
            let path = format!("products[{at}]");
            if let Some(product) = raw.validate(&path, currency, problems) {
                if products.iter().any(|p| p.sku == product.sku) {
                    problems.add(
                        format!("{path}.sku"),
                        format!("'{}' is listed twice", product.sku.as_str()),
                    );
                }
                products.push(product);
            }
        }
        Some(Catalog {
            currency,
            shop: shop?,
            products,
        })
    }
}

impl RawShop {
    pub(super) fn validate(self, problems: &mut Problems) -> Option<ShopSettings> {
        let name = self.name.trim().to_string();
        if name.is_empty() {
            problems.add("shop.name", "is empty");
        }
        let phone = PhoneNumber::parse(&self.phone, None)
            .map_err(|e| problems.add("shop.phone", e.to_string()))
            .ok();
        let payments = parse_ids(
            &self
                .payments
                .unwrap_or_else(|| vec!["bank_transfer".into()]),
            ("shop.payments", "lists no payment preference"),
            PaymentPreference::parse,
            |id| format!("'{id}' is not a payment id (lowercase letters, digits, _)"),
            problems,
        );
        let deliveries = parse_ids(
            &self.deliveries.unwrap_or_else(|| vec!["shipping".into()]),
            ("shop.deliveries", "lists no delivery method"),
            DeliveryMethod::parse,
            |id| format!("'{id}' must be shipping or pickup"),
            problems,
        );
        let bank_transfer = self
            .bank_transfer
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        if bank_transfer
            .as_ref()
            .is_some_and(|t| t.chars().count() > 500)
        {
            problems.add("shop.bank_transfer", "is longer than 500 characters");
        }
        Some(ShopSettings {
            bank_transfer,
            name,
            phone: phone?,
            shipping_note: self.shipping_note.filter(|n| !n.trim().is_empty()),
            payments,
            deliveries,
            payment_labels: self.payment_labels.into_iter().collect(),
        })
    }
}

impl RawProduct {
    pub(super) fn validate(
        self,
        path: &str,
        currency: Currency,
        problems: &mut Problems,
    ) -> Option<CatalogProduct> {
        let sku = Sku::parse(&self.sku)
            .map_err(|e| problems.add(format!("{path}.sku"), e.to_string()))
            .ok();
        let name = ProductName::parse(&self.name)
            .map_err(|e| problems.add(format!("{path}.name"), e.to_string()))
            .ok();
        let price = Money::parse_major(&self.price, currency)
            .map_err(|e| problems.add(format!("{path}.price"), e.to_string()))
            .ok();
        let stock = match self.stock {
            None => None,
            Some(n) => match u32::try_from(n) {
                Ok(n) => Some(n),
                Err(_) => {
                    problems.add(format!("{path}.stock"), format!("{n} is not a count"));
                    None
                }
            },
        };
        let options = validate_options(self.options, path, currency, problems);
        let url = web_address(path, "url", self.url, problems);
        let image = web_address(path, "image", self.image, problems);
        let category = self
            .category
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        if category.as_ref().is_some_and(|c| c.chars().count() > 60) {
            problems.add(format!("{path}.category"), "is longer than 60 characters");
        }
        Some(CatalogProduct {
            sku: sku?,
            name: name?,
            price: price?,
            stock,
            options,
            url,
            image,
            category,
        })
    }
}

/// A product's options, each value with its price difference in minor units.
fn validate_options(
    raw: InCatalogOrder,
    path: &str,
    currency: Currency,
    problems: &mut Problems,
) -> Vec<(String, Vec<OptionValue>)> {
    let mut options = Vec::new();
    for (name, values) in raw.0 {
        let mut parsed = Vec::new();
        for (value, delta) in values {
            let at = format!("{path}.options.{name}.{value}");
            if ProductOptions::from_pairs(vec![(name.clone(), value.clone())]).is_err() {
                problems.add(&at, "option names and values are 1 to 60 characters");
            }
            match parse_delta(&delta, currency) {
                Ok(delta_minor) => parsed.push(OptionValue { value, delta_minor }),
                Err(e) => problems.add(at, format!("price difference '{delta}': {e}")),
            }
        }
        if parsed.is_empty() {
            problems.add(format!("{path}.options.{name}"), "lists no value");
        }
        options.push((name, parsed));
    }
    options
}

/// A product's `url` or `image`: trimmed, empty as none, and an http(s) or site-relative
/// address without spaces.
fn web_address(
    path: &str,
    field: &str,
    value: Option<String>,
    problems: &mut Problems,
) -> Option<String> {
    let value = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    let web = |v: &String| {
        (v.starts_with("https://") || v.starts_with("http://") || v.starts_with('/'))
            && v.len() <= 2000
            && !v.chars().any(|c| c.is_whitespace() || c.is_control())
    };
    match value {
        Some(v) if !web(&v) => {
            problems.add(format!("{path}.{field}"), "is not a web address");
            None
        }
        other => other,
    }
}

/// A list of ids parsed one by one; each bad id, and an empty list, is a problem at `path`.
fn parse_ids<T>(
    ids: &[String],
    (path, empty): (&str, &str),
    parse: impl Fn(&str) -> Option<T>,
    why: impl Fn(&str) -> String,
    problems: &mut Problems,
) -> Vec<T> {
    let mut parsed = Vec::new();
    for (at, id) in ids.iter().enumerate() {
        match parse(id) {
            Some(value) => parsed.push(value),
            None => problems.add(format!("{path}[{at}]"), why(id)),
        }
    }
    if parsed.is_empty() {
        problems.add(path, empty);
    }
    parsed
}

/// `"+2.00"`, `"-1.50"` or `"0"`, in minor units.
fn parse_delta(text: &str, currency: Currency) -> Result<i64, MoneyError> {
    let text = text.trim();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    Ok(sign * Money::parse_major(digits, currency)?.minor_units())
}
