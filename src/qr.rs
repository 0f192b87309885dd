//! The desktop hand-off's QR code. The encoder is a module of its own (`crates/qr`, built to
//! `chatout-qr.js` + `chatout-qr_bg.wasm` beside the widget), imported through the loader only
//! when a shopper on a computer has sent an order: phones, where WhatsApp opens directly, never
//! download it.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The module's glue; its wasm is found beside it.
const MODULE: &str = "chatout-qr.js";

/// The link as an `<svg>` element, or why there is none (no loader, the import failed, or the
/// link is too long for a QR code).
pub async fn svg(link: &str) -> Result<String, String> {
    let import: js_sys::Function = crate::boot_value("module")
        .dyn_into()
        .map_err(|_| "the page has no Chatout loader to import it".to_string())?;
    let module = resolve(import.call1(&JsValue::NULL, &MODULE.into())).await?;
    // No argument: the glue finds its wasm next to itself (import.meta.url), across origins too.
    resolve(function(&module, "default")?.call0(&JsValue::NULL)).await?;
    function(&module, "qrSvg")?
        .call1(&JsValue::NULL, &link.into())
        .map_err(|e| crate::browser::error_text(&e))?
        .as_string()
        .ok_or_else(|| "the link is too long for a QR code".to_string())
}

/// Awaits what a JS call returned, as a promise.
async fn resolve(called: Result<JsValue, JsValue>) -> Result<JsValue, String> {
    let promise = js_sys::Promise::resolve(&called.map_err(|e| crate::browser::error_text(&e))?);
    JsFuture::from(promise)
        .await
        .map_err(|e| crate::browser::error_text(&e))
}

fn function(module: &JsValue, name: &str) -> Result<js_sys::Function, String> {
    js_sys::Reflect::get(module, &name.into())
        .ok()
        .and_then(|value| value.dyn_into().ok())
        .ok_or_else(|| format!("{MODULE} has no {name}()"))
}
