//! What the Cloud API's webhook reports, applied: a message from a contact (stored once; it
//! opens the window and may change consent, as `policy::inbound` decides; a catalog cart
//! becomes an order, a tapped button answers one; a number change renames the contact) and a
//! status report of a message the shop sent.

use super::answer::apply_answer;
use super::back_in_stock::activate_named;
use super::chat_order::place_cart;
use super::housekeeping::lapse_contact;
use crate::clock::now_ms;
use crate::db::messaging::{
    self, ConsentRecord, Contact, InboundMessage, NewMessage, Purpose, StatusReport,
};
use crate::db::{alerts, webhooks, Db};
use crate::policy::alert;
use crate::policy::consent::Consent;
use crate::policy::inbound::{on_inbound, written_by_contact, Received};
use crate::policy::link::{link, Link, LinkWarning};
use crate::policy::outbox::{MessageKind, OutboxStatus, WINDOW_CLOSED};
use crate::policy::webhook::EventType;
use crate::whatsapp::payload::{self, outbox_id_of_callback};
use crate::whatsapp::webhook::{Inbound, StatusUpdate};
use crate::AppState;
use chatout_core::OrderReference;
use sqlx::AnyConnection;

/// Records an inbound message once and applies what it changes, in one transaction: the
/// window, consent, and each order whose reference it names (linked to the contact, received
/// on WhatsApp, `order.received` told; or a warning for staff). A catalog cart is placed as
/// an order first (idempotent on the message id, so a redelivery after a crash between the
/// two finds it) and answered here; a tapped order button is applied here. Returns whether it
/// queued a message.
pub async fn record_inbound(state: &AppState, message: &Inbound) -> Result<bool, sqlx::Error> {
    let cart = match &message.cart {
        Some(cart) => Some(place_cart(state, message, cart).await?),
        None => None,
    };
    let now = now_ms();
    let pending_for = state.settings.opt_in_pending_ms();
    let mut tx = state.db.begin().await?;
    let contact = sender(&mut tx, message, now, pending_for).await?;
    // WhatsApp's own notices name nothing; a cart's lines are skus, not references; a
    // back-in-stock request names its subscription, and the product's name in it is no order.
    let written = written_by_contact(&message.kind);
    let alerts_named = match (&message.cart, written) {
        (None, true) => alert::find_in(&message.text),
        _ => Vec::new(),
    };
    let named = match (&message.cart, written) {
        (None, true) if alerts_named.is_empty() => OrderReference::find_in(&message.text),
        _ => Vec::new(),
    };
    let references: Vec<String> = named.iter().map(|(r, _)| r.as_str().to_string()).collect();
    let since = now.saturating_sub(pending_for);
    let proves = messaging::proven_by(&mut tx, &contact, &references, &alerts_named, since).await?;
    let received = Received {
        kind: &message.kind,
        text: &message.text,
        timestamp: message.timestamp,
        proves,
    };
    let locale = contact.locale.as_deref();
    let effects = on_inbound(contact.consent, contact.marketing, locale, &received, now);
    let stored = InboundMessage {
        wamid: &message.id,
        kind: &message.kind,
        body: &message.text,
        sent_at: effects.sent_at,
        refers_to: message.refers_to.as_deref(),
    };
    if !messaging::insert_inbound(&mut tx, contact.id, stored, now).await? {
        // Meta delivered it before: it changed what it changes then.
        return Ok(false);
    }
    if effects.opens_window {
        messaging::open_window(&mut tx, contact.id, effects.window_until, now).await?;
    }
    let mut told = false;
    let mut queued = false;
    if let Some(answer) = &cart {
        if let Some(order_id) = answer.order_id {
            if messaging::link_order(&mut tx, order_id, contact.id, now).await? {
                let urls = state.webhook_urls();
                webhooks::queue_event(&mut tx, order_id, EventType::Received, urls, now).await?;
                told = true;
            }
        }
        let reply = NewMessage {
            dedupe_key: format!("cart:{}", message.id),
            contact_id: contact.id,
            order_id: answer.order_id,
            kind: MessageKind::Reply,
            event: None,
            payload: payload::text(&answer.text),
            preview: answer.text.clone(),
            author: "system",
            failed: None,
        };
        messaging::enqueue(&mut tx, reply, now).await?;
        queued = true;
    }
    if let Some(tapped) = &message.answer {
        let urls = state.webhook_urls();
        let applied = apply_answer(&mut tx, &contact, &message.id, tapped, urls, now).await?;
        told |= applied.webhook;
        queued |= applied.message;
    }
    let marketing = effects
        .marketing
        .map_or(contact.marketing, |(after, _)| after);
    if activate_named(&mut tx, state, &contact, marketing, &alerts_named, now).await? {
        // Answered by the shop itself: not a conversation for staff, unless more waits.
        messaging::settle_if_only(&mut tx, contact.id, &message.id, now).await?;
        queued = true;
    }
    for (reference, dashed) in named {
        let named = messaging::named_order(&mut tx, reference.as_str()).await?;
        match link(named.map(|(_, order)| order), dashed, contact.id) {
            Link::Link => {
                let Some((order_id, _)) = named else { continue };
                if messaging::link_order(&mut tx, order_id, contact.id, now).await? {
                    let urls = state.webhook_urls();
                    webhooks::queue_event(&mut tx, order_id, EventType::Received, urls, now)
                        .await?;
                    told = true;
                } else if messaging::named_order(&mut tx, reference.as_str())
                    .await?
                    .is_some_and(|(_, order)| order.contact_id != Some(contact.id))
                {
                    // Another contact's message linked it in the meantime.
                    let warning = LinkWarning::OtherContact;
                    messaging::warn_link(
                        &mut tx,
                        contact.id,
                        &message.id,
                        reference.as_str(),
                        warning,
                        now,
                    )
                    .await?;
                }
            }
            Link::Warn(warning) => {
                let reference = reference.as_str();
                messaging::warn_link(&mut tx, contact.id, &message.id, reference, warning, now)
                    .await?;
            }
            Link::AlreadyLinked | Link::Ignore => {}
        }
    }
    let changes = [
        (Purpose::OrderUpdates, effects.consent),
        (Purpose::Marketing, effects.marketing),
    ];
    for (purpose, change) in changes {
        let Some((consent, change)) = change else {
            continue;
        };
        messaging::store_consent(&mut tx, contact.id, purpose, consent, now).await?;
        let (opted_in, source) = change.recorded();
        let record = ConsentRecord {
            purpose,
            opted_in,
            source,
            text: &message.text,
            page: None,
            order_id: None,
        };
        messaging::insert_consent_event(&mut tx, contact.id, &record, now).await?;
    }
    if let Some(text) = effects.acknowledgement {
        let ack = NewMessage {
            dedupe_key: format!("ack:{}", message.id),
            contact_id: contact.id,
            order_id: None,
            kind: MessageKind::Ack,
            event: None,
            payload: payload::text(text),
            preview: text.to_string(),
            author: "system",
            failed: None,
        };
        messaging::enqueue(&mut tx, ack, now).await?;
        queued = true;
    }
    if matches!(effects.marketing, Some((Consent::Stopped, _))) {
        let reason = "the customer replied STOP";
        alerts::end_alerts(&mut tx, contact.id, reason, now).await?;
        let reason = "the customer stopped offers";
        messaging::cancel_queued_marketing(&mut tx, contact.id, reason, now).await?;
    }
    if effects.cancel_queued {
        // Revoking cancels what was waiting: nothing more goes out.
        messaging::cancel_queued(&mut tx, contact.id, "the customer opted out (STOP)", now).await?;
    }
    tx.commit().await?;
    if told {
        state.wake_webhooks();
    }
    Ok(queued)
}

