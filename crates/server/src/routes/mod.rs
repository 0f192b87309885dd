//! HTTP routes (docs/CONTRACT.md section 6).

mod alerts;
pub mod error;
pub mod metrics;
mod openapi_doc;
mod orders;
mod payments;
mod shopper;
mod site;
pub mod trace;
mod v1;
mod webhooks;

use crate::{limit, AppState};
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Largest order body accepted; a real cart is a few KB.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The most a request to `path` may send, as its route reads it: what the body budget
/// (`limit::BodyBudget`) holds for a body sent in chunks. One table of every route's limit.
pub fn body_limit_of(path: &str) -> usize {
    match path {
        "/api/orders" | "/api/back-in-stock" => BODY_LIMIT,
        "/webhooks/mollie" => payments::MOLLIE_LIMIT,
        "/webhooks/stripe" => payments::STRIPE_LIMIT,
        "/webhooks/whatsapp" => webhooks::WEBHOOK_LIMIT,
        p if p.starts_with("/api/v1/") => v1::BODY_LIMIT,
        _ => limit::LARGEST_BODY,
    }
}

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
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::HeaderName::from_static("idempotency-key"),
        ]);
    let api = Router::new()
        .route("/api/orders", post(orders::create))
        .route("/api/back-in-stock", post(alerts::create))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.order_limit.clone(),
            limit::enforce,
        ))
        .layer(cors.clone());
    let availability = Router::new()
        .route("/api/availability", get(alerts::availability))
        .layer(cors);
    let alert_pages = Router::new()
        .route("/alerts/{token}", get(alerts::page).post(alerts::stop))
        .route("/r/{token}", get(alerts::tracked))
        .layer(axum::middleware::from_fn_with_state(
            state.order_limit.clone(),
            limit::enforce,
        ));
    Router::new()
        .merge(api)
        .merge(availability)
        .merge(alert_pages)
        .merge(v1::routes(&state))
        .merge(crate::desk::routes(&state))
        .merge(webhooks::routes())
        .merge(payments::routes(&state))
        .merge(shopper::routes(&state))
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics::metrics))
        .route("/api/openapi.json", get(openapi))
        .merge(site::routes(&state))
        .layer(axum::middleware::from_fn(api_errors_as_json))
        .layer(axum::middleware::from_fn_with_state(
            state.body_budget.clone(),
            limit::body_budget,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.settings.clone(),
            crate::client::identify,
        ))
        // Outermost, so that what the layers above refuse is answered in the span, with its id.
        .layer(trace::layer())
        .layer(axum::middleware::from_fn(trace::request_id))
        .with_state(state)
}

/// Every error under `/api/` is JSON `{error, message}`, whoever made it: a handler, a body
/// limit, the router's 404 or 405, a timeout.
async fn api_errors_as_json(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || status.is_success() || status.is_redirection() || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // What the layer below said, if it said it briefly in text.
    let said = axum::body::to_bytes(body, 1024)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let message = said.unwrap_or_else(|| status.canonical_reason().unwrap_or("error").into());
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let body = serde_json::json!({"error": code, "message": message}).to_string();
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// `GET /api/openapi.json`: the HTTP contract, with this shop's currency, payments and
/// deliveries. Its schemas are checked against real answers by the integration tests.
async fn openapi(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> impl axum::response::IntoResponse {
    match openapi_doc::document(&state.catalog) {
        Some(doc) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            doc.to_string(),
        ),
        None => {
            tracing::error!("the OpenAPI document in the binary does not read");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"error":"internal","message":"please try again"}"#.to_string(),
            )
        }
    }
}
