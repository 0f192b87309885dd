//! `POST /api/orders`: a pending order, priced by the server, stored exactly once.

use crate::client::Client;
use crate::clock::rfc3339;
use crate::db::orders::StoredOrder;
use crate::serve::BodyTimedOut;
use crate::service::place_order::{issue, place_order, FieldIssue, PlaceError, Placed};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chatout_core::{ConflictReason, PendingOrder, WireLine};
use serde::Serialize;

/// What the API answers when it does not create an order: the shopper's mistakes, field by
/// field, apart from what broke on our side (logged once, with its source, where it becomes
/// the `500`).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// `415`: the body is not declared as JSON.
    #[error("not JSON")]
    NotJson,
    /// `413`: the body is larger than an order can be.
    #[error("body too large")]
    TooLarge,
    /// `408`: the body did not arrive in time.
    #[error("body too slow")]
    TooSlow,
    /// `400`: the body could not be read.
    #[error("unreadable body: {0}")]
    Unreadable(String),
    /// What placing the order answered: `422`, `409`, `429` or `500`.
    #[error(transparent)]
    Order(#[from] PlaceError),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Invalid<'a> {
            error: &'static str,
            errors: &'a [FieldIssue],
        }
        #[derive(Serialize)]
        struct Conflict<'a> {
            error: ConflictReason,
            items: &'a [WireLine],
        }
        match self {
            Self::Order(PlaceError::Invalid(errors)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(Invalid {
                    error: "invalid",
                    errors: &errors,
                }),
            )
                .into_response(),
            Self::Order(PlaceError::Conflict(error, items)) => (
                StatusCode::CONFLICT,
                Json(Conflict {
                    error,
                    items: &items,
                }),
            )
                .into_response(),
            Self::NotJson => plain_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the order as Content-Type: application/json".into(),
            ),
            Self::TooLarge => plain_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("an order body has at most {} KB", super::BODY_LIMIT / 1024),
            ),
            Self::TooSlow => plain_error(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                "the order body did not arrive in time".into(),
            ),
            Self::Unreadable(detail) => plain_error(StatusCode::BAD_REQUEST, "unreadable", detail),
            Self::Order(PlaceError::HoldLimit { held, retry_after }) => crate::limit::too_many(
                std::time::Duration::from_secs(retry_after),
                &format!(
                    "{held} items are already held for orders from this address that nobody has \
                     confirmed yet; send those on WhatsApp first"
                ),
            ),
            Self::Order(failure @ (PlaceError::Db(_) | PlaceError::Internal(_))) => {
                tracing::error!(error = %failure, source = ?std::error::Error::source(&failure), "order request failed");
                let body = serde_json::json!({"error": "internal", "message": "please try again"});
                (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
            }
        }
    }
}

/// An error without field details: `{error, message}`.
pub(super) fn plain_error(status: StatusCode, error: &str, message: String) -> Response {
    let body = serde_json::json!({"error": error, "message": message});
    (status, Json(body)).into_response()
}

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
