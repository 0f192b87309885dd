//! A client's lines priced again from the catalog.

use super::{Catalog, PriceError};
use crate::cart::NewItem;
use crate::product::{ProductOptions, Quantity};
use crate::wire::WireLine;

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
