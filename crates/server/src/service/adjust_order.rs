//! Staff settling an order's final total (shipping, a discount, a line's quantity, a line
//! removed), in one transaction: the change with its stock, each step in the history with
//! who and what, `order.updated` for the shop's other systems and, only when staff ask,
//! a word to the customer (a text inside the window, else the confirmation template again).
//! An open payment page asks for the old total, so it is retired (and ended at its
//! provider); staff make a new link.

use super::notify::{guarded_facts, total_of, Cause, Shop};
use super::payments::end_replaced;
use crate::clock::{now_ms, UnixMillis};
use crate::db::messaging::{self, MessageFacts, NewMessage};
use crate::db::orders::adjust::{
    adjustable, adjustable_lines, record_changes, write_amounts, write_lines, AdjustableLine,
    AdjustableOrder,
};
use crate::db::payments::retire_pages;
use crate::db::stock::{give_back, reserve_stock};
use crate::db::webhooks;
use crate::policy::outbox::MessageKind;
use crate::policy::webhook::EventType;
use crate::whatsapp::payload;
use crate::whatsapp::templates::Event;
use crate::whatsapp::texts::chat_texts;
use crate::AppState;
use chatout_core::{
    fill, Currency, Money, MoneyStyle, OrderStatus, Quantity, Totals, TotalsError, WireLine,
};
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// What staff asked to change; `None` leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct Adjustment {
    /// Shipping, minor units.
    pub shipping: Option<i64>,
    /// Discount, minor units.
    pub discount: Option<i64>,
    /// New quantities by line position; 0 removes the line.
    pub quantities: Vec<(i64, i64)>,
}

/// One change made, for the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Shipping moved.
    Shipping(i64, i64),
    /// The discount moved.
    Discount(i64, i64),
    /// A line's quantity moved: its name, before, after.
    Quantity(String, i64, i64),
    /// A line was taken out.
    Removed(String),
}

