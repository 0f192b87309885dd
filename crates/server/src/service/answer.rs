//! A customer's tap on an order's button, applied inside the transaction that records the
//! message: "Cancel order" cancels (stock given back, the customer the actor, acknowledged
//! in the chat), "Yes, confirm" is recorded; a tap the order is past, or on another number's
//! order, changes nothing and is shown to staff (`policy::answer` decides).

use crate::clock::UnixMillis;
use crate::db::messaging::{self, wa_id_of_phone, Contact, NewAnswer, NewMessage};
use crate::db::orders::{Step, TransitionError};
use crate::db::webhooks;
use crate::policy::answer::{decide, parse_payload, Outcome};
use crate::policy::outbox::MessageKind;
use crate::policy::webhook::EventType;
use crate::whatsapp::payload;
use crate::whatsapp::texts::chat_texts;
use crate::whatsapp::webhook::Answer;
use chatout_core::{fill, OrderStatus};
use sqlx::AnyConnection;

/// What applying an answer set off, for the caller to wake.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// An order event was queued for the shop's webhooks.
    pub webhook: bool,
    /// A message was queued for the customer.
    pub message: bool,
}

/// Applies `answer`, carried by message `wamid` of `contact`. A button that is not one of the
/// shop's order buttons is only a message.
pub async fn apply_answer(
    conn: &mut AnyConnection,
    contact: &Contact,
    wamid: &str,
    answer: &Answer,
    webhook_urls: &[String],
    now: UnixMillis,
) -> Result<Applied, sqlx::Error> {
    let mut applied = Applied::default();
    let Some((reference, action)) = parse_payload(&answer.payload) else {
        return Ok(applied);
    };
    let Some(order) = messaging::answered_order(conn, reference.as_str()).await? else {
        return Ok(applied);
    };
    let phone_matches = match (&order.customer_phone, &contact.wa_id) {
        (Some(phone), Some(wa_id)) => wa_id_of_phone(phone) == *wa_id,
        _ => false,
    };
    let theirs = order.contact_id == Some(contact.id) || phone_matches;
    let mut outcome = if theirs {
        decide(order.status, action)
    } else {
        Outcome::NotTheirs
    };
    if outcome == Outcome::Cancelled {
        let note = format!("the customer tapped “{}” on WhatsApp", answer.title);
        let step = Step {
            note: Some(&note),
            ..Step::by("customer", OrderStatus::Cancelled)
        };
        match super::lifecycle::transition(conn, reference.as_str(), &step, now).await {
            Ok(moved) => {
                webhooks::queue_event(conn, moved.id, EventType::Cancelled, webhook_urls, now)
                    .await?;
                applied.webhook = !webhook_urls.is_empty();
                // The cancel's acknowledgement takes the place of the `cancelled` template
                // (same key): the customer asked, the chat is open.
                let text = fill(
                    chat_texts(&order.locale).cancelled,
                    &[("reference", reference.as_str())],
                );
                let ack = NewMessage {
                    dedupe_key: format!("order:{}:cancelled", order.id),
                    contact_id: contact.id,
                    order_id: Some(order.id),
                    kind: MessageKind::Reply,
                    event: Some("cancelled"),
                    payload: payload::text(&text),
                    preview: text.clone(),
                    author: "system",
                    failed: None,
                };
                messaging::enqueue(conn, ack, now).await?;
                applied.message = true;
            }
            // Moved on since it was read (staff were quicker): past the point now.
            Err(TransitionError::Illegal { .. }) => outcome = Outcome::TooLate,
            Err(TransitionError::Db(e)) => return Err(e),
            Err(TransitionError::NotFound | TransitionError::OutOfStock(_)) => {
                outcome = Outcome::TooLate
            }
        }
    }
    let stored = NewAnswer {
        order_id: order.id,
        contact_id: contact.id,
        wamid,
        action,
        title: &answer.title,
        outcome,
    };
    messaging::insert_answer(conn, stored, now).await?;
    Ok(applied)
}
