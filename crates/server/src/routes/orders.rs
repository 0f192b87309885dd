//! `POST /api/orders`: a pending order, priced by the server, stored exactly once.

use super::error::ApiError;
use crate::client::Client;
use crate::clock::rfc3339;
use crate::db::orders::StoredOrder;
use crate::serve::BodyTimedOut;
use crate::service::place_order::{issue, place_order, PlaceError, Placed};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use chatout_core::{PendingOrder, WireLine};
use serde::Serialize;

/// The body, or why it cannot be had.
pub(super) fn read_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    let rejection = match body {
        Ok(bytes) => return Ok(bytes),
        Err(rejection) => rejection,
    };
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return Err(ApiError::TooLarge);
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&rejection);
    while let Some(error) = source {
        if error.is::<BodyTimedOut>() {
            return Err(ApiError::TooSlow);
        }
        source = error.source();
    }
    Err(ApiError::Unreadable(rejection.body_text()))
}

/// Whether the request says its body is JSON (`application/json`, any parameters).
pub(super) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

/// The `201`/`200` body.
#[derive(Debug, Serialize)]
pub struct OrderCreated {
    reference: String,
    status: &'static str,
    items: Vec<WireLine>,
    subtotal: i64,
    currency: String,
    message: String,
    whatsapp_url: String,
    expires_at: String,
}

impl From<StoredOrder> for OrderCreated {
    fn from(order: StoredOrder) -> Self {
        Self {
            reference: order.reference,
            status: order.status.as_str(),
            items: order.lines,
            subtotal: order.subtotal,
            currency: order.currency,
            message: order.message,
            whatsapp_url: order.whatsapp_url,
            expires_at: rfc3339(order.expires_at),
        }
    }
}

/// Longest `Idempotency-Key` accepted.
const MAX_KEY: usize = 200;

/// Handles `POST /api/orders`.
pub async fn create(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<OrderCreated>), ApiError> {
    if !is_json(&headers) {
        return Err(ApiError::NotJson);
    }
    let body = read_body(body)?;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| (1..=MAX_KEY).contains(&k.len()))
        .ok_or_else(|| {
            ApiError::Order(PlaceError::Invalid(vec![issue(
                "idempotency_key",
                "required",
                "send an Idempotency-Key header (1 to 200 characters) that stays the same across retries",
            )]))
        })?
        .to_string();
    let request: PendingOrder = serde_json::from_slice(&body).map_err(|e| {
        ApiError::Order(PlaceError::Invalid(vec![issue(
            "body",
            "malformed",
            format!("not an order: {e}"),
        )]))
    })?;
    match place_order(&state, &client, key, &request).await? {
        Placed::Created(order) => Ok((StatusCode::CREATED, Json(order.into()))),
        Placed::Replayed(order) => Ok((StatusCode::OK, Json(order.into()))),
    }
}
