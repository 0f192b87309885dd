//! What the page gave, before validation: the script tag's attributes and the JSON block,
//! merged key by key (defaults < JSON block < attributes).

use super::ConfigError;
use crate::json::Json;

/// What the loader captured from the page, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawConfig {
    /// The script tag's `data-*` attributes, keys without `data-` and in snake_case, in
    /// page order.
    pub attributes: Vec<(String, String)>,
    /// Text of `<script type="application/json" id="chatout-config">`, if present.
    pub json: Option<String>,
    /// `navigator.language`, used when no locale is configured.
    pub browser_locale: Option<String>,
}

/// A key that holds one value (text, a number, or a list of words), on the script tag
/// (`data-` + kebab-case) or in the JSON block (snake_case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Key {
    /// `phone`
    Phone,
    /// `shop`
    Shop,
    /// `currency`
    Currency,
    /// `locale`
    Locale,
    /// `payment`
    Payment,
    /// `delivery`
    Delivery,
    /// `shipping_note`
    ShippingNote,
    /// `endpoint`
    Endpoint,
    /// `endpoint_fallback`
    EndpointFallback,
    /// `position`
    Position,
    /// `greeting`
    Greeting,
    /// `routing`
    Routing,
    /// `hours`
    Hours,
    /// `timezone`
    Timezone,
    /// `analytics`
    Analytics,
    /// `load`
    Load,
    /// `theme`
    Theme,
    /// `products`
    Products,
    /// `products_after`
    ProductsAfter,
}

impl Key {
    /// Every key.
    pub const ALL: [Self; 19] = [
        Self::Phone,
        Self::Shop,
        Self::Currency,
        Self::Locale,
        Self::Payment,
        Self::Delivery,
        Self::ShippingNote,
        Self::Endpoint,
        Self::EndpointFallback,
        Self::Position,
        Self::Greeting,
        Self::Routing,
        Self::Hours,
        Self::Timezone,
        Self::Analytics,
        Self::Load,
        Self::Theme,
        Self::Products,
        Self::ProductsAfter,
    ];

    /// Their names, in the order of [`Key::ALL`].
    const NAMES: [&'static str; 19] = [
        "phone",
        "shop",
        "currency",
        "locale",
        "payment",
        "delivery",
        "shipping_note",
        "endpoint",
        "endpoint_fallback",
        "position",
        "greeting",
        "routing",
        "hours",
        "timezone",
        "analytics",
        "load",
        "theme",
        "products",
        "products_after",
    ];

    /// Its name in the JSON block (snake_case); the attribute is `data-` + kebab-case.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The key a name means, if it is one.
    pub fn parse(name: &str) -> Option<Self> {
        let at = Self::NAMES.iter().position(|known| *known == name)?;
        Some(Self::ALL[at])
    }
}

/// The merged values, one slot per key.
pub struct Scalars([Option<String>; Key::ALL.len()]);

impl Scalars {
    /// Merges the JSON block's values and then the attributes over them.
    pub fn merge(json: &Json, attributes: Vec<(String, String)>) -> Result<Self, ConfigError> {
        let mut slots: [Option<String>; Key::ALL.len()] = Default::default();
        for (slot, key) in slots.iter_mut().zip(Key::ALL) {
            if let Some(value) = json.get(key.as_str()) {
                *slot = Some(scalar_text(key.as_str(), value)?);
            }
        }
        for (name, value) in attributes {
            if let Some(key) = Key::parse(&name) {
                slots[key as usize] = Some(value);
            }
        }
        Ok(Self(slots))
    }

    /// A key's value, trimmed; `None` when unset or blank.
    pub fn get(&self, key: Key) -> Option<&str> {
        self.0[key as usize]
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

/// The JSON block as an object (empty when absent).
pub fn parse_json_block(text: Option<&str>) -> Result<Json, ConfigError> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Ok(Json::Object(Vec::new()));
    };
    match crate::json::parse(text) {
        Ok(object @ Json::Object(_)) => Ok(object),
        Ok(_) => Err(ConfigError::new(
            "chatout-config",
            "must hold a JSON object {…}",
        )),
        Err(e) => Err(ConfigError::new(
            "chatout-config",
            format!("is not valid JSON ({e})"),
        )),
    }
}

/// JSON values may be strings, numbers, or (for lists) arrays of strings.
fn scalar_text(key: &str, value: &Json) -> Result<String, ConfigError> {
    match value {
        Json::String(s) => Ok(s.clone()),
        // Whole numbers only: writing a fraction would ship float formatting in the wasm.
        Json::Number(_) => value
            .as_i64()
            .map(|n| n.to_string())
            .ok_or_else(|| ConfigError::new(key, "must be a string")),
        Json::Bool(b) => Ok(b.to_string()),
        Json::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(" "))
            .ok_or_else(|| ConfigError::new(key, "must be a list of strings")),
        _ => Err(ConfigError::new(key, "must be a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::Key;

    #[test]
    fn every_key_reads_back_from_its_name() {
        for (at, key) in Key::ALL.into_iter().enumerate() {
            assert_eq!(key as usize, at, "ALL is in declaration order");
            assert_eq!(Key::parse(key.as_str()), Some(key));
        }
        assert_eq!(
            Key::parse("labels"),
            None,
            "structured keys are not scalars"
        );
    }
}
