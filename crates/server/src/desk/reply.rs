//! The desk's forms that send on WhatsApp, from an order page or a conversation page: a
//! free-form reply (inside the window only), an approved template (outside it), and "Send
//! again" for a message that failed or may not have arrived.

use super::error::DeskError;
use super::notice::{order_page_with, Notice};
use super::session::Staff;
use crate::service::reply::{self, ReplyError, ReplyTo};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

/// The reply, template and "Send again" routes of an order page.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/orders/{reference}/reply", post(reply))
        .route("/admin/orders/{reference}/messages/{id}/retry", post(retry))
        .route("/admin/orders/{reference}/template", post(template))
}

/// A reply form, from an order page or a conversation page.
#[derive(Deserialize)]
pub(super) struct ReplyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    key: String,
}

/// Queues `staff`'s reply from `form` to `to`; the notice to show, or `NotFound` for a
/// conversation whose contact does not exist.
pub(super) async fn send_reply(
    state: &AppState,
    staff: &Staff,
    to: ReplyTo<'_>,
    form: ReplyForm,
) -> Result<Notice, DeskError> {
    staff.check(&form.csrf)?;
    if state.messaging.is_none() {
        return Ok(Notice::MessagingOff);
    }
    let key = form_key(form.key);
    match reply::reply(state, to, staff.username(), &form.text, &key).await {
        Ok(()) => Ok(Notice::Replied),
        Err(ReplyError::NoContact) if matches!(to, ReplyTo::Contact(_)) => Err(DeskError::NotFound),
        Err(ReplyError::NoContact | ReplyError::NoConsent) => Ok(Notice::ReplyConsent),
        Err(ReplyError::WindowClosed) => Ok(Notice::ReplyWindow),
        Err(ReplyError::BadText | ReplyError::BadTemplate) => Ok(Notice::ReplyEmpty),
        Err(ReplyError::Db(e)) => Err(e.into()),
    }
}

async fn reply(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<ReplyForm>,
) -> Result<Response, DeskError> {
    let notice = send_reply(&state, &staff, ReplyTo::Order(&reference), form).await?;
    Ok(order_page_with(&reference, notice).into_response())
}

/// The template form, from an order page or a conversation page.
#[derive(Deserialize)]
pub(super) struct TemplateForm {
    #[serde(default)]
    csrf: String,
    /// `<event>:<reference>`, one of the choices offered.
    #[serde(default)]
    template: String,
    #[serde(default)]
    key: String,
}

/// Queues `staff`'s template choice from `form`; the notice to show.
pub(super) async fn send_template(
    state: &AppState,
    staff: &Staff,
    form: TemplateForm,
) -> Result<Notice, DeskError> {
    staff.check(&form.csrf)?;
    if state.messaging.is_none() {
        return Ok(Notice::MessagingOff);
    }
    match reply::send_template(state, &form.template, staff.username(), &form_key(form.key)).await {
        Ok(()) => Ok(Notice::TemplateSent),
        Err(ReplyError::NoContact | ReplyError::NoConsent) => Ok(Notice::TemplateConsent),
        Err(ReplyError::Db(e)) => Err(e.into()),
        Err(_) => Ok(Notice::TemplateBad),
    }
}

async fn template(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<TemplateForm>,
) -> Result<Response, DeskError> {
    let notice = send_template(&state, &staff, form).await?;
    Ok(order_page_with(&reference, notice).into_response())
}

/// The form's own key, which makes a double submit one message; a missing or odd one gets a
/// fresh key.
fn form_key(key: String) -> String {
    if key.len() == 64 && key.chars().all(|c| c.is_ascii_hexdigit()) {
        key
    } else {
        crate::auth::random_token()
    }
}

#[derive(Deserialize)]
struct RetryForm {
    #[serde(default)]
    csrf: String,
}

async fn retry(
    State(state): State<AppState>,
    staff: Staff,
    Path((reference, id)): Path<(String, i64)>,
    Form(form): Form<RetryForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    let notice = if state.db.requeue(&reference, id).await? {
        state.wake_outbox();
        Notice::Requeued
    } else {
        Notice::Illegal
    };
    Ok(order_page_with(&reference, notice).into_response())
}
