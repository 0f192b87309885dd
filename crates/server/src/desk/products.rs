//! `/admin/products`: each product's stock as the shop counted it and what is left to order,
//! sold-out ones first and marked; a count is set here with the same effect as the API's
//! stock update (recorded with who set it; availability moves by the difference, so units
//! held by orders stay held).

use super::error::DeskError;
use super::layout::{money, render};
use super::notice::{Notice, NoticeQuery};
use super::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use crate::service::stock::MAX_STOCK;

struct Row {
    sku: String,
    name: String,
    price: String,
    /// The counted stock as the form shows it (empty: unlimited).
    stock: String,
    available: String,
    sold_out: bool,
    /// Back-in-stock subscriptions waiting for it, and those not yet confirmed by the
    /// shopper's message.
    waiting: i64,
    unconfirmed: i64,
}

#[derive(Template)]
#[template(path = "products.html")]
struct ProductsPage {
    shop: String,
    user: Option<String>,
    csrf: String,
    notice: Option<String>,
    rows: Vec<Row>,
    sold_out: usize,
}

/// `GET /admin/products`.
pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, DeskError> {
    let levels = state.db.stock_levels().await?;
    let waiting = state.db.waiting_alerts().await?;
    let currency = state.catalog.currency.code();
    let mut rows: Vec<Row> = state
        .catalog
        .products
        .iter()
        .map(|p| {
            let level = levels.get(p.sku.as_str()).copied().unwrap_or_default();
            Row {
                sku: p.sku.as_str().to_string(),
                name: p.name.as_str().to_string(),
                price: money(p.price.minor_units(), currency),
                stock: level.stock.map(|s| s.to_string()).unwrap_or_default(),
                available: level
                    .available
                    .map_or_else(|| "unlimited".into(), |a| a.to_string()),
                sold_out: level.available == Some(0),
                waiting: waiting.get(p.sku.as_str()).map_or(0, |w| w.0),
                unconfirmed: waiting.get(p.sku.as_str()).map_or(0, |w| w.1),
            }
        })
        .collect();
    // Sold out first: what the shop should look at.
    rows.sort_by_key(|r| !r.sold_out);
    let sold_out = rows.iter().filter(|r| r.sold_out).count();
    render(&ProductsPage {
        shop: state.catalog.shop.name.clone(),
        user: Some(staff.0.username),
        csrf: staff.0.csrf_token,
        notice: query.notice().map(Notice::text),
        rows,
        sold_out,
    })
}

#[derive(Deserialize)]
pub(super) struct StockForm {
    #[serde(default)]
    csrf: String,
    /// A whole number of units; empty makes the product unlimited.
    #[serde(default)]
    stock: String,
}

/// `POST /admin/products/{sku}/stock`.
pub(super) async fn set_stock(
    State(state): State<AppState>,
    staff: Staff,
    Path(sku): Path<String>,
    Form(form): Form<StockForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    if state.catalog.product(&sku).is_none() {
        return Err(DeskError::NotFound);
    }
    let stock = match form.stock.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(n) if (0..=MAX_STOCK).contains(&n) => Some(n),
            _ => return Ok(back(Notice::StockInvalid)),
        },
    };
    let actor = format!("desk:{}", staff.username());
    crate::service::stock::update_stock(&state.db, &sku, stock, &actor).await?;
    Ok(back(Notice::StockSaved))
}

fn back(notice: Notice) -> Response {
    Redirect::to(&format!("/admin/products?notice={}", notice.code())).into_response()
}
