//! A delivery as the Cloud API sends it, and reading its parts (every field but the ids is
//! optional, unknown ones are ignored).

use super::{Answer, CartItem, CatalogCart};
use crate::whatsapp::client::GraphError;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
pub(super) struct Payload {
    #[serde(default)]
    pub(super) object: String,
    #[serde(default)]
    pub(super) entry: Vec<Entry>,
}

#[derive(Deserialize)]
pub(super) struct Entry {
    #[serde(default)]
    pub(super) changes: Vec<Change>,
}

#[derive(Deserialize)]
pub(super) struct Change {
    #[serde(default)]
    pub(super) field: String,
    #[serde(default)]
    pub(super) value: ChangeValue,
}

#[derive(Default, Deserialize)]
pub(super) struct ChangeValue {
    #[serde(default)]
    pub(super) metadata: Option<Metadata>,
    #[serde(default)]
    pub(super) contacts: Vec<ContactValue>,
    #[serde(default)]
    pub(super) messages: Vec<MessageValue>,
    #[serde(default)]
    pub(super) statuses: Vec<StatusValue>,
    #[serde(default)]
    pub(super) user_preferences: Vec<PreferenceValue>,
}

#[derive(Deserialize)]
pub(super) struct PreferenceValue {
    #[serde(default)]
    pub(super) wa_id: Option<String>,
    #[serde(default)]
    pub(super) user_id: Option<String>,
    #[serde(default)]
    pub(super) category: String,
    #[serde(default)]
    pub(super) value: String,
    #[serde(default)]
    pub(super) detail: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct Metadata {
    #[serde(default)]
    pub(super) phone_number_id: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct ContactValue {
    #[serde(default)]
    pub(super) wa_id: Option<String>,
    #[serde(default)]
    pub(super) user_id: Option<String>,
    #[serde(default)]
    pub(super) profile: Option<Value>,
}

/// The entry of `contacts` that is the sender named by `wa_id` / `user_id`: the one that
/// matches either, else the only entry there is. Never another sender's entry: pairing a
/// message with someone else's id would merge two people.
pub(super) fn contact_of<'a>(
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
pub(super) struct MessageValue {
    pub(super) id: String,
    #[serde(default)]
    pub(super) from: Option<String>,
    #[serde(default)]
    pub(super) from_user_id: Option<String>,
    #[serde(default)]
    pub(super) timestamp: Option<Value>,
    #[serde(default, rename = "type")]
    pub(super) kind: Option<String>,
    #[serde(default)]
    pub(super) text: Option<Value>,
    #[serde(default)]
    pub(super) button: Option<Value>,
    #[serde(default)]
    pub(super) interactive: Option<Value>,
    #[serde(default)]
    pub(super) order: Option<Value>,
    #[serde(flatten)]
    pub(super) rest: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
pub(super) struct StatusValue {
    pub(super) id: String,
    pub(super) status: String,
    #[serde(default)]
    pub(super) recipient_id: Option<String>,
    #[serde(default)]
    pub(super) recipient_user_id: Option<String>,
    #[serde(default)]
    pub(super) biz_opaque_callback_data: Option<String>,
    #[serde(default)]
    pub(super) errors: Vec<GraphError>,
}

pub(super) fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

/// `"1700000000"` or `1700000000`.
pub(super) fn seconds(value: &Value) -> Option<i64> {
    match value {
        Value::String(text) => text.trim().parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// The button a message answers with: an interactive reply button's id and title, or a
/// template quick reply's payload and text.
pub(super) fn answer(message: &MessageValue) -> Option<Answer> {
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
pub(super) fn catalog_cart(order: &Value) -> Option<CatalogCart> {
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
pub(super) fn cart_text(cart: &CatalogCart) -> String {
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
pub(super) fn string_at(value: &Option<Value>, path: &[&str]) -> Option<String> {
    let mut at = value.as_ref()?;
    for key in path {
        at = at.get(key)?;
    }
    at.as_str().map(str::to_string)
}

/// The readable text of a message of any type.
pub(super) fn message_text(message: &MessageValue, kind: &str) -> String {
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
