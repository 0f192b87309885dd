//! Which approved template each order event sends, read from `WHATSAPP_TEMPLATES`.
//!
//! ```json
//! {"confirmed": {"name": "chatout_order_confirmed", "languages": ["en", "nl"],
//!                "body": ["name", "reference", "total"]},
//!  "pending_reminder": {"name": "chatout_order_reminder", "languages": ["en"],
//!                       "body": ["reference"], "after": "2h"}}
//! ```
//!
//! Events: `confirmed`, `paid`, `fulfilled`, `cancelled`, `pending_reminder`, and
//! `back_in_stock` (a marketing template, with `product` and `product_link`); an event left
//! out sends nothing. Parameters: `reference`, `total`, `name`, `tracking_link`,
//! `payment_link`, `bank_transfer`, `order_page`, `pay_token`, in the order
//! of the template's `{{1}}`, `{{2}}`…; `button` fills a URL button's dynamic part (button
//! 0). `quick_replies` names what the template's quick-reply buttons do, by button index:
//! `[{"index": 1, "action": "cancel"}]` (actions `confirm`, `cancel`); a tap comes back with
//! the order's reference and is applied like the interactive buttons.

mod campaign;

use crate::policy::answer::Action;
use crate::settings::parse_duration;
pub use campaign::{CampaignParam, CampaignTemplate};
use chatout_core::OrderStatus;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// The example mapping in the repository, used when `WHATSAPP_TEMPLATES` is unset.
pub const DEFAULT_TEMPLATES: &str = include_str!("../../../../demo/whatsapp-templates.json");

/// An order event that may send a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Event {
    /// The shop accepted the order.
    Confirmed,
    /// Payment received.
    Paid,
    /// Shipped or ready for pickup.
    Fulfilled,
    /// Called off.
    Cancelled,
    /// Still pending some time after it was placed.
    PendingReminder,
    /// A product someone asked to hear about is available again (a marketing template; not
    /// about an order).
    BackInStock,
}

impl Event {
    /// Every event, as written in the file.
    pub const ALL: [Event; 6] = [
        Self::Confirmed,
        Self::Paid,
        Self::Fulfilled,
        Self::Cancelled,
        Self::PendingReminder,
        Self::BackInStock,
    ];

    /// The name in the file and in the outbox.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Paid => "paid",
            Self::Fulfilled => "fulfilled",
            Self::Cancelled => "cancelled",
            Self::PendingReminder => "pending_reminder",
            Self::BackInStock => "back_in_stock",
        }
    }

    /// The event a lifecycle step raises (expiring raises none: the shop never saw it).
    pub fn of_status(status: OrderStatus) -> Option<Self> {
        match status {
            OrderStatus::Confirmed => Some(Self::Confirmed),
            OrderStatus::Paid => Some(Self::Paid),
            OrderStatus::Fulfilled => Some(Self::Fulfilled),
            OrderStatus::Cancelled => Some(Self::Cancelled),
            OrderStatus::Pending | OrderStatus::Expired => None,
        }
    }
}

/// A value a template parameter can take from the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Param {
    /// The order reference.
    Reference,
    /// The order's subtotal, as a currency parameter.
    Total,
    /// The customer's name.
    Name,
    /// The tracking link staff gave when fulfilling.
    TrackingLink,
    /// The order's current payment page (for a URL button, its path after the base URL
    /// approved in the template, or the whole link in a body).
    PaymentLink,
    /// The shop's bank transfer details (catalog `shop.bank_transfer`).
    BankTransfer,
    /// The shopper's order page, `{CHATOUT_PUBLIC_URL}/orders/{token}`.
    OrderPage,
    /// The order's token alone, for a URL button approved as
    /// `{CHATOUT_PUBLIC_URL}/pay/{{1}}` (which leads to the current payment link).
    PayToken,
    /// The product's name (`back_in_stock`).
    Product,
    /// The product's page: its catalog `url`, else the page it was asked on
    /// (`back_in_stock`).
    ProductLink,
}

impl Param {
    /// Whether an order event's template may use it (else only `back_in_stock`'s).
    pub fn is_about_an_order(self) -> bool {
        !matches!(self, Self::Product | Self::ProductLink)
    }
}

