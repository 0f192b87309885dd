//! JSON text to and from Rust values: the one place the widget reads or writes JSON.
//!
//! In the browser the browser's own `JSON` handles the text and serde-wasm-bindgen the values,
//! so no JSON parser ships in the wasm. Natively (unit tests) serde_json does the same job.

use serde::de::DeserializeOwned;
use serde::Serialize;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen::JsCast;
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

/// The strings of the array at `key` in a JSON object's text (`{"unavailable": ["a"]}`);
/// anything else under it is an error, an absent key none.
#[cfg(target_arch = "wasm32")]
pub fn strings_at(text: &str, key: &str) -> Result<Vec<String>, String> {
    let js = js_sys::JSON::parse(text).map_err(|e| crate::browser::error_text(&e))?;
    let list =
        js_sys::Reflect::get(&js, &key.into()).map_err(|e| crate::browser::error_text(&e))?;
    if list.is_undefined() {
        return Ok(Vec::new());
    }
    let list: js_sys::Array = list
        .dyn_into()
        .map_err(|_| format!("{key} is not a list"))?;
    list.iter()
        .map(|item| {
            item.as_string()
                .ok_or_else(|| format!("{key} holds a non-string"))
        })
        .collect()
}

/// The `field` of each entry of the array at `key` (`{"errors": [{"field": "phone"}]}`).
#[cfg(target_arch = "wasm32")]
pub fn fields_at(text: &str, key: &str) -> Result<Vec<String>, String> {
    let js = js_sys::JSON::parse(text).map_err(|e| crate::browser::error_text(&e))?;
    let list =
        js_sys::Reflect::get(&js, &key.into()).map_err(|e| crate::browser::error_text(&e))?;
    let list: js_sys::Array = list
        .dyn_into()
        .map_err(|_| format!("{key} is not a list"))?;
    Ok(list
        .iter()
        .filter_map(|item| {
            js_sys::Reflect::get(&item, &"field".into())
                .ok()?
                .as_string()
        })
        .collect())
}

/// The strings of the array at `key` in a JSON object's text.
#[cfg(not(target_arch = "wasm32"))]
pub fn strings_at(text: &str, key: &str) -> Result<Vec<String>, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    match &value[key] {
        serde_json::Value::Null => Ok(Vec::new()),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{key} holds a non-string"))
            })
            .collect(),
        _ => Err(format!("{key} is not a list")),
    }
}

/// The `field` of each entry of the array at `key`.
#[cfg(not(target_arch = "wasm32"))]
pub fn fields_at(text: &str, key: &str) -> Result<Vec<String>, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let items = value[key]
        .as_array()
        .ok_or_else(|| format!("{key} is not a list"))?;
    Ok(items
        .iter()
        .filter_map(|i| i["field"].as_str().map(str::to_string))
        .collect())
}

/// A JSON object of strings and objects of strings, as text: small request bodies without a
/// serializer (`[("sku", Text("a")), ("consent", Object(&[("text", "…")]))]`).
pub enum Field<'a> {
    /// A string.
    Text(&'a str),
    /// An object of strings.
    Object(&'a [(&'a str, &'a str)]),
}

/// `fields` as a JSON object's text.
#[cfg(target_arch = "wasm32")]
pub fn object(fields: &[(&str, Field<'_>)]) -> String {
    let strings = |pairs: &[(&str, &str)]| {
        let object = js_sys::Object::new();
        for (key, value) in pairs {
            let _ = js_sys::Reflect::set(&object, &(*key).into(), &(*value).into());
        }
        object
    };
    let object = js_sys::Object::new();
    for (key, field) in fields {
        let value: JsValue = match field {
            Field::Text(text) => (*text).into(),
            Field::Object(pairs) => strings(pairs).into(),
        };
        let _ = js_sys::Reflect::set(&object, &(*key).into(), &value);
    }
    js_sys::JSON::stringify(&object)
        .map(String::from)
        .unwrap_or_default()
}

/// `fields` as a JSON object's text.
#[cfg(not(target_arch = "wasm32"))]
pub fn object(fields: &[(&str, Field<'_>)]) -> String {
    let mut map = serde_json::Map::new();
    for (key, field) in fields {
        let value = match field {
            Field::Text(text) => serde_json::Value::from(*text),
            Field::Object(pairs) => pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), serde_json::Value::from(*v)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        };
        map.insert((*key).to_string(), value);
    }
    serde_json::Value::Object(map).to_string()
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
        let errors =
            r#"{"error":"invalid","errors":[{"field":"phone","code":"invalid"},{"code":"x"}]}"#;
        assert_eq!(fields_at(errors, "errors").unwrap(), ["phone"]);
        assert!(fields_at("{}", "errors").is_err());
        let body = object(&[
            ("sku", Field::Text("tea \"x\"")),
            ("consent", Field::Object(&[("text", "Yes <b>")])),
        ]);
        let read: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            read,
            serde_json::json!({"sku": "tea \"x\"", "consent": {"text": "Yes <b>"}})
        );
    }
}
