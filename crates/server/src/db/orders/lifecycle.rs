//! An order's lifecycle steps: one step in the caller's transaction, with its stock and its
//! history line.

use super::{order_lines, parse_status, TransitionError};
use crate::db::stock::{release_stock, reserve_stock};
use chatout_core::OrderStatus;
use sqlx::AnyConnection;

/// An order that moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    /// Its row.
    pub id: i64,
    /// The status it left.
    pub from: OrderStatus,
}

/// A lifecycle step someone asks for.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    /// Where the order goes.
    pub to: OrderStatus,
    /// Who moves it: `system`, a staff username, `api:<token name>`.
    pub actor: &'a str,
    /// The carrier's page, given when fulfilling.
    pub tracking_url: Option<&'a str>,
    /// A note kept with the step.
    pub note: Option<&'a str>,
}

impl<'a> Step<'a> {
    /// `actor` moves an order to `to`, with no link and no note.
    pub fn by(actor: &'a str, to: OrderStatus) -> Self {
        Self {
            to,
            actor,
            tracking_url: None,
            note: None,
        }
    }
}

/// Inside the caller's transaction: takes `step` for order `reference`, if the lifecycle
/// allows it from where the order is now. Cancelling releases the order's stock; confirming
/// an order whose hold lapsed takes its stock again, if it is there. The tracking link and
/// the note are stored with the step. On an error the caller drops the transaction, undoing
/// what was done.
pub async fn transition(
    conn: &mut AnyConnection,
    reference: &str,
    step: &Step<'_>,
    now: i64,
) -> Result<Moved, TransitionError> {
    let to = step.to;
    let row = sqlx::query_as::<_, StepRow>(
        "SELECT id, status, stock_held FROM orders WHERE reference = $1",
    )
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(TransitionError::NotFound)?;
    let from = parse_status(row.status)?;
    if !from.can_become(to) {
        return Err(TransitionError::Illegal { from, to });
    }
    if to.holds_stock() && row.stock_held == 0 {
        let lines = order_lines(&mut *conn, row.id).await?;
        let reserved = reserve_stock(conn, &lines).await?;
        if !reserved.short.is_empty() {
            return Err(TransitionError::OutOfStock(reserved.short));
        }
        sqlx::query("UPDATE orders SET stock_held = 1 WHERE id = $1")
            .bind(row.id)
            .execute(&mut *conn)
            .await?;
    }
    // The update re-checks the status, so a concurrent move makes this one fail cleanly.
    if !move_status(conn, row.id, from, step, now).await? {
        let status: String = sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
            .bind(row.id)
            .fetch_one(&mut *conn)
            .await?;
        return Err(TransitionError::Illegal {
            from: parse_status(status)?,
            to,
        });
    }
    if let Some(url) = step.tracking_url {
        sqlx::query("UPDATE orders SET tracking_url = $1 WHERE id = $2")
            .bind(url)
            .bind(row.id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Moved { id: row.id, from })
}

/// Where an order is, for a step.
#[derive(sqlx::FromRow)]
struct StepRow {
    id: i64,
    status: String,
    stock_held: i64,
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
    // Leaving pending, an order holds its stock until it ends: the short hold is over.
    let moved = sqlx::query(
        "UPDATE orders SET status = $1, updated_at = $2, hold_until = NULL \
         WHERE id = $3 AND status = $4",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id)
    .bind(from.as_str())
    .execute(&mut *conn)
    .await?;
    if moved.rows_affected() != 1 {
        return Ok(false);
    }
    if !to.holds_stock() {
        release_stock(conn, id).await?;
    }
    record_event(conn, id, Some(from), step, now).await?;
    Ok(true)
}

/// Records a lifecycle step.
pub async fn record_event(
    conn: &mut AnyConnection,
    order_id: i64,
    from: Option<OrderStatus>,
    step: &Step<'_>,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO order_events (order_id, from_status, to_status, actor, at, note) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(order_id)
    .bind(from.map(|s| s.as_str()))
    .bind(step.to.as_str())
    .bind(step.actor)
    .bind(at)
    .bind(step.note)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
