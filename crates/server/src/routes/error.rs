//! The errors of the server's public edges, each turned into its answer in one place and
//! logged there once, with its cause chain (the request's span adds the route and request
//! id): [`ApiError`] for the shop's JSON routes, [`PageError`] for the shopper's pages and
//! the providers' webhooks. The integration API answers with its own `V1Error`, the desk with
//! `DeskError`.

use crate::service::back_in_stock::SubscribeError;
use crate::service::place_order::{FieldIssue, PlaceError};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chatout_core::{ConflictReason, WireLine};
use serde::Serialize;
use std::error::Error;
use std::fmt;
use std::marker::PhantomData;

/// Any error, boxed, as a [`Failure`] keeps it.
pub type BoxError = Box<dyn Error + Send + Sync>;

/// Something that broke on our side while answering: what was being done, and why it broke.
#[derive(Debug, thiserror::Error)]
#[error("{what}")]
pub struct Failure {
    what: &'static str,
    #[source]
    source: BoxError,
}

/// Names what a failing step was doing: `db.read().await.context("reading stock failed")?`.
pub trait Context<T> {
    /// The error as a [`Failure`] of `what`.
    fn context(self, what: &'static str) -> Result<T, Failure>;
}

impl<T, E: Into<BoxError>> Context<T> for Result<T, E> {
    fn context(self, what: &'static str) -> Result<T, Failure> {
        self.map_err(|e| Failure {
            what,
            source: e.into(),
        })
    }
}

/// An error and its sources, `first: second: third`, each said once (a message that already
/// ends with its source's text does not repeat it).
pub struct Chain<'a>(pub &'a (dyn Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut said = self.0.to_string();
        f.write_str(&said)?;
        let mut next = self.0.source();
        while let Some(error) = next {
            let text = error.to_string();
            if !said.ends_with(&text) {
                write!(f, ": {text}")?;
            }
            said = text;
            next = error.source();
        }
        Ok(())
    }
}

/// Logs a failure once, where it becomes a `500`: what was being done, and the chain of
/// causes under it.
fn log(failure: &(dyn Error + 'static)) {
    match failure.source() {
        Some(source) => tracing::error!(cause = %Chain(source), "{failure}"),
        None => tracing::error!("{failure}"),
    }
}

/// What the shop's JSON routes (`/api/orders`, `/api/back-in-stock`, `/api/availability`)
/// answer when they do not do what was asked: the shopper's mistakes, field by field, apart
/// from what broke on our side (logged once, with its source, where it becomes the `500`).
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
    /// `422`: the request is wrong, field by field.
    #[error("invalid fields")]
    Invalid(Vec<FieldIssue>),
    /// What placing the order answered: `422`, `409`, `429` or `500`.
    #[error(transparent)]
    Order(#[from] PlaceError),
    /// What asking for a back-in-stock alert answered: `422`, `503` or `500`.
    #[error(transparent)]
    Alert(#[from] SubscribeError),
    /// `500`: something else broke.
    #[error(transparent)]
    Internal(#[from] Failure),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Conflict<'a> {
            error: ConflictReason,
            items: &'a [WireLine],
        }
        match self {
            Self::Invalid(errors)
            | Self::Order(PlaceError::Invalid(errors))
            | Self::Alert(SubscribeError::Invalid(errors)) => invalid(&errors),
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
            Self::Alert(SubscribeError::Off) => plain_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "this shop sends no back-in-stock alerts".into(),
            ),
            Self::Order(failure @ (PlaceError::Db(_) | PlaceError::Internal(_))) => {
                internal(&Failure {
                    what: "order request failed",
                    source: failure.into(),
                })
            }
            Self::Alert(failure @ SubscribeError::Db(_)) => internal(&Failure {
                what: "a back-in-stock request failed",
                source: failure.into(),
            }),
            Self::Internal(failure) => internal(&failure),
        }
    }
}

/// `422 {"error": "invalid", "errors": [...]}`.
fn invalid(errors: &[FieldIssue]) -> Response {
    #[derive(Serialize)]
    struct Invalid<'a> {
        error: &'static str,
        errors: &'a [FieldIssue],
    }
    let body = Invalid {
        error: "invalid",
        errors,
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// The `500`, logged here once.
fn internal(failure: &Failure) -> Response {
    log(failure);
    plain_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "please try again".into(),
    )
}

/// An error without field details: `{error, message}`.
pub(super) fn plain_error(status: StatusCode, error: &str, message: String) -> Response {
    let body = serde_json::json!({"error": error, "message": message});
    (status, Json(body)).into_response()
}

/// Who reads a [`PageError`]'s `500`, and so what it says.
pub trait Audience: fmt::Debug {
    /// The body of the `500`.
    const TRY_AGAIN: &'static str;
}

/// A shopper's page (`/orders/…`, `/pay/…`, `/alerts/…`, `/r/…`): `please try again`.
#[derive(Debug)]
pub struct Shopper;

impl Audience for Shopper {
    const TRY_AGAIN: &'static str = "please try again";
}

/// Meta's webhook: `try again` (Meta delivers it again).
#[derive(Debug)]
pub struct Meta;

impl Audience for Meta {
    const TRY_AGAIN: &'static str = "try again";
}

/// A payment provider's webhook: an empty `500` (the provider delivers it again).
#[derive(Debug)]
pub struct PaymentProvider;

impl Audience for PaymentProvider {
    const TRY_AGAIN: &'static str = "";
}

/// What broke while answering a shopper's page or a provider's webhook: a `500` in plain
/// text for `A`, logged once, with its cause chain, where it becomes the answer.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PageError<A: Audience = Shopper>(#[source] Failure, PhantomData<A>);

impl<A: Audience> From<Failure> for PageError<A> {
    fn from(failure: Failure) -> Self {
        Self(failure, PhantomData)
    }
}

impl<A: Audience> IntoResponse for PageError<A> {
    fn into_response(self) -> Response {
        log(&self.0);
        let status = StatusCode::INTERNAL_SERVER_ERROR;
        if A::TRY_AGAIN.is_empty() {
            return status.into_response();
        }
        (status, A::TRY_AGAIN).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("the pool timed out")]
    struct Pool;

    #[derive(Debug, thiserror::Error)]
    enum Db {
        #[error("the database failed")]
        Failed(#[source] Pool),
        #[error("reading failed: {0}")]
        Said(#[source] Pool),
    }

    #[test]
    fn a_chain_names_every_cause_once() {
        let failure = Err::<(), _>(Db::Failed(Pool)).context("the page failed");
        let failure = failure.unwrap_err();
        assert_eq!(
            Chain(&failure).to_string(),
            "the page failed: the database failed: the pool timed out"
        );
        let said = Err::<(), _>(Db::Said(Pool)).context("the page failed");
        assert_eq!(
            Chain(&said.unwrap_err()).to_string(),
            "the page failed: reading failed: the pool timed out"
        );
    }
}
