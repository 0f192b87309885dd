//! `/api/v1/products`: the catalog's products with their stock, and setting a product's
//! stock (recorded, with the same effect as a changed count in the catalog file).

use super::{body, Caller, V1Error};
use crate::db::stock::StockLevel;
use crate::policy::access::Scope;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use chatout_core::CatalogProduct;
use serde::{Deserialize, Serialize};

use crate::service::stock::MAX_STOCK;

#[derive(Serialize)]
pub(super) struct Product {
    sku: String,
    name: String,
    /// One unit, minor units.
    price: i64,
    /// The units the shop counted; `null` = unlimited.
    stock: Option<i64>,
    /// What is left to order; `null` = unlimited.
    available: Option<i64>,
}

impl Product {
    fn new(product: &CatalogProduct, level: StockLevel) -> Self {
        Self {
            sku: product.sku.as_str().to_string(),
            name: product.name.as_str().to_string(),
            price: product.price.minor_units(),
            stock: level.stock,
            available: level.available,
        }
    }
}

#[derive(Serialize)]
pub(super) struct Products {
    products: Vec<Product>,
}

/// `GET /api/v1/products`.
pub(super) async fn list(State(state): State<AppState>) -> Result<Json<Products>, V1Error> {
    let levels = state.db.stock_levels().await?;
    let products = state
        .catalog
        .products
        .iter()
        .map(|p| {
            let level = levels.get(p.sku.as_str()).copied().unwrap_or_default();
            Product::new(p, level)
        })
        .collect();
    Ok(Json(Products { products }))
}

/// `{"stock": N}` or `{"stock": null}`; the field is required (a body without it must not
/// make a product unlimited).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StockBody {
    stock: serde_json::Value,
}

impl StockBody {
    fn stock(&self) -> Result<Option<i64>, V1Error> {
        match &self.stock {
            serde_json::Value::Null => Ok(None),
            serde_json::Value::Number(n) => whole(n)
                .filter(|n| (0..=MAX_STOCK).contains(n))
                .map(Some)
                .ok_or_else(bad_stock),
            _ => Err(bad_stock()),
        }
    }
}

/// A JSON number that is a whole number: `4`, and `3932.0` too (JSON Schema's `integer`
/// admits it, and some clients write every number that way).
fn whole(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        let f = n.as_f64()?;
        // Exact below 2^53; larger counts are refused anyway.
        (f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0).then_some(f as i64)
    })
}

fn bad_stock() -> V1Error {
    V1Error::Invalid(format!(
        "stock: a whole number of units from 0 to {MAX_STOCK}, or null for unlimited"
    ))
}

/// `PATCH /api/v1/products/{sku}` `{"stock": N}` (`null` = unlimited).
pub(super) async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(sku): Path<String>,
    request: Result<Json<StockBody>, JsonRejection>,
) -> Result<Json<Product>, V1Error> {
    caller.needs(Scope::Write)?;
    let request = body(request)?;
    let product = state
        .catalog
        .product(&sku)
        .ok_or(V1Error::NotFound("product"))?;
    let stock = request.stock()?;
    let level =
        crate::service::stock::update_stock(&state.db, &sku, stock, &caller.actor()).await?;
    Ok(Json(Product::new(product, level)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 27 item 16: schemathesis sent `{"stock": 3932.0}`, an integer by the document,
    /// and got `400`.
    #[test]
    fn a_whole_number_written_with_a_point_is_a_count() {
        let stock = |text: &str| {
            let body: StockBody = serde_json::from_str(text).unwrap();
            body.stock().ok()
        };
        assert_eq!(stock(r#"{"stock": 3932.0}"#), Some(Some(3932)));
        assert_eq!(stock(r#"{"stock": 4}"#), Some(Some(4)));
        assert_eq!(stock(r#"{"stock": null}"#), Some(None));
        for bad in ["2.5", "-1", "1e10", "1000000001", "\"4\"", "true"] {
            assert_eq!(stock(&format!(r#"{{"stock": {bad}}}"#)), None, "{bad}");
        }
    }
}
