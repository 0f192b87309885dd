//! Staff's free-form reply to a customer: allowed only inside the contact's 24-hour window
//! and never after a STOP (`policy::consent`), queued once per form.

use crate::clock::now_ms;
use crate::db::messaging::{self, NewMessage};
use crate::policy::consent::Refusal;
use crate::policy::outbox::MessageKind;
use crate::whatsapp::payload;
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