/// The message's sender: found or created, merged with another contact that turns out to be
/// the same person, renamed by a number change, with its profile as last seen and its pending
/// opt-ins lapsed when their time is up.
async fn sender(
    conn: &mut AnyConnection,
    message: &Inbound,
    now: i64,
    pending_for: i64,
) -> Result<Contact, sqlx::Error> {
    // A business-scoped id that changed names its user by the id before the change.
    let previous = message
        .identity_change
        .as_ref()
        .and_then(|c| c.previous_user_id.as_deref());
    let wa_id = message.wa_id.as_deref();
    let user_id = previous.or(message.user_id.as_deref());
    let mut contact = messaging::find_or_create_contact(conn, wa_id, user_id, now).await?;
    if let Some(change) = &message.identity_change {
        let (wa_id, user_id) = (change.wa_id.as_deref(), change.user_id.as_deref());
        contact = messaging::reidentify(conn, contact.id, wa_id, user_id, now).await?;
    }
    let (name, username) = (message.profile_name.as_deref(), message.username.as_deref());
    messaging::note_profile(conn, contact.id, name, username).await?;
    lapse_contact(conn, contact, now, pending_for).await
}

/// Applies a status report, moving its message forward only; a 131047 also closes the
/// contact's window. Returns whether an outbox row moved.
pub async fn record_status(db: &Db, update: &StatusUpdate) -> Result<bool, sqlx::Error> {
    let error_code = update.error.as_ref().map(|e| e.code);
    let status = match (update.delivery.status(), error_code) {
        (OutboxStatus::Failed, Some(code)) => OutboxStatus::of_refusal(code),
        (status, _) => status,
    };
    let report = StatusReport {
        wamid: &update.wamid,
        status,
        error_code,
        error_detail: update.error.as_ref().map(|e| e.detail.as_str()),
        outbox_id: update.callback.as_deref().and_then(outbox_id_of_callback),
    };
    let now = now_ms();
    let mut tx = db.begin().await?;
    let contact = messaging::apply_status(&mut tx, &report, now).await?;
    if let (Some(contact_id), Some(WINDOW_CLOSED)) = (contact, report.error_code) {
        messaging::close_window(&mut tx, contact_id, now).await?;
    }
    tx.commit().await?;
    Ok(contact.is_some())
}
