//! Staff settling an order's final total (shipping, a discount, a line's quantity, a line
//! removed), in one transaction: the change with its stock, each step in the history with
//! who and what, `order.updated` for the shop's other systems and, only when staff ask,
//! a word to the customer (a text inside the window, else the confirmation template again).
//! An open payment page asks for the old total, so it is retired (and ended at its
//! provider); staff make a new link.

use super::notify::{guarded_facts, total_of, Cause, Shop};
use super::payments::end_replaced;
use crate::clock::now_ms;
use crate::db::messaging::{self, NewMessage};
use crate::db::orders::adjust::{
    adjust, record_changes, AdjustError, Adjusted, Adjustment, Change,
};
use crate::db::payments::retire_pages;
use crate::db::webhooks;
use crate::policy::outbox::MessageKind;
use crate::policy::webhook::EventType;
use crate::whatsapp::payload;
use crate::whatsapp::templates::Event;
use crate::whatsapp::texts::chat_texts;
use crate::AppState;
use chatout_core::{fill, Currency, Money, MoneyStyle};

/// Applies `adjustment` to order `reference` for `actor`; with `notify`, tells the customer
/// the new total (`key`, the form's own, makes a double submit one message).
pub async fn adjust_order(
    state: &AppState,
    reference: &str,
    adjustment: &Adjustment,
    actor: &str,
    notify: bool,
    key: &str,
) -> Result<Adjusted, AdjustError> {
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    let adjusted = adjust(&mut tx, reference, adjustment, now).await?;
    if adjusted.changes.is_empty() {
        return Ok(adjusted);
    }
    let currency = adjusted.totals.total.currency();
    let texts: Vec<String> = adjusted
        .changes
        .iter()
        .map(|c| describe(c, currency))
        .collect();
    record_changes(&mut tx, adjusted.id, actor, &texts, now).await?;
    // A payment page asks for the old total: it can no longer pay; staff make a new one.
    let retired = retire_pages(&mut tx, adjusted.id, now).await?;
    let urls = state.webhook_urls();
    webhooks::queue_event(&mut tx, adjusted.id, EventType::Updated, urls, now).await?;
    if notify {
        tell_customer(state, &mut tx, adjusted.id, key, now).await?;
    }
    tx.commit().await?;
    state.wake_webhooks();
    state.wake_outbox();
    end_replaced(state, retired).await;
    Ok(adjusted)
}

/// A change as the history shows it: "shipping €0.00 → €4.95".
fn describe(change: &Change, currency: Currency) -> String {
    let style = MoneyStyle::for_language("en");
    let amount = |minor: i64| {
        Money::from_minor(minor, currency)
            .map(|m| style.format(m))
            .unwrap_or_else(|_| minor.to_string())
    };
    match change {
        Change::Shipping(from, to) => format!("shipping {} → {}", amount(*from), amount(*to)),
        Change::Discount(from, to) => format!("discount {} → {}", amount(*from), amount(*to)),
        Change::Quantity(name, from, to) => format!("{name}: quantity {from} → {to}"),
        Change::Removed(name) => format!("removed {name}"),
    }
}

/// Queues the new total for the customer: a text while the window is open, else the
/// `confirmed` template again for a customer whose opt-in is active; nothing otherwise.
async fn tell_customer(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    order_id: i64,
    key: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let Some(order) = messaging::message_facts(conn, order_id).await? else {
        return Ok(());
    };
    let Some(phone) = order.customer_phone.as_deref() else {
        return Ok(());
    };
    let Some(contact) = messaging::contact_of_phone(conn, phone).await? else {
        return Ok(());
    };
    let in_window = contact
        .consent
        .may_receive(MessageKind::Reply, contact.window_until, now)
        .is_ok();
    let dedupe_key = format!("update:{key}");
    let message = if in_window {
        let total = payload::shown_amount(total_of(&order), &order.currency, &order.locale)
            .unwrap_or_default();
        let text = fill(
            chat_texts(&order.locale).updated,
            &[("reference", &order.reference), ("total", &total)],
        );
        NewMessage {
            dedupe_key,
            contact_id: contact.id,
            order_id: Some(order_id),
            kind: MessageKind::Reply,
            event: None,
            payload: payload::text(&text),
            preview: text,
            author: "system",
            failed: None,
        }
    } else {
        let Some(shop) = Shop::of(state) else {
            return Ok(());
        };
        let template = shop.templates.get(Event::Confirmed);
        let allowed = contact
            .consent
            .may_receive(MessageKind::Template, contact.window_until, now)
            .is_ok();
        let (Some(template), true) = (template, allowed) else {
            return Ok(());
        };
        let guarded =
            guarded_facts(conn, order, contact.id, template, Cause::Event, shop, now).await?;
        let Ok(facts) = guarded else {
            return Ok(()); // withheld: the update shows on the order page and in the desk
        };
        let Ok((payload, preview)) = payload::template(template, &facts) else {
            return Ok(());
        };
        NewMessage {
            dedupe_key,
            contact_id: contact.id,
            order_id: Some(order_id),
            kind: MessageKind::Template,
            event: Some(Event::Confirmed.as_str()),
            payload,
            preview,
            author: "system",
            failed: None,
        }
    };
    messaging::enqueue(conn, message, now).await?;
    Ok(())
}
