//! Webhook deliveries from the Cloud API: the signature check and the payload, read into
//! what the server acts on. Deliveries come at least once and in any order; every field but
//! the ids is optional, and unknown ones are ignored.

use super::client::{ApiError, GraphError};
use super::content::content;
pub use super::content::IdentityChange;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

/// Whether `X-Hub-Signature-256` (`sha256=<hex>`) is the HMAC-SHA256 of the raw body under the
/// app secret. The comparison is constant-time (`Mac::verify_slice`).
pub fn signature_valid(app_secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(signature) = header
        .and_then(|h| h.trim().strip_prefix("sha256="))
        .and_then(|hex_text| hex::decode(hex_text).ok())
    else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&signature).is_ok()
}

/// The `X-Hub-Signature-256` value for a body (for tests, tools and the fake API).
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A message a contact sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// Its id (`wamid.…`): the key that makes a redelivery harmless.
    pub id: String,
    /// The sender's phone (`wa_id`); absent for users known only by username.
    pub wa_id: Option<String>,
    /// The business-scoped user id.
    pub user_id: Option<String>,
    /// When it was sent, seconds since the epoch.
    pub timestamp: Option<i64>,
    /// `text`, `button`, `interactive`, `image`…
    pub kind: String,
    /// Its text (for media, the caption or `[image]`).
    pub text: String,
    /// The name on the sender's WhatsApp profile, when the delivery gave one.
    pub profile_name: Option<String>,
    /// The sender's WhatsApp username (`@…`), when they have one.
    pub username: Option<String>,
    /// The message a reaction, an edit or a deletion is about.
    pub refers_to: Option<String>,
    /// A `system` notice's new phone or business-scoped id (the user changed number).
    pub identity_change: Option<IdentityChange>,
    /// The button the contact tapped (an interactive reply button or a template's quick
    /// reply).
    pub answer: Option<Answer>,
    /// The cart sent from the shop's WhatsApp catalog (type `order`).
    pub cart: Option<CatalogCart>,
}

/// A tapped button: what the shop put in it and the title the contact saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// `interactive.button_reply.id` or the template button's `payload`.
    pub payload: String,
    /// Its title as shown to the contact.
    pub title: String,
}

/// A cart from WhatsApp's catalog: what the shopper picked, as they sent it. Prices are not
/// kept: the shop's catalog prices the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogCart {
    /// The Meta catalog it came from.
    pub catalog_id: String,
    /// The text the shopper added.
    pub note: Option<String>,
    /// The lines, in the shopper's order.
    pub items: Vec<CartItem>,
}

/// One line of a catalog cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartItem {
    /// The catalog item's content id: the shop's sku (`sku:Value:Value` for a variant).
    pub retailer_id: String,
    /// How many; `None` when the delivery's quantity is not a whole number.
    pub quantity: Option<i64>,
}

/// Where an outbound message got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Delivery {
    /// Left the business.
    Sent,
    /// On the phone.
    Delivered,
    /// Opened.
    Read,
    /// Could not be delivered.
    Failed,
}

impl Delivery {
    /// The outbox state it reports.
    pub fn status(self) -> crate::policy::outbox::OutboxStatus {
        use crate::policy::outbox::OutboxStatus;
        match self {
            Self::Sent => OutboxStatus::Sent,
            Self::Delivered => OutboxStatus::Delivered,
            Self::Read => OutboxStatus::Read,
            Self::Failed => OutboxStatus::Failed,
        }
    }
}

/// A status webhook for one outbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// The message id the send answer gave.
    pub wamid: String,
    /// The new state.
    pub delivery: Delivery,
    /// The recipient's phone (`recipient_id`).
    pub wa_id: Option<String>,
    /// The recipient's business-scoped user id.
    pub user_id: Option<String>,
    /// What the server put in `biz_opaque_callback_data` (the outbox row).
    pub callback: Option<String>,
    /// Why it failed.
    pub error: Option<ApiError>,
}

/// A user stopped (or resumed) marketing messages in WhatsApp itself (the `user_preferences`
/// webhook).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketingPreference {
    /// The user's phone.
    pub wa_id: Option<String>,
    /// The user's business-scoped id.
    pub user_id: Option<String>,
    /// `stop` (false) or `resume` (true).
    pub resume: bool,
    /// What WhatsApp says about it.
    pub detail: String,
}

/// Everything one delivery asks the server to do.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Notification {
    /// New messages from contacts.
    pub inbound: Vec<Inbound>,
    /// Status changes of sent messages.
    pub statuses: Vec<StatusUpdate>,
    /// Marketing preferences changed in WhatsApp.
    pub preferences: Vec<MarketingPreference>,
}

#[derive(Deserialize)]
struct Payload {
    #[serde(default)]
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: ChangeValue,
}

#[derive(Default, Deserialize)]
struct ChangeValue {
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    contacts: Vec<ContactValue>,
    #[serde(default)]
    messages: Vec<MessageValue>,
    #[serde(default)]
    statuses: Vec<StatusValue>,
    #[serde(default)]
    user_preferences: Vec<PreferenceValue>,
}

