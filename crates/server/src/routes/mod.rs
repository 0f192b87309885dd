//! HTTP routes (CONTRACT.md section 6).

pub mod admin;
mod conversation;
pub mod limit;
pub mod metrics;
mod orders;
mod site;
mod webhooks;

use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method};
use axum::routing::{get, post};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Largest order body accepted; a real cart is a few KB.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Every route of the server.
pub fn router(state: AppState) -> Router {
    let origins: Vec<HeaderValue> = state
        .settings
        .allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::HeaderName::from_static("idempotency-key"),
        ]);
    let api = Router::new()
        .route("/api/orders", post(orders::create))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.order_limit.clone(),
            limit::enforce,
        ))
        .layer(cors);
    Router::new()
        .merge(api)
        .merge(admin::routes(&state))
        .merge(webhooks::routes())
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics::metrics))
        .route("/api/openapi.json", get(openapi))
        .merge(site::routes(&state))
        .with_state(state)
}

/// `GET /api/openapi.json`: the HTTP contract. Its schemas are checked against real answers
/// by the integration tests.
async fn openapi() -> impl axum::response::IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("../../openapi.json"),
    )
}
