//! What a message of a type without text carries, kept readable for staff: a reaction's emoji,
//! a location's name, address and coordinates, a shared contact's name and phone, an edit's
//! new text, a deletion, WhatsApp's own notices (a number change) and what it could not show.
//! Everything here reads a stranger's JSON: every field may be missing or of another type.

use serde_json::Value;

/// What a message carries beyond its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Content {
    /// How it reads in the conversation.
    pub text: String,
    /// The message a reaction, an edit or a deletion is about (`wamid.…`).
    pub refers_to: Option<String>,
    /// A `system` notice that the user's phone number or business-scoped id changed.
    pub change: Option<IdentityChange>,
}

/// The identifiers a user has after a `system` notice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityChange {
    /// The new phone (`system.wa_id`, formerly `new_wa_id`).
    pub wa_id: Option<String>,
    /// The new business-scoped user id.
    pub user_id: Option<String>,
    /// The business-scoped user id before the change (`system.previous_user_id`): who it was.
    pub previous_user_id: Option<String>,
}

/// The content of a message of type `kind` whose part (the object under the type's name) is
/// `part`; `errors` is the message's `errors` array. `None` for the types read elsewhere.
pub fn content(kind: &str, part: Option<&Value>, errors: Option<&Value>) -> Option<Content> {
    let text_at = |path: &[&str]| string_at(part, path);
    let content = match kind {
        "reaction" => Content {
            text: match text_at(&["emoji"]) {
                Some(emoji) => format!("[reaction] {emoji}"),
                None => "[reaction removed]".into(),
            },
            refers_to: text_at(&["message_id"]),
            change: None,
        },
        "location" => Content {
            text: location(part),
            ..Content::default()
        },
        "contacts" => Content {
            text: format!("[contacts] {}", shared_contacts(part)),
            ..Content::default()
        },
        "edit" => edit(part),
        "revoke" => Content {
            text: "[deleted] the customer deleted a message".into(),
            refers_to: text_at(&["original_message_id"]),
            change: None,
        },
        "system" => system(part),
        "unsupported" => {
            let first = errors.and_then(|e| e.get(0));
            let why = string_at(first, &["error_data", "details"])
                .or_else(|| string_at(first, &["title"]))
                .or_else(|| text_at(&["type"]).map(|t| format!("a {t} message")));
            Content {
                text: format!("[unsupported] {}", why.unwrap_or_default()),
                ..Content::default()
            }
        }
        _ => return None,
    };
    Some(Content {
        text: content.text.trim().chars().take(4096).collect(),
        refers_to: content.refers_to.map(|id| id.chars().take(200).collect()),
        change: content.change,
    })
}

/// `[location] Name, Address (lat, lon) url`, with what the part has of it.
fn location(part: Option<&Value>) -> String {
    let text_at = |path: &[&str]| string_at(part, path);
    let place: Vec<String> = [text_at(&["name"]), text_at(&["address"])]
        .into_iter()
        .flatten()
        .collect();
    let mut text = format!("[location] {}", place.join(", "));
    if let (Some(lat), Some(lon)) = (number_at(part, "latitude"), number_at(part, "longitude")) {
        text = format!("{} ({lat}, {lon})", text.trim_end());
    }
    if let Some(url) = text_at(&["url"]) {
        text = format!("{text} {url}");
    }
    text
}

/// An edited message: its new text, and the message it replaces.
fn edit(part: Option<&Value>) -> Content {
    let edited = part.and_then(|p| p.get("message"));
    let new_text = string_at(edited, &["text", "body"]).or_else(|| {
        let kind = string_at(edited, &["type"])?;
        string_at(edited, &[kind.as_str(), "caption"])
    });
    Content {
        text: format!("[edited] {}", new_text.unwrap_or_default()),
        refers_to: string_at(part, &["original_message_id"]),
        change: None,
    }
}

/// A `system` notice, with the user's new phone or id when they changed number.
fn system(part: Option<&Value>) -> Content {
    let what = string_at(part, &["type"]).unwrap_or_default();
    let changed = matches!(
        what.as_str(),
        "user_changed_number" | "customer_changed_number" | "user_changed_user_id"
    );
    let change = IdentityChange {
        wa_id: identifier(part, "wa_id").or_else(|| identifier(part, "new_wa_id")),
        user_id: identifier(part, "user_id"),
        previous_user_id: identifier(part, "previous_user_id"),
    };
    Content {
        text: string_at(part, &["body"]).unwrap_or_else(|| format!("[system] {what}")),
        refers_to: None,
        change: (changed && (change.wa_id.is_some() || change.user_id.is_some())).then_some(change),
    }
}

