//! `/admin/export`: orders of a date range and status as CSV for a spreadsheet or the
//! accountant: one line per order item, money in major units beside its currency, UTF-8
//! with a header row. A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
//! a tab or a carriage return first) is written with a leading `'`, so a customer called
//! `=HYPERLINK(…)` stays text.

use super::error::DeskError;
use super::layout::render;
use super::session::Staff;
use crate::db::orders::document::{self, OrderDocument, OrderFilter};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chatout_core::{Currency, Money, OrderStatus};
use serde::Deserialize;

/// Orders read per query while exporting.
const PAGE: i64 = 200;
/// The most orders one export holds.
const MAX_ORDERS: usize = 100_000;

/// The header row.
pub const COLUMNS: [&str; 21] = [
    "reference",
    "created_at",
    "status",
    "customer_name",
    "customer_phone",
    "customer_email",
    "delivery_method",
    "delivery_address",
    "payment",
    "note",
    "sku",
    "item",
    "options",
    "quantity",
    "unit_price",
    "line_total",
    "subtotal",
    "shipping",
    "discount",
    "total",
    "currency",
];

#[derive(Template)]
#[template(path = "export.html")]
struct ExportPage {
    shop: String,
    user: Option<String>,
    csrf: String,
    statuses: Vec<&'static str>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, DeskError> {
    render(&ExportPage {
        shop: state.catalog.shop.name.clone(),
        user: Some(staff.0.username),
        csrf: staff.0.csrf_token,
        statuses: OrderStatus::ALL.iter().map(|s| s.as_str()).collect(),
    })
}

#[derive(Deserialize)]
pub(super) struct ExportQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    status: String,
}

/// `GET /admin/orders.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&status=` (dates in UTC, both
/// included; each may be left out, as may the status).
pub(super) async fn csv(
    State(state): State<AppState>,
    _staff: Staff,
    Query(query): Query<ExportQuery>,
) -> Result<Response, DeskError> {
    let bad = |what: &str| Ok((StatusCode::BAD_REQUEST, what.to_string()).into_response());
    let Ok(since) = day_start(&query.from, 0) else {
        return bad("from: a date like 2026-12-01");
    };
    let Ok(until) = day_start(&query.to, 1) else {
        return bad("to: a date like 2026-12-31");
    };
    let status = match query.status.as_str() {
        "" => None,
        name => match OrderStatus::parse(name) {
            Some(status) => Some(status),
            None => return bad("status: one of the order statuses"),
        },
    };
    let mut filter = OrderFilter {
        status,
        since,
        until,
        before_id: None,
        limit: PAGE,
    };
    let mut orders = Vec::new();
    let mut conn = state.db.read.acquire().await?;
    loop {
        let page = document::list(&mut conn, &filter).await?;
        let full = page.len() as i64 == PAGE;
        filter.before_id = page.last().map(|(id, _)| *id);
        orders.extend(page.into_iter().map(|(_, order)| order));
        if !full || orders.len() >= MAX_ORDERS {
            break;
        }
    }
    let body = write_csv(&orders)?;
    let name = format!(
        "orders-{}-{}.csv",
        if query.from.is_empty() {
            "start"
        } else {
            &query.from
        },
        if query.to.is_empty() {
            "now"
        } else {
            &query.to
        }
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// The start of `date` (`YYYY-MM-DD`, UTC) plus `days`, in ms; `None` for an empty date.
fn day_start(date: &str, days: i64) -> Result<Option<i64>, ()> {
    if date.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(date, &format).map_err(|_| ())?;
    let start = day.midnight().assume_utc() + time::Duration::days(days);
    Ok(Some(
        i64::try_from(start.unix_timestamp_nanos() / 1_000_000).map_err(|_| ())?,
    ))
}

/// A cell as written: text a spreadsheet would run as a formula gets a leading `'`.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// The CSV of `orders`: the header, then one row per item.
pub fn write_csv(orders: &[OrderDocument]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    out.write_record(COLUMNS)?;
    for order in orders {
        let currency = Currency::from_code(&order.currency).ok();
        let major = |minor: i64| {
            currency
                .and_then(|c| Money::from_minor(minor, c).ok())
                .map_or_else(|| minor.to_string(), |m| m.to_decimal_string())
        };
        for item in &order.items {
            let options: Vec<String> = item
                .options
                .0
                .iter()
                .map(|(name, value)| format!("{name}: {value}"))
                .collect();
            let row = [
                order.reference.clone(),
                order.created_at.clone(),
                order.status.to_string(),
                order.customer.name.clone(),
                order.customer.phone.clone().unwrap_or_default(),
                order.customer.email.clone().unwrap_or_default(),
                order.delivery.method.clone(),
                order.delivery.address.clone().unwrap_or_default(),
                order.payment.preference.clone(),
                order.note.clone().unwrap_or_default(),
                item.sku.clone(),
                item.name.clone(),
                options.join("; "),
                item.quantity.to_string(),
                major(item.unit_price),
                major(item.line_total),
                major(order.subtotal),
                major(order.shipping),
                major(order.discount),
                major(order.total),
                order.currency.clone(),
            ];
            out.write_record(row.iter().map(|cell| neutralise(cell)))?;
        }
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_plain_text_is_not() {
        for hostile in ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(1)", "\tx", "\rx"] {
            assert!(neutralise(hostile).starts_with('\''), "{hostile:?}");
        }
        assert_eq!(neutralise("Anna de Vries"), "Anna de Vries");
        assert_eq!(neutralise("12.50"), "12.50");
        assert_eq!(day_start("2026-12-01", 0), Ok(Some(1_796_083_200_000)));
        assert_eq!(day_start("2026-12-01", 1), Ok(Some(1_796_169_600_000)));
        assert_eq!(day_start("", 1), Ok(None));
        assert!(day_start("01-12-2026", 0).is_err());
    }
}
