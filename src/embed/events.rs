//! `chatout:*` CustomEvents on `document`, with JSON-safe details (CONTRACT.md section 4).

use chatout_core::{options_json, LineItem};
use serde_json::{json, Value};
use wasm_bindgen::JsValue;

/// Dispatches `name` on `document`; returns false when a listener called `preventDefault()`.
pub fn dispatch(name: &str, detail: &Value, cancelable: bool) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return true;
    };
    let detail = js_sys::JSON::parse(&detail.to_string()).unwrap_or(JsValue::NULL);
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&detail);
    init.set_cancelable(cancelable);
    match web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        Ok(event) => document.dispatch_event(&event).unwrap_or(true),
        Err(_) => true,
    }
}

/// Reports an error to the host page (`chatout:error`).
pub fn error(code: &str, message: &str) {
    dispatch(
        "chatout:error",
        &json!({ "code": code, "message": message }),
        false,
    );
}

/// A cart line as the JS API and events expose it: money in minor units.
pub fn line_json(line: &LineItem) -> Value {
    json!({
        "lineId": line.id.as_str(),
        "sku": line.sku.as_str(),
        "name": line.name.as_str(),
        "options": options_json(&line.options),
        "unitPrice": line.unit_price.minor_units(),
        "quantity": line.quantity.get(),
    })
}
