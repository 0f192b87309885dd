//! The payment providers' webhooks: `POST /webhooks/mollie` (a form with only the payment's
//! `id`; the server asks Mollie for the payment and trusts only that) and
//! `POST /webhooks/stripe` (a signed event; a bad or stale signature is `400`). A report the
//! server cannot apply now (the provider or the database is down) answers `5xx`, so the
//! provider delivers it again.

use crate::clock::now_ms;
use crate::payments::stripe::{event, verify};
use crate::payments::{ProviderError, ProviderName};
use crate::service::record_payment::record_payment;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

/// The providers' webhook routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks/mollie", post(mollie))
        .route("/webhooks/stripe", post(stripe))
}

#[derive(Deserialize)]
struct MollieForm {
    #[serde(default)]
    id: String,
}

async fn mollie(State(state): State<AppState>, Form(form): Form<MollieForm>) -> Response {
    let Some(client) = state.payments.mollie.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let id = form.id.trim();
    let plausible =
        (3..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !plausible {
        // Not a Mollie id: nothing to look up, and nothing for Mollie to retry.
        return (StatusCode::OK, "ignored").into_response();
    }
    let payment = match client.fetch(id).await {
        Ok(payment) => payment,
        // Mollie does not know it (404): nothing changes.
        Err(ProviderError::Refused(..)) => return (StatusCode::OK, "unknown").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "a Mollie webhook could not be checked with Mollie");
            return StatusCode::BAD_GATEWAY.into_response();
        }
    };
    match record_payment(&state, ProviderName::Mollie, &payment, None).await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "recording a Mollie payment failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn stripe(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(client) = state.payments.stripe.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let header = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    if let Err(e) = verify(&client.webhook_secret, &body, header, now_ms() / 1000) {
        tracing::warn!(error = %e, "a Stripe webhook was refused");
        return (StatusCode::BAD_REQUEST, e.to_string()).into_response();
    }
    let event = match event(&body) {
        Ok(Some(event)) => event,
        Ok(None) => return (StatusCode::OK, "ignored").into_response(),
        Err(e) => return (StatusCode::BAD_REQUEST, e).into_response(),
    };
    let recorded = record_payment(
        &state,
        ProviderName::Stripe,
        &event.payment,
        Some(&event.id),
    )
    .await;
    match recorded {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "recording a Stripe payment failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