/// `Barbara Johnson +1 (940) 555-1234; …` for a `contacts` message's cards.
fn shared_contacts(part: Option<&Value>) -> String {
    let Some(cards) = part.and_then(Value::as_array) else {
        return String::new();
    };
    cards
        .iter()
        .take(20)
        .map(|card| {
            let card = Some(card);
            let name = string_at(card, &["name", "formatted_name"]).unwrap_or_default();
            let phones: Vec<String> = card
                .and_then(|c| c.get("phones"))
                .and_then(Value::as_array)
                .map(|phones| {
                    phones
                        .iter()
                        .take(5)
                        .filter_map(|p| {
                            let phone = Some(p);
                            string_at(phone, &["phone"]).or_else(|| string_at(phone, &["wa_id"]))
                        })
                        .collect()
                })
                .unwrap_or_default();
            format!("{name} {}", phones.join(", ")).trim().to_string()
        })
        .filter(|card| !card.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The non-empty string at `path`, cut to a sane length.
fn string_at(value: Option<&Value>, path: &[&str]) -> Option<String> {
    let mut at = value?;
    for key in path {
        at = at.get(key)?;
    }
    at.as_str()
        .map(|s| s.trim().chars().take(1000).collect::<String>())
        .filter(|s| !s.is_empty())
}

/// A coordinate as sent (a JSON number, or a string of one).
fn number_at(value: Option<&Value>, key: &str) -> Option<String> {
    match value?.get(key)? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => s.trim().parse::<f64>().ok().map(|_| s.trim().to_string()),
        _ => None,
    }
    .map(|n| n.chars().take(40).collect())
}

/// A phone or user id, given as a string or (older payloads) a number.
fn identifier(value: Option<&Value>, key: &str) -> Option<String> {
    match value?.get(key)? {
        Value::String(s) => Some(s.trim().chars().take(200).collect::<String>()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn of(kind: &str, part: Value) -> Content {
        content(kind, Some(&part), None).unwrap()
    }

    #[test]
    fn reactions_keep_the_emoji_and_the_message() {
        let liked = of(
            "reaction",
            json!({"message_id": "wamid.X", "emoji": "\u{1F44D}"}),
        );
        assert_eq!(liked.text, "[reaction] \u{1F44D}");
        assert_eq!(liked.refers_to.as_deref(), Some("wamid.X"));
        // Meta sends a removed reaction without its emoji.
        assert_eq!(
            of("reaction", json!({"message_id": "wamid.X"})).text,
            "[reaction removed]"
        );
    }

    #[test]
    fn locations_and_shared_contacts_keep_what_they_say() {
        let place = of(
            "location",
            json!({"latitude": 52.3676, "longitude": "4.9041", "name": "Zeegras Home",
                   "address": "Keizersgracht 1"}),
        );
        assert_eq!(
            place.text,
            "[location] Zeegras Home, Keizersgracht 1 (52.3676, 4.9041)"
        );
        let pin = of("location", json!({"latitude": 1, "longitude": {"x": 1}}));
        assert_eq!(pin.text, "[location]");
        let cards = of(
            "contacts",
            json!([{"name": {"formatted_name": "Barbara Johnson"},
                    "phones": [{"phone": "+1 (940) 555-1234", "type": "HOME"}, {"wa_id": "1940"}]},
                   {"name": "not an object"}]),
        );
        assert_eq!(
            cards.text,
            "[contacts] Barbara Johnson +1 (940) 555-1234, 1940"
        );
    }

    #[test]
    fn edits_and_deletions_name_their_message() {
        let edit = of(
            "edit",
            json!({"original_message_id": "wamid.O",
                   "message": {"type": "text", "text": {"body": "size M please"}}}),
        );
        assert_eq!(edit.text, "[edited] size M please");
        assert_eq!(edit.refers_to.as_deref(), Some("wamid.O"));
        let caption = of(
            "edit",
            json!({"message": {"type": "image", "image": {"caption": "the stain"}}}),
        );
        assert_eq!(caption.text, "[edited] the stain");
        let gone = of("revoke", json!({"original_message_id": "wamid.O"}));
        assert!(gone.text.starts_with("[deleted]"));
        assert_eq!(gone.refers_to.as_deref(), Some("wamid.O"));
    }

    #[test]
    fn a_number_change_names_the_new_number() {
        let changed = of(
            "system",
            json!({"body": "User A changed from 1 to 2", "wa_id": "2",
                   "type": "user_changed_number"}),
        );
        assert_eq!(changed.text, "User A changed from 1 to 2");
        let change = changed.change.unwrap();
        assert_eq!((change.wa_id.as_deref(), change.user_id), (Some("2"), None));
        let old = of(
            "system",
            json!({"new_wa_id": 3, "type": "customer_changed_number"}),
        );
        assert_eq!(old.change.unwrap().wa_id.as_deref(), Some("3"));
        let renamed = of(
            "system",
            json!({"type": "user_changed_user_id", "user_id": "US.2",
                   "previous_user_id": "US.1"}),
        );
        let change = renamed.change.unwrap();
        assert_eq!(change.user_id.as_deref(), Some("US.2"));
        assert_eq!(change.previous_user_id.as_deref(), Some("US.1"));
        let other = of("system", json!({"type": "customer_identity_changed"}));
        assert_eq!(other.change, None);
    }

    #[test]
    fn unsupported_says_why() {
        let errors = json!([{"code": 131051, "title": "Message type unknown",
                             "error_data": {"details": "Message type is currently not supported."}}]);
        let unsupported = content("unsupported", None, Some(&errors)).unwrap();
        assert_eq!(
            unsupported.text,
            "[unsupported] Message type is currently not supported."
        );
        assert_eq!(content("text", None, None), None);
    }
}
