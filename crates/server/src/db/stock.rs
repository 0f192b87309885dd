//! Stock: what the catalog says, what orders hold, and the short hold of orders nobody has
//! confirmed (CHATOUT_STOCK_HOLD), with the per-address cap (CHATOUT_HOLD_LIMIT).

use super::Db;
use chatout_core::{Catalog, OrderStatus, WireLine};
use sqlx::any::AnyQueryResult;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

impl Db {
    /// Brings the stock table in line with the catalog: new skus start at their catalog
    /// count; a changed count moves availability by the difference, so reserved and sold
    /// units stay counted.
    pub async fn sync_stock(&self, catalog: &Catalog) -> Result<(), sqlx::Error> {
        let mut tx = self.write.begin().await?;
        for product in &catalog.products {
            let Some(stock) = product.stock else {
                sqlx::query("DELETE FROM stock WHERE sku = $1")
                    .bind(product.sku.as_str())
                    .execute(&mut *tx)
                    .await?;
                continue;
            };
            let stock = i64::from(stock);
            let updated: AnyQueryResult = sqlx::query(
                "UPDATE stock SET available = available + ($1 - catalog_stock), catalog_stock = $1 \
                 WHERE sku = $2",
            )
            .bind(stock)
            .bind(product.sku.as_str())
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                sqlx::query(
                    "INSERT INTO stock (sku, catalog_stock, available) VALUES ($1, $2, $2)",
                )
                .bind(product.sku.as_str())
                .bind(stock)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await
    }

    /// Gives back the stock of pending orders whose hold lapsed with nobody confirming them;
    /// they stay pending until they expire, and confirming takes the stock again if it is
    /// still there. Returns how many orders gave stock back.
    pub async fn release_lapsed_holds(&self, now: i64) -> Result<u64, sqlx::Error> {
        let due: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM orders WHERE status = $1 AND stock_held = 1 AND hold_until <= $2",
        )
        .bind(OrderStatus::Pending.as_str())
        .bind(now)
        .fetch_all(&self.read)
        .await?;
        let mut released = 0;
        for id in due {
            let mut tx = self.write.begin().await?;
            if release_stock(&mut tx, id).await? {
                released += 1;
            }
            tx.commit().await?;
        }
        Ok(released)
    }

    /// Units still available of a sku; `None` when it is unlimited.
    pub async fn available(&self, sku: &str) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT available FROM stock WHERE sku = $1")
            .bind(sku)
            .fetch_optional(&self.read)
            .await
    }
}

/// What taking an order's units from stock did.
pub(super) struct Reserved {
    /// Skus without enough units: the units available.
    pub(super) short: BTreeMap<String, i64>,
    /// Units taken from limited stock (unlimited products hold nothing).
    pub(super) held: i64,
}

/// Takes `lines`' units from stock where there are enough; the caller rolls back when any
/// sku is short.
pub(super) async fn reserve_stock(
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
pub(super) async fn held_by(
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
pub(super) async fn release_stock(
    conn: &mut AnyConnection,
    order_id: i64,
) -> Result<bool, sqlx::Error> {
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
        sqlx::query("UPDATE stock SET available = available + $1 WHERE sku = $2")
            .bind(line.try_get::<i64, _>("quantity")?)
            .bind(line.try_get::<String, _>("sku")?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(true)
}
