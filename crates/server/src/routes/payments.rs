//! The payment providers' webhooks: `POST /webhooks/mollie` (a form with only the payment's
//! `id`; the server asks Mollie for the payment and trusts only that) and
//! `POST /webhooks/stripe` (a signed event; a bad or stale signature is `400`). A report the
//! server cannot apply now (the provider or the database is down) answers `5xx`, so the
//! provider delivers it again; one it can never apply answers `200` and is logged or flagged.
//!
//! Both are open to anyone, so each is cheap for a stranger: a body limit near what the
//! provider sends (its events are a few KB), a rate limit per address, the Stripe signature
//! checked before any work, and a Mollie id looked up here before Mollie is asked about it.

use super::error::{Context, PageError, PaymentProvider};
use crate::clock::now_ms;
use crate::payments::stripe::{event, verify, News};
use crate::payments::{ProviderError, ProviderName};
use crate::service::record_payment::{
    flag_unreadable, made_here, record_money_back_of_intent, record_payment, Recorded,
};
use crate::{limit, AppState};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;
use tower_http::limit::RequestBodyLimitLayer;

/// Largest Mollie webhook body: `id=tr_…`, a few dozen bytes.
pub const MOLLIE_LIMIT: usize = 4 * 1024;
/// Largest Stripe event: its Checkout Session, charge and dispute events are a few KB.
pub const STRIPE_LIMIT: usize = 64 * 1024;

/// The providers' webhook routes.
pub fn routes(state: &AppState) -> Router<AppState> {
    let per_address =
        axum::middleware::from_fn_with_state(state.provider_webhook_limit.clone(), limit::enforce);
    Router::new()
        .route(
            "/webhooks/mollie",
            post(mollie).layer(RequestBodyLimitLayer::new(MOLLIE_LIMIT)),
        )
        .route(
            "/webhooks/stripe",
            post(stripe).layer(RequestBodyLimitLayer::new(STRIPE_LIMIT)),
        )
        .layer(per_address)
}

#[derive(Deserialize)]
struct MollieForm {
    #[serde(default)]
    id: String,
}

/// What a provider's webhook answers when the server cannot apply its report now.
type WebhookError = PageError<PaymentProvider>;

async fn mollie(
    State(state): State<AppState>,
    Form(form): Form<MollieForm>,
) -> Result<Response, WebhookError> {
    let Some(client) = state.payments.mollie.as_ref() else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let id = form.id.trim();
    let plausible =
        (3..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !plausible {
        // Not a Mollie id: nothing to look up, and nothing for Mollie to retry.
        return Ok((StatusCode::OK, "ignored").into_response());
    }
    // Only payments this server made are asked about: a stranger's ids cost the shop's
    // Mollie quota nothing.
    let ours = made_here(&state, ProviderName::Mollie, id)
        .await
        .context("looking up a Mollie payment failed")?;
    if !ours {
        return Ok((StatusCode::OK, "unknown").into_response());
    }
    let payment = match client.fetch(id).await {
        Ok(payment) => payment,
        // Mollie does not know it (404): nothing changes.
        Err(ProviderError::Refused(..)) => return Ok((StatusCode::OK, "unknown").into_response()),
        Err(e) => {
            tracing::warn!(error = %e, "a Mollie webhook could not be checked with Mollie");
            return Ok(StatusCode::BAD_GATEWAY.into_response());
        }
    };
    record_payment(&state, ProviderName::Mollie, &payment, None)
        .await
        .context("recording a Mollie payment failed")?;
    Ok((StatusCode::OK, "ok").into_response())
}

async fn stripe(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebhookError> {
    let Some(client) = state.payments.stripe.as_ref() else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let header = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    if let Err(e) = verify(&client.webhook_secret, &body, header, now_ms() / 1000) {
        tracing::warn!(error = %e, "a Stripe webhook was refused");
        return Ok((StatusCode::BAD_REQUEST, e.to_string()).into_response());
    }
    let event = match event(&body) {
        Ok(Some(event)) => event,
        Ok(None) => return Ok((StatusCode::OK, "ignored").into_response()),
        // Signed by Stripe, yet not an event: delivering it again would not help.
        Err(e) => {
            tracing::warn!(error = %e, "a signed Stripe webhook could not be read");
            return Ok((StatusCode::OK, "unreadable").into_response());
        }
    };
    let stripe = ProviderName::Stripe;
    let recorded = match &event.news {
        News::Session(payment) => record_payment(&state, stripe, payment, Some(&event.id)).await,
        News::Unreadable { session, why } => {
            flag_unreadable(&state, stripe, &event.id, session, why).await
        }
        News::MoneyBack { intent, report } => {
            record_money_back_of_intent(&state, stripe, &event.id, intent, *report).await
        }
    };
    Ok(
        match recorded.context("recording a Stripe payment failed")? {
            Recorded::Flagged => (StatusCode::OK, "flagged").into_response(),
            _ => (StatusCode::OK, "ok").into_response(),
        },
    )
}
