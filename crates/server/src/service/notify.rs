//! Queueing an order event's WhatsApp template, inside the transaction of the change that
//! caused it: the customer's consent is checked here, the message is built by
//! `whatsapp::payload`, and a parameter the order cannot fill queues a visible failure.

use crate::clock::UnixMillis;
use crate::db::messaging::{self, NewMessage};
use crate::policy::outbox::MessageKind;
use crate::whatsapp::payload::{self, OrderFacts};
use crate::whatsapp::templates::{Event, Templates};
use serde_json::Value;
use sqlx::AnyConnection;

/// Queues `event`'s template for order `order_id`, once, if the shop has one for it and the
/// customer may receive it now.
pub async fn queue_event(
    conn: &mut AnyConnection,
    order_id: i64,
    event: Event,
    templates: &Templates,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    let Some(template) = templates.get(event) else {
        return Ok(());
    };
    let Some(order) = messaging::message_facts(conn, order_id).await? else {
        return Ok(());
    };
    let Some(phone) = order.customer_phone.as_deref() else {
        return Ok(());
    };
    let Some(contact) = messaging::contact_of_phone(conn, phone).await? else {
        return Ok(());
    };
    if contact
        .consent
        .may_receive(MessageKind::Template, contact.window_until, now)
        .is_err()
    {
        return Ok(());
    }
    let facts = OrderFacts {
        reference: order.reference,
        name: order.customer_name,
        currency: order.currency,
        subtotal: order.subtotal,
        locale: order.locale,
        tracking_url: order.tracking_url,
    };
    let (payload, preview, failed) = match payload::template(template, &facts) {
        Ok((payload, preview)) => (payload, preview, None),
        Err(problem) => (
            Value::Null,
            format!("template {}", template.name),
            Some(problem),
        ),
    };
    let message = NewMessage {
        dedupe_key: format!("order:{order_id}:{}", event.as_str()),
        contact_id: contact.id,
        order_id: Some(order_id),
        kind: MessageKind::Template,
        event: Some(event.as_str()),
        payload,
        preview,
        author: "system",
        failed,
    };
    messaging::enqueue(conn, message, now).await?;
    Ok(())
}