#[derive(Deserialize)]
struct PreferenceValue {
    #[serde(default)]
    wa_id: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    category: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    detail: Option<String>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(default)]
    phone_number_id: Option<String>,
}

#[derive(Deserialize)]
struct ContactValue {
    #[serde(default)]
    wa_id: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    profile: Option<Value>,
}

/// The entry of `contacts` that is the sender named by `wa_id` / `user_id`: the one that
/// matches either, else the only entry there is. Never another sender's entry: pairing a
/// message with someone else's id would merge two people.
fn contact_of<'a>(
    contacts: &'a [ContactValue],
    wa_id: &Option<String>,
    user_id: &Option<String>,
) -> Option<&'a ContactValue> {
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().filter(|v| !v.is_empty())
    }
    let same =
        |a: &Option<String>, b: &Option<String>| given(a).is_some_and(|a| given(b) == Some(a));
    let differ = |a: &Option<String>, b: &Option<String>| matches!((given(a), given(b)), (Some(a), Some(b)) if a != b);
    contacts
        .iter()
        .find(|c| same(wa_id, &c.wa_id) || same(user_id, &c.user_id))
        .or_else(|| match contacts {
            [only] if !differ(wa_id, &only.wa_id) && !differ(user_id, &only.user_id) => Some(only),
            _ => None,
        })
}

