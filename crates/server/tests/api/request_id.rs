//! Every answer carries the request's id in `X-Request-Id`: the caller's when it sent a sane
//! one (a proxy's), else one the server made, so a log line and a complaint can be matched.

use crate::helpers::{spawn_app, Backend};
use reqwest::header::HeaderValue;

/// The id the answer to `GET path`, sent with `id`, carries.
async fn answered_id(base: &str, path: &str, id: Option<HeaderValue>) -> String {
    let mut request = reqwest::Client::new().get(format!("{base}{path}"));
    if let Some(id) = id {
        request = request.header("x-request-id", id);
    }
    let response = request.send().await.unwrap();
    let ids: Vec<_> = response.headers().get_all("x-request-id").iter().collect();
    assert_eq!(ids.len(), 1, "{path}: one id, not {ids:?}");
    ids[0].to_str().unwrap().to_string()
}

/// A made id: 32 hex digits.
fn is_made(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn request_ids_are_echoed_made_or_replaced(backend: Backend) {
    let app = spawn_app(backend).await;
    // A page, an API route, a token page that does not exist, no route at all, the probe.
    let paths = [
        "/api/availability",
        "/orders/0123456789abcdef0123456789abcdef",
        "/no/such/route",
        "/healthz",
    ];
    for path in paths {
        let sent = "3f2c9a7e-proxy-42";
        let echoed = answered_id(&app.base, path, Some(HeaderValue::from_static(sent))).await;
        assert_eq!(echoed, sent, "{path}: a sane id is kept");

        let first = answered_id(&app.base, path, None).await;
        let second = answered_id(&app.base, path, None).await;
        assert!(
            is_made(&first) && is_made(&second),
            "{path}: {first}, {second}"
        );
        assert_ne!(first, second, "{path}: each request its own id");

        let long = HeaderValue::from_str(&"a".repeat(65)).unwrap();
        let with_tab = HeaderValue::from_static("forged\tline");
        let with_space = HeaderValue::from_static("two words");
        let not_ascii = HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap();
        for hostile in [long, with_tab, with_space, not_ascii] {
            let replaced = answered_id(&app.base, path, Some(hostile.clone())).await;
            assert!(is_made(&replaced), "{path}: {hostile:?} became {replaced}");
        }
    }
}

crate::on_both_backends!(request_ids_are_echoed_made_or_replaced);
