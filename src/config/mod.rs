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
use fields::{
    locale_or_browsers, parse_deliveries, parse_endpoint, parse_fallback, parse_hours,
    parse_payments, parse_phone, parse_position,
};
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
    /// The order server that registers each order before WhatsApp opens, if any.
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

        let phone = parse_phone(get(Key::Phone))?;
        let shop = get(Key::Shop)
            .ok_or_else(|| ConfigError::new("shop", "is required: the shop's name"))?
            .to_string();
        let currency = Currency::from_code(get(Key::Currency).unwrap_or("EUR"))
            .map_err(|e| ConfigError::new("currency", e.to_string()))?;
        let locale = locale_or_browsers(get(Key::Locale), raw.browser_locale.as_deref())?;
        let payments = parse_payments(get(Key::Payment))?;
        let deliveries = parse_deliveries(get(Key::Delivery))?;
        let endpoint = get(Key::Endpoint).map(parse_endpoint).transpose()?;
        let endpoint_fallback = parse_fallback(get(Key::EndpointFallback))?;
        let position = parse_position(get(Key::Position))?;
        check_fixed_values(&scalars)?;
        let agents = parse_agents(json.get("agents"), get(Key::Routing), &phone)?;
        let (labels, overrides) = labels_for(&locale, &json)?;
        check_payment_labels(&payments, &labels)?;
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

/// Keys with a fixed set of values (the loader acts on `load` and `theme` before the widget
/// loads): a typo is reported instead of silently meaning the default.
fn check_fixed_values(scalars: &Scalars) -> Result<(), ConfigError> {
    for (key, allowed) in [
        (Key::Analytics, &["none", "ga4"][..]),
        (Key::Load, &["idle", "interaction"][..]),
        (Key::Theme, &["auto", "light", "dark"][..]),
        (Key::Products, &["auto", "none"][..]),
    ] {
        if let Some(value) = scalars.get(key).filter(|v| !allowed.contains(v)) {
            return Err(ConfigError::new(
                key.as_str(),
                format!("'{value}' must be {}", allowed.join(" or ")),
            ));
        }
    }
    Ok(())
}

/// Every payment preference needs a label: the language's own, or the shop's.
fn check_payment_labels(
    payments: &[PaymentPreference],
    labels: &Labels,
) -> Result<(), ConfigError> {
    match payments
        .iter()
        .find(|p| labels.known_payment_label(p.id()).is_none())
    {
        Some(id) => Err(ConfigError::new(
            "payment",
            format!(
                "'{}' needs a label: add \"payment_labels\": {{\"{}\": \"…\"}} to #chatout-config",
                id.id(),
                id.id()
            ),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod readme {
    use super::Key;
    use chatout_core::Labels;

    /// docs/configuration.md is where shop owners look up keys: it must list every one the code accepts.
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
                "docs/configuration.md does not document `{key}`"
            );
        }
    }
}
