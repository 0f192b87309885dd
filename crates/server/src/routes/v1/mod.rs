//! The integration API (docs/CONTRACT.md section 7): `/api/v1/*` for the shop's other systems,
//! behind `Authorization: Bearer <token>`. Every answer is JSON; `401` without a live token,
//! `403` for a read token on a write route, `429` with `Retry-After` past the per-token
//! limit.

mod contacts;
mod orders;
mod products;

use crate::auth::token_hash;
use crate::policy::access::Scope;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde_json::json;

/// Largest request body the API reads.
pub const BODY_LIMIT: usize = 16 * 1024;

/// The API's routes, authenticated.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/api/v1/orders", get(orders::list))
        .route("/api/v1/orders/{reference}", get(orders::one))
        .route(
            "/api/v1/orders/{reference}/transitions",
            post(orders::transition),
        )
        .route("/api/v1/products", get(products::list))
        .route("/api/v1/products/{sku}", patch(products::update))
        .route("/api/v1/contacts/{wa_id}", get(contacts::one))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            authenticate,
        ))
}

/// Who is calling: the token's name and scope.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's name.
    pub name: String,
    /// What it may do.
    pub scope: Scope,
}

impl Caller {
    /// The actor recorded for what this caller does.
    pub fn actor(&self) -> String {
        format!("api:{}", self.name)
    }

    /// `403` unless the token's scope permits `needed`.
    pub fn needs(&self, needed: Scope) -> Result<(), V1Error> {
        if self.scope.permits(needed) {
            Ok(())
        } else {
            Err(V1Error::Forbidden(needed))
        }
    }
}

/// Middleware: a live token from `Authorization: Bearer …`, within its rate limit.
async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(given) = given else {
        return V1Error::Unauthorized("send a token: Authorization: Bearer <token>")
            .into_response();
    };
    let token = match state.db.use_token(&token_hash(given)).await {
        Ok(Some(token)) => token,
        Ok(None) => {
            return V1Error::Unauthorized("this token is unknown or revoked").into_response()
        }
        Err(e) => return V1Error::Db(e).into_response(),
    };
    if let Err(wait) = state.api_limit.check(&token.id) {
        return crate::limit::too_many(wait, "too many requests for this token");
    }
    request.extensions_mut().insert(Caller {
        name: token.name,
        scope: token.scope,
    });
    next.run(request).await
}

/// What the API answers when it cannot do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum V1Error {
    /// `401`.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// `403`: the token's scope is too small.
    #[error("this route needs a {} token", .0.as_str())]
    Forbidden(Scope),
    /// `404`.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// `422`: a query or body that does not read (as `/api/orders` answers a field error).
    #[error("{0}")]
    Invalid(String),
    /// `409`: the lifecycle does not allow the move.
    #[error("an order that is {from} cannot become {to}")]
    Illegal {
        /// Where the order is.
        from: &'static str,
        /// Where it was asked to go.
        to: &'static str,
    },
    /// `409`: not enough stock to confirm.
    #[error("not enough stock left")]
    OutOfStock(std::collections::BTreeMap<String, i64>),
    /// `502`: the payment provider did not make the payment link.
    #[error("{0}")]
    Upstream(String),
    /// `500`, logged once with its source.
    #[error("the database failed")]
    Db(#[from] sqlx::Error),
}

impl IntoResponse for V1Error {
    fn into_response(self) -> Response {
        let message = self.to_string();
        let (status, body) = match &self {
            Self::Unauthorized(_) => (
                StatusCode::UNAUTHORIZED,
                json!({"error": "unauthorized", "message": message}),
            ),
            Self::Forbidden(_) => (
                StatusCode::FORBIDDEN,
                json!({"error": "forbidden", "message": message}),
            ),
            Self::NotFound(_) => (
                StatusCode::NOT_FOUND,
                json!({"error": "not_found", "message": message}),
            ),
            Self::Invalid(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"error": "invalid", "message": message}),
            ),
            Self::Illegal { from, to } => (
                StatusCode::CONFLICT,
                json!({"error": "illegal_transition", "from": from, "to": to, "message": message}),
            ),
            Self::OutOfStock(available) => (
                StatusCode::CONFLICT,
                json!({"error": "out_of_stock", "available": available, "message": message}),
            ),
            Self::Upstream(_) => (
                StatusCode::BAD_GATEWAY,
                json!({"error": "payment_provider", "message": message}),
            ),
            Self::Db(e) => {
                let cause = super::error::Chain(e);
                tracing::error!(%cause, "integration API request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"error": "internal", "message": "please try again"}),
                )
            }
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// A JSON body, or `422` saying why it does not read.
fn body<T>(body: Result<Json<T>, axum::extract::rejection::JsonRejection>) -> Result<T, V1Error> {
    body.map(|Json(t)| t)
        .map_err(|rejection| V1Error::Invalid(rejection.body_text()))
}
