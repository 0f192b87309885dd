//! `GET|POST /webhooks/whatsapp`: the Cloud API's subscription check and its deliveries.
//!
//! A delivery is processed only when `X-Hub-Signature-256` is the HMAC of the exact body
//! under the app secret; anything else gets 401 and changes nothing. Processing is
//! idempotent (messages by id, statuses only forward), so Meta's retries are harmless, and
//! a database failure answers 500 so that Meta retries.

use crate::auth::same_secret;
use crate::service::preferences::record_preference;
use crate::service::record_inbound::{record_inbound, record_status};
use crate::whatsapp::webhook::{parse, signature_valid};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;

/// Largest delivery read; Meta batches up to a few hundred KB.
pub const WEBHOOK_LIMIT: usize = 1024 * 1024;

/// The webhook route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks/whatsapp", get(verify).post(receive))
        .layer(DefaultBodyLimit::max(WEBHOOK_LIMIT))
        // A declared length over the limit is refused unread.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(WEBHOOK_LIMIT))
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

/// The subscription check: echo `hub.challenge` when `hub.verify_token` is ours.
async fn verify(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(messaging) = &state.messaging else {
        return text(
            StatusCode::NOT_FOUND,
            "WhatsApp messaging is off on this server",
        );
    };
    let mode = query.get("hub.mode").map(String::as_str);
    let token = query
        .get("hub.verify_token")
        .map(String::as_str)
        .unwrap_or("");
    match (mode, query.get("hub.challenge")) {
        (Some("subscribe"), Some(challenge))
            if same_secret(token, &messaging.settings.verify_token) =>
        {
            text(StatusCode::OK, challenge.clone())
        }
        _ => text(StatusCode::FORBIDDEN, "verify token mismatch"),
    }
}

/// A delivery: inbound messages and status changes.
async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(messaging) = &state.messaging else {
        return text(
            StatusCode::NOT_FOUND,
            "WhatsApp messaging is off on this server",
        );
    };
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // The HMAC of up to 1 MB, off the runtime's threads so that other requests never wait
    // for a stranger's body.
    let (secret, signed) = (messaging.settings.app_secret.clone(), body.clone());
    let valid = tokio::task::spawn_blocking(move || {
        signature_valid(&secret, &signed, signature.as_deref())
    })
    .await
    .unwrap_or(false);
    if !valid {
        tracing::warn!("webhook with a missing or wrong signature refused");
        return text(StatusCode::UNAUTHORIZED, "invalid X-Hub-Signature-256");
    }
    let notification = match parse(&body, &messaging.settings.phone_number_id) {
        Ok(notification) => notification,
        Err(reason) => {
            return text(
                StatusCode::BAD_REQUEST,
                format!("unreadable delivery: {reason}"),
            )
        }
    };
    let mut queued = false;
    for message in &notification.inbound {
        match record_inbound(&state, message).await {
            Ok(acknowledged) => queued |= acknowledged,
            Err(e) => {
                tracing::error!(error = %e, "storing an inbound message failed");
                return text(StatusCode::INTERNAL_SERVER_ERROR, "try again");
            }
        }
    }
    for preference in &notification.preferences {
        if let Err(e) = record_preference(&state.db, preference).await {
            tracing::error!(error = %e, "applying a marketing preference failed");
            return text(StatusCode::INTERNAL_SERVER_ERROR, "try again");
        }
    }
    for status in &notification.statuses {
        if let Err(e) = record_status(&state.db, status).await {
            tracing::error!(error = %e, "applying a status failed");
            return text(StatusCode::INTERNAL_SERVER_ERROR, "try again");
        }
    }
    if queued {
        state.wake_outbox();
    }
    text(StatusCode::OK, "ok")
}
