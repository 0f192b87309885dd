//! The texts: English, the shop's overrides from the JSON block, then (when the language's
//! table arrives) that table under the overrides again.

use super::ConfigError;
use crate::json::Json;
use chatout_core::{language_of, Labels};

pub fn str_pairs(list: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    list.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}

/// English with the shop's `labels`, `payment_labels` and the locale's `translations` from
/// the JSON block; and those overrides, to apply again over a language table
/// ([`Config::translate`]).
pub fn labels_for(
    locale: &str,
    json: &Json,
) -> Result<(Labels, Vec<(String, String)>), ConfigError> {
    let language = language_of(locale);
    let string_pairs =
        |key: &str, value: Option<&Json>| -> Result<Vec<(String, String)>, ConfigError> {
            let Some(value) = value else {
                return Ok(Vec::new());
            };
            let object = value.as_object().ok_or_else(|| {
                ConfigError::new("chatout-config", format!("\"{key}\" must be an object"))
            })?;
            object
                .iter()
                .map(|(k, v)| {
                    v.as_str()
                        .map(|s| (k.clone(), s.to_string()))
                        .ok_or_else(|| {
                            ConfigError::new(
                                "chatout-config",
                                format!("\"{key}.{k}\" must be a string"),
                            )
                        })
                })
                .collect()
        };
    let mut pairs = string_pairs("labels", json.get("labels"))?;
    for (id, label) in string_pairs("payment_labels", json.get("payment_labels"))? {
        pairs.push((format!("payment.{id}"), label));
    }
    let translations = json.get("translations").and_then(|t| t.get(&language));
    pairs.extend(string_pairs(
        &format!("translations.{language}"),
        translations,
    )?);
    let labels = Labels::english()
        .with_overrides(str_pairs(&pairs))
        .map_err(|e| ConfigError::new("chatout-config", e.to_string()))?;
    Ok((labels, pairs))
}
