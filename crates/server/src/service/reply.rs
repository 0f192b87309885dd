//! Staff's messages to a customer: a free-form reply, allowed only inside the contact's
//! 24-hour window, and an approved template for one of the contact's orders, allowed only
//! with an active opt-in; never after a STOP (`policy::consent`); queued once per form.

use super::notify::{facts_for, guarded_facts, Cause, Shop};
use crate::clock::now_ms;
use crate::db::messaging::{self, NewMessage};
use crate::policy::consent::Refusal;
use crate::policy::outbox::MessageKind;
use crate::whatsapp::payload;
use crate::whatsapp::templates::Event;
use crate::AppState;

/// The longest reply the Cloud API takes, in characters.
pub const MAX_REPLY: usize = 4096;

/// Why staff could not reply.
#[derive(Debug, thiserror::Error)]
pub enum ReplyError {
    /// The order has no contact (no phone).
    #[error("this order has no WhatsApp contact")]
    NoContact,
    /// The contact said STOP.
    #[error("the customer replied STOP")]
    NoConsent,
    /// More than 24 hours since the customer last wrote.
    #[error("the customer has not written in the last 24 hours")]
    WindowClosed,
    /// Empty or too long.
    #[error("a reply has 1 to 4096 characters")]
    BadText,
    /// The shop has no such template, or the order cannot fill it.
    #[error("that template cannot be sent for this order")]
    BadTemplate,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Who a reply goes to.
#[derive(Debug, Clone, Copy)]
pub enum ReplyTo<'a> {
    /// The customer of the order with this reference (the order page).
    Order(&'a str),
    /// A contact (the inbox).
    Contact(i64),
}

/// Queues `author`'s reply `text` to `to`; `key` (the form's own) makes a double submit
/// queue it once. The conversation counts as answered from now.
#[tracing::instrument(skip_all, fields(to = ?to))]
pub async fn reply(
    state: &AppState,
    to: ReplyTo<'_>,
    author: &str,
    text: &str,
    key: &str,
) -> Result<(), ReplyError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_REPLY {
        return Err(ReplyError::BadText);
    }
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    let (order_id, contact) = match to {
        ReplyTo::Order(reference) => {
            let (order_id, contact) = messaging::order_contact(&mut tx, reference)
                .await?
                .ok_or(ReplyError::NoContact)?;
            (Some(order_id), contact)
        }
        ReplyTo::Contact(id) => {
            let contact = messaging::contact_by_id(&mut tx, id)
                .await?
                .ok_or(ReplyError::NoContact)?;
            (None, contact)
        }
    };
    match contact
        .consent
        .may_receive(MessageKind::Reply, contact.window_until, now)
    {
        Ok(()) => {}
        Err(Refusal::WindowClosed) => return Err(ReplyError::WindowClosed),
        Err(_) => return Err(ReplyError::NoConsent),
    }
    let message = NewMessage {
        dedupe_key: format!("reply:{key}"),
        contact_id: contact.id,
        order_id,
        kind: MessageKind::Reply,
        event: None,
        payload: payload::text(text),
        preview: text.to_string(),
        author,
        failed: None,
    };
    messaging::enqueue(&mut tx, message, now).await?;
    messaging::note_reply(&mut tx, contact.id, author, now).await?;
    tx.commit().await?;
    state.wake_outbox();
    Ok(())
}

/// A template staff may send for an order: `value` names it in the form, `label` shows its
/// parameters as the customer would get them.
#[derive(Debug, Clone)]
pub struct TemplateChoice {
    /// `<event>:<reference>`.
    pub value: String,
    /// "chatout_order_confirmed (nl) for K7F3-9Q2M: Anna · K7F3-9Q2M · € 15,00".
    pub label: String,
}

/// Every configured template, filled for each of `references` (a template an order cannot
/// fill is left out).
pub async fn template_choices(
    state: &AppState,
    references: &[String],
) -> Result<Vec<TemplateChoice>, sqlx::Error> {
    let Some(shop) = Shop::of(state) else {
        return Ok(Vec::new());
    };
    let templates = shop.templates;
    let mut conn = state.db.read.acquire().await?;
    let mut choices = Vec::new();
    for reference in references {
        let Some((order_id, _)) = messaging::order_contact(&mut conn, reference).await? else {
            continue;
        };
        let Some(order) = messaging::message_facts(&mut conn, order_id).await? else {
            continue;
        };
        let facts = facts_for(order, shop);
        for event in Event::ALL {
            let Some(template) = templates.get(event) else {
                continue;
            };
            if let Ok((_, preview)) = payload::template(template, &facts) {
                choices.push(TemplateChoice {
                    value: format!("{}:{reference}", event.as_str()),
                    label: format!("{preview} — for {reference}"),
                });
            }
        }
    }
    Ok(choices)
}

/// Queues `author`'s choice `value` (`<event>:<reference>`, from [`template_choices`]) to the
/// customer of that order, if their opt-in is active; `key` makes a double submit one
/// message. The conversation counts as answered from now.
#[tracing::instrument(skip_all, fields(template = %value))]
pub async fn send_template(
    state: &AppState,
    value: &str,
    author: &str,
    key: &str,
) -> Result<(), ReplyError> {
    let shop = Shop::of(state).ok_or(ReplyError::BadTemplate)?;
    let templates = shop.templates;
    let (event, reference) = value.split_once(':').ok_or(ReplyError::BadTemplate)?;
    let event = Event::ALL
        .into_iter()
        .find(|e| e.as_str() == event)
        .ok_or(ReplyError::BadTemplate)?;
    let template = templates.get(event).ok_or(ReplyError::BadTemplate)?;
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    let (order_id, contact) = messaging::order_contact(&mut tx, reference)
        .await?
        .ok_or(ReplyError::NoContact)?;
    if contact
        .consent
        .may_receive(MessageKind::Template, contact.window_until, now)
        .is_err()
    {
        return Err(ReplyError::NoConsent);
    }
    let order = messaging::message_facts(&mut tx, order_id)
        .await?
        .ok_or(ReplyError::NoContact)?;
    // Staff choose it, but the typed name still goes only where the order's message came
    // from (`policy::order_template`).
    let facts = guarded_facts(
        &mut tx,
        order,
        contact.id,
        template,
        Cause::Staff,
        shop,
        now,
    )
    .await?
    .map_err(|_| ReplyError::BadTemplate)?;
    let (payload, preview) =
        payload::template(template, &facts).map_err(|_| ReplyError::BadTemplate)?;
    let message = NewMessage {
        dedupe_key: format!("template:{key}"),
        contact_id: contact.id,
        order_id: Some(order_id),
        kind: MessageKind::Template,
        event: Some(event.as_str()),
        payload,
        preview,
        author,
        failed: None,
    };
    messaging::enqueue(&mut tx, message, now).await?;
    messaging::note_reply(&mut tx, contact.id, author, now).await?;
    tx.commit().await?;
    state.wake_outbox();
    Ok(())
}
