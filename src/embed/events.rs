//! `chatout:*` CustomEvents on `document`, with JSON-safe details (CONTRACT.md section 4).

use chatout_core::{LineItem, OptionsObject};
use serde::Serialize;
use wasm_bindgen::JsValue;

/// Dispatches `name` on `document`; returns false when a listener called `preventDefault()`.
pub fn dispatch(name: &str, detail: &impl Serialize, cancelable: bool) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return true;
    };
    let detail = to_js(detail);
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&detail);
    init.set_cancelable(cancelable);
    match web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        Ok(event) => document.dispatch_event(&event).unwrap_or(true),
        Err(_) => true,
    }
}

/// A JSON-safe JS value: a fresh copy that holds no references into the widget.
pub fn to_js(value: &impl Serialize) -> JsValue {
    crate::json::to_js(value).unwrap_or(JsValue::NULL)
}

/// A detail with no fields: `{}`.
#[derive(Serialize)]
pub struct Empty {}

/// `chatout:error`'s detail.
#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

/// Reports an error to the host page (`chatout:error`).
pub fn error(code: &str, message: &str) {
    dispatch("chatout:error", &ErrorDetail { code, message }, false);
}

/// A cart line as the JS API and events expose it: money in minor units, camelCase keys.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineDetail<'a> {
    line_id: &'a str,
    sku: &'a str,
    name: &'a str,
    options: OptionsObject,
    unit_price: i64,
    quantity: u32,
}

impl<'a> From<&'a LineItem> for LineDetail<'a> {
    fn from(line: &'a LineItem) -> Self {
        Self {
            line_id: line.id.as_str(),
            sku: line.sku.as_str(),
            name: line.name.as_str(),
            options: OptionsObject::from(&line.options),
            unit_price: line.unit_price.minor_units(),
            quantity: line.quantity.get(),
        }
    }
}

/// `chatout:sent`'s detail.
#[derive(Serialize)]
pub struct SentDetail<'a> {
    /// The order reference.
    pub reference: &'a str,
    /// The wa.me link opened.
    pub url: &'a str,
}

/// `chatout:ready`'s detail.
#[derive(Serialize)]
pub struct ReadyDetail {
    /// The widget's version.
    pub version: &'static str,
}
