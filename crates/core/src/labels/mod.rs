//! Every text the widget shows or writes into a message, per language, overridable by the shop.
//!
//! English is complete and built in. Other languages are JSON tables (`crates/core/labels/`)
//! applied on top of it, so a missing translation falls back to English instead of showing
//! nothing. The server compiles them in (feature `locale-data`); the widget fetches the one it
//! needs, so they do not weigh on its wasm. Templates use `{name}` placeholders filled by
//! [`fill`].

mod en;

use crate::money_format::MoneyStyle;

/// Why a label override was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    /// The key names no label.
    #[error("'{0}' is not a label name")]
    UnknownLabel(String),
}

/// Declares [`Labels`] with one `String` per text, plus the key table used for overrides.
macro_rules! labels {
    ($($field:ident),* $(,)?) => {
        /// All texts of one language. Field names are the keys shops use to override them;
        /// each is documented by its English text in `en.rs`.
        #[allow(missing_docs)]
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Labels {
            /// The language subtag these texts are in.
            pub language: String,
            /// How amounts are written.
            pub money: MoneyStyle,
            /// Labels of payment preference ids (`bank_transfer` → "Bank transfer"), as
            /// `(id, label)` pairs: a handful, so a list is smaller and as fast as a map.
            pub payment_methods: Vec<(String, String)>,
            $(pub $field: String,)*
        }

        impl Labels {
            /// The key of every overridable text, for documentation and completeness tests.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn text_mut(&mut self, key: &str) -> Option<&mut String> {
                match key {
                    $(stringify!($field) => Some(&mut self.$field),)*
                    _ => None,
                }
            }
        }
    };
}

labels! {
    order_heading,
    items,
    subtotal,
    shipping,
    shipping_default,
    delivery,
    delivery_shipping,
    delivery_pickup,
    address,
    payment,
    customer,
    name,
    phone,
    email,
    note,
    consent_given,
    compact_notice,
    greeting,
    chat_button,
    cart_button,
    cart_title,
    cart_empty,
    close,
    ask_question,
    remove,
    increase,
    decrease,
    quantity,
    checkout,
    back,
    field_name,
    field_phone,
    field_email,
    field_address,
    field_note,
    field_delivery,
    field_payment,
    consent_checkbox,
    marketing_checkbox,
    notify_title,
    notify_intro,
    notify_send,
    notify_sent,
    notify_chat,
    error_consent,
    order_on_whatsapp,
    variant,
    error_load,
    no_card_in_chat,
    send_order,
    sent_title,
    sent_body,
    sent_compact,
    copy_message,
    copied,
    open_again,
    done,
    error_required,
    error_too_long,
    error_phone,
    error_email,
    error_not_offered,
    error_quantity_capped,
    error_storage,
    sending,
    error_price_changed,
    error_out_of_stock,
    error_unknown_sku,
    error_unavailable,
    try_again,
    send_unregistered,
    qr_hint,
    status_open,
    status_offline,
    agent_line,
}

