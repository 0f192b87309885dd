//! The built widget at `/chatout/` (any origin may load it; wasm as `application/wasm`) and
//! the demo store at `/`, its script tag switched to endpoint mode against this server.

use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The demo page's script tag as built, and what the server serves instead.
const DEMO_TAG: &str = r#"<script src="chatout.js""#;
const SERVED_TAG: &str = r#"<script src="/chatout/chatout.js" data-endpoint="/api/orders""#;

/// `/chatout/…`, `/` and the demo's other files.
pub fn routes(state: &AppState) -> Router<AppState> {
    let dir = &state.settings.widget_dir;
    let widget = Router::new()
        .fallback_service(ServeDir::new(dir))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        ))
        .layer(CorsLayer::new().allow_origin(tower_http::cors::Any));
    Router::new()
        .route("/", get(demo_store))
        .nest("/chatout", widget)
        .fallback_service(ServeDir::new(dir))
}

/// The demo store from the built `index.html`, in endpoint mode.
async fn demo_store(State(state): State<AppState>) -> Response {
    let path = state.settings.widget_dir.join("index.html");
    match tokio::fs::read_to_string(&path).await {
        Ok(page) if page.contains(DEMO_TAG) => {
            Html(page.replacen(DEMO_TAG, SERVED_TAG, 1)).into_response()
        }
        Ok(_) => unbuilt(&format!(
            "{} has no <script src=\"chatout.js\"> tag to serve in endpoint mode.",
            path.display()
        )),
        Err(e) => unbuilt(&format!(
            "{} could not be read ({e}). Build the widget with `cargo xtask dist`, or point \
             CHATOUT_WIDGET_DIR at its build.",
            path.display()
        )),
    }
}

fn unbuilt(detail: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "chatout-server is running (orders at /api/orders, the desk at /admin), but the demo \
             store is not available: {detail}\n"
        ),
    )
        .into_response()
}
