//! The shop's catalog (CONTRACT.md section 6): what the order server prices orders from.
//!
//! Parsed from JSON text and validated as a whole, so a shop owner sees every mistake with
//! the path of the field at fault (`products[2].options.Size.XL`) instead of the first one.

use crate::cart::NewItem;
use crate::money::{Currency, Money, MoneyError};
use crate::order::{DeliveryMethod, PaymentPreference, ShopRules};
use crate::phone::PhoneNumber;
use crate::product::{ProductName, ProductOptions, Quantity, Sku};
use crate::wire::{OptionsObject, WireLine};
use serde::Deserialize;
use std::collections::BTreeMap;

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

impl Catalog {
    /// The product and option values a WhatsApp catalog item's content id names: the sku of
    /// a product without options, or `sku:Value:Value` with one value per option, the options
    /// either in the catalog's own order (`shirt-linen:M:Sand` for Size M, Colour Sand) or in
    /// the order their names sort (`shirt-linen:Sand:M`). The options come back as a line's
    /// options sorted by name, whichever order matched, for [`Catalog::reprice`].
    pub fn by_retailer_id(&self, id: &str) -> Result<(&CatalogProduct, OptionsObject), PriceError> {
        if let Some(product) = self.product(id) {
            return match product.sorted_options().first() {
                None => Ok((product, OptionsObject::default())),
                Some((name, _)) => Err(PriceError::MissingOption(name.clone())),
            };
        }
        let mut parts = id.split(':');
        let sku = parts.next().unwrap_or_default();
        let product = self.product(sku).ok_or(PriceError::UnknownSku)?;
        let values: Vec<&str> = parts.collect();
        let sorted = product.sorted_options();
        if values.len() != sorted.len() {
            let missing = sorted.get(values.len()).map(|(name, _)| name);
            return Err(match missing {
                Some(name) => PriceError::MissingOption(name.clone()),
                None => PriceError::UnknownOption(id.to_string()),
            });
        }
        let declared: Vec<&(String, Vec<OptionValue>)> = product.options.iter().collect();
        // Sorted names first (what this server always read), then the catalog's own order.
        let matched = match pairs_of(&sorted, &values) {
            Ok(pairs) => pairs,
            Err(sorted_error) => pairs_of(&declared, &values).map_err(|_| sorted_error)?,
        };
        let mut pairs = matched;
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        Ok((product, OptionsObject(pairs)))
    }
}

/// `values` read as one value per option of `options`, in that order.
fn pairs_of(
    options: &[&(String, Vec<OptionValue>)],
    values: &[&str],
) -> Result<Vec<(String, String)>, PriceError> {
    let mut pairs = Vec::with_capacity(values.len());
    for ((name, known), value) in options.iter().map(|o| (&o.0, &o.1)).zip(values) {
        if !known.iter().any(|v| v.value == *value) {
            return Err(PriceError::UnknownOption(format!("{name}={value}")));
        }
        pairs.push((name.clone(), (*value).to_string()));
    }
    Ok(pairs)
}

/// A client's lines priced by the catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Repriced {
    /// The lines as the shop sells them, ready for a cart: catalog names and prices, unknown
    /// skus left out.
    pub lines: Vec<NewItem>,
    /// Some sku is not in the catalog.
    pub unknown_sku: bool,
    /// Some client price differs from the catalog's.
    pub price_changed: bool,
    /// Lines that cannot be priced at all: `(items[i].field, code, message)`.
    pub errors: Vec<(String, &'static str, String)>,
}

impl Catalog {
    /// Prices every line from the catalog, option deltas included, and says what differs
    /// from what the client sent.
    pub fn reprice(&self, items: &[WireLine]) -> Repriced {
        let mut out = Repriced::default();
        for (at, item) in items.iter().enumerate() {
            let field = |name: &str| format!("items[{at}].{name}");
            let options = match ProductOptions::from_pairs(item.options.0.clone()) {
                Ok(options) => options,
                Err(e) => {
                    out.errors
                        .push((field("options"), "invalid", e.to_string()));
                    continue;
                }
            };
            let quantity = match Quantity::new(item.quantity, Quantity::DEFAULT_MAX) {
                Ok(quantity) => quantity,
                Err(e) => {
                    out.errors
                        .push((field("quantity"), "invalid", e.to_string()));
                    continue;
                }
            };
            let Some(product) = self.product(&item.sku) else {
                out.unknown_sku = true;
                continue;
            };
            match product.unit_price(&options, self.currency) {
                Ok(price) => {
                    out.price_changed |= price.minor_units() != item.unit_price;
                    out.lines.push(NewItem {
                        sku: product.sku.clone(),
                        name: product.name.clone(),
                        options,
                        unit_price: price,
                        quantity,
                        max_quantity: Quantity::DEFAULT_MAX,
                        url: None,
                        image: None,
                        category: None,
                    });
                }
                Err(e @ PriceError::Money(_)) => {
                    out.errors
                        .push((field("unit_price"), "invalid", e.to_string()));
                }
                Err(e) => {
                    out.errors
                        .push((field("options"), "not_offered", e.to_string()));
                }
            }
        }
        out
    }
}

