//! JSON text to and from Rust values: the one place the widget reads or writes JSON.
//!
//! In the browser the browser's own `JSON` handles the text and serde-wasm-bindgen the values,
//! so no JSON parser ships in the wasm. Natively (unit tests) serde_json does the same job.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// A JSON-safe JS value: plain objects (not `Map`s), `null` for `None`.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, String> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| e.to_string())
}

/// `value` as JSON text.
#[cfg(target_arch = "wasm32")]
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    let js = to_js(value)?;
    js_sys::JSON::stringify(&js)
        .map(String::from)
        .map_err(|_| "not representable as JSON".to_string())
}

/// Reads JSON text into `T`; the error says what was wrong, in the parser's words.
#[cfg(target_arch = "wasm32")]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let js = js_sys::JSON::parse(text).map_err(|e| crate::browser::error_text(&e))?;
    serde_wasm_bindgen::from_value(js).map_err(|e| e.to_string())
}

/// `value` as JSON text.
#[cfg(not(target_arch = "wasm32"))]
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}

/// Reads JSON text into `T`; the error says what was wrong, in the parser's words.
#[cfg(not(target_arch = "wasm32"))]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}
