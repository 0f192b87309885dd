//! The one place where script-tag attributes and the JSON config block become a [`Config`].
//!
//! Precedence: defaults < `<script id="chatout-config">` JSON < script tag `data-*` attributes.
//! Pure: the loader hands over the raw strings, so this is tested natively.

use chatout_core::{
    language_of, Agent, Agents, Category, Currency, DeliveryMethod, Labels, LineItem, OpeningHours,
    PaymentPreference, PhoneNumber, Routing, ShopRules, TRANSLATIONS,
};
use serde_json::{Map, Value};
use std::sync::Arc;

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
    fn new(key: &str, reason: impl Into<String>) -> Self {
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

const SCALAR_KEYS: [&str; 17] = [
    "routing",
    "endpoint_fallback",
    "hours",
    "timezone",
    "analytics",
    "load",
    "theme",
    "phone",
    "shop",
    "currency",
    "locale",
    "payment",
    "delivery",
    "shipping_note",
    "endpoint",
    "position",
    "greeting",
];

impl TryFrom<RawConfig> for Config {
    type Error = ConfigError;

    fn try_from(raw: RawConfig) -> Result<Self, Self::Error> {
        let json = parse_json_block(raw.json.as_deref())?;
        // Defaults < JSON block < attributes: one slot per scalar key, later values win.
        let mut merged: [Option<String>; SCALAR_KEYS.len()] = Default::default();
        for (slot, key) in merged.iter_mut().zip(SCALAR_KEYS) {
            if let Some(value) = json.get(key) {
                *slot = Some(scalar_text(key, value)?);
            }
        }
        for (key, value) in raw.attributes {
            if let Some(at) = SCALAR_KEYS.iter().position(|known| *known == key) {
                merged[at] = Some(value);
            }
        }
        let get = |key: &str| {
            let at = SCALAR_KEYS.iter().position(|known| *known == key)?;
            merged[at]
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };

        let phone_text = get("phone").ok_or_else(|| {
            ConfigError::new(
                "phone",
                "is required: the shop's WhatsApp number, like +31 6 1234 5678",
            )
        })?;
        let phone = PhoneNumber::parse(phone_text, None)
            .map_err(|e| ConfigError::new("phone", e.to_string()))?;
        let shop = get("shop")
            .ok_or_else(|| ConfigError::new("shop", "is required: the shop's name"))?
            .to_string();
        let currency = Currency::from_code(get("currency").unwrap_or("EUR"))
            .map_err(|e| ConfigError::new("currency", e.to_string()))?;
        let locale = match get("locale") {
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
        let payments = parse_payments(get("payment"))?;
        let deliveries = parse_deliveries(get("delivery"))?;
        let endpoint = get("endpoint").map(parse_endpoint).transpose()?;
        let endpoint_fallback = match get("endpoint_fallback") {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(ConfigError::new(
                    "endpoint_fallback",
                    format!("'{other}' must be true or false"),
                ))
            }
        };
        let position = match get("position").unwrap_or("right") {
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
            ("analytics", &["none", "ga4"][..]),
            ("load", &["idle", "interaction"][..]),
            ("theme", &["auto", "light", "dark"][..]),
        ] {
            if let Some(value) = get(key).filter(|v| !allowed.contains(v)) {
                return Err(ConfigError::new(
                    key,
                    format!("'{value}' must be {}", allowed.join(" or ")),
                ));
            }
        }
        let agents = parse_agents(json.get("agents"), get("routing"), &phone)?;
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
            shipping_note: get("shipping_note").map(str::to_string),
            endpoint,
            endpoint_fallback,
            position,
            greeting: get("greeting").map(str::to_string),
            ga4: get("analytics") == Some("ga4"),
            hours: parse_hours(get("hours"), get("timezone"))?,
            agents,
            labels: Arc::new(labels),
            overrides,
        })
    }
}

fn str_pairs(list: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    list.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}

fn parse_json_block(text: Option<&str>) -> Result<Map<String, Value>, ConfigError> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Ok(Map::new());
    };
    match crate::json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
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
fn scalar_text(key: &str, value: &Value) -> Result<String, ConfigError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        // Whole numbers only: writing a fraction would ship float formatting in the wasm.
        Value::Number(n) => n
            .as_i64()
            .map(|n| n.to_string())
            .ok_or_else(|| ConfigError::new(key, "must be a string")),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(" "))
            .ok_or_else(|| ConfigError::new(key, "must be a list of strings")),
        _ => Err(ConfigError::new(key, "must be a string")),
    }
}