/// One event's template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The approved template's name.
    pub name: String,
    /// Its approved languages; the first is used when the order's language is not among them.
    pub languages: Vec<String>,
    /// Body parameters, in order.
    pub body: Vec<Param>,
    /// URL button parameters (button 0), if the template has a dynamic URL button.
    pub button: Vec<Param>,
    /// For `pending_reminder`: how long after the order each reminder of the sequence goes,
    /// shortest first (`"2h"` or `["1h", "24h"]`); empty for other events.
    pub after: Vec<Duration>,
    /// The quick-reply buttons the server fills with the order's payload: `(index, action)`.
    pub quick_replies: Vec<QuickReply>,
}

/// A quick-reply button of a template and what a tap on it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuickReply {
    /// The button's position among the template's buttons (0 to 9).
    pub index: u8,
    /// What a tap does.
    pub action: Action,
}

impl Template {
    /// Whether a parameter is filled with text the shopper typed (the name): such a template
    /// goes only where `policy::order_template` allows.
    pub fn carries_typed_text(&self) -> bool {
        self.body
            .iter()
            .chain(&self.button)
            .any(|p| *p == Param::Name)
    }

    /// The approved language closest to an order's locale: `nl-BE` → `nl_BE`, then `nl`,
    /// then any `nl_…`, then the first listed.
    pub fn language_for(&self, locale: &str) -> &str {
        let wanted = locale.replace('-', "_");
        let base = wanted.split('_').next().unwrap_or("");
        self.languages
            .iter()
            .find(|l| l.eq_ignore_ascii_case(&wanted))
            .or_else(|| self.languages.iter().find(|l| l.eq_ignore_ascii_case(base)))
            .or_else(|| {
                self.languages.iter().find(|l| {
                    l.split('_')
                        .next()
                        .is_some_and(|b| b.eq_ignore_ascii_case(base))
                })
            })
            .or(self.languages.first())
            .map(String::as_str)
            .unwrap_or("en")
    }
}

/// The most reminders one pending order gets.
pub const MAX_REMINDERS: usize = 5;

/// `"2h"` or `["1h", "24h"]`: each step after the order, shortest first, at most
/// [`MAX_REMINDERS`], each later than the one before.
fn reminder_steps(key: &str, value: &serde_json::Value) -> Result<Vec<Duration>, TemplatesError> {
    let at = format!("{key}.after");
    let texts: Vec<&str> = match value {
        serde_json::Value::String(text) => vec![text.as_str()],
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .ok_or_else(|| wrong(&at, "list durations like \"2h\""))
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(wrong(&at, "a duration like 2h, or a list of them")),
    };
    if texts.is_empty() || texts.len() > MAX_REMINDERS {
        return Err(wrong(&at, format!("1 to {MAX_REMINDERS} reminders")));
    }
    let mut steps = Vec::with_capacity(texts.len());
    for text in texts {
        let step = parse_duration(text)
            .ok_or_else(|| wrong(&at, format!("'{text}' is not a duration like 2h")))?;
        if steps.last().is_some_and(|last| *last >= step) {
            return Err(wrong(&at, "each reminder comes later than the one before"));
        }
        steps.push(step);
    }
    Ok(steps)
}

