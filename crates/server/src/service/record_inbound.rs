//! What the Cloud API's webhook reports, applied: a message from a contact (stored once; it
//! opens the window and may change consent, as `policy::inbound` decides; a catalog cart
//! becomes an order, a tapped button answers one; a number change renames the contact) and a
//! status report of a message the shop sent.

use super::answer::apply_answer;
use super::back_in_stock::activate_named;
use super::chat_order::{place_cart, CartAnswer};
use super::housekeeping::lapse_contact;
use crate::clock::now_ms;
use crate::db::messaging::{
    self, ConsentRecord, Contact, InboundMessage, NewMessage, Purpose, StatusReport,
};
use crate::db::{alerts, webhooks, Db};
use crate::policy::alert;
use crate::policy::consent::Consent;
use crate::policy::inbound::{on_inbound, written_by_contact, InboundEffects, Received};
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
#[tracing::instrument(skip_all, fields(wamid = %message.id, contact = tracing::field::Empty))]
pub async fn record_inbound(state: &AppState, message: &Inbound) -> Result<bool, sqlx::Error> {
    let cart = match &message.cart {
        Some(cart) => Some(place_cart(state, message, cart).await?),
        None => None,
    };
    let now = now_ms();
    let pending_for = state.settings.opt_in_pending_ms();
    let urls = state.webhook_urls();
    let mut tx = state.db.begin().await?;
    let contact = sender(&mut tx, message, now, pending_for).await?;
    tracing::Span::current().record("contact", contact.id);
    let named = Named::in_message(message);
    let since = now.saturating_sub(pending_for);
    let proves =
        messaging::proven_by(&mut tx, &contact, &named.references(), &named.alerts, since).await?;
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
    let mut done = Done::default();
    if let Some(answer) = &cart {
        done.told |= answer_cart(&mut tx, message, &contact, answer, urls, now).await?;
        done.queued = true;
    }
    if let Some(tapped) = &message.answer {
        let applied = apply_answer(&mut tx, &contact, &message.id, tapped, urls, now).await?;
        done.told |= applied.webhook;
        done.queued |= applied.message;
    }
    let marketing = effects
        .marketing
        .map_or(contact.marketing, |(after, _)| after);
    if activate_named(&mut tx, state, &contact, marketing, &named.alerts, now).await? {
        // Answered by the shop itself: not a conversation for staff, unless more waits.
        messaging::settle_if_only(&mut tx, contact.id, &message.id, now).await?;
        done.queued = true;
    }
    done.told |= link_named(&mut tx, message, &contact, named.orders, urls, now).await?;
    done.queued |= apply_consent(&mut tx, message, &contact, &effects, now).await?;
    tx.commit().await?;
    if done.told {
        state.wake_webhooks();
    }
    Ok(done.queued)
}

/// What recording a message did beyond storing it.
#[derive(Default)]
struct Done {
    /// An order event was queued for the shop's webhooks.
    told: bool,
    /// A message was queued for the contact.
    queued: bool,
}

/// The references a message names: `ALERT-…` codes of back-in-stock requests, or else
/// order references (with whether they were written with their dash).
struct Named {
    alerts: Vec<String>,
    orders: Vec<(OrderReference, bool)>,
}

impl Named {
    /// WhatsApp's own notices name nothing; a cart's lines are skus, not references; a
    /// back-in-stock request names its subscription, and the product's name in it is no order.
    fn in_message(message: &Inbound) -> Self {
        let written = written_by_contact(&message.kind);
        let alerts = match (&message.cart, written) {
            (None, true) => alert::find_in(&message.text),
            _ => Vec::new(),
        };
        let orders = match (&message.cart, written) {
            (None, true) if alerts.is_empty() => OrderReference::find_in(&message.text),
            _ => Vec::new(),
        };
        Self { alerts, orders }
    }

    /// The order references, as text.
    fn references(&self) -> Vec<String> {
        self.orders
            .iter()
            .map(|(r, _)| r.as_str().to_string())
            .collect()
    }
}

/// Links the order a catalog cart became to the contact (telling the shop's webhooks it was
/// received) and queues the cart's answer; returns whether a webhook event was queued.
async fn answer_cart(
    conn: &mut AnyConnection,
    message: &Inbound,
    contact: &Contact,
    answer: &CartAnswer,
    urls: &[String],
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut told = false;
    if let Some(order_id) = answer.order_id {
        if messaging::link_order(conn, order_id, contact.id, now).await? {
            webhooks::queue_event(conn, order_id, EventType::Received, urls, now).await?;
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
    messaging::enqueue(conn, reply, now).await?;
    Ok(told)
}

/// Links each order the message names to the contact as `policy::link` decides (telling the
/// shop's webhooks it was received), or leaves staff a warning; returns whether a webhook
/// event was queued.
async fn link_named(
    conn: &mut AnyConnection,
    message: &Inbound,
    contact: &Contact,
    named: Vec<(OrderReference, bool)>,
    urls: &[String],
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut told = false;
    for (reference, dashed) in named {
        let reference = reference.as_str();
        let order = messaging::named_order(conn, reference).await?;
        let warning = match link(order.map(|(_, order)| order), dashed, contact.id) {
            Link::Link => {
                let Some((order_id, _)) = order else { continue };
                if messaging::link_order(conn, order_id, contact.id, now).await? {
                    webhooks::queue_event(conn, order_id, EventType::Received, urls, now).await?;
                    told = true;
                    continue;
                }
                // Another contact's message linked it in the meantime.
                let linked = messaging::named_order(conn, reference).await?;
                let by_other =
                    linked.is_some_and(|(_, order)| order.contact_id != Some(contact.id));
                if !by_other {
                    continue;
                }
                LinkWarning::OtherContact
            }
            Link::Warn(warning) => warning,
            Link::AlreadyLinked | Link::Ignore => continue,
        };
        messaging::warn_link(conn, contact.id, &message.id, reference, warning, now).await?;
    }
    Ok(told)
}

/// Applies the consent changes `policy::inbound` decided: stored with a line of history
/// each, a keyword acknowledged, offers and queued messages ended by a STOP. Returns whether
/// it queued a message.
async fn apply_consent(
    conn: &mut AnyConnection,
    message: &Inbound,
    contact: &Contact,
    effects: &InboundEffects,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let changes = [
        (Purpose::OrderUpdates, effects.consent),
        (Purpose::Marketing, effects.marketing),
    ];
    for (purpose, change) in changes {
        let Some((consent, change)) = change else {
            continue;
        };
        messaging::store_consent(conn, contact.id, purpose, consent, now).await?;
        let (opted_in, source) = change.recorded();
        let record = ConsentRecord {
            purpose,
            opted_in,
            source,
            text: &message.text,
            page: None,
            order_id: None,
        };
        messaging::insert_consent_event(conn, contact.id, &record, now).await?;
    }
    let mut queued = false;
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
        messaging::enqueue(conn, ack, now).await?;
        queued = true;
    }
    if matches!(effects.marketing, Some((Consent::Stopped, _))) {
        let reason = "the customer replied STOP";
        alerts::end_alerts(conn, contact.id, reason, now).await?;
        let reason = "the customer stopped offers";
        messaging::cancel_queued_marketing(conn, contact.id, reason, now).await?;
    }
    if effects.cancel_queued {
        // Revoking cancels what was waiting: nothing more goes out.
        messaging::cancel_queued(conn, contact.id, "the customer opted out (STOP)", now).await?;
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
#[tracing::instrument(skip_all, fields(wamid = %update.wamid))]
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