fn parse_locale(tag: &str) -> Option<String> {
    let tag = tag.trim().replace('_', "-");
    let mut parts = tag.split('-');
    let language = parts.next()?;
    let ok = (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    ok.then_some(tag)
}

fn parse_payments(text: Option<&str>) -> Result<Vec<PaymentPreference>, ConfigError> {
    let ids: Vec<&str> = text.unwrap_or("bank_transfer").split_whitespace().collect();
    let mut payments = Vec::new();
    for id in ids {
        let payment = PaymentPreference::parse(id).ok_or_else(|| {
            ConfigError::new(
                "payment",
                format!("'{id}' is not a payment id (lowercase letters, digits, _)"),
            )
        })?;
        if !payments.contains(&payment) {
            payments.push(payment);
        }
    }
    Ok(payments)
}

fn parse_deliveries(text: Option<&str>) -> Result<Vec<DeliveryMethod>, ConfigError> {
    let mut methods = Vec::new();
    for id in text.unwrap_or("shipping").split_whitespace() {
        let method = DeliveryMethod::parse(id).ok_or_else(|| {
            ConfigError::new("delivery", format!("'{id}' must be shipping or pickup"))
        })?;
        if !methods.contains(&method) {
            methods.push(method);
        }
    }
    if methods.is_empty() {
        return Err(ConfigError::new(
            "delivery",
            "needs shipping, pickup or both",
        ));
    }
    Ok(methods)
}

/// Opening hours need the shop's time zone: a shopper's own clock says nothing about them.
fn parse_hours(
    hours: Option<&str>,
    timezone: Option<&str>,
) -> Result<Option<(OpeningHours, String)>, ConfigError> {
    let Some(hours) = hours else {
        return Ok(None);
    };
    let hours = OpeningHours::parse(hours).map_err(|e| ConfigError::new("hours", e.to_string()))?;
    let zone = timezone.ok_or_else(|| {
        ConfigError::new(
            "timezone",
            "is required with data-hours: the shop's time zone, like Europe/Amsterdam",
        )
    })?;
    // The browser checks the name itself; here only its shape (Area/City, UTC).
    let shaped = zone
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/_+-".contains(&b));
    if !shaped {
        return Err(ConfigError::new(
            "timezone",
            format!("'{zone}' is not a time zone name like Europe/Amsterdam"),
        ));
    }
    Ok(Some((hours, zone.to_string())))
}

/// `agents: [{name, phone, categories?}]` from the JSON block, and the `routing` rule:
/// `category` by default when any agent lists categories, `round_robin` otherwise.
fn parse_agents(
    value: Option<&Value>,
    routing: Option<&str>,
    shop_phone: &PhoneNumber,
) -> Result<Option<Agents>, ConfigError> {
    let block = |reason: String| ConfigError::new("chatout-config", reason);
    let Some(value) = value else {
        return match routing {
            None => Ok(None),
            Some(_) => Err(ConfigError::new(
                "routing",
                "needs \"agents\": [{\"name\": …, \"phone\": …}] in #chatout-config",
            )),
        };
    };
    let list = value
        .as_array()
        .ok_or_else(|| block("\"agents\" must be a list of {name, phone, categories}".into()))?;
    let mut agents = Vec::with_capacity(list.len());
    for (at, entry) in list.iter().enumerate() {
        let field = |name: &str| format!("\"agents[{at}].{name}\"");
        let text = |name: &str| {
            entry
                .get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| block(format!("{} must be a string", field(name))))
        };
        let phone = PhoneNumber::parse(text("phone")?, Some(shop_phone.calling_code()))
            .map_err(|e| block(format!("{}: {e}", field("phone"))))?;
        let categories = match entry.get("categories") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    let text = item.as_str().ok_or_else(|| {
                        block(format!("{} must be a list of strings", field("categories")))
                    })?;
                    Category::parse(text)
                        .map_err(|e| block(format!("{}: {e}", field("categories"))))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(block(format!(
                    "{} must be a list of strings",
                    field("categories")
                )))
            }
        };
        agents.push(Agent {
            name: text("name")?.trim().to_string(),
            phone,
            categories,
        });
    }
    let routing = match routing {
        Some(text) => Routing::parse(text).ok_or_else(|| {
            ConfigError::new(
                "routing",
                format!("'{text}' must be category or round_robin"),
            )
        })?,
        None if agents.iter().any(|a| !a.categories.is_empty()) => Routing::Category,
        None => Routing::RoundRobin,
    };
    Agents::new(agents, routing)
        .map(Some)
        .map_err(|e| block(format!("\"agents\": {e}")))
}

fn parse_endpoint(text: &str) -> Result<String, ConfigError> {
    let ok = text.starts_with("https://") || text.starts_with("http://") || text.starts_with('/');
    if ok && !text.contains(char::is_whitespace) {
        Ok(text.to_string())
    } else {
        Err(ConfigError::new(
            "endpoint",
            format!("'{text}' must be an https:// URL or a path on this site"),
        ))
    }
}

/// English with the shop's `labels`, `payment_labels` and the locale's `translations` from
/// the JSON block; and those overrides, to apply again over a language table
/// ([`Config::translate`]).
fn labels_for(
    locale: &str,
    json: &Map<String, Value>,
) -> Result<(Labels, Vec<(String, String)>), ConfigError> {
    let language = language_of(locale);
    let string_pairs =
        |key: &str, value: Option<&Value>| -> Result<Vec<(String, String)>, ConfigError> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let text = include_str!("../crates/core/labels/nl.json");
        let table: std::collections::BTreeMap<String, String> =
            crate::json::from_str(text).unwrap();
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
    use chatout_core::Labels;

    /// The README is where shop owners look up keys: it must list every one the code accepts.
    #[test]
    fn the_readme_documents_every_key() {
        let readme = include_str!("../README.md");
        let keys = super::SCALAR_KEYS
            .iter()
            .chain(["payment_labels", "labels", "translations", "agents"].iter())
            .chain(Labels::KEYS.iter());
        for key in keys {
            assert!(
                readme.contains(&format!("`{key}`")),
                "README does not document `{key}`"
            );
        }
    }
}