/// Why the order was not changed.
#[derive(Debug, thiserror::Error)]
pub enum AdjustError {
    /// No order has that reference.
    #[error("no such order")]
    NotFound,
    /// Paid, shipped, cancelled or expired orders keep their lines and amounts.
    #[error("an order that is {} cannot change", .0.as_str())]
    Closed(OrderStatus),
    /// More units than there are: units left per sku.
    #[error("not enough stock")]
    OutOfStock(BTreeMap<String, i64>),
    /// Every line would be gone: cancel the order instead.
    #[error("an order keeps at least one line")]
    NoLines,
    /// A quantity out of range or a line that does not exist.
    #[error("that line or quantity is not valid")]
    BadLine,
    /// The amounts do not make a total.
    #[error(transparent)]
    Totals(#[from] TotalsError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// What the change left.
#[derive(Debug, Clone)]
pub struct Adjusted {
    /// The order's row id.
    pub id: i64,
    /// Where it is.
    pub status: OrderStatus,
    /// What changed, in order (empty: nothing did).
    pub changes: Vec<Change>,
    /// Its amounts now.
    pub totals: Totals,
}

/// Applies `adjustment` to order `reference` for `actor`; with `notify`, tells the customer
/// the new total (`key`, the form's own, makes a double submit one message).
#[tracing::instrument(skip_all, fields(reference = %reference))]
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

/// Applies `adjustment` to order `reference` inside the caller's transaction. Stock follows
/// the lines while the order holds it; the amounts follow `chatout_core::Totals`.
async fn adjust(
    conn: &mut AnyConnection,
    reference: &str,
    adjustment: &Adjustment,
    now: UnixMillis,
) -> Result<Adjusted, AdjustError> {
    let order = adjustable(conn, reference)
        .await?
        .ok_or(AdjustError::NotFound)?;
    if !matches!(order.status, OrderStatus::Pending | OrderStatus::Confirmed) {
        return Err(AdjustError::Closed(order.status));
    }
    let currency = Currency::from_code(&order.currency).map_err(TotalsError::from)?;
    let mut lines = adjustable_lines(conn, order.id).await?;
    let mut changes = change_quantities(conn, &order, &mut lines, &adjustment.quantities).await?;
    if lines.iter().all(|l| l.quantity == 0) {
        return Err(AdjustError::NoLines);
    }
    let shipping = adjustment.shipping.unwrap_or(order.shipping);
    let discount = adjustment.discount.unwrap_or(order.discount);
    let totals = totals_of(&lines, currency, shipping, discount)?;
    if shipping != order.shipping {
        changes.push(Change::Shipping(order.shipping, shipping));
    }
    if discount != order.discount {
        changes.push(Change::Discount(order.discount, discount));
    }
    if !changes.is_empty() {
        write_lines(conn, order.id, &lines).await?;
        let subtotal = totals.subtotal.minor_units();
        write_amounts(conn, order.id, subtotal, shipping, discount, now).await?;
    }
    Ok(Adjusted {
        id: order.id,
        status: order.status,
        changes,
        totals,
    })
}

/// Sets the asked `quantities` (by line position) on `lines`, taking or giving back stock
/// while the order holds it; what changed, in order.
async fn change_quantities(
    conn: &mut AnyConnection,
    order: &AdjustableOrder,
    lines: &mut [AdjustableLine],
    quantities: &[(i64, i64)],
) -> Result<Vec<Change>, AdjustError> {
    let mut changes = Vec::new();
    for &(position, quantity) in quantities {
        let line = lines
            .iter_mut()
            .find(|l| l.position == position)
            .ok_or(AdjustError::BadLine)?;
        if !(0..=i64::from(Quantity::DEFAULT_MAX)).contains(&quantity) {
            return Err(AdjustError::BadLine);
        }
        if quantity == line.quantity {
            continue;
        }
        if order.stock_held {
            follow_stock(conn, &line.sku, quantity - line.quantity).await?;
        }
        changes.push(if quantity == 0 {
            Change::Removed(line.name.clone())
        } else {
            Change::Quantity(line.name.clone(), line.quantity, quantity)
        });
        line.quantity = quantity;
    }
    Ok(changes)
}

/// Takes `more` units of `sku` from stock (gives them back when negative).
async fn follow_stock(conn: &mut AnyConnection, sku: &str, more: i64) -> Result<(), AdjustError> {
    if more < 0 {
        give_back(conn, sku, -more).await?;
        return Ok(());
    }
    let wanted = WireLine {
        sku: sku.to_string(),
        name: String::new(),
        options: Default::default(),
        unit_price: 0,
        quantity: more,
    };
    let reserved = reserve_stock(conn, std::slice::from_ref(&wanted)).await?;
    if !reserved.short.is_empty() {
        return Err(AdjustError::OutOfStock(reserved.short));
    }
    Ok(())
}

/// The amounts of `lines` with `shipping` and `discount` (minor units).
fn totals_of(
    lines: &[AdjustableLine],
    currency: Currency,
    shipping: i64,
    discount: i64,
) -> Result<Totals, AdjustError> {
    let mut subtotal = Money::zero(currency);
    for line in lines {
        let unit = Money::from_minor(line.unit_price, currency).map_err(TotalsError::from)?;
        let count = u32::try_from(line.quantity).map_err(|_| AdjustError::BadLine)?;
        subtotal = subtotal
            .checked_add(unit.checked_mul(count).map_err(TotalsError::from)?)
            .map_err(TotalsError::from)?;
    }
    Ok(Totals::new(
        subtotal,
        Money::from_minor(shipping, currency).map_err(TotalsError::from)?,
        Money::from_minor(discount, currency).map_err(TotalsError::from)?,
    )?)
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
        new_total_text(&order, contact.id, order_id, dedupe_key)
    } else {
        let Some(shop) = Shop::of(state) else {
            return Ok(());
        };
        let allowed = contact
            .consent
            .may_receive(MessageKind::Template, contact.window_until, now)
            .is_ok();
        if !allowed {
            return Ok(());
        }
        let to = (contact.id, order_id, dedupe_key);
        match confirmation_again(conn, order, to, shop, now).await? {
            Some(message) => message,
            None => return Ok(()),
        }
    };
    messaging::enqueue(conn, message, now).await?;
    Ok(())
}

/// The new total as a text inside the customer's window.
fn new_total_text(
    order: &MessageFacts,
    contact_id: i64,
    order_id: i64,
    dedupe_key: String,
) -> NewMessage<'static> {
    let total =
        payload::shown_amount(total_of(order), &order.currency, &order.locale).unwrap_or_default();
    let text = fill(
        chat_texts(&order.locale).updated,
        &[("reference", &order.reference), ("total", &total)],
    );
    NewMessage {
        dedupe_key,
        contact_id,
        order_id: Some(order_id),
        kind: MessageKind::Reply,
        event: None,
        payload: payload::text(&text),
        preview: text,
        author: "system",
        failed: None,
    }
}

/// The `confirmed` template again, with the new total, to `(contact, order, dedupe key)`;
/// `None` when the shop has none or `policy::order_template` withholds it (the update shows
/// on the order page and in the desk).
async fn confirmation_again(
    conn: &mut sqlx::AnyConnection,
    order: MessageFacts,
    (contact_id, order_id, dedupe_key): (i64, i64, String),
    shop: Shop<'_>,
    now: i64,
) -> Result<Option<NewMessage<'static>>, sqlx::Error> {
    let Some(template) = shop.templates.get(Event::Confirmed) else {
        return Ok(None);
    };
    let guarded = guarded_facts(conn, order, contact_id, template, Cause::Event, shop, now).await?;
    let Ok(facts) = guarded else {
        return Ok(None);
    };
    let Ok((payload, preview)) = payload::template(template, &facts) else {
        return Ok(None);
    };
    Ok(Some(NewMessage {
        dedupe_key,
        contact_id,
        order_id: Some(order_id),
        kind: MessageKind::Template,
        event: Some(Event::Confirmed.as_str()),
        payload,
        preview,
        author: "system",
        failed: None,
    }))
}
