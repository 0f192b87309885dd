//! Storing a pending order, for the web checkout and a WhatsApp cart alike: in one
//! transaction its stock is taken, the per-address hold cap applied, the row, its lines and
//! first history step written, `order.created` queued for the webhooks and the checkout
//! opt-ins recorded. Or nothing is, and the caller learns why.

use super::opt_in::{web_opt_in, WebOptIn};
use crate::clock::now_ms;
use crate::db::messaging::{wa_id_of_phone, Purpose};
use crate::db::orders::{self, NewOrder, Step, StoredOrder};
use crate::db::stock::{held_by, reserve_stock};
use crate::db::webhooks::queue_event;
use crate::db::{is_unique_violation, Db, Tx};
use crate::policy::consent::ConsentSource;
use crate::policy::webhook::EventType;
use chatout_core::OrderStatus;
use std::collections::BTreeMap;

/// Why an order was not stored.
#[derive(Debug, thiserror::Error)]
pub enum InsertError {
    /// Not enough stock: the units still available per sku.
    #[error("not enough stock")]
    OutOfStock(BTreeMap<String, i64>),
    /// The reference is taken by another order (pick another).
    #[error("reference taken")]
    ReferenceTaken,
    /// The client address already holds the most units it may in unconfirmed orders.
    #[error("this address holds {held} units in unconfirmed orders already")]
    HoldLimit {
        /// Units it holds now.
        held: i64,
        /// When its first hold lapses (ms).
        until: i64,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// What happened to an insert.
#[derive(Debug)]
pub enum Inserted {
    /// A new order.
    Created(StoredOrder),
    /// The key already had an order (a concurrent retry won the race).
    Existing(StoredOrder),
}

/// Stores a pending order and reserves its stock, atomically, with its `order.created`
/// event for `webhooks`. One client address may hold at most `hold_limit` units (0 = any
/// number) in orders nobody has confirmed.
#[tracing::instrument(skip_all, fields(reference = %order.reference))]
pub async fn store_pending(
    db: &Db,
    order: &NewOrder,
    hold_limit: u32,
    webhooks: &[String],
) -> Result<Inserted, InsertError> {
    // The write path is SQLite's one writer, so it runs as few statements as it can: a
    // repeated key or a taken reference is caught by the unique indexes, and told apart
    // only then.
    let mut tx = db.begin().await?;
    if let Some(refusal) = hold_stock(&mut tx, order, hold_limit).await? {
        tx.rollback().await?;
        return refused_unless_stored(db, &order.idempotency_key, refusal).await;
    }
    let now = now_ms();
    let id = match orders::insert_order(&mut tx, order, now).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            tx.rollback().await?;
            return already_stored(db, order, e).await;
        }
        Err(e) => return Err(e.into()),
    };
    record_pending(&mut tx, id, order, webhooks, now).await?;
    tx.commit().await?;
    Ok(Inserted::Created(order.stored(id)))
}

/// Takes the order's units from stock, unless a sku is short or the client address would
/// hold more than `hold_limit` units: then why not (the caller rolls back).
async fn hold_stock(
    tx: &mut Tx,
    order: &NewOrder,
    hold_limit: u32,
) -> Result<Option<InsertError>, sqlx::Error> {
    let reserved = reserve_stock(tx, &order.lines).await?;
    if !reserved.short.is_empty() {
        return Ok(Some(InsertError::OutOfStock(reserved.short)));
    }
    if hold_limit == 0 || reserved.held == 0 {
        return Ok(None);
    }
    let (held, until) = held_by(tx, &order.client_addr).await?;
    Ok(over_hold_limit(held, reserved.held, hold_limit)
        .then_some(InsertError::HoldLimit { held, until }))
}

/// Whether an address holding `held` units may not take `more`, under a cap of `limit`.
fn over_hold_limit(held: i64, more: i64, limit: u32) -> bool {
    held + more > i64::from(limit)
}

/// Writes what comes with a new pending order `id`: its lines, its first history step,
/// `order.created` for the webhooks, and the opt-ins the shopper ticked.
async fn record_pending(
    tx: &mut Tx,
    id: i64,
    order: &NewOrder,
    webhooks: &[String],
    now: i64,
) -> Result<(), sqlx::Error> {
    orders::insert_lines(tx, id, &order.lines).await?;
    let step = Step::by("shopper", OrderStatus::Pending);
    orders::record_event(tx, id, None, &step, now).await?;
    queue_event(tx, id, EventType::Created, webhooks, now).await?;
    let Some(phone) = &order.customer.phone else {
        return Ok(());
    };
    // A phone without digits has no contact to hold an opt-in.
    let wa_id = wa_id_of_phone(phone);
    let opt_in = |purpose, text| WebOptIn {
        wa_id: &wa_id,
        purpose,
        source: ConsentSource::Checkout,
        text,
        page: &order.page,
        locale: &order.locale,
        order_id: Some(id),
    };
    if let Some(consent) = order.consent.as_ref().filter(|_| !wa_id.is_empty()) {
        web_opt_in(tx, &opt_in(Purpose::OrderUpdates, &consent.text), now).await?;
    }
    if let Some(marketing) = &order.marketing {
        orders::record_marketing(tx, id, &marketing.text, now).await?;
        if !wa_id.is_empty() {
            web_opt_in(tx, &opt_in(Purpose::Marketing, &marketing.text), now).await?;
        }
    }
    Ok(())
}

/// A unique index refused the order (`e`): the same key committed first (a retry or a
/// concurrent twin), or the reference is taken.
async fn already_stored(
    db: &Db,
    order: &NewOrder,
    e: sqlx::Error,
) -> Result<Inserted, InsertError> {
    if let Some(existing) = db.order_by_key(&order.idempotency_key).await? {
        return Ok(Inserted::Existing(existing));
    }
    Err(
        match orders::reference_exists(&db.read, &order.reference).await? {
            true => InsertError::ReferenceTaken,
            false => e.into(),
        },
    )
}

/// `refusal`, unless a concurrent retry with the same key stored the order first (it took
/// the last units, or the address's last holds): then that order.
async fn refused_unless_stored(
    db: &Db,
    key: &str,
    refusal: InsertError,
) -> Result<Inserted, InsertError> {
    match db.order_by_key(key).await? {
        Some(existing) => Ok(Inserted::Existing(existing)),
        None => Err(refusal),
    }
}

#[cfg(test)]
mod tests {
    use super::over_hold_limit;

    #[test]
    fn the_hold_cap_lets_an_address_reach_it_but_not_pass_it() {
        assert!(!over_hold_limit(3, 2, 5));
        assert!(over_hold_limit(3, 3, 5));
        assert!(over_hold_limit(0, 6, 5));
    }
}
