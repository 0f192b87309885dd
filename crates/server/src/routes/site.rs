//! The built widget at `/chatout/` (any origin may load it; wasm as `application/wasm`) and
//! the demo store at `/`, its script tag switched to endpoint mode against this server: from
//! `CHATOUT_WIDGET_DIR`, or, built with `--features embed-widget`, from the copy of `dist/`
//! inside the binary (with an `ETag` per file, so a browser revalidates with a `304`).

use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::cors::CorsLayer;

/// The demo page's script tag as built, and what the server serves instead.
const DEMO_TAG: &str = r#"<script src="chatout.js""#;
const SERVED_TAG: &str = r#"<script src="/chatout/chatout.js" data-endpoint="/api/orders""#;

/// `/chatout/…`, `/` and the demo's other files.
#[cfg(feature = "embed-widget")]
pub fn routes(_state: &AppState) -> Router<AppState> {
    let widget = Router::new()
        .fallback(embedded::file)
        .layer(CorsLayer::new().allow_origin(tower_http::cors::Any));
    Router::new()
        .route("/", get(demo_store))
        .nest("/chatout", widget)
        .fallback(embedded::file)
}

/// `/chatout/…`, `/` and the demo's other files.
#[cfg(not(feature = "embed-widget"))]
pub fn routes(state: &AppState) -> Router<AppState> {
    use axum::http::HeaderValue;
    use tower_http::services::ServeDir;
    use tower_http::set_header::SetResponseHeaderLayer;
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

/// The built `index.html`: inside the binary, or from `CHATOUT_WIDGET_DIR`.
async fn index_page(state: &AppState) -> (String, std::io::Result<String>) {
    #[cfg(feature = "embed-widget")]
    {
        let _ = state;
        let page = embedded::Dist::get("index.html")
            .map(|f| String::from_utf8_lossy(&f.data).into_owned())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound));
        ("the embedded dist/index.html".into(), page)
    }
    #[cfg(not(feature = "embed-widget"))]
    {
        let path = state.settings.widget_dir.join("index.html");
        let page = tokio::fs::read_to_string(&path).await;
        (path.display().to_string(), page)
    }
}

/// The demo store from the built `index.html`, in endpoint mode.
async fn demo_store(State(state): State<AppState>) -> Response {
    let (path, page) = index_page(&state).await;
    match page {
        Ok(page) if page.contains(DEMO_TAG) => {
            Html(page.replacen(DEMO_TAG, SERVED_TAG, 1)).into_response()
        }
        Ok(_) => unbuilt(&format!(
            "{path} has no <script src=\"chatout.js\"> tag to serve in endpoint mode."
        )),
        Err(e) => unbuilt(&format!(
            "{path} could not be read ({e}). Build the widget with `cargo xtask dist`, or point \
             CHATOUT_WIDGET_DIR at its build."
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

/// The widget's files inside the binary.
#[cfg(feature = "embed-widget")]
mod embedded {
    use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
    use axum::response::{IntoResponse, Response};

    /// `dist/` as it was when the server was built.
    #[derive(rust_embed::Embed)]
    #[folder = "../../dist/"]
    pub struct Dist;

    /// The content type of a file name.
    fn content_type(name: &str) -> &'static str {
        match name.rsplit('.').next() {
            Some("js") => "text/javascript",
            Some("wasm") => "application/wasm",
            Some("json") => "application/json",
            Some("html") => "text/html; charset=utf-8",
            Some("css") => "text/css",
            Some("svg") => "image/svg+xml",
            _ => "application/octet-stream",
        }
    }

    /// One embedded file, with its `ETag` (its SHA-256), or `304` when the browser has it.
    pub async fn file(uri: Uri, headers: HeaderMap) -> Response {
        let name = uri.path().trim_start_matches('/');
        let Some(file) = Dist::get(name) else {
            return (StatusCode::NOT_FOUND, "not found").into_response();
        };
        let etag = format!("\"{}\"", hex::encode(file.metadata.sha256_hash()));
        let fresh = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag));
        let mut response = if fresh {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            (
                [(header::CONTENT_TYPE, content_type(name))],
                file.data.into_owned(),
            )
                .into_response()
        };
        let headers = response.headers_mut();
        if let Ok(tag) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, tag);
        }
        // The names carry no version, so a browser checks again after five minutes; the
        // ETag makes that a 304 while the file is the same.
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        );
        response
    }
}
