//! The one place where script-tag attributes and the JSON config block become a [`Config`]:
//! `raw` merges what the page gave, `fields` validates each value, `agents` and `labels` read
//! the structured parts of the JSON block.
//!
//! Precedence: defaults < `<script id="chatout-config">` JSON < script tag `data-*` attributes.
//! Pure: the loader hands over the raw strings, so this is tested natively.

mod agents;
mod fields;
mod labels;
mod raw;

pub use raw::{Key, RawConfig};

use agents::parse_agents;
use chatout_core::{
    language_of, Agent, Agents, Category, Currency, DeliveryMethod, Labels, LineItem, OpeningHours,
    PaymentPreference, PhoneNumber, ShopRules, TRANSLATIONS,
};
use fields::{parse_deliveries, parse_endpoint, parse_hours, parse_locale, parse_payments};
use labels::{labels_for, str_pairs};
use raw::{parse_json_block, Scalars};
use std::sync::Arc;

/// A configuration problem, named by the attribute a shop owner would fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{attribute}: {reason}")]
pub struct ConfigError {
    /// The attribute (or JSON block) at fault, e.g. `data-phone`.
    pub attribute: String,
    /// Why, in words a shop owner understands.
    pub reason: String,
}

impl ConfigError {
    pub(crate) fn new(key: &str, reason: impl Into<String>) -> Self {
        let attribute = if key == "chatout-config" {
            "#chatout-config".to_string()
        } else {
            format!("data-{}", key.replace('_', "-"))
        };
        Self {
            attribute,
            reason: reason.into(),
        }
    }
}

/// Where the floating button sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Bottom right (default).
    Right,
    /// Bottom left.
    Left,
}

/// The validated configuration of one widget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The shop's WhatsApp number.
    pub phone: PhoneNumber,
    /// Shop name shown in the panel and the message.
    pub shop: String,
    /// Currency of every price.
    pub currency: Currency,
    /// BCP 47 locale for texts and money formatting.
    pub locale: String,
    /// Payment preferences, in display order.
    pub payments: Vec<PaymentPreference>,
    /// Delivery methods offered.
    pub deliveries: Vec<DeliveryMethod>,
    /// Shipping expectation printed in the message.
    pub shipping_note: Option<String>,
    /// Backend that receives pending orders (Option 3), if any.
    pub endpoint: Option<String>,
    /// When the backend is unreachable, may the shopper send the order on WhatsApp anyway?
    pub endpoint_fallback: bool,
    /// Button placement.
    pub position: Position,
    /// Prefilled text of a plain chat.
    pub greeting: Option<String>,
    /// When the shop answers chats, in its time zone (an IANA name like `Europe/Amsterdam`).
    pub hours: Option<(OpeningHours, String)>,
    /// Several agents and how orders and chats are shared among them (`agents`, `routing`).
    pub agents: Option<Agents>,
    /// Push GA4 ecommerce events to `window.dataLayer` (`analytics: ga4`).
    pub ga4: bool,
    /// Read the page's schema.org products and add buttons for them (`products: auto`).
    pub products_auto: bool,
    /// Where the first product's button goes (`products_after`, a CSS selector).
    pub products_after: Option<String>,
    /// Every text, with the shop's overrides: English until [`Config::translate`] applies the
    /// language's table. Shared, not copied, by every component that shows text.
    pub labels: Arc<Labels>,
    /// The shop's own texts from the JSON block, which win over any language table.
    overrides: Vec<(String, String)>,
}

impl Config {
    /// The agent who receives an order of `lines`; `None` is the shop's own number.
    pub fn agent_for_order(&self, lines: &[LineItem], draw: u32) -> Option<&Agent> {
        self.agents.as_ref()?.for_order(lines, draw)
    }

    /// The agent who answers a plain chat (about a product of `category`, if given).
    pub fn agent_for_chat(&self, category: Option<&str>, draw: u32) -> Option<&Agent> {
        let category = category.and_then(|c| Category::parse(c).ok());
        self.agents.as_ref()?.for_chat(category.as_ref(), draw)
    }

