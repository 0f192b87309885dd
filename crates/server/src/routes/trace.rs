//! Each request's span and id: the id comes from `X-Request-Id` when the caller sent a sane one
//! (a proxy's), else is made here, and goes back in the answer's `X-Request-Id`. The span
//! names the method, the route as declared (`/orders/{token}`, never the token) and the id,
//! so a failure logged inside it is one line that says where it happened.

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{
    DefaultOnBodyChunk, DefaultOnEos, DefaultOnRequest, DefaultOnResponse, HttpMakeClassifier,
    TraceLayer,
};
use tracing::Span;

/// The header that carries a request's id, both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest id taken from a caller; a UUID is 36 characters.
const LONGEST_ID: usize = 64;

/// A request's id, in its extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub HeaderValue);

/// Whether a caller's id may be used as it is: short, and visible ASCII only (no spaces or
/// control characters that could forge a log line).
fn sane(id: &HeaderValue) -> bool {
    let bytes = id.as_bytes();
    (1..=LONGEST_ID).contains(&bytes.len()) && bytes.iter().all(|b| b.is_ascii_graphic())
}

/// 128 random bits, in hex.
fn made() -> HeaderValue {
    let id = format!("{:032x}", rand::random::<u128>());
    HeaderValue::from_str(&id).expect("hex digits are a header value")
}

/// Middleware: the request's id, kept or made, on the request and echoed on the answer.
pub async fn request_id(mut request: Request, next: Next) -> Response {
    let id = match request.headers().get(&REQUEST_ID) {
        Some(given) if sane(given) => given.clone(),
        _ => made(),
    };
    request.headers_mut().insert(REQUEST_ID, id.clone());
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(request).await;
    response.headers_mut().insert(REQUEST_ID, id);
    response
}

/// The request span layer: [`span`] for each request, the default (debug) events, and no
/// failure event of its own.
pub type RequestSpans = TraceLayer<
    SharedClassifier<ServerErrorsAsFailures>,
    fn(&Request) -> Span,
    DefaultOnRequest,
    DefaultOnResponse,
    DefaultOnBodyChunk,
    DefaultOnEos,
    (),
>;

/// The span each request runs in; failures are logged once by the edge errors, so the
/// layer's own failure event is off.
pub fn layer() -> RequestSpans {
    let layer: TraceLayer<HttpMakeClassifier> = TraceLayer::new_for_http();
    layer
        .make_span_with(span as fn(&Request) -> Span)
        .on_failure(())
}

/// `request{method=GET route=/orders/{token} id=…}`; none for `/healthz`, which a load
/// balancer asks every few seconds.
fn span(request: &Request) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    if route == "/healthz" {
        return Span::none();
    }
    let id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.0.to_str().ok())
        .unwrap_or("");
    tracing::info_span!("request", method = %request.method(), route, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_visible_ids_are_kept() {
        for kept in ["abc", "0f8fad5b-d9cb-469f-a165-70867728950e", "req:42/x"] {
            assert!(sane(&HeaderValue::from_static(kept)), "{kept}");
        }
        let long = "a".repeat(LONGEST_ID + 1);
        for refused in ["", "two words", "tab\there", long.as_str()] {
            let value = HeaderValue::from_str(refused).unwrap();
            assert!(!sane(&value), "{refused}");
        }
        assert!(!sane(&HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap()));
        let id = made();
        assert!(sane(&id) && id.len() == 32);
    }
}