/// Why the templates file cannot be used; each names the event (or campaign) and field at
/// fault.
#[derive(Debug, thiserror::Error)]
pub enum TemplatesError {
    /// Not JSON, or not of the file's shape.
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    /// `campaigns` is not a list of templates.
    #[error("campaigns: {0}")]
    Campaigns(#[source] serde_json::Error),
    /// A key that is no event.
    #[error("'{key}' is not an event (one of {known})")]
    UnknownEvent {
        /// The key in the file.
        key: String,
        /// The events there are.
        known: String,
    },
    /// A value the file may not have.
    #[error("{at}: {problem}")]
    Wrong {
        /// Where: `paid.name`, `campaigns[0].text`.
        at: String,
        /// What is wrong with it.
        problem: String,
    },
}

/// The value at `at` is wrong: `problem`.
fn wrong(at: impl Into<String>, problem: impl Into<String>) -> TemplatesError {
    TemplatesError::Wrong {
        at: at.into(),
        problem: problem.into(),
    }
}

/// Whether `name` may be a template's name (as WhatsApp Manager allows).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 512
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The event a key of the file names.
fn event_named(key: &str) -> Result<Event, TemplatesError> {
    Event::ALL
        .into_iter()
        .find(|e| e.as_str() == key)
        .ok_or_else(|| {
            let known: Vec<_> = Event::ALL.iter().map(|e| e.as_str()).collect();
            TemplatesError::UnknownEvent {
                key: key.to_string(),
                known: known.join(", "),
            }
        })
}

/// `event`'s template as the file at `key` gives it, checked.
fn event_template(key: &str, event: Event, raw: RawTemplate) -> Result<Template, TemplatesError> {
    if !valid_name(&raw.name) {
        return Err(wrong(
            format!("{key}.name"),
            format!(
                "'{}' is not a template name (lowercase letters, digits and _)",
                raw.name
            ),
        ));
    }
    if raw.languages.is_empty() {
        return Err(wrong(
            format!("{key}.languages"),
            "list at least one approved language",
        ));
    }
    let after = match (event, raw.after.as_ref()) {
        (Event::PendingReminder, Some(value)) => reminder_steps(key, value)?,
        (Event::PendingReminder, None) => {
            return Err(wrong(
                format!("{key}.after"),
                "say how long after the order, like 2h or [\"1h\", \"24h\"]",
            ))
        }
        (_, Some(_)) => return Err(wrong(format!("{key}.after"), "only pending_reminder waits")),
        (_, None) => Vec::new(),
    };
    check_params(key, event, &raw)?;
    check_quick_replies(key, event, &raw)?;
    Ok(Template {
        name: raw.name,
        languages: raw.languages,
        body: raw.body,
        button: raw.button,
        after,
        quick_replies: raw.quick_replies,
    })
}

/// Order events take order parameters; `back_in_stock` takes the product's.
fn check_params(key: &str, event: Event, raw: &RawTemplate) -> Result<(), TemplatesError> {
    let alert = event == Event::BackInStock;
    let Some(param) = raw
        .body
        .iter()
        .chain(&raw.button)
        .find(|p| p.is_about_an_order() == alert)
    else {
        return Ok(());
    };
    let name = serde_json::to_value(param).unwrap_or_default();
    Err(wrong(
        key,
        if alert {
            format!("{name} is about an order; back_in_stock takes product and product_link")
        } else {
            format!("{name} is for back_in_stock only")
        },
    ))
}

/// Quick replies answer an order, each at a free button position.
fn check_quick_replies(key: &str, event: Event, raw: &RawTemplate) -> Result<(), TemplatesError> {
    let at = format!("{key}.quick_replies");
    if event == Event::BackInStock && !raw.quick_replies.is_empty() {
        return Err(wrong(&at, "only order templates answer an order"));
    }
    for (index, quick) in raw.quick_replies.iter().enumerate() {
        let taken = raw.quick_replies[..index]
            .iter()
            .any(|q| q.index == quick.index);
        if quick.index > 9 || taken || (quick.index == 0 && !raw.button.is_empty()) {
            return Err(wrong(
                &at,
                format!(
                    "index {} is not a free button position (0 to 9, each once, 0 is the URL \
                     button when `button` is given)",
                    quick.index
                ),
            ));
        }
    }
    Ok(())
}

/// Every configured event's template, and the marketing templates campaigns may use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Templates(BTreeMap<Event, Template>, Vec<CampaignTemplate>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    name: String,
    languages: Vec<String>,
    #[serde(default)]
    body: Vec<Param>,
    #[serde(default)]
    button: Vec<Param>,
    after: Option<serde_json::Value>,
    #[serde(default)]
    quick_replies: Vec<QuickReply>,
}

impl Templates {
    /// Reads the file's JSON; the error names the event and field at fault.
    pub fn from_json(text: &str) -> Result<Self, TemplatesError> {
        let mut raw: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)?;
        let campaigns = match raw.remove("campaigns") {
            Some(list) => campaign::campaign_templates(list)?,
            None => Vec::new(),
        };
        let raw: BTreeMap<String, RawTemplate> = serde_json::from_value(raw.into())?;
        let mut templates = BTreeMap::new();
        for (key, raw) in raw {
            let event = event_named(&key)?;
            templates.insert(event, event_template(&key, event, raw)?);
        }
        Ok(Self(templates, campaigns))
    }

    /// The marketing templates campaigns may choose from.
    pub fn campaigns(&self) -> &[CampaignTemplate] {
        &self.1
    }

    /// The campaign template called `name`.
    pub fn campaign(&self, name: &str) -> Option<&CampaignTemplate> {
        self.1.iter().find(|t| t.name == name)
    }

    /// The template an event sends, if one is configured.
    pub fn get(&self, event: Event) -> Option<&Template> {
        self.0.get(&event)
    }
}

#[cfg(test)]
#[path = "templates_tests.rs"]
mod tests;
