//! An order's lifecycle in the database: where an order is, its status moved, its history
//! line; statements in the caller's transaction (`service::lifecycle` decides the step).

use super::parse_status;
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

/// Where an order is, as a step starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Its row.
    pub id: i64,
    /// Its status.
    pub status: OrderStatus,
    /// Whether it holds its stock now.
    pub stock_held: bool,
}

/// Where order `reference` is, if there is one.
pub async fn position(
    conn: &mut AnyConnection,
    reference: &str,
) -> Result<Option<Position>, sqlx::Error> {
    let row = sqlx::query_as::<_, StepRow>(
        "SELECT id, status, stock_held FROM orders WHERE reference = $1",
    )
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(Position {
            id: row.id,
            status: parse_status(row.status)?,
            stock_held: row.stock_held == 1,
        })
    })
    .transpose()
}

/// Where an order is, for a step.
#[derive(sqlx::FromRow)]
struct StepRow {
    id: i64,
    status: String,
    stock_held: i64,
}

/// The status of order `id` now.
pub async fn status_by_id(conn: &mut AnyConnection, id: i64) -> Result<OrderStatus, sqlx::Error> {
    let status: String = sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    parse_status(status)
}

/// Notes that order `id` holds its stock again.
pub async fn mark_stock_held(conn: &mut AnyConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET stock_held = 1 WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Keeps the carrier's page of order `id`.
pub async fn set_tracking_url(
    conn: &mut AnyConnection,
    id: i64,
    url: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET tracking_url = $1 WHERE id = $2")
        .bind(url)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Sets order `id` to `to` if it is still at `from`; false when it had moved on. Leaving
/// pending, an order holds its stock until it ends: the short hold is over.
pub async fn set_status_if(
    conn: &mut AnyConnection,
    id: i64,
    from: OrderStatus,
    to: OrderStatus,
    now: i64,
) -> Result<bool, sqlx::Error> {
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
    Ok(moved.rows_affected() == 1)
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