    /// The language whose table ([`chatout_core::TRANSLATIONS`]) must be applied before the
    /// widget shows, if any.
    pub fn translation_needed(&self) -> Option<String> {
        let language = language_of(&self.locale);
        (self.labels.language != language && TRANSLATIONS.contains(&language.as_str()))
            .then_some(language)
    }

    /// Applies a language's table (`labels/nl.json`: key → text), then the shop's own texts
    /// again. A table with an unknown key changes nothing.
    pub fn translate(&mut self, table: &[(String, String)]) -> Result<(), String> {
        let language = language_of(&self.locale);
        let labels = Labels::english()
            .translated(&language, str_pairs(table))
            .and_then(|labels| labels.with_overrides(str_pairs(&self.overrides)))
            .map_err(|e| e.to_string())?;
        self.labels = Arc::new(labels);
        Ok(())
    }

    /// What checkout input is validated against.
    pub fn rules(&self) -> ShopRules {
        ShopRules {
            payments: self.payments.clone(),
            deliveries: self.deliveries.clone(),
            default_country: Some(self.phone.calling_code()),
        }
    }
}

impl TryFrom<RawConfig> for Config {
    type Error = ConfigError;

    fn try_from(raw: RawConfig) -> Result<Self, Self::Error> {
        let json = parse_json_block(raw.json.as_deref())?;
        // Defaults < JSON block < attributes: one slot per key, later values win.
        let scalars = Scalars::merge(&json, raw.attributes)?;
        let get = |key: Key| scalars.get(key);

        let phone_text = get(Key::Phone).ok_or_else(|| {
            ConfigError::new(
                "phone",
                "is required: the shop's WhatsApp number, like +31 6 1234 5678",
            )
        })?;
        let phone = PhoneNumber::parse(phone_text, None)
            .map_err(|e| ConfigError::new("phone", e.to_string()))?;
        let shop = get(Key::Shop)
            .ok_or_else(|| ConfigError::new("shop", "is required: the shop's name"))?
            .to_string();
        let currency = Currency::from_code(get(Key::Currency).unwrap_or("EUR"))
            .map_err(|e| ConfigError::new("currency", e.to_string()))?;
        let locale = match get(Key::Locale) {
            Some(tag) => parse_locale(tag).ok_or_else(|| {
                ConfigError::new(
                    "locale",
                    format!("'{tag}' is not a language tag like nl-NL"),
                )
            })?,
            None => raw
                .browser_locale
                .as_deref()
                .and_then(parse_locale)
                .unwrap_or_else(|| "en".to_string()),
        };
        let payments = parse_payments(get(Key::Payment))?;
        let deliveries = parse_deliveries(get(Key::Delivery))?;
        let endpoint = get(Key::Endpoint).map(parse_endpoint).transpose()?;
        let endpoint_fallback = match get(Key::EndpointFallback) {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(ConfigError::new(
                    "endpoint_fallback",
                    format!("'{other}' must be true or false"),
                ))
            }
        };
        let position = match get(Key::Position).unwrap_or("right") {
            "right" => Position::Right,
            "left" => Position::Left,
            other => {
                return Err(ConfigError::new(
                    "position",
                    format!("'{other}' must be right or left"),
                ))
            }
        };
        // Keys with a fixed set of values (the loader acts on `load` and `theme` before the
        // widget loads): a typo is reported instead of silently meaning the default.
        for (key, allowed) in [
            (Key::Analytics, &["none", "ga4"][..]),
            (Key::Load, &["idle", "interaction"][..]),
            (Key::Theme, &["auto", "light", "dark"][..]),
            (Key::Products, &["auto", "none"][..]),
        ] {
            if let Some(value) = get(key).filter(|v| !allowed.contains(v)) {
                return Err(ConfigError::new(
                    key.as_str(),
                    format!("'{value}' must be {}", allowed.join(" or ")),
                ));
            }
        }
        let agents = parse_agents(json.get("agents"), get(Key::Routing), &phone)?;
        let (labels, overrides) = labels_for(&locale, &json)?;
        if let Some(id) = payments
            .iter()
            .find(|p| labels.known_payment_label(p.id()).is_none())
        {
            return Err(ConfigError::new(
                "payment",
                format!(
                    "'{}' needs a label: add \"payment_labels\": {{\"{}\": \"…\"}} to #chatout-config",
                    id.id(),
                    id.id()
                ),
            ));
        }
        Ok(Config {
            phone,
            shop,
            currency,
            locale,
            payments,
            deliveries,
            shipping_note: get(Key::ShippingNote).map(str::to_string),
            endpoint,
            endpoint_fallback,
            position,
            greeting: get(Key::Greeting).map(str::to_string),
            ga4: get(Key::Analytics) == Some("ga4"),
            products_auto: get(Key::Products) == Some("auto"),
            products_after: get(Key::ProductsAfter).map(str::to_string),
            hours: parse_hours(get(Key::Hours), get(Key::Timezone))?,
            agents,
            labels: Arc::new(labels),
            overrides,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chatout_core::Routing;

    fn raw(attributes: &[(&str, &str)], json: Option<&str>) -> RawConfig {
        RawConfig {
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            json: json.map(str::to_string),
            browser_locale: Some("it-IT".into()),
        }
    }

    fn minimal() -> Vec<(&'static str, &'static str)> {
        vec![("phone", "+31 6 1234 5678"), ("shop", "Demo Shop")]
    }

    #[test]
    fn minimal_config_gets_the_documented_defaults() {
        let config = Config::try_from(raw(&minimal(), None)).unwrap();
        assert_eq!(config.phone.digits(), "31612345678");
        assert_eq!(config.currency.code(), "EUR");
        assert_eq!(
            config.locale, "it-IT",
            "falls back to the browser's language"
        );
        assert_eq!(config.deliveries, vec![DeliveryMethod::Shipping]);
        assert_eq!(config.payments[0].id(), "bank_transfer");
        assert_eq!(config.position, Position::Right);
        assert_eq!(config.endpoint, None);
    }

    #[test]
    fn attributes_win_over_the_json_block() {
        let json = r#"{"shop":"From JSON","currency":"JPY","payment":["cash_on_delivery","payment_link"]}"#;
        let config = Config::try_from(raw(&minimal(), Some(json))).unwrap();
        assert_eq!(config.shop, "Demo Shop");
        assert_eq!(config.currency.code(), "JPY");
        let ids: Vec<&str> = config.payments.iter().map(|p| p.id()).collect();
        assert_eq!(ids, ["cash_on_delivery", "payment_link"]);
    }

    #[test]
    fn the_endpoint_fallback_is_off_unless_the_shop_allows_it() {
        let config = Config::try_from(raw(&minimal(), None)).unwrap();
        assert!(!config.endpoint_fallback);
        let json = r#"{"endpoint":"/api/orders","endpoint_fallback":true}"#;
        let config = Config::try_from(raw(&minimal(), Some(json))).unwrap();
        assert!(config.endpoint_fallback);
        let mut attributes = minimal();
        attributes.push(("endpoint_fallback", "maybe"));
        let err = Config::try_from(raw(&attributes, None)).unwrap_err();
        assert_eq!(err.attribute, "data-endpoint-fallback");
    }

    #[test]
    fn missing_or_malformed_phone_names_the_attribute() {
        let err = Config::try_from(raw(&[("shop", "S")], None)).unwrap_err();
        assert_eq!(err.attribute, "data-phone");
        let err = Config::try_from(raw(&[("phone", "call us"), ("shop", "S")], None)).unwrap_err();
        assert_eq!(err.attribute, "data-phone");
        assert!(
            err.reason.contains("not part of a phone number"),
            "{}",
            err.reason
        );
    }

    #[test]
    fn bad_values_are_refused_with_reasons() {
        let cases = [
            (("currency", "EURO"), "data-currency"),
            (("locale", "nl NL"), "data-locale"),
            (("delivery", "drone"), "data-delivery"),
            (("position", "top"), "data-position"),
            (("endpoint", "javascript:alert(1)"), "data-endpoint"),
            (("payment", "Bank-Transfer"), "data-payment"),
            (("payment", "ideal"), "data-payment"),
            (("load", "lazy"), "data-load"),
            (("analytics", "ga"), "data-analytics"),
            (("hours", "Mon-Fri 9-5"), "data-hours"),
            (("hours", "Mon-Fri 09:00-17:00"), "data-timezone"),
            (("theme", "blue"), "data-theme"),
        ];
        for ((key, value), attribute) in cases {
            let mut attributes = minimal();
            attributes.push((key, value));
            let err = Config::try_from(raw(&attributes, None)).unwrap_err();
            assert_eq!(err.attribute, attribute, "{key}={value}");
        }
    }

    #[test]
    fn bad_json_is_refused() {
        for json in [
            "{not json",
            "[1,2]",
            r#"{"labels":{"subtotl":"x"}}"#,
            r#"{"shop":{"a":1}}"#,
        ] {
            let err = Config::try_from(raw(&minimal(), Some(json))).unwrap_err();
            assert!(
                err.attribute.starts_with("data-") || err.attribute == "#chatout-config",
                "{json}"
            );
        }
    }

    #[test]
    fn custom_payments_take_labels_and_translations_apply_per_language() {
        let json = r#"{"payment_labels":{"ideal":"iDEAL"},
                       "labels":{"send_order":"Order via WhatsApp"},
                       "translations":{"nl":{"send_order":"Bestel via WhatsApp"}}}"#;
        let mut attributes = minimal();
        attributes.push(("payment", "ideal bank_transfer"));
        attributes.push(("locale", "nl-NL"));
        let mut config = Config::try_from(raw(&attributes, Some(json))).unwrap();
        // Until the Dutch table arrives: English, with the shop's Dutch texts already in.
        assert_eq!(config.translation_needed().as_deref(), Some("nl"));
        assert_eq!(config.labels.subtotal, "Subtotal");
        assert_eq!(config.labels.send_order, "Bestel via WhatsApp");
        config.translate(&dutch()).unwrap();
        assert_eq!(config.translation_needed(), None);
        assert_eq!(config.labels.payment_label("ideal"), "iDEAL");
        assert_eq!(
            config.labels.send_order, "Bestel via WhatsApp",
            "the shop's text wins"
        );
        assert_eq!(config.labels.subtotal, "Subtotaal");
        assert_eq!(config.labels.language, "nl");
    }

    /// The Dutch table, as the widget fetches it.
    fn dutch() -> Vec<(String, String)> {
        let text = include_str!("../../crates/core/labels/nl.json");
        let table: std::collections::BTreeMap<String, String> = serde_json::from_str(text).unwrap();
        table.into_iter().collect()
    }

    #[test]
    fn a_bad_table_changes_nothing_and_english_needs_none() {
        let mut attributes = minimal();
        attributes.push(("locale", "nl-NL"));
        let mut config = Config::try_from(raw(&attributes, None)).unwrap();
        let before = config.labels.clone();
        let err = config
            .translate(&[("subtotl".into(), "Subtotaal".into())])
            .unwrap_err();
        assert!(err.contains("subtotl"), "{err}");
        assert_eq!(config.labels, before);
        let mut attributes = minimal();
        attributes.push(("locale", "en-GB"));
        assert_eq!(
            Config::try_from(raw(&attributes, None))
                .unwrap()
                .translation_needed(),
            None
        );
        let mut attributes = minimal();
        attributes.push(("locale", "ja-JP"));
        assert_eq!(
            Config::try_from(raw(&attributes, None))
                .unwrap()
                .translation_needed(),
            None
        );
    }

    #[test]
    fn agents_route_by_category_by_default_and_take_local_numbers() {
        let json = r#"{"agents":[
            {"name":"Sara","phone":"06 1111 1111","categories":["shoes"]},
            {"name":"Mia","phone":"+39 347 123 4567"}]}"#;
        let config = Config::try_from(raw(&minimal(), Some(json))).unwrap();
        let agents = config.agents.as_ref().unwrap();
        assert_eq!(agents.routing(), Routing::Category);
        assert_eq!(agents.list()[0].phone.digits(), "31611111111");
        assert_eq!(
            config.agent_for_chat(Some("Shoes"), 1).unwrap().name,
            "Sara"
        );
        assert_eq!(config.agent_for_chat(None, 1).unwrap().name, "Mia");
        let mut attributes = minimal();
        attributes.push(("routing", "round_robin"));
        let config = Config::try_from(raw(&attributes, Some(json))).unwrap();
        assert_eq!(config.agent_for_chat(Some("shoes"), 1).unwrap().name, "Mia");
        assert!(Config::try_from(raw(&minimal(), None))
            .unwrap()
            .agents
            .is_none());
    }

    #[test]
    fn bad_agents_are_refused_with_the_field_named() {
        let cases = [
            (r#"{"agents":{"name":"Sara"}}"#, "\"agents\" must be a list"),
            (r#"{"agents":[]}"#, "must list 1 to 50 agents"),
            (
                r#"{"agents":[{"name":"Sara"}]}"#,
                "\"agents[0].phone\" must be a string",
            ),
            (
                r#"{"agents":[{"name":"Sara","phone":"call me"}]}"#,
                "\"agents[0].phone\"",
            ),
            (
                r#"{"agents":[{"phone":"+31611111111"}]}"#,
                "\"agents[0].name\"",
            ),
            (
                r#"{"agents":[{"name":"S","phone":"+31611111111","categories":"shoes"}]}"#,
                "\"agents[0].categories\" must be a list",
            ),
            (
                r#"{"agents":[{"name":"S","phone":"+31611111111","categories":[""]}]}"#,
                "\"agents[0].categories\": category",
            ),
            (
                r#"{"agents":[{"name":"S","phone":"+31611111111","categories":["a"]},{"name":"T","phone":"+31622222222","categories":["A"]}]}"#,
                "listed for two agents",
            ),
            (
                r#"{"routing":"category","agents":[{"name":"S","phone":"+31611111111"}]}"#,
                "needs at least one agent with categories",
            ),
        ];
        for (json, reason) in cases {
            let err = Config::try_from(raw(&minimal(), Some(json))).unwrap_err();
            assert_eq!(err.attribute, "#chatout-config", "{json}");
            assert!(err.reason.contains(reason), "{json}: {}", err.reason);
        }
        let mut attributes = minimal();
        attributes.push(("routing", "random"));
        let json = r#"{"agents":[{"name":"S","phone":"+31611111111"}]}"#;
        let err = Config::try_from(raw(&attributes, Some(json))).unwrap_err();
        assert_eq!(err.attribute, "data-routing");
        let mut attributes = minimal();
        attributes.push(("routing", "round_robin"));
        let err = Config::try_from(raw(&attributes, None)).unwrap_err();
        assert_eq!(err.attribute, "data-routing");
    }

    #[test]
    fn customer_phones_default_to_the_shops_country() {
        let config = Config::try_from(raw(&minimal(), None)).unwrap();
        let rules = config.rules();
        let phone = PhoneNumber::parse("06 9876 5432", rules.default_country).unwrap();
        assert_eq!(phone.digits(), "31698765432");
    }
}

#[cfg(test)]
mod readme {
    use super::Key;
    use chatout_core::Labels;

    /// The README is where shop owners look up keys: it must list every one the code accepts.
    #[test]
    fn the_readme_documents_every_key() {
        let readme = include_str!("../../docs/configuration.md");
        let keys = Key::ALL
            .iter()
            .map(|key| key.as_str())
            .chain(["payment_labels", "labels", "translations", "agents"])
            .chain(Labels::KEYS.iter().copied());
        for key in keys {
            assert!(
                readme.contains(&format!("`{key}`")),
                "README does not document `{key}`"
            );
        }
    }
}