#[derive(Deserialize)]
struct MessageValue {
    id: String,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    from_user_id: Option<String>,
    #[serde(default)]
    timestamp: Option<Value>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    text: Option<Value>,
    #[serde(default)]
    button: Option<Value>,
    #[serde(default)]
    interactive: Option<Value>,
    #[serde(default)]
    order: Option<Value>,
    #[serde(flatten)]
    rest: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
struct StatusValue {
    id: String,
    status: String,
    #[serde(default)]
    recipient_id: Option<String>,
    #[serde(default)]
    recipient_user_id: Option<String>,
    #[serde(default)]
    biz_opaque_callback_data: Option<String>,
    #[serde(default)]
    errors: Vec<GraphError>,
}

/// Reads a delivery for the phone number `phone_number_id`; changes for other numbers of the
/// same app are left out. An error says what is wrong with the body.
pub fn parse(body: &[u8], phone_number_id: &str) -> Result<Notification, String> {
    let payload: Payload = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if payload.object != "whatsapp_business_account" {
        return Err(format!(
            "object is '{}', not whatsapp_business_account",
            payload.object.chars().take(60).collect::<String>()
        ));
    }
    let mut out = Notification::default();
    for change in payload.entry.into_iter().flat_map(|e| e.changes) {
        if change.field != "messages" && change.field != "user_preferences" {
            continue;
        }
        let value = change.value;
        let ours = value
            .metadata
            .as_ref()
            .and_then(|m| m.phone_number_id.as_deref())
            .is_none_or(|id| id == phone_number_id);
        if !ours {
            continue;
        }
        for preference in value.user_preferences {
            let resume = match (preference.category.as_str(), preference.value.as_str()) {
                ("marketing_messages", "stop") => false,
                ("marketing_messages", "resume") => true,
                _ => continue,
            };
            let contact = contact_of(&value.contacts, &preference.wa_id, &preference.user_id);
            let wa_id = non_empty(preference.wa_id)
                .or_else(|| contact.and_then(|c| non_empty(c.wa_id.clone())));
            let user_id = non_empty(preference.user_id)
                .or_else(|| contact.and_then(|c| non_empty(c.user_id.clone())));
            if wa_id.is_none() && user_id.is_none() {
                continue;
            }
            out.preferences.push(MarketingPreference {
                wa_id,
                user_id,
                resume,
                detail: preference
                    .detail
                    .unwrap_or_default()
                    .chars()
                    .take(200)
                    .collect(),
            });
        }
        for message in value.messages {
            // The contact entry of this message's sender completes a message that names only
            // the phone, or only the user id.
            let contact = contact_of(&value.contacts, &message.from, &message.from_user_id);
            let wa_id = non_empty(message.from.clone())
                .or_else(|| contact.and_then(|c| non_empty(c.wa_id.clone())));
            let user_id = non_empty(message.from_user_id.clone())
                .or_else(|| contact.and_then(|c| non_empty(c.user_id.clone())));
            if message.id.is_empty() || (wa_id.is_none() && user_id.is_none()) {
                continue;
            }
            let kind = message.kind.clone().unwrap_or_else(|| "unknown".into());
            let profile = |key: &str| {
                contact
                    .and_then(|c| c.profile.as_ref())
                    .and_then(|p| p.get(key))
                    .and_then(Value::as_str)
                    .map(|name| name.trim().chars().take(200).collect::<String>())
            };
            let cart = (kind == "order")
                .then(|| message.order.as_ref().and_then(catalog_cart))
                .flatten();
            let carried = content(&kind, message.rest.get(&kind), message.rest.get("errors"));
            let text = match (&cart, &carried) {
                (Some(cart), _) => cart_text(cart),
                (None, Some(carried)) => carried.text.clone(),
                (None, None) => message_text(&message, &kind),
            };
            let (refers_to, identity_change) =
                carried.map(|c| (c.refers_to, c.change)).unwrap_or_default();
            out.inbound.push(Inbound {
                text,
                answer: answer(&message),
                id: message.id,
                wa_id,
                user_id,
                timestamp: message.timestamp.as_ref().and_then(seconds),
                kind,
                profile_name: non_empty(profile("name")),
                username: non_empty(profile("username")),
                refers_to,
                identity_change,
                cart,
            });
        }
        for status in value.statuses {
            let delivery = match status.status.as_str() {
                "sent" => Delivery::Sent,
                "delivered" => Delivery::Delivered,
                "read" => Delivery::Read,
                "failed" => Delivery::Failed,
                _ => continue,
            };
            if status.id.is_empty() {
                continue;
            }
            out.statuses.push(StatusUpdate {
                wamid: status.id,
                delivery,
                wa_id: non_empty(status.recipient_id),
                user_id: non_empty(status.recipient_user_id),
                callback: status.biz_opaque_callback_data,
                error: status.errors.first().map(GraphError::to_api_error),
            });
        }
    }
    Ok(out)
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

/// `"1700000000"` or `1700000000`.
fn seconds(value: &Value) -> Option<i64> {
    match value {
        Value::String(text) => text.trim().parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// The button a message answers with: an interactive reply button's id and title, or a
/// template quick reply's payload and text.
fn answer(message: &MessageValue) -> Option<Answer> {
    let field = |value: &Option<Value>, path: &[&str]| {
        string_at(value, path).map(|s| s.chars().take(256).collect::<String>())
    };
    let (payload, title) = match (
        field(&message.interactive, &["button_reply", "id"]),
        field(&message.interactive, &["list_reply", "id"]),
        field(&message.button, &["payload"]),
    ) {
        (Some(id), _, _) => (id, field(&message.interactive, &["button_reply", "title"])),
        (None, Some(id), _) => (id, field(&message.interactive, &["list_reply", "title"])),
        (None, None, Some(payload)) => (payload, field(&message.button, &["text"])),
        (None, None, None) => return None,
    };
    Some(Answer {
        payload,
        title: title.unwrap_or_default(),
    })
}

/// The cart of an `order` message; `None` when it has no catalog id or no lines.
fn catalog_cart(order: &Value) -> Option<CatalogCart> {
    let catalog_id = order.get("catalog_id").and_then(Value::as_str)?;
    let items: Vec<CartItem> = order
        .get("product_items")
        .and_then(Value::as_array)?
        .iter()
        .filter_map(|item| {
            let retailer_id = item.get("product_retailer_id").and_then(Value::as_str)?;
            let quantity = match item.get("quantity") {
                Some(Value::Number(n)) => n.as_i64(),
                Some(Value::String(text)) => text.trim().parse().ok(),
                _ => None,
            };
            Some(CartItem {
                retailer_id: retailer_id.chars().take(200).collect(),
                quantity,
            })
        })
        // Far more than any cart: the rest is not read.
        .take(200)
        .collect();
    if items.is_empty() {
        return None;
    }
    let note = order
        .get("text")
        .and_then(Value::as_str)
        .map(|t| t.chars().take(1000).collect());
    Some(CatalogCart {
        catalog_id: catalog_id.chars().take(100).collect(),
        note: non_empty(note),
        items,
    })
}

/// How a cart reads in the conversation: `[order] 2 × mug-stoneware, 1 × tote-canvas`.
fn cart_text(cart: &CatalogCart) -> String {
    let lines: Vec<String> = cart
        .items
        .iter()
        .map(|item| match item.quantity {
            Some(q) => format!("{q} × {}", item.retailer_id),
            None => format!("? × {}", item.retailer_id),
        })
        .collect();
    let mut text = format!("[order] {}", lines.join(", "));
    if let Some(note) = &cart.note {
        text.push_str(" — ");
        text.push_str(note);
    }
    text.chars().take(4096).collect()
}

/// The string at `path` inside a message's part, if it is one.
fn string_at(value: &Option<Value>, path: &[&str]) -> Option<String> {
    let mut at = value.as_ref()?;
    for key in path {
        at = at.get(key)?;
    }
    at.as_str().map(str::to_string)
}

/// The readable text of a message of any type.
fn message_text(message: &MessageValue, kind: &str) -> String {
    let text = string_at(&message.text, &["body"])
        .or_else(|| string_at(&message.button, &["text"]))
        .or_else(|| string_at(&message.interactive, &["button_reply", "title"]))
        .or_else(|| string_at(&message.interactive, &["list_reply", "title"]))
        .or_else(|| {
            message
                .rest
                .get(kind)
                .and_then(|m| m.get("caption"))
                .and_then(Value::as_str)
                .map(|caption| format!("[{kind}] {caption}"))
        })
        .unwrap_or_else(|| format!("[{kind}]"));
    text.chars().take(4096).collect()
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
