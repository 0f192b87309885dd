//! JSON values without serde, for the widget: the browser parses and prints the text
//! (`JSON.parse`, `JSON.stringify`) and the widget converts between its values and these, so
//! no serializer, no visitor and no float formatting ship in the wasm. The server reads the
//! same shapes with serde; the tests here check that both agree.
//!
//! Objects keep their order. A reader's error names the field (`lines[0].sku: not a string`).

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number (JSON has one kind).
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, its keys in order.
    Object(Vec<(String, Json)>),
}

/// The largest integer a JSON number (an IEEE double) holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

impl Json {
    /// An object from its fields, in order.
    pub fn object<'a>(fields: impl IntoIterator<Item = (&'a str, Json)>) -> Self {
        Json::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    /// The value under `key` of an object (none for other values).
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// A whole number that a double holds exactly.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(n) if n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER => Some(*n as i64),
            _ => None,
        }
    }

    /// A boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The items of an array.
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The fields of an object.
    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(fields) => Some(fields),
            _ => None,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }
}

impl From<&str> for Json {
    fn from(text: &str) -> Self {
        Json::String(text.to_string())
    }
}

impl From<String> for Json {
    fn from(text: String) -> Self {
        Json::String(text)
    }
}

impl From<i64> for Json {
    /// Amounts and counts: far below 2^53, so exact.
    fn from(n: i64) -> Self {
        Json::Number(n as f64)
    }
}

impl From<u32> for Json {
    fn from(n: u32) -> Self {
        Json::Number(f64::from(n))
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Self {
        Json::Bool(b)
    }
}

impl<T: Into<Json>> From<Option<T>> for Json {
    fn from(value: Option<T>) -> Self {
        value.map_or(Json::Null, Into::into)
    }
}

impl From<Vec<Json>> for Json {
    fn from(items: Vec<Json>) -> Self {
        Json::Array(items)
    }
}

/// Reading typed fields out of an object, each error naming the field.
pub struct Fields<'a> {
    value: &'a Json,
    path: String,
}

impl<'a> Fields<'a> {
    /// The fields of `value`, found at `path` (for errors); an error unless it is an object.
    pub fn of(value: &'a Json, path: &str) -> Result<Self, String> {
        match value {
            Json::Object(_) => Ok(Self {
                value,
                path: path.to_string(),
            }),
            _ => Err(format!("{}: not an object", Self::shown(path))),
        }
    }

    fn shown(path: &str) -> &str {
        if path.is_empty() {
            "the value"
        } else {
            path
        }
    }

    /// Where `key` is, for errors and nested readers.
    pub fn path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn problem(&self, key: &str, what: &str) -> String {
        format!("{}: {what}", self.path(key))
    }

    /// The value under `key`; `null` when absent.
    pub fn any(&self, key: &str) -> &'a Json {
        self.value.get(key).unwrap_or(&Json::Null)
    }

    /// A required string.
    pub fn str(&self, key: &str) -> Result<&'a str, String> {
        self.any(key)
            .as_str()
            .ok_or_else(|| self.problem(key, "not a string"))
    }

    /// A string, or `None` when absent or `null`.
    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>, String> {
        match self.any(key) {
            Json::Null => Ok(None),
            value => value
                .as_str()
                .map(Some)
                .ok_or_else(|| self.problem(key, "not a string")),
        }
    }

    /// A required whole number.
    pub fn i64(&self, key: &str) -> Result<i64, String> {
        self.any(key)
            .as_i64()
            .ok_or_else(|| self.problem(key, "not a whole number"))
    }

    /// A required array (or, with `absent_empty`, an absent key as no items).
    pub fn array(&self, key: &str, absent_empty: bool) -> Result<&'a [Json], String> {
        match self.any(key) {
            Json::Null if absent_empty => Ok(&[]),
            value => value
                .as_array()
                .ok_or_else(|| self.problem(key, "not a list")),
        }
    }

    /// An object of string values (`{"Size": "M"}`), in order; absent is empty.
    pub fn pairs(&self, key: &str) -> Result<Vec<(String, String)>, String> {
        match self.any(key) {
            Json::Null => Ok(Vec::new()),
            Json::Object(fields) => fields
                .iter()
                .map(|(k, v)| match v.as_str() {
                    Some(v) => Ok((k.clone(), v.to_string())),
                    None => Err(self.problem(key, &format!("`{k}` is not a string"))),
                })
                .collect(),
            _ => Err(self.problem(key, "not an object")),
        }
    }
}

/// A serde value as a [`Json`]: how the native builds and the tests read text.
impl From<serde_json::Value> for Json {
    fn from(value: serde_json::Value) -> Self {
        use serde_json::Value;
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            Value::Number(n) => Json::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Json::String(s),
            Value::Array(items) => Json::Array(items.into_iter().map(Json::from).collect()),
            Value::Object(map) => {
                Json::Object(map.into_iter().map(|(k, v)| (k, Json::from(v))).collect())
            }
        }
    }
}

/// A [`Json`] as a serde value: how the native builds and the tests write text. Whole numbers
/// become integers, as a browser prints them.
impl From<&Json> for serde_json::Value {
    fn from(value: &Json) -> Self {
        use serde_json::Value;
        match value {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match value.as_i64() {
                Some(whole) => Value::from(whole),
                None => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
            },
            Json::String(s) => Value::String(s.clone()),
            Json::Array(items) => Value::Array(items.iter().map(Value::from).collect()),
            Json::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(v)))
                    .collect(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_name_what_is_wrong() {
        let value = Json::from(serde_json::json!({
            "sku": "tea", "qty": 1.5, "n": 3, "options": {"Size": 4}, "none": null
        }));
        let fields = Fields::of(&value, "lines[0]").unwrap();
        assert_eq!(fields.str("sku"), Ok("tea"));
        assert_eq!(fields.i64("n"), Ok(3));
        assert_eq!(
            fields.i64("qty"),
            Err("lines[0].qty: not a whole number".into())
        );
        assert_eq!(
            fields.str("missing"),
            Err("lines[0].missing: not a string".into())
        );
        assert_eq!(fields.opt_str("none"), Ok(None));
        assert_eq!(
            fields.pairs("options"),
            Err("lines[0].options: `Size` is not a string".into())
        );
        assert_eq!(fields.array("missing", true), Ok(&[][..]));
        assert!(fields.array("missing", false).is_err());
        assert!(Fields::of(&Json::Array(vec![]), "").is_err());
    }

    #[test]
    fn numbers_beyond_a_double_are_not_whole() {
        assert_eq!(
            Json::Number(9_007_199_254_740_991.0).as_i64(),
            Some(9_007_199_254_740_991)
        );
        assert_eq!(Json::Number(1e300).as_i64(), None);
        assert_eq!(Json::Number(f64::NAN).as_i64(), None);
        assert_eq!(Json::Number(-0.5).as_i64(), None);
    }

    #[test]
    fn the_last_of_repeated_keys_wins_as_in_json_parse() {
        let value = Json::Object(vec![("a".into(), 1i64.into()), ("a".into(), 2i64.into())]);
        assert_eq!(value.get("a"), Some(&Json::Number(2.0)));
    }
}
