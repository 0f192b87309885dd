//! The catalog's JSON as it is written, before validation, and the problems found in it.

use super::CatalogProblem;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Default)]
pub(super) struct Problems(pub(super) Vec<CatalogProblem>);

impl Problems {
    pub(super) fn add(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.0.push(CatalogProblem {
            path: path.into(),
            reason: reason.into(),
        });
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCatalog {
    pub(super) currency: String,
    pub(super) shop: RawShop,
    pub(super) products: Vec<RawProduct>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShop {
    pub(super) name: String,
    pub(super) phone: String,
    #[serde(default)]
    pub(super) shipping_note: Option<String>,
    #[serde(default)]
    pub(super) payments: Option<Vec<String>>,
    #[serde(default)]
    pub(super) deliveries: Option<Vec<String>>,
    #[serde(default)]
    pub(super) payment_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) bank_transfer: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProduct {
    pub(super) sku: String,
    pub(super) name: String,
    pub(super) price: String,
    #[serde(default)]
    pub(super) stock: Option<i64>,
    #[serde(default)]
    pub(super) options: InCatalogOrder,
    #[serde(default)]
    pub(super) url: Option<String>,
    #[serde(default)]
    pub(super) image: Option<String>,
    #[serde(default)]
    pub(super) category: Option<String>,
}

/// A product's `options` object with its names in the order the catalog writes them (a
/// `BTreeMap` would sort them, and WhatsApp content ids may follow the catalog's order).
#[derive(Default)]
pub(super) struct InCatalogOrder(pub(super) Vec<(String, BTreeMap<String, String>)>);

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
