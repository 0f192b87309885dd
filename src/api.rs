//! Endpoint mode (CONTRACT.md section 5): the pending order is POSTed to the shop's server
//! before WhatsApp opens, with one `Idempotency-Key` per checkout so a retry never makes a
//! second order.

use crate::browser::error_text;
use chatout_core::{ConflictReason, WireLine};
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// How long the shopper waits for the shop's server before being offered a retry.
const TIMEOUT_MS: u32 = 15_000;

/// The server's `201`/`200`: what the shopper must send.
#[derive(Debug, Clone, Deserialize)]
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

#[derive(Deserialize)]
struct ConflictBody {
    error: String,
    #[serde(default)]
    items: Vec<WireLine>,
}

/// POSTs `body` (a `PendingOrder` as JSON) to `endpoint` with `key`.
pub async fn post_order(endpoint: &str, key: &str, body: &str) -> Reply {
    match send(endpoint, key, body).await {
        Ok((status, text)) => classify(status, &text),
        Err(reason) => Reply::Unavailable(reason),
    }
}

/// Reads a response: the one place where status codes get their meaning.
pub fn classify(status: u16, text: &str) -> Reply {
    match status {
        200 | 201 => crate::json::from_str(text)
            .map(Reply::Registered)
            .unwrap_or_else(|e| Reply::Unavailable(format!("unreadable answer: {e}"))),
        409 => match crate::json::from_str::<ConflictBody>(text) {
            Ok(body) => match ConflictReason::parse(&body.error) {
                Some(error) => Reply::Conflict {
                    error,
                    items: body.items,
                },
                None => Reply::Refused(format!("HTTP 409: {text}")),
            },
            Err(e) => Reply::Unavailable(format!("unreadable 409: {e}")),
        },
        400..=428 | 430..=499 => Reply::Refused(format!("HTTP {status}: {text}")),
        _ => Reply::Unavailable(format!("HTTP {status}")),
    }
}

async fn send(endpoint: &str, key: &str, body: &str) -> Result<(u16, String), String> {
    let window = web_sys::window().ok_or("no window")?;
    let headers = web_sys::Headers::new().map_err(|e| error_text(&e))?;
    headers
        .append("Content-Type", "application/json")
        .map_err(|e| error_text(&e))?;
    headers
        .append("Idempotency-Key", key)
        .map_err(|e| error_text(&e))?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&body.into());
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
