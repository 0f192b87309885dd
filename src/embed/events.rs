//! `chatout:*` CustomEvents on `document`, with JSON-safe details (docs/CONTRACT.md section 4).

use crate::json::Json;
use chatout_core::{Cart, LineItem, OptionsObject};

/// Dispatches `name` on `document`; returns false when a listener called `preventDefault()`.
pub fn dispatch(name: &str, detail: &Json, cancelable: bool) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return true;
    };
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&crate::json::to_js(detail));
    init.set_cancelable(cancelable);
    match web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        Ok(event) => document.dispatch_event(&event).unwrap_or(true),
        Err(_) => true,
    }
}

/// A detail with no fields: `{}`.
pub fn empty() -> Json {
    Json::Object(Vec::new())
}

/// Reports an error to the host page (`chatout:error`, `{code, message}`).
pub fn error(code: &str, message: &str) {
    let detail = Json::object([("code", code.into()), ("message", message.into())]);
    dispatch("chatout:error", &detail, false);
}

/// A cart line as the JS API and events expose it: money in minor units, camelCase keys
/// (`{lineId, sku, name, options: {Size: "M"}, unitPrice, quantity}`).
pub fn line(line: &LineItem) -> Json {
    Json::object([
        ("lineId", line.id.as_str().into()),
        ("sku", line.sku.as_str().into()),
        ("name", line.name.as_str().into()),
        ("options", OptionsObject::from(&line.options).to_json()),
        ("unitPrice", line.unit_price.minor_units().into()),
        ("quantity", line.quantity.get().into()),
    ])
}

/// The cart as `Chatout.cart()` returns it: `{currency, items, subtotal}` (subtotal `null` when
/// it cannot be computed).
pub fn cart(cart: &Cart) -> Json {
    Json::object([
        ("currency", cart.currency().code().into()),
        (
            "items",
            Json::Array(cart.lines().iter().map(line).collect()),
        ),
        (
            "subtotal",
            cart.subtotal().ok().map(|s| s.minor_units()).into(),
        ),
    ])
}

/// `chatout:sent`'s and `chatout:notify`'s detail: `{reference, url}`.
pub fn sent(reference: &str, url: &str) -> Json {
    Json::object([("reference", reference.into()), ("url", url.into())])
}

/// `chatout:ready`'s detail: `{version}`.
pub fn ready(version: &str) -> Json {
    Json::object([("version", version.into())])
}
