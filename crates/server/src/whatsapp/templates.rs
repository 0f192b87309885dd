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

use crate::policy::answer::Action;
use crate::settings::parse_duration;
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
fn reminder_steps(key: &str, value: &serde_json::Value) -> Result<Vec<Duration>, String> {
    let texts: Vec<&str> = match value {
        serde_json::Value::String(text) => vec![text.as_str()],
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .ok_or_else(|| format!("{key}.after: list durations like \"2h\""))
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(format!(
                "{key}.after: a duration like 2h, or a list of them"
            ))
        }
    };
    if texts.is_empty() || texts.len() > MAX_REMINDERS {
        return Err(format!("{key}.after: 1 to {MAX_REMINDERS} reminders"));
    }
    let mut steps = Vec::with_capacity(texts.len());
    for text in texts {
        let step = parse_duration(text)
            .ok_or_else(|| format!("{key}.after: '{text}' is not a duration like 2h"))?;
        if steps.last().is_some_and(|last| *last >= step) {
            return Err(format!(
                "{key}.after: each reminder comes later than the one before"
            ));
        }
        steps.push(step);
    }
    Ok(steps)
}

/// A value a campaign template's parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignParam {
    /// The contact's name (their last order's), else the campaign's stand-in ("there").
    Name,
    /// A text staff type for the campaign, the same for everyone.
    Text,
    /// The name of a product staff choose.
    Product,
    /// A tracked link (`{CHATOUT_PUBLIC_URL}/r/{token}`, one per contact) to a page of the
    /// shop's staff choose (or the chosen product's page).
    Link,
    /// The same tracked link's token alone, for a URL button approved as
    /// `{CHATOUT_PUBLIC_URL}/r/{{1}}`.
    LinkToken,
}

/// An approved marketing template campaigns may use (`WHATSAPP_TEMPLATES`'s `campaigns`, or
/// synced from WhatsApp Manager).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct CampaignTemplate {
    /// The approved template's name.
    pub name: String,
    /// Its approved languages; the contact's closest is used, else the first.
    pub languages: Vec<String>,
    /// Its body as approved, with `{{1}}`… (shown in the desk; checked for an opt-out).
    pub text: String,
    /// Body parameters, in order.
    pub body: Vec<CampaignParam>,
    /// URL button parameters (button 0).
    pub button: Vec<CampaignParam>,
    /// The texts of its quick-reply buttons ("Stop promotions").
    pub quick_replies: Vec<String>,
}

impl CampaignTemplate {
    /// Whether it tells the customer how to stop (required to use it).
    pub fn has_opt_out(&self) -> bool {
        crate::policy::campaign::has_opt_out(&self.text, &self.quick_replies)
    }

    /// As an event template, for the language choice.
    fn as_template(&self) -> Template {
        Template {
            name: self.name.clone(),
            languages: self.languages.clone(),
            body: Vec::new(),
            button: Vec::new(),
            after: Vec::new(),
            quick_replies: Vec::new(),
        }
    }

