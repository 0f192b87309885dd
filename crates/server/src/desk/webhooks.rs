//! `/admin/webhooks`: where order events go, what was not delivered (failed first) with the
//! receiver's last answer, and "send again" for a failed delivery.

use super::error::DeskError;
use super::layout::render;
use super::layout::Moment;
use super::notice::{Notice, NoticeQuery};
use super::session::Staff;
use crate::db::webhooks::DeliveryRow;
use crate::policy::webhook::DeliveryStatus;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

struct DeliveryView {
    id: i64,
    reference: String,
    event: String,
    url: String,
    status: &'static str,
    attempts: i64,
    last: String,
    updated: Moment,
    failed: bool,
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct WebhooksPage {
    shop: String,
    user: Option<String>,
    csrf: String,
    notice: Option<String>,
    urls: Vec<String>,
    counts: Vec<(&'static str, i64)>,
    deliveries: Vec<DeliveryView>,
}

/// The receiver's last answer as staff read it: `HTTP 500: <start of the body>`, or why there
/// was no answer.
pub(super) fn last_answer(d: &DeliveryRow) -> String {
    let said = d.last_error.as_deref().unwrap_or("").trim();
    match (d.last_status, said.is_empty()) {
        (Some(code), true) => format!("HTTP {code}"),
        (Some(code), false) => format!("HTTP {code}: {said}"),
        (None, _) if d.attempts == 0 => "not tried yet".into(),
        (None, _) => said.to_string(),
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, DeskError> {
    let deliveries = state
        .db
        .undelivered()
        .await?
        .into_iter()
        .map(|d| DeliveryView {
            last: last_answer(&d),
            failed: d.status == DeliveryStatus::Failed,
            updated: Moment::new(&state, d.updated_at),
            status: d.status.as_str(),
            id: d.id,
            reference: d.reference,
            event: d.event,
            url: d.url,
            attempts: d.attempts,
        })
        .collect();
    let counts = state
        .db
        .delivery_counts()
        .await?
        .into_iter()
        .map(|(status, n)| (status.as_str(), n))
        .collect();
    let page = WebhooksPage {
        shop: state.catalog.shop.name.clone(),
        user: Some(staff.0.username),
        csrf: staff.0.csrf_token,
        notice: query.notice().map(Notice::text),
        urls: state.webhook_urls().to_vec(),
        counts,
        deliveries,
    };
    render(&page)
}

#[derive(Deserialize)]
pub(super) struct RetryForm {
    #[serde(default)]
    csrf: String,
    /// The order page the button was on, to go back to.
    #[serde(default)]
    reference: String,
}

/// Queues a failed delivery again, then back where staff came from.
pub(super) async fn retry(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<RetryForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    let notice = if state.db.send_delivery_again(id).await? {
        state.wake_webhooks();
        Notice::DeliveryRequeued
    } else {
        Notice::DeliveryNotFailed
    };
    Ok(if form.reference.is_empty() {
        Redirect::to(&format!("/admin/webhooks?notice={}", notice.code())).into_response()
    } else {
        super::notice::order_page_with(&form.reference, notice).into_response()
    })
}
