//! Stock use cases, each in its own transaction: the catalog file applied at start, a count
//! set by staff or the integration API, and the holds nobody confirmed given back.

use crate::clock::now_ms;
use crate::db::stock::{
    applied_count, level_of, record_applied_count, release_stock, set_stock, StockLevel,
};
use crate::db::Db;
use chatout_core::Catalog;

/// The most units a stock count may be, from the desk or the integration API.
pub const MAX_STOCK: i64 = 1_000_000_000;

/// Brings the stock table in line with the catalog where the catalog changed: a sku
/// whose count in the file differs from the one applied last time gets the file's count
/// (a changed count moves availability by the difference, so reserved and sold units stay
/// counted); a sku whose count did not change keeps what the API set since.
#[tracing::instrument(skip_all)]
pub async fn sync_stock(db: &Db, catalog: &Catalog) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    let now = now_ms();
    for product in &catalog.products {
        let sku = product.sku.as_str();
        let count = product.stock.map(i64::from);
        if applied_count(&mut tx, sku).await? == Some(count) {
            continue;
        }
        set_stock(&mut tx, sku, count, "catalog", now).await?;
        record_applied_count(&mut tx, sku, count).await?;
    }
    tx.commit().await
}

/// Sets the counted stock of `sku` (`None` = unlimited) for `actor`, as the catalog
/// does, in a transaction of its own; returns the new level.
#[tracing::instrument(skip_all, fields(sku = %sku))]
pub async fn update_stock(
    db: &Db,
    sku: &str,
    stock: Option<i64>,
    actor: &str,
) -> Result<StockLevel, sqlx::Error> {
    let mut tx = db.begin().await?;
    set_stock(&mut tx, sku, stock, actor, now_ms()).await?;
    let level = level_of(&mut tx, sku).await?;
    tx.commit().await?;
    Ok(level)
}

/// Gives back the stock of pending orders whose hold lapsed with nobody confirming them;
/// they stay pending until they expire, and confirming takes the stock again if it is
/// still there. Returns how many orders gave stock back.
#[tracing::instrument(skip_all)]
pub async fn release_lapsed_holds(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let mut released = 0;
    for id in db.lapsed_holds(now).await? {
        let mut tx = db.begin().await?;
        if release_stock(&mut tx, id).await? {
            released += 1;
        }
        tx.commit().await?;
    }
    Ok(released)
}