    /// The approved language closest to `locale` (as [`Template::language_for`]).
    pub fn language_for(&self, locale: &str) -> String {
        self.as_template().language_for(locale).to_string()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCampaignTemplate {
    name: String,
    languages: Vec<String>,
    text: String,
    #[serde(default)]
    body: Vec<CampaignParam>,
    #[serde(default)]
    button: Vec<CampaignParam>,
    #[serde(default)]
    quick_replies: Vec<String>,
}

/// Whether `name` may be a template's name (as WhatsApp Manager allows).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 512
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
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
    pub fn from_json(text: &str) -> Result<Self, String> {
        let mut raw: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(text).map_err(|e| e.to_string())?;
        let campaigns = match raw.remove("campaigns") {
            Some(list) => campaign_templates(list)?,
            None => Vec::new(),
        };
        let raw: BTreeMap<String, RawTemplate> =
            serde_json::from_value(raw.into()).map_err(|e| e.to_string())?;
        let mut templates = BTreeMap::new();
        for (key, raw) in raw {
            let event = Event::ALL
                .into_iter()
                .find(|e| e.as_str() == key)
                .ok_or_else(|| {
                    let known: Vec<_> = Event::ALL.iter().map(|e| e.as_str()).collect();
                    format!("'{key}' is not an event (one of {})", known.join(", "))
                })?;
            if !valid_name(&raw.name) {
                return Err(format!(
                    "{key}.name: '{}' is not a template name (lowercase letters, digits and _)",
                    raw.name
                ));
            }
            if raw.languages.is_empty() {
                return Err(format!(
                    "{key}.languages: list at least one approved language"
                ));
            }
            let after = match (event, raw.after) {
                (Event::PendingReminder, Some(value)) => reminder_steps(&key, &value)?,
                (Event::PendingReminder, None) => {
                    return Err(format!(
                        "{key}.after: say how long after the order, like 2h or [\"1h\", \"24h\"]"
                    ))
                }
                (_, Some(_)) => return Err(format!("{key}.after: only pending_reminder waits")),
                (_, None) => Vec::new(),
            };
            let alert = event == Event::BackInStock;
            if let Some(param) = raw
                .body
                .iter()
                .chain(&raw.button)
                .find(|p| p.is_about_an_order() == alert)
            {
                let name = serde_json::to_value(param).unwrap_or_default();
                return Err(if alert {
                    format!(
                        "{key}: {name} is about an order; back_in_stock takes product and \
                         product_link"
                    )
                } else {
                    format!("{key}: {name} is for back_in_stock only")
                });
            }
            if alert && !raw.quick_replies.is_empty() {
                return Err(format!(
                    "{key}.quick_replies: only order templates answer an order"
                ));
            }
            for (at, quick) in raw.quick_replies.iter().enumerate() {
                let taken = raw.quick_replies[..at]
                    .iter()
                    .any(|q| q.index == quick.index);
                if quick.index > 9 || taken || (quick.index == 0 && !raw.button.is_empty()) {
                    return Err(format!(
                        "{key}.quick_replies: index {} is not a free button position (0 to 9, \
                         each once, 0 is the URL button when `button` is given)",
                        quick.index
                    ));
                }
            }
            templates.insert(
                event,
                Template {
                    name: raw.name,
                    languages: raw.languages,
                    body: raw.body,
                    button: raw.button,
                    after,
                    quick_replies: raw.quick_replies,
                },
            );
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

/// Reads `campaigns`: a list of marketing templates, each named once.
fn campaign_templates(list: serde_json::Value) -> Result<Vec<CampaignTemplate>, String> {
    let raw: Vec<RawCampaignTemplate> =
        serde_json::from_value(list).map_err(|e| format!("campaigns: {e}"))?;
    let mut templates: Vec<CampaignTemplate> = Vec::new();
    for (at, raw) in raw.into_iter().enumerate() {
        let key = format!("campaigns[{at}]");
        if !valid_name(&raw.name) {
            return Err(format!(
                "{key}.name: '{}' is not a template name (lowercase letters, digits and _)",
                raw.name
            ));
        }
        if templates.iter().any(|t| t.name == raw.name) {
            return Err(format!("{key}.name: '{}' is listed twice", raw.name));
        }
        if raw.languages.is_empty() {
            return Err(format!(
                "{key}.languages: list at least one approved language"
            ));
        }
        let placeholders = (1..=raw.body.len()).all(|n| raw.text.contains(&format!("{{{{{n}}}}}")));
        if raw.text.trim().is_empty() || !placeholders {
            return Err(format!(
                "{key}.text: give the approved body, with {{{{1}}}} to {{{{{}}}}} for `body`",
                raw.body.len()
            ));
        }
        if raw.button.len() > 1 || raw.button.iter().any(|p| *p != CampaignParam::LinkToken) {
            return Err(format!(
                "{key}.button: a URL button takes one parameter, link_token"
            ));
        }
        if raw.body.contains(&CampaignParam::LinkToken) {
            return Err(format!(
                "{key}.body: link_token is for a URL button; a body takes link"
            ));
        }
        templates.push(CampaignTemplate {
            name: raw.name,
            languages: raw.languages,
            text: raw.text,
            body: raw.body,
            button: raw.button,
            quick_replies: raw.quick_replies,
        });
    }
    Ok(templates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_templates_are_read_and_checked() {
        let json = r#"{"campaigns": [
            {"name": "spring_sale", "languages": ["en", "nl"],
             "text": "Hi {{1}}! {{2}} is 20% off: {{3}}. Reply STOP to unsubscribe.",
             "body": ["name", "product", "link"]},
            {"name": "no_way_out", "languages": ["en"], "text": "Buy {{1}}!", "body": ["product"]}
        ]}"#;
        let templates = Templates::from_json(json).unwrap();
        let sale = templates.campaign("spring_sale").unwrap();
        assert!(sale.has_opt_out());
        assert_eq!(sale.language_for("nl-BE"), "nl");
        assert!(!templates.campaign("no_way_out").unwrap().has_opt_out());
        for (bad, expected) in [
            (
                r#"[{"name": "A", "languages": ["en"], "text": "x"}]"#,
                "campaigns[0].name",
            ),
            (
                r#"[{"name": "a", "languages": [], "text": "x"}]"#,
                "campaigns[0].languages",
            ),
            (
                r#"[{"name": "a", "languages": ["en"], "text": "Hi", "body": ["name"]}]"#,
                "campaigns[0].text",
            ),
            (
                r#"[{"name": "a", "languages": ["en"], "text": "x", "button": ["name"]}]"#,
                "campaigns[0].button",
            ),
            (
                r#"[{"name": "a", "languages": ["en"], "text": "x"}, {"name": "a", "languages": ["en"], "text": "y"}]"#,
                "listed twice",
            ),
            (
                r#"[{"name": "a", "languages": ["en"], "text": "x", "body": ["price"]}]"#,
                "unknown variant",
            ),
        ] {
            let err = Templates::from_json(&format!(r#"{{"campaigns": {bad}}}"#)).unwrap_err();
            assert!(err.contains(expected), "{bad}: {err}");
        }
    }

    #[test]
    fn the_example_file_maps_every_event() {
        let templates = Templates::from_json(DEFAULT_TEMPLATES).unwrap();
        for event in Event::ALL {
            assert!(templates.get(event).is_some(), "{}", event.as_str());
        }
        let reminder = templates.get(Event::PendingReminder).unwrap();
        assert_eq!(reminder.after, [Duration::from_secs(7200)]);
        let sequence = Templates::from_json(
            r#"{"pending_reminder":{"name":"r","languages":["en"],"after":["1h","24h"]}}"#,
        )
        .unwrap();
        let steps = &sequence.get(Event::PendingReminder).unwrap().after;
        assert_eq!(
            steps,
            &[Duration::from_secs(3600), Duration::from_secs(86400)]
        );
        for bad in [
            r#"["24h","1h"]"#,
            r#"[]"#,
            r#"["1h","2h","3h","4h","5h","6h"]"#,
            "3",
        ] {
            let json = format!(
                r#"{{"pending_reminder":{{"name":"r","languages":["en"],"after":{bad}}}}}"#
            );
            let err = Templates::from_json(&json).unwrap_err();
            assert!(err.contains("pending_reminder.after"), "{bad}: {err}");
        }
    }

    #[test]
    fn mistakes_name_the_event_and_field() {
        let cases = [
            (
                r#"{"shipped":{"name":"a","languages":["en"]}}"#,
                "'shipped' is not an event",
            ),
            (
                r#"{"paid":{"name":"Order Paid","languages":["en"]}}"#,
                "paid.name",
            ),
            (r#"{"paid":{"name":"a","languages":[]}}"#, "paid.languages"),
            (
                r#"{"paid":{"name":"a","languages":["en"],"body":["price"]}}"#,
                "unknown variant",
            ),
            (
                r#"{"pending_reminder":{"name":"a","languages":["en"]}}"#,
                "pending_reminder.after",
            ),
            (
                r#"{"paid":{"name":"a","languages":["en"],"after":"1h"}}"#,
                "paid.after",
            ),
            (
                r#"{"paid":{"name":"a","languages":["en"],"colour":1}}"#,
                "unknown field",
            ),
            (
                r#"{"paid":{"name":"a","languages":["en"],"body":["product"]}}"#,
                "paid: \"product\" is for back_in_stock only",
            ),
            (
                r#"{"back_in_stock":{"name":"a","languages":["en"],"body":["product","total"]}}"#,
                "back_in_stock: \"total\" is about an order",
            ),
            (
                r#"{"confirmed":{"name":"a","languages":["en"],"button":["reference"],
                    "quick_replies":[{"index":0,"action":"cancel"}]}}"#,
                "confirmed.quick_replies: index 0",
            ),
            (
                r#"{"confirmed":{"name":"a","languages":["en"],
                    "quick_replies":[{"index":1,"action":"cancel"},{"index":1,"action":"confirm"}]}}"#,
                "index 1 is not a free",
            ),
            (
                r#"{"confirmed":{"name":"a","languages":["en"],
                    "quick_replies":[{"index":1,"action":"refund"}]}}"#,
                "unknown variant",
            ),
        ];
        for (json, expected) in cases {
            let err = Templates::from_json(json).unwrap_err();
            assert!(err.contains(expected), "{json}: {err}");
        }
    }

    #[test]
    fn the_closest_approved_language_is_used() {
        let t = Template {
            name: "t".into(),
            languages: vec!["en_US".into(), "nl".into(), "pt_BR".into()],
            body: vec![],
            button: vec![],
            after: vec![],
            quick_replies: vec![],
        };
        assert_eq!(t.language_for("nl-NL"), "nl");
        assert_eq!(t.language_for("pt-PT"), "pt_BR");
        assert_eq!(t.language_for("en-US"), "en_US");
        assert_eq!(t.language_for("ja"), "en_US");
    }
}
