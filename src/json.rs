//! JSON text to and from [`Json`] values: the one place the widget reads or writes JSON.
//!
//! In the browser the browser's own `JSON` handles the text and js-sys the values, so no JSON
//! parser, no serializer and no float formatting ship in the wasm; the typed conversions are
//! written out beside their types (`Cart::to_json`, `PendingOrder::to_json`, …). Natively (unit
//! tests) serde_json handles the text.

pub use chatout_core::json::{Fields, Json};
use wasm_bindgen::JsValue;

/// How deep a value may nest before reading it stops: far beyond any shape the widget reads.
const MAX_DEPTH: usize = 32;

/// Reads JSON text; the error says what was wrong, in the parser's words.
#[cfg(target_arch = "wasm32")]
pub fn parse(text: &str) -> Result<Json, String> {
    let js = js_sys::JSON::parse(text).map_err(|e| crate::browser::error_text(&e))?;
    from_js(&js)
}

/// Reads JSON text; the error says what was wrong, in the parser's words.
#[cfg(not(target_arch = "wasm32"))]
pub fn parse(text: &str) -> Result<Json, String> {
    serde_json::from_str::<serde_json::Value>(text)
        .map(Json::from)
        .map_err(|e| e.to_string())
}

/// `value` as JSON text.
#[cfg(target_arch = "wasm32")]
pub fn to_string(value: &Json) -> String {
    js_sys::JSON::stringify(&to_js(value))
        .map(String::from)
        .unwrap_or_default()
}

/// `value` as JSON text.
#[cfg(not(target_arch = "wasm32"))]
pub fn to_string(value: &Json) -> String {
    serde_json::Value::from(value).to_string()
}

/// A JS value read as JSON: what `JSON.parse` makes, or a value the page passed. Functions and
/// other non-JSON values read as `null`; nesting deeper than [`MAX_DEPTH`] is an error.
pub fn from_js(value: &JsValue) -> Result<Json, String> {
    read_js(value, 0)
}

fn read_js(value: &JsValue, depth: usize) -> Result<Json, String> {
    use wasm_bindgen::JsCast;
    if depth > MAX_DEPTH {
        return Err(format!("nested more than {MAX_DEPTH} levels deep"));
    }
    if let Some(b) = value.as_bool() {
        return Ok(Json::Bool(b));
    }
    if let Some(n) = value.as_f64() {
        return Ok(Json::Number(n));
    }
    if let Some(s) = value.as_string() {
        return Ok(Json::String(s));
    }
    if let Some(array) = value.dyn_ref::<js_sys::Array>() {
        return array
            .iter()
            .map(|item| read_js(&item, depth + 1))
            .collect::<Result<_, _>>()
            .map(Json::Array);
    }
    if value.is_object() && !value.is_function() {
        return js_sys::Object::entries(value.unchecked_ref())
            .iter()
            .filter_map(|entry| {
                let pair: js_sys::Array = entry.dyn_into().ok()?;
                let key = pair.get(0).as_string()?;
                Some(read_js(&pair.get(1), depth + 1).map(|v| (key, v)))
            })
            .collect::<Result<_, _>>()
            .map(Json::Object);
    }
    Ok(Json::Null)
}

/// A fresh JS value (plain objects and arrays) holding no references into the widget.
pub fn to_js(value: &Json) -> JsValue {
    match value {
        Json::Null => JsValue::NULL,
        Json::Bool(b) => JsValue::from_bool(*b),
        Json::Number(n) => JsValue::from_f64(*n),
        Json::String(s) => JsValue::from_str(s),
        Json::Array(items) => items.iter().map(to_js).collect::<js_sys::Array>().into(),
        Json::Object(fields) => {
            let object = js_sys::Object::new();
            for (key, value) in fields {
                let _ = js_sys::Reflect::set(&object, &key.into(), &to_js(value));
            }
            object.into()
        }
    }
}

/// The strings of the array at `key` in a JSON object's text (`{"unavailable": ["a"]}`);
/// anything else under it is an error, an absent key none.
pub fn strings_at(text: &str, key: &str) -> Result<Vec<String>, String> {
    let value = parse(text)?;
    Fields::of(&value, "")?
        .array(key, true)?
        .iter()
        .map(|item| {
            item.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("{key} holds a non-string"))
        })
        .collect()
}

/// The `field` of each entry of the array at `key` (`{"errors": [{"field": "phone"}]}`).
pub fn fields_at(text: &str, key: &str) -> Result<Vec<String>, String> {
    let value = parse(text)?;
    Ok(Fields::of(&value, "")?
        .array(key, false)?
        .iter()
        .filter_map(|item| Some(item.get("field")?.as_str()?.to_string()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_out_of_answers() {
        assert_eq!(
            strings_at(r#"{"unavailable":["a","b"]}"#, "unavailable").unwrap(),
            ["a", "b"]
        );
        assert!(strings_at(r#"{}"#, "unavailable").unwrap().is_empty());
        assert!(strings_at(r#"{"unavailable":[1]}"#, "unavailable").is_err());
        assert!(strings_at("<html>", "unavailable").is_err());
        assert!(strings_at("[]", "unavailable").is_err());
        let errors =
            r#"{"error":"invalid","errors":[{"field":"phone","code":"invalid"},{"code":"x"}]}"#;
        assert_eq!(fields_at(errors, "errors").unwrap(), ["phone"]);
        assert!(fields_at("{}", "errors").is_err());
    }

    #[test]
    fn text_round_trips_with_hostile_strings() {
        let body = Json::object([
            ("sku", "tea \"x\"\n\u{2028}".into()),
            ("consent", Json::object([("text", "Yes <b>".into())])),
            ("quantity", 3i64.into()),
        ]);
        let read: serde_json::Value = serde_json::from_str(&to_string(&body)).unwrap();
        assert_eq!(
            read,
            serde_json::json!({"sku": "tea \"x\"\n\u{2028}", "consent": {"text": "Yes <b>"}, "quantity": 3})
        );
        assert_eq!(
            parse(&to_string(&body)).unwrap().get("quantity"),
            Some(&Json::Number(3.0))
        );
    }
}
