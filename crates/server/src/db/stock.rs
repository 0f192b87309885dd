//! Stock: what the catalog says, what orders hold, and the short hold of orders nobody has
//! confirmed (CHATOUT_STOCK_HOLD), with the per-address cap (CHATOUT_HOLD_LIMIT). Statements
//! in the caller's transaction; `service::stock` holds the transactions.

use super::Db;
use crate::clock::now_ms;
use crate::policy::alert::{is_restock, AlertStatus};
use chatout_core::{OrderStatus, WireLine};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

impl Db {
    /// Every sku with limited stock: its counted stock and what is available of it.
    pub async fn stock_levels(&self) -> Result<BTreeMap<String, StockLevel>, sqlx::Error> {
        let rows = sqlx::query_as::<_, LevelRow>("SELECT sku, catalog_stock, available FROM stock")
            .fetch_all(&self.read)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let level = StockLevel {
                    stock: Some(r.catalog_stock),
                    available: Some(r.available.max(0)),
                };
                (r.sku, level)
            })
            .collect())
    }

    /// Pending orders still holding stock whose hold lapsed by `now`.
    pub async fn lapsed_holds(&self, now: i64) -> Result<Vec<i64>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT id FROM orders WHERE status = $1 AND stock_held = 1 AND hold_until <= $2",
        )
        .bind(OrderStatus::Pending.as_str())
        .bind(now)
        .fetch_all(&self.read)
        .await
    }

    /// Units still available of a sku; `None` when it is unlimited.
    pub async fn available(&self, sku: &str) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT available FROM stock WHERE sku = $1")
            .bind(sku)
            .fetch_optional(&self.read)
            .await
    }
}

/// Units still available of a sku inside a transaction; `None` when it is unlimited.
pub async fn available_in(conn: &mut AnyConnection, sku: &str) -> Result<Option<i64>, sqlx::Error> {
    let available: Option<i64> = sqlx::query_scalar("SELECT available FROM stock WHERE sku = $1")
        .bind(sku)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(available.map(|n| n.max(0)))
}

/// The count of `sku` the catalog file gave when it was applied last: `None` when it never
/// was, `Some(None)` when it was unlimited.
pub async fn applied_count(
    conn: &mut AnyConnection,
    sku: &str,
) -> Result<Option<Option<i64>>, sqlx::Error> {
    sqlx::query_scalar("SELECT count FROM catalog_counts WHERE sku = $1")
        .bind(sku)
        .fetch_optional(&mut *conn)
        .await
}

/// Remembers `count` as the catalog file's count of `sku`, applied.
pub async fn record_applied_count(
    conn: &mut AnyConnection,
    sku: &str,
    count: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO catalog_counts (sku, count) VALUES ($1, $2) \
         ON CONFLICT (sku) DO UPDATE SET count = excluded.count",
    )
    .bind(sku)
    .bind(count)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A sku's stock: `None` for both when it is unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StockLevel {
    /// The units the shop counted (what the catalog or the API set).
    pub stock: Option<i64>,
    /// What is left to order: the count less what orders hold or took.
    pub available: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct LevelRow {
    sku: String,
    catalog_stock: i64,
    available: i64,
}

/// The stock of one sku.
pub async fn level_of(conn: &mut AnyConnection, sku: &str) -> Result<StockLevel, sqlx::Error> {
    let row = sqlx::query_as::<_, LevelRow>(
        "SELECT sku, catalog_stock, available FROM stock WHERE sku = $1",
    )
    .bind(sku)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map_or_else(StockLevel::default, |r| StockLevel {
        stock: Some(r.catalog_stock),
        available: Some(r.available.max(0)),
    }))
}