impl Labels {
    /// The writing direction of these texts, as the HTML `dir` attribute spells it.
    pub fn direction(&self) -> &'static str {
        match self.language.as_str() {
            "ar" | "he" | "fa" | "ur" => "rtl",
            _ => "ltr",
        }
    }

    /// The English texts.
    pub fn english() -> Self {
        let mut labels = en::labels();
        labels.money = MoneyStyle::for_language("en");
        labels
    }

    /// These texts with a language's table (key → text, as in `crates/core/labels/nl.json`)
    /// applied. An unknown key refuses the whole table.
    pub fn translated<'a>(
        self,
        language: &str,
        table: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, LabelError> {
        let mut labels = self.with_overrides(table)?;
        labels.language = language.to_string();
        labels.money = MoneyStyle::for_language(language);
        Ok(labels)
    }

    /// The texts for a BCP 47 locale (`nl-NL` → Dutch); unknown languages get English.
    #[cfg(feature = "locale-data")]
    pub fn for_locale(locale: &str) -> Self {
        let language = language_of(locale);
        let Some(json) = table_json(&language) else {
            return Self::english();
        };
        let table: std::collections::BTreeMap<String, String> =
            serde_json::from_str(json).unwrap_or_default();
        Self::english()
            .translated(
                &language,
                table.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            )
            .unwrap_or_else(|_| Self::english())
    }

    /// Replaces texts by key (`subtotal`, `send_order`, or `payment.<id>` for a payment
    /// preference's label). Unknown keys are refused and nothing is changed.
    pub fn with_overrides<'a>(
        mut self,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, LabelError> {
        for (key, text) in pairs {
            let slot = match key.strip_prefix("payment.") {
                Some(id) if !id.is_empty() => self.payment_slot(id),
                _ => self
                    .text_mut(key)
                    .ok_or_else(|| LabelError::UnknownLabel(key.to_string()))?,
            };
            *slot = text.to_string();
        }
        Ok(self)
    }

    /// The label of a payment preference id; the id itself when none is known.
    pub fn payment_label<'a>(&'a self, id: &'a str) -> &'a str {
        self.known_payment_label(id).unwrap_or(id)
    }

    /// The label of a payment preference id, if one is known.
    pub fn known_payment_label(&self, id: &str) -> Option<&str> {
        self.payment_methods
            .iter()
            .find(|(known, _)| known == id)
            .map(|(_, label)| label.as_str())
    }

    fn payment_slot(&mut self, id: &str) -> &mut String {
        let at = match self
            .payment_methods
            .iter()
            .position(|(known, _)| known == id)
        {
            Some(at) => at,
            None => {
                self.payment_methods.push((id.to_string(), String::new()));
                self.payment_methods.len() - 1
            }
        };
        &mut self.payment_methods[at].1
    }
}

/// Declares the languages with a table once: the list and, with `locale-data`, the tables.
macro_rules! translations {
    ($($language:literal),* $(,)?) => {
        /// Languages with a table beside English, as their files in `crates/core/labels/` are
        /// named.
        pub const TRANSLATIONS: &[&str] = &[$($language),*];

        /// A language's table as JSON text, compiled in.
        #[cfg(feature = "locale-data")]
        fn table_json(language: &str) -> Option<&'static str> {
            match language {
                $($language => Some(include_str!(concat!("../../labels/", $language, ".json"))),)*
                _ => None,
            }
        }
    };
}

translations!("nl", "it", "es", "de", "fr", "pt", "ar");

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

#[cfg(all(test, feature = "locale-data"))]
mod tests {
    use super::*;

    #[test]
    fn locales_pick_their_language() {
        assert_eq!(Labels::for_locale("nl-NL").subtotal, "Subtotaal");
        assert_eq!(Labels::for_locale("it").subtotal, "Subtotale");
        assert_eq!(Labels::for_locale("en-GB").subtotal, "Subtotal");
        assert_eq!(Labels::for_locale("xx").language, "en");
        assert_eq!(Labels::for_locale("es-MX").subtotal, "Subtotal");
        assert_eq!(Labels::for_locale("de-AT").checkout, "Zur Kasse");
        assert_eq!(Labels::for_locale("fr-BE").subtotal, "Sous-total");
        assert_eq!(Labels::for_locale("pt-BR").checkout, "Finalizar encomenda");
        assert_eq!(Labels::for_locale("ar-AE").subtotal, "المجموع الفرعي");
    }

    #[test]
    fn arabic_is_written_right_to_left() {
        assert_eq!(Labels::for_locale("ar-EG").direction(), "rtl");
        assert_eq!(Labels::for_locale("nl").direction(), "ltr");
        // An RTL locale without a translation shows English, so left to right.
        assert_eq!(Labels::for_locale("he-IL").direction(), "ltr");
    }

    #[test]
    fn every_language_translates_every_label() {
        let keys = Labels::KEYS;
        for language in TRANSLATIONS {
            let json = table_json(language).expect("a table for each listed language");
            let table: std::collections::BTreeMap<String, String> =
                serde_json::from_str(json).expect("the table is a JSON object of strings");
            for key in keys {
                assert!(
                    table.contains_key(*key),
                    "{language} lacks a translation of '{key}'"
                );
            }
            for key in table.keys() {
                assert!(
                    keys.contains(&key.as_str()) || key.starts_with("payment."),
                    "{language} translates unknown '{key}'"
                );
            }
        }
        // Exactly the listed languages have files: the widget fetches by this list.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/labels");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .replace(".json", "")
            })
            .collect();
        files.sort();
        let mut listed: Vec<&str> = TRANSLATIONS.to_vec();
        listed.sort();
        assert_eq!(files, listed);
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
