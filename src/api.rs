//! Endpoint mode (docs/CONTRACT.md section 5): the pending order is POSTed to the shop's server
//! before WhatsApp opens, with one `Idempotency-Key` per checkout so a retry never makes a
//! second order.

use crate::browser::error_text;
use crate::json::Fields;
use chatout_core::{ConflictReason, WireLine};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// How long the shopper waits for the shop's server before being offered a retry.
const TIMEOUT_MS: u32 = 15_000;

/// The server's `201`/`200`: what the shopper must send.
#[derive(Debug, Clone)]
pub struct Registered {
    /// The authoritative reference.
    pub reference: String,
    /// The message text the server stored.
    pub message: String,
    /// Its wa.me link.
    pub whatsapp_url: String,
}

/// What became of one POST.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Stored (or already stored under this key).
    Registered(Registered),
    /// `409`: the cart must change; `items` are the server's corrected lines.
    Conflict {
        /// Why.
        error: ConflictReason,
        /// Corrected lines.
        items: Vec<WireLine>,
    },
    /// `422`: the server refused a field the widget accepted (configs disagree).
    Refused(String),
    /// Network failure, timeout, `429` or `5xx`: worth trying again with the same key.
    Unavailable(String),
}

impl Registered {
    /// `{"reference", "message", "whatsapp_url", …}`.
    fn read(text: &str) -> Result<Self, String> {
        let value = crate::json::parse(text)?;
        let answer = Fields::of(&value, "")?;
        Ok(Self {
            reference: answer.str("reference")?.to_string(),
            message: answer.str("message")?.to_string(),
            whatsapp_url: answer.str("whatsapp_url")?.to_string(),
        })
    }
}

/// A `409`'s `{"error": "price_changed", "items": [corrected lines]}`.
fn read_conflict(text: &str) -> Result<(String, Vec<WireLine>), String> {
    let value = crate::json::parse(text)?;
    let body = Fields::of(&value, "")?;
    let items = body
        .array("items", true)?
        .iter()
        .enumerate()
        .map(|(at, line)| WireLine::from_json(line, &format!("items[{at}]")))
        .collect::<Result<_, _>>()?;
    Ok((body.str("error")?.to_string(), items))
}

/// POSTs `body` (a `PendingOrder` as JSON) to `endpoint` with `key`.
pub async fn post_order(endpoint: &str, key: &str, body: &str) -> Reply {
    match send(endpoint, Some(key), Some(body)).await {
        Ok((status, text)) => classify(status, &text),
        Err(reason) => Reply::Unavailable(reason),
    }
}

/// Reads a response: the one place where status codes get their meaning.
pub fn classify(status: u16, text: &str) -> Reply {
    match status {
        200 | 201 => Registered::read(text)
            .map(Reply::Registered)
            .unwrap_or_else(|e| Reply::Unavailable(format!("unreadable answer: {e}"))),
        409 => match read_conflict(text) {
            Ok((error, items)) => match ConflictReason::parse(&error) {
                Some(error) => Reply::Conflict { error, items },
                None => Reply::Refused(format!("HTTP 409: {text}")),
            },
            Err(e) => Reply::Unavailable(format!("unreadable 409: {e}")),
        },
        400..=428 | 430..=499 => Reply::Refused(format!("HTTP {status}: {text}")),
        _ => Reply::Unavailable(format!("HTTP {status}")),
    }
}

/// The server's other routes beside the order endpoint: `…/api/orders` →
/// `…/api/back-in-stock` (the last path segment replaced, a query dropped).
pub fn sibling(endpoint: &str, name: &str) -> String {
    let path = endpoint.split(['?', '#']).next().unwrap_or(endpoint);
    match path.rfind('/') {
        Some(at) => format!("{}{name}", &path[..=at]),
        None => name.to_string(),
    }
}

/// What became of a back-in-stock request.
#[derive(Debug, Clone)]
pub enum AlertReply {
    /// `202`: the message to send from WhatsApp.
    Subscribed(Registered),
    /// `422`: the fields the server refused (`phone`, `consent.text`…).
    Refused(Vec<String>),
    /// Anything else: the shopper may try again.
    Unavailable(String),
}

/// POSTs a back-in-stock request (JSON) to `url`.
pub async fn post_alert(url: &str, body: &str) -> AlertReply {
    match send(url, None, Some(body)).await {
        Ok((202, text)) => Registered::read(&text)
            .map(AlertReply::Subscribed)
            .unwrap_or_else(|e| AlertReply::Unavailable(format!("unreadable answer: {e}"))),
        Ok((422, text)) => crate::json::fields_at(&text, "errors")
            .map(AlertReply::Refused)
            .unwrap_or_else(|e| AlertReply::Unavailable(format!("unreadable 422: {e}"))),
        Ok((status, _)) => AlertReply::Unavailable(format!("HTTP {status}")),
        Err(reason) => AlertReply::Unavailable(reason),
    }
}

/// The skus the shop's server reports as sold out.
pub async fn unavailable(url: &str) -> Result<Vec<String>, String> {
    match send(url, None, None).await? {
        (200, text) => crate::json::strings_at(&text, "unavailable"),
        (status, _) => Err(format!("HTTP {status}")),
    }
}

/// A request: a POST of JSON `body` (with an `Idempotency-Key` when given), else a GET.
async fn send(
    endpoint: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> Result<(u16, String), String> {
    let window = web_sys::window().ok_or("no window")?;
    let headers = web_sys::Headers::new().map_err(|e| error_text(&e))?;
    if let Some(key) = key {
        headers
            .append("Idempotency-Key", key)
            .map_err(|e| error_text(&e))?;
    }
    let init = web_sys::RequestInit::new();
    if let Some(body) = body {
        headers
            .append("Content-Type", "application/json")
            .map_err(|e| error_text(&e))?;
        init.set_method("POST");
        init.set_body(&body.into());
    }
    init.set_headers(&headers);
    init.set_signal(Some(&web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS)));
    let response = JsFuture::from(window.fetch_with_str_and_init(endpoint, &init))
        .await
        .map_err(|e| error_text(&e))?
        .dyn_into::<web_sys::Response>()
        .map_err(|e| error_text(&e))?;
    let text = JsFuture::from(response.text().map_err(|e| error_text(&e))?)
        .await
        .map_err(|e| error_text(&e))?
        .as_string()
        .unwrap_or_default();
    Ok((response.status(), text))
}

#[cfg(test)]
mod tests {
    use super::sibling;

    #[test]
    fn the_servers_other_routes_sit_beside_the_order_endpoint() {
        let endpoint = "https://orders.shop.example/api/orders";
        assert_eq!(
            sibling(endpoint, "back-in-stock"),
            "https://orders.shop.example/api/back-in-stock"
        );
        assert_eq!(
            sibling("https://x.example/api/orders?shop=1#a", "availability"),
            "https://x.example/api/availability"
        );
        assert_eq!(sibling("/api/orders", "availability"), "/api/availability");
        assert_eq!(sibling("orders", "availability"), "availability");
    }
}
