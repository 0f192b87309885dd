//! The order list: counts per status, the figures, and the orders waiting longest.

use super::error::DeskError;
use super::layout::{duration, money, render, when, Moment};
use super::session::Staff;
use crate::clock::now_ms;
use crate::db::desk::{ListFilter, OrderRow, Search};
use crate::db::figures::Figures;
use crate::db::messaging::LinkWarningRow;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chatout_core::OrderStatus;
use serde::Deserialize;

/// A pending order older than this is highlighted as waiting for an answer.
pub const LATE_AFTER_MS: i64 = 60 * 60 * 1000;
/// Most orders one list page shows.
const LIST_LIMIT: i64 = 500;

/// One status tab.
struct Tab {
    status: &'static str,
    count: i64,
}

/// The figures, written for people.
struct FigureView {
    created: i64,
    conversion: String,
    response: String,
    within_hour: String,
    recovered: i64,
}

impl FigureView {
    fn new(figures: &Figures) -> Self {
        let within_hour = figures
            .response_buckets
            .iter()
            .find(|(bound, _)| *bound == 3600)
            .map_or(0, |(_, n)| *n);
        let share = |n: i64, of: i64| {
            if of == 0 {
                "–".to_string()
            } else {
                format!("{:.0}%", n as f64 * 100.0 / of as f64)
            }
        };
        Self {
            created: figures.created,
            conversion: share(figures.confirmed, figures.created),
            response: if figures.confirmed == 0 {
                "–".into()
            } else {
                duration((figures.response_sum_seconds * 1000.0 / figures.confirmed as f64) as i64)
            },
            within_hour: share(within_hour, figures.confirmed),
            recovered: figures.recovered,
        }
    }
}

struct RowView {
    reference: String,
    status: &'static str,
    customer: String,
    total: String,
    age: String,
    late: bool,
    assigned_to: String,
    /// Whether the shopper's message reached the shop's WhatsApp.
    received: bool,
}

#[derive(Template)]
#[template(path = "orders.html")]
struct OrdersPage {
    shop: String,
    user: Option<String>,
    csrf: String,
    figures: FigureView,
    tabs: Vec<Tab>,
    filter: String,
    not_received: i64,
    warnings: Vec<WarningView>,
    /// What was searched for.
    q: String,
    rows: Vec<RowView>,
}

/// The filter of pending orders whose message never reached the shop's WhatsApp.
const NOT_RECEIVED: &str = "not-received";

/// A message that named an order without linking it, for staff to look at.
pub(super) struct WarningView {
    pub(super) reference: String,
    pub(super) why: &'static str,
    pub(super) from: String,
    pub(super) text: String,
    pub(super) at: Moment,
}

impl WarningView {
    pub(super) fn new(w: LinkWarningRow, state: &AppState) -> Self {
        Self {
            why: w.warning.text(),
            from: w
                .wa_id
                .map_or_else(|| "a user without a number".into(), |id| format!("+{id}")),
            text: w
                .text
                .unwrap_or_else(|| "(the message is no longer stored)".into()),
            at: Moment::new(state, w.at),
            reference: w.reference,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct ListQuery {
    status: Option<String>,
    /// A reference, name, phone or email to look for.
    #[serde(default)]
    q: String,
}

pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> Result<Response, DeskError> {
    let filter = match query.status.as_deref() {
        Some(NOT_RECEIVED) => ListFilter::NotReceived,
        Some(name) => OrderStatus::parse(name).map_or(ListFilter::All, ListFilter::Status),
        None => ListFilter::All,
    };
    let now = now_ms();
    let figures = state.db.figures().await?;
    let not_received = state.db.count_not_received().await?;
    let warnings = state
        .db
        .link_warnings(None)
        .await?
        .into_iter()
        .map(|w| WarningView::new(w, &state))
        .collect();
    let rows = state
        .db
        .list_orders(filter, Search::new(&query.q).as_ref(), LIST_LIMIT)
        .await?
        .into_iter()
        .map(|row| row_view(&state, row, now))
        .collect();
    let page = OrdersPage {
        shop: state.catalog.shop.name.clone(),
        user: Some(staff.0.username),
        csrf: staff.0.csrf_token,
        figures: FigureView::new(&figures),
        tabs: figures
            .by_status
            .iter()
            .map(|(status, count)| Tab {
                status: status.as_str(),
                count: *count,
            })
            .collect(),
        filter: match filter {
            ListFilter::All => String::new(),
            ListFilter::Status(status) => status.as_str().to_string(),
            ListFilter::NotReceived => NOT_RECEIVED.to_string(),
        },
        not_received,
        warnings,
        q: query.q.trim().to_string(),
        rows,
    };
    render(&page)
}

fn row_view(state: &AppState, row: OrderRow, now: i64) -> RowView {
    let waiting = now - row.created_at;
    let pending = row.status == OrderStatus::Pending;
    RowView {
        total: money(row.total, &row.currency),
        age: if pending {
            duration(waiting)
        } else {
            when(state, row.created_at)
        },
        late: pending && waiting > LATE_AFTER_MS,
        reference: row.reference,
        status: row.status.as_str(),
        customer: row.customer_name,
        assigned_to: row.assigned_to.unwrap_or_default(),
        received: row.received_at.is_some(),
    }
}
