//! Webhook deliveries from the Cloud API: the signature check and the payload, read into
//! what the server acts on. Deliveries come at least once and in any order; every field but
//! the ids is optional, and unknown ones are ignored.

mod wire;

use super::client::{ApiError, GraphError};
use super::content::content;
pub use super::content::IdentityChange;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use wire::{
    answer, cart_text, catalog_cart, contact_of, message_text, non_empty, seconds, ContactValue,
    MessageValue, Payload, PreferenceValue, StatusValue,
};

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

/// Why a delivery cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Not JSON of a delivery's shape.
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    /// Another kind of object than a WhatsApp Business Account's.
    #[error("object is '{0}', not whatsapp_business_account")]
    NotWhatsApp(String),
}

/// Reads a delivery for the phone number `phone_number_id`; changes for other numbers of the
/// same app are left out. An error says what is wrong with the body.
pub fn parse(body: &[u8], phone_number_id: &str) -> Result<Notification, DeliveryError> {
    let payload: Payload = serde_json::from_slice(body)?;
    if payload.object != "whatsapp_business_account" {
        let object = payload.object.chars().take(60).collect();
        return Err(DeliveryError::NotWhatsApp(object));
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
        let contacts = &value.contacts;
        out.preferences.extend(
            (value.user_preferences.into_iter()).filter_map(|p| preference_of(p, contacts)),
        );
        out.inbound
            .extend((value.messages.into_iter()).filter_map(|m| inbound_of(m, contacts)));
        out.statuses
            .extend(value.statuses.into_iter().filter_map(status_of));
    }
    Ok(out)
}

/// A marketing stop or resume, completed from the sender's contact entry.
fn preference_of(
    preference: PreferenceValue,
    contacts: &[ContactValue],
) -> Option<MarketingPreference> {
    let resume = match (preference.category.as_str(), preference.value.as_str()) {
        ("marketing_messages", "stop") => false,
        ("marketing_messages", "resume") => true,
        _ => return None,
    };
    let contact = contact_of(contacts, &preference.wa_id, &preference.user_id);
    let wa_id =
        non_empty(preference.wa_id).or_else(|| contact.and_then(|c| non_empty(c.wa_id.clone())));
    let user_id = non_empty(preference.user_id)
        .or_else(|| contact.and_then(|c| non_empty(c.user_id.clone())));
    if wa_id.is_none() && user_id.is_none() {
        return None;
    }
    Some(MarketingPreference {
        wa_id,
        user_id,
        resume,
        detail: preference
            .detail
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect(),
    })
}

/// A contact's message; `None` without an id or a sender.
fn inbound_of(message: MessageValue, contacts: &[ContactValue]) -> Option<Inbound> {
    // The contact entry of this message's sender completes a message that names only
    // the phone, or only the user id.
    let contact = contact_of(contacts, &message.from, &message.from_user_id);
    let wa_id = non_empty(message.from.clone())
        .or_else(|| contact.and_then(|c| non_empty(c.wa_id.clone())));
    let user_id = non_empty(message.from_user_id.clone())
        .or_else(|| contact.and_then(|c| non_empty(c.user_id.clone())));
    if message.id.is_empty() || (wa_id.is_none() && user_id.is_none()) {
        return None;
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
    let (refers_to, identity_change) = carried.map(|c| (c.refers_to, c.change)).unwrap_or_default();
    Some(Inbound {
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
    })
}

/// Where a sent message got to; `None` for a state the server does not track.
fn status_of(status: StatusValue) -> Option<StatusUpdate> {
    let delivery = match status.status.as_str() {
        "sent" => Delivery::Sent,
        "delivered" => Delivery::Delivered,
        "read" => Delivery::Read,
        "failed" => Delivery::Failed,
        _ => return None,
    };
    if status.id.is_empty() {
        return None;
    }
    Some(StatusUpdate {
        wamid: status.id,
        delivery,
        wa_id: non_empty(status.recipient_id),
        user_id: non_empty(status.recipient_user_id),
        callback: status.biz_opaque_callback_data,
        error: status.errors.first().map(GraphError::to_api_error),
    })
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
