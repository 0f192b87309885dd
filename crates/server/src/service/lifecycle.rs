//! Taking an order's lifecycle step inside the caller's transaction: whether the lifecycle
//! allows it, the stock that follows it, and its history line.

use crate::db::orders::{
    mark_stock_held, order_lines, position, record_event, set_status_if, set_tracking_url,
    status_by_id, Moved, Step, TransitionError,
};
use crate::db::stock::{release_stock, reserve_stock};
use chatout_core::OrderStatus;
use sqlx::AnyConnection;

/// Takes `step` for order `reference`, if the lifecycle allows it from where the order is
/// now. Cancelling releases the order's stock; confirming an order whose hold lapsed takes
/// its stock again, if it is there. The tracking link and the note are stored with the
/// step. On an error the caller drops the transaction, undoing what was done.
pub async fn transition(
    conn: &mut AnyConnection,
    reference: &str,
    step: &Step<'_>,
    now: i64,
) -> Result<Moved, TransitionError> {
    let to = step.to;
    let at = position(conn, reference)
        .await?
        .ok_or(TransitionError::NotFound)?;
    let from = at.status;
    if !from.can_become(to) {
        return Err(TransitionError::Illegal { from, to });
    }
    if to.holds_stock() && !at.stock_held {
        let lines = order_lines(&mut *conn, at.id).await?;
        let reserved = reserve_stock(conn, &lines).await?;
        if !reserved.short.is_empty() {
            return Err(TransitionError::OutOfStock(reserved.short));
        }
        mark_stock_held(conn, at.id).await?;
    }
    // The update re-checks the status, so a concurrent move makes this one fail cleanly.
    if !move_status(conn, at.id, from, step, now).await? {
        let from = status_by_id(conn, at.id).await?;
        return Err(TransitionError::Illegal { from, to });
    }
    if let Some(url) = step.tracking_url {
        set_tracking_url(conn, at.id, url).await?;
    }
    Ok(Moved { id: at.id, from })
}

/// Moves one order from `from` to the step's status if it is still at `from`: releases stock
/// when the new status holds none, and records who did it and when. False when it had moved
/// on.
pub async fn move_status(
    conn: &mut AnyConnection,
    id: i64,
    from: OrderStatus,
    step: &Step<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let to = step.to;
    if !set_status_if(conn, id, from, to, now).await? {
        return Ok(false);
    }
    if !to.holds_stock() {
        release_stock(conn, id).await?;
    }
    record_event(conn, id, Some(from), step, now).await?;
    Ok(true)
}