/// Sets the counted stock of `sku` to `stock` (`None` = unlimited) and records the change:
/// availability moves by the difference, so units held by orders stay held.
pub async fn set_stock(
    conn: &mut AnyConnection,
    sku: &str,
    stock: Option<i64>,
    actor: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let level = level_of(conn, sku).await?;
    let before = level.stock;
    if before == stock {
        return Ok(());
    }
    match (before, stock) {
        (_, None) => {
            sqlx::query("DELETE FROM stock WHERE sku = $1")
                .bind(sku)
                .execute(&mut *conn)
                .await?;
        }
        (None, Some(count)) => {
            sqlx::query("INSERT INTO stock (sku, catalog_stock, available) VALUES ($1, $2, $2)")
                .bind(sku)
                .bind(count)
                .execute(&mut *conn)
                .await?;
        }
        (Some(_), Some(count)) => {
            sqlx::query(
                "UPDATE stock SET available = available + ($1 - catalog_stock), \
                 catalog_stock = $1 WHERE sku = $2",
            )
            .bind(count)
            .bind(sku)
            .execute(&mut *conn)
            .await?;
        }
    }
    sqlx::query(
        "INSERT INTO stock_changes (sku, stock_before, stock_after, actor, at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(sku)
    .bind(before)
    .bind(stock)
    .bind(actor)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let after = level_of(conn, sku).await?.available;
    note_restock(conn, sku, level.available, after, actor, now).await
}

/// Records a restock when `sku`'s availability went from nothing (`before`) to something
/// (`after`; `None` = unlimited) and someone waits for it: the alerts job reads it.
async fn note_restock(
    conn: &mut AnyConnection,
    sku: &str,
    before: Option<i64>,
    after: Option<i64>,
    actor: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    if !is_restock(before, after) {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO restocks (sku, units, actor, at) SELECT $1, $2, $3, $4 \
         WHERE EXISTS (SELECT 1 FROM stock_alerts WHERE sku = $1 AND status = $5)",
    )
    .bind(sku)
    .bind(after)
    .bind(actor)
    .bind(now)
    .bind(AlertStatus::Active.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What taking an order's units from stock did.
pub struct Reserved {
    /// Skus without enough units: the units available.
    pub short: BTreeMap<String, i64>,
    /// Units taken from limited stock (unlimited products hold nothing).
    pub held: i64,
}

/// Takes `lines`' units from stock where there are enough; the caller rolls back when any
/// sku is short.
pub async fn reserve_stock(
    conn: &mut AnyConnection,
    lines: &[WireLine],
) -> Result<Reserved, sqlx::Error> {
    let mut wanted: BTreeMap<&str, i64> = BTreeMap::new();
    for line in lines {
        *wanted.entry(line.sku.as_str()).or_default() += line.quantity;
    }
    let mut reserved = Reserved {
        short: BTreeMap::new(),
        held: 0,
    };
    for (sku, quantity) in &wanted {
        let taken = sqlx::query(
            "UPDATE stock SET available = available - $1 WHERE sku = $2 AND available >= $1",
        )
        .bind(*quantity)
        .bind(*sku)
        .execute(&mut *conn)
        .await?;
        if taken.rows_affected() == 1 {
            reserved.held += quantity;
            continue;
        }
        let available: Option<i64> =
            sqlx::query_scalar("SELECT available FROM stock WHERE sku = $1")
                .bind(*sku)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some(available) = available {
            reserved.short.insert(sku.to_string(), available.max(0));
        }
    }
    Ok(reserved)
}

/// Units of limited stock that `client_addr` holds in pending orders nobody has confirmed,
/// and when the first of those holds lapses (ms).
pub async fn held_by(
    conn: &mut AnyConnection,
    client_addr: &str,
) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) AS units, \
         CAST(COALESCE(MIN(o.hold_until), 0) AS BIGINT) AS first_lapse FROM orders o \
         JOIN order_lines l ON l.order_id = o.id JOIN stock s ON s.sku = l.sku \
         WHERE o.client_addr = $1 AND o.status = $2 AND o.stock_held = 1 \
         AND o.hold_until IS NOT NULL",
    )
    .bind(client_addr)
    .bind(OrderStatus::Pending.as_str())
    .fetch_one(&mut *conn)
    .await?;
    Ok((row.try_get("units")?, row.try_get("first_lapse")?))
}

/// Returns an order's units to stock, once: false when they were given back already.
pub async fn release_stock(conn: &mut AnyConnection, order_id: i64) -> Result<bool, sqlx::Error> {
    let held = sqlx::query("UPDATE orders SET stock_held = 0 WHERE id = $1 AND stock_held = 1")
        .bind(order_id)
        .execute(&mut *conn)
        .await?;
    if held.rows_affected() != 1 {
        return Ok(false);
    }
    let lines = sqlx::query("SELECT sku, quantity FROM order_lines WHERE order_id = $1")
        .bind(order_id)
        .fetch_all(&mut *conn)
        .await?;
    for line in lines {
        let sku: String = line.try_get("sku")?;
        give_back(conn, &sku, line.try_get("quantity")?).await?;
    }
    Ok(true)
}

/// Returns `units` of `sku` to stock (nothing for unlimited products); a sold-out sku that
/// comes back this way is a restock.
pub async fn give_back(conn: &mut AnyConnection, sku: &str, units: i64) -> Result<(), sqlx::Error> {
    let after: Option<i64> = sqlx::query_scalar(
        "UPDATE stock SET available = available + $1 WHERE sku = $2 RETURNING available",
    )
    .bind(units)
    .bind(sku)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(after) = after {
        let before = after.saturating_sub(units);
        note_restock(conn, sku, Some(before), Some(after), "order", now_ms()).await?;
    }
    Ok(())
}
