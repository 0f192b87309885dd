//! Every text the widget shows or writes into a message, per language, overridable by the shop.
//!
//! English is complete; other languages are tables of overrides applied on top of it, so a
//! missing translation falls back to English instead of showing nothing. Templates use
//! `{name}` placeholders filled by [`fill`].

mod en;
mod it;
mod nl;

use crate::money_format::MoneyStyle;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a label override was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    /// The key names no label.
    #[error("'{0}' is not a label name")]
    UnknownLabel(String),
}

/// All texts of one language. Field names are the keys shops use to override them.
#[allow(missing_docs)] // each field is documented by its English text in en.rs
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    /// The language subtag these texts are in.
    pub language: String,
    /// How amounts are written.
    pub money: MoneyStyle,
    /// Labels of payment preference ids (`bank_transfer` → "Bank transfer").
    pub payment_methods: BTreeMap<String, String>,

    // The order message.
    pub order_heading: String,
    pub items: String,
    pub subtotal: String,
    pub shipping: String,
    pub shipping_default: String,
    pub delivery: String,
    pub delivery_shipping: String,
    pub delivery_pickup: String,
    pub address: String,
    pub payment: String,
    pub customer: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub note: String,
    pub consent_given: String,
    pub compact_notice: String,
    pub greeting: String,

    // The widget.
    pub chat_button: String,
    pub cart_button: String,
    pub cart_title: String,
    pub cart_empty: String,
    pub close: String,
    pub ask_question: String,
    pub remove: String,
    pub increase: String,
    pub decrease: String,
    pub quantity: String,
    pub checkout: String,
    pub back: String,
    pub field_name: String,
    pub field_phone: String,
    pub field_email: String,
    pub field_address: String,
    pub field_note: String,
    pub field_delivery: String,
    pub field_payment: String,
    pub consent_checkbox: String,
    pub no_card_in_chat: String,
    pub send_order: String,
    pub sent_title: String,
    pub sent_body: String,
    pub sent_compact: String,
    pub copy_message: String,
    pub copied: String,
    pub open_again: String,
    pub done: String,
    pub error_required: String,
    pub error_too_long: String,
    pub error_phone: String,
    pub error_email: String,
    pub error_not_offered: String,
    pub error_quantity_capped: String,
    pub error_storage: String,
}

impl Labels {
    /// The texts for a BCP 47 locale (`nl-NL` → Dutch); unknown languages get English.
    pub fn for_locale(locale: &str) -> Self {
        let language = language_of(locale);
        let table: &[(&str, &str)] = match language.as_str() {
            "nl" => nl::TEXTS,
            "it" => it::TEXTS,
            _ => &[],
        };
        let mut labels = en::labels();
        if !table.is_empty() {
            labels = labels
                .with_overrides(table.iter().copied())
                .unwrap_or_else(|_| en::labels());
            labels.language = language.clone();
        }
        labels.money = MoneyStyle::for_language(&labels.language);
        labels
    }

    /// Replaces texts by key (`subtotal`, `send_order`, or `payment.<id>` for a payment
    /// preference's label). Unknown keys are refused and nothing is changed.
    pub fn with_overrides<'a>(
        self,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, LabelError> {
        let mut value = serde_json::to_value(&self).unwrap_or_default();
        for (key, text) in pairs {
            let target = match key.strip_prefix("payment.") {
                Some(id) if !id.is_empty() => value
                    .get_mut("payment_methods")
                    .and_then(|m| m.as_object_mut())
                    .map(|m| m.entry(id.to_string()).or_insert(serde_json::Value::Null)),
                Some(_) => None,
                None => value
                    .get_mut(key)
                    .filter(|v| v.is_string() && key != "language"),
            };
            let slot = target.ok_or_else(|| LabelError::UnknownLabel(key.to_string()))?;
            *slot = serde_json::Value::String(text.to_string());
        }
        serde_json::from_value(value).map_err(|e| LabelError::UnknownLabel(e.to_string()))
    }

    /// The label of a payment preference id; the id itself when none is known.
    pub fn payment_label<'a>(&'a self, id: &'a str) -> &'a str {
        self.payment_methods.get(id).map_or(id, String::as_str)
    }

    /// The keys of every overridable text, for documentation and completeness tests.
    pub fn keys() -> Vec<String> {
        let value = serde_json::to_value(en::labels()).unwrap_or_default();
        value
            .as_object()
            .map(|o| {
                o.iter()
                    .filter(|(k, v)| v.is_string() && *k != "language")
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The primary language subtag of a BCP 47 tag, lowercased: `nl-NL` → `nl`.
pub fn language_of(locale: &str) -> String {
    locale
        .split(['-', '_'])
        .next()
        .unwrap_or("en")
        .to_ascii_lowercase()
}

/// Fills `{name}` placeholders of a label template.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_string(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_pick_their_language() {
        assert_eq!(Labels::for_locale("nl-NL").subtotal, "Subtotaal");
        assert_eq!(Labels::for_locale("it").subtotal, "Subtotale");
        assert_eq!(Labels::for_locale("en-GB").subtotal, "Subtotal");
        assert_eq!(Labels::for_locale("xx").language, "en");
    }

    #[test]
    fn every_language_translates_every_label() {
        let keys = Labels::keys();
        for (language, table) in [("nl", nl::TEXTS), ("it", it::TEXTS)] {
            for key in &keys {
                assert!(
                    table.iter().any(|(k, _)| k == key),
                    "{language} lacks a translation of '{key}'"
                );
            }
            for (key, _) in table {
                assert!(
                    keys.iter().any(|k| k == key) || key.starts_with("payment."),
                    "{language} translates unknown '{key}'"
                );
            }
        }
    }

    #[test]
    fn shops_can_override_any_label_and_name_custom_payments() {
        let labels = Labels::for_locale("en")
            .with_overrides([("subtotal", "Total so far"), ("payment.ideal", "iDEAL")])
            .unwrap();
        assert_eq!(labels.subtotal, "Total so far");
        assert_eq!(labels.payment_label("ideal"), "iDEAL");
        assert_eq!(labels.payment_label("barter"), "barter");
    }

    #[test]
    fn unknown_override_keys_are_refused() {
        let err = Labels::for_locale("en")
            .with_overrides([("subtotl", "x")])
            .unwrap_err();
        assert_eq!(err, LabelError::UnknownLabel("subtotl".into()));
        assert!(Labels::for_locale("en")
            .with_overrides([("money", "x")])
            .is_err());
    }

    #[test]
    fn templates_fill_placeholders() {
        assert_eq!(fill("Hi {shop}!", &[("shop", "Demo")]), "Hi Demo!");
    }
}