#[derive(Default)]
struct Problems(Vec<CatalogProblem>);

impl Problems {
    fn add(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.0.push(CatalogProblem {
            path: path.into(),
            reason: reason.into(),
        });
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    currency: String,
    shop: RawShop,
    products: Vec<RawProduct>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShop {
    name: String,
    phone: String,
    #[serde(default)]
    shipping_note: Option<String>,
    #[serde(default)]
    payments: Option<Vec<String>>,
    #[serde(default)]
    deliveries: Option<Vec<String>>,
    #[serde(default)]
    payment_labels: BTreeMap<String, String>,
    #[serde(default)]
    bank_transfer: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProduct {
    sku: String,
    name: String,
    price: String,
    #[serde(default)]
    stock: Option<i64>,
    #[serde(default)]
    options: InCatalogOrder,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    image: Option<String>,
    #[serde(default)]
    category: Option<String>,
}

/// A product's `options` object with its names in the order the catalog writes them (a
/// `BTreeMap` would sort them, and WhatsApp content ids may follow the catalog's order).
#[derive(Default)]
struct InCatalogOrder(Vec<(String, BTreeMap<String, String>)>);

impl<'de> Deserialize<'de> for InCatalogOrder {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = InCatalogOrder;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of option names, each with its values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut options: Vec<(String, BTreeMap<String, String>)> = Vec::new();
                while let Some((name, values)) =
                    map.next_entry::<String, BTreeMap<String, String>>()?
                {
                    // A name given twice keeps its first place and its last values, as JSON
                    // parsers commonly do.
                    match options.iter_mut().find(|(known, _)| *known == name) {
                        Some(entry) => entry.1 = values,
                        None => options.push((name, values)),
                    }
                }
                Ok(InCatalogOrder(options))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

impl RawCatalog {
    fn validate(self, problems: &mut Problems) -> Option<Catalog> {
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
    fn validate(self, problems: &mut Problems) -> Option<ShopSettings> {
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
    fn validate(
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
        let mut options = Vec::new();
        for (name, values) in self.options.0 {
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
        let link = |field: &str, value: Option<String>, problems: &mut Problems| {
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
        };
        let url = link("url", self.url, problems);
        let image = link("image", self.image, problems);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::OptionsObject;

    const GOOD: &str = r#"{"currency":"EUR",
        "shop":{"name":"Zeegras Home","phone":"+31 6 1234 5678","payments":["bank_transfer","ideal"],
                "deliveries":["shipping","pickup"],"payment_labels":{"ideal":"iDEAL"}},
        "products":[{"sku":"shirt-linen","name":"Linen shirt","price":"29.90","stock":12,
            "options":{"Size":{"S":"0","M":"0","XL":"+2.00"},"Colour":{"Sand":"0","Navy":"-1.00"}}},
            {"sku":"tea","name":"Tea sample","price":"0.10"}]}"#;

    fn options(text: &str) -> ProductOptions {
        ProductOptions::parse(text).unwrap()
    }

    #[test]
    fn prices_include_option_deltas() {
        let catalog = Catalog::from_json(GOOD).unwrap();
        let price = |sku, o| {
            catalog
                .unit_price(sku, &options(o))
                .map(|m| m.minor_units())
        };
        assert_eq!(price("shirt-linen", "Size=M;Colour=Sand"), Ok(2990));
        assert_eq!(price("shirt-linen", "Colour=Navy;Size=XL"), Ok(3090));
        assert_eq!(price("tea", ""), Ok(10));
        assert_eq!(price("nope", ""), Err(PriceError::UnknownSku));
        assert!(matches!(
            price("shirt-linen", "Size=M"),
            Err(PriceError::MissingOption(_))
        ));
        assert!(matches!(
            price("shirt-linen", "Size=XXL;Colour=Sand"),
            Err(PriceError::UnknownOption(_))
        ));
        assert!(matches!(
            price("tea", "Size=M"),
            Err(PriceError::UnknownOption(_))
        ));
        assert_eq!(catalog.product("tea").unwrap().stock, None);
    }

    #[test]
    fn repricing_uses_catalog_names_and_prices() {
        let catalog = Catalog::from_json(GOOD).unwrap();
        let line = |sku: &str, options: &[(&str, &str)], price, quantity| WireLine {
            sku: sku.into(),
            name: "Whatever the page said".into(),
            options: OptionsObject(
                options
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
            ),
            unit_price: price,
            quantity,
        };
        let fair = catalog.reprice(&[line(
            "shirt-linen",
            &[("Size", "XL"), ("Colour", "Sand")],
            3190,
            2,
        )]);
        assert!(!fair.price_changed && !fair.unknown_sku && fair.errors.is_empty());
        assert_eq!(fair.lines[0].name.as_str(), "Linen shirt");
        let tampered = catalog.reprice(&[line("tea", &[], 1, 3), line("ghost", &[], 5, 1)]);
        assert!(tampered.price_changed && tampered.unknown_sku);
        assert_eq!(tampered.lines.len(), 1);
        assert_eq!(tampered.lines[0].unit_price.minor_units(), 10);
        let bad = catalog.reprice(&[
            line("tea", &[], 10, 0),
            line("shirt-linen", &[("Size", "M")], 2990, 1),
        ]);
        let fields: Vec<&str> = bad.errors.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(fields, ["items[0].quantity", "items[1].options"]);
    }

    /// The catalog of CONTRACT.md section 6, as written there, with bank transfer details.
    #[test]
    fn the_contract_s_catalog_reads() {
        let catalog = Catalog::from_json(
            r#"{"currency":"EUR",
             "shop":{"name":"Zeegras Home","phone":"+31 6 1234 5678","shipping_note":"Ships in 2-4 working days",
                     "payments":["bank_transfer","payment_link"],"deliveries":["shipping","pickup"],
                     "payment_labels":{"payment_link":"iDEAL / card (payment link)"},
                     "bank_transfer":"NL91 ABNA 0417 1643 00, Zeegras Home; write your order reference"},
             "products":[{"sku":"shirt-linen","name":"Linen shirt","price":"29.90","stock":12,
                          "url":"https://shop.example/p/shirt-linen","image":"https://shop.example/i/shirt.jpg",
                          "category":"shirts",
                          "options":{"Size":{"S":"0","M":"0","XL":"+2.00"},"Colour":{"Sand":"0","Navy":"0"}}}]}"#,
        )
        .unwrap();
        let shirt = &catalog.products[0];
        assert_eq!(
            shirt.url.as_deref(),
            Some("https://shop.example/p/shirt-linen")
        );
        assert_eq!(shirt.category.as_deref(), Some("shirts"));
        assert!(catalog
            .shop
            .bank_transfer
            .as_deref()
            .unwrap()
            .starts_with("NL91"));
        let bad = Catalog::from_json(
            r#"{"currency":"EUR","shop":{"name":"S","phone":"+31612345678"},
                "products":[{"sku":"a","name":"A","price":"1","url":"javascript:alert(1)"}]}"#,
        )
        .unwrap_err();
        assert!(bad.to_string().contains("products[0].url"), "{bad}");
    }

    /// Issue 27 item 10: `shirt-linen:M:Sand` (the catalog's own order, Size then Colour)
    /// was refused; only the sorted names (`shirt-linen:Sand:M`) were read.
    #[test]
    fn whatsapp_catalog_ids_may_list_options_in_the_catalogs_own_order() {
        let catalog = Catalog::from_json(
            r#"{"currency":"EUR","shop":{"name":"S","phone":"+31612345678",
                "payments":["bank_transfer"],"deliveries":["pickup"]},
                "products":[{"sku":"shirt-linen","name":"Linen shirt","price":"29.90",
                   "options":{"Size":{"M":"0","XL":"2"},"Colour":{"Sand":"0","Navy":"0"}}}]}"#,
        )
        .unwrap();
        let names: Vec<&str> = catalog.products[0]
            .options
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(names, ["Size", "Colour"], "kept in the catalog's order");
        let sorted = [
            ("Colour".to_string(), "Sand".to_string()),
            ("Size".to_string(), "M".to_string()),
        ];
        for id in ["shirt-linen:M:Sand", "shirt-linen:Sand:M"] {
            let (shirt, pairs) = catalog.by_retailer_id(id).unwrap();
            assert_eq!(shirt.sku.as_str(), "shirt-linen");
            assert_eq!(pairs.0, sorted, "{id}");
        }
        assert_eq!(
            catalog.by_retailer_id("shirt-linen:M:Blue").unwrap_err(),
            PriceError::UnknownOption("Colour=M".into()),
            "a value neither order knows is named as the sorted order reads it"
        );
        assert!(catalog.by_retailer_id("shirt-linen:M:M").is_err());
    }

    #[test]
    fn whatsapp_catalog_ids_name_a_product_and_its_options() {
        let catalog = Catalog::from_json(
            r#"{"currency":"EUR","shop":{"name":"S","phone":"+31612345678",
                "payments":["bank_transfer"],"deliveries":["pickup"]},
                "products":[{"sku":"mug","name":"Mug","price":"12.50"},
                  {"sku":"shirt","name":"Shirt","price":"29.90",
                   "options":{"Size":{"M":"0","XL":"2"},"Colour":{"Sea blue":"0"}}}]}"#,
        )
        .unwrap();
        let (mug, none) = catalog.by_retailer_id("mug").unwrap();
        assert_eq!((mug.sku.as_str(), none.0.len()), ("mug", 0));
        let (shirt, pairs) = catalog.by_retailer_id("shirt:Sea blue:XL").unwrap();
        assert_eq!(shirt.sku.as_str(), "shirt");
        assert_eq!(
            pairs.0,
            [
                ("Colour".to_string(), "Sea blue".to_string()),
                ("Size".to_string(), "XL".to_string())
            ]
        );
        assert_eq!(
            catalog.by_retailer_id("shirt").unwrap_err(),
            PriceError::MissingOption("Colour".into())
        );
        assert_eq!(
            catalog.by_retailer_id("shirt:Sea blue").unwrap_err(),
            PriceError::MissingOption("Size".into())
        );
        assert_eq!(
            catalog.by_retailer_id("shirt:Sea blue:S").unwrap_err(),
            PriceError::UnknownOption("Size=S".into())
        );
        assert!(matches!(
            catalog.by_retailer_id("shirt:Sea blue:M:extra"),
            Err(PriceError::UnknownOption(_))
        ));
        assert_eq!(
            catalog.by_retailer_id("mug:XL").unwrap_err(),
            PriceError::UnknownOption("mug:XL".into())
        );
        assert_eq!(
            catalog.by_retailer_id("lamp").unwrap_err(),
            PriceError::UnknownSku
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let bad = r#"{"currency":"EUR","shop":{"name":"","phone":"call us"},
            "products":[{"sku":"a b","name":"A","price":"1,50","stock":-1,
                         "options":{"Size":{"M":"plus two"}}},
                        {"sku":"tea","name":"Tea","price":"1"},{"sku":"tea","name":"Tea","price":"1"}]}"#;
        let CatalogError(problems) = Catalog::from_json(bad).unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        for expected in [
            "shop.name",
            "shop.phone",
            "products[0].sku",
            "products[0].price",
            "products[0].stock",
            "products[0].options.Size.M",
            "products[2].sku",
        ] {
            assert!(
                paths.contains(&expected),
                "{expected} missing from {paths:?}"
            );
        }
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = Catalog::from_json("{\n\"currency\": }").unwrap_err();
        assert!(err.0[0].path.starts_with("line 2"), "{err}");
        let unknown = GOOD.replace("\"stock\":12", "\"stok\":12");
        assert!(Catalog::from_json(&unknown).is_err());
    }

    #[test]
    fn a_negative_total_price_is_refused() {
        let text = GOOD.replace("\"-1.00\"", "\"-40.00\"");
        let catalog = Catalog::from_json(&text).unwrap();
        assert!(catalog
            .unit_price("shirt-linen", &options("Size=M;Colour=Navy"))
            .is_err());
    }
}
