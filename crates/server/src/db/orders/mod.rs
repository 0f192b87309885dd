//! Orders in the database: the statements that store a pending order, read one back for an
//! idempotent replay, move it along its lifecycle and find the forgotten ones. The
//! transactions around them are the use cases' (`service/`).

pub mod adjust;
pub mod document;
mod insert;
mod lifecycle;

pub use insert::{insert_lines, insert_order, record_marketing, reference_exists, NewOrder, OptIn};
pub use lifecycle::{
    mark_stock_held, position, record_event, set_status_if, set_tracking_url, status_by_id, Moved,
    Position, Step,
};

use super::Db;
use crate::clock::now_ms;
use chatout_core::{OptionsObject, OrderStatus, WireLine};
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// An order as the API answers with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOrder {
    /// Database id.
    pub id: i64,
    /// Reference.
    pub reference: String,
    /// Lifecycle status.
    pub status: OrderStatus,
    /// Hash of the request that created it.
    pub request_hash: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Sum of the lines.
    pub subtotal: i64,
    /// Priced lines.
    pub lines: Vec<WireLine>,
    /// The message to send.
    pub message: String,
    /// Its wa.me link.
    pub whatsapp_url: String,
    /// When it expires (ms).
    pub expires_at: i64,
}

/// Why a status change was refused.
#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    /// No order has that reference.
    #[error("no such order")]
    NotFound,
    /// The order's hold lapsed and its units are no longer all available: units left per sku.
    #[error("not enough stock left to confirm")]
    OutOfStock(BTreeMap<String, i64>),
    /// The lifecycle does not allow it (or the order moved on meanwhile).
    #[error("an order that is {} cannot become {}", from.as_str(), to.as_str())]
    Illegal {
        /// Where the order is.
        from: OrderStatus,
        /// Where it was asked to go.
        to: OrderStatus,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl Db {
    /// The order created with this idempotency key, if any.
    pub async fn order_by_key(&self, key: &str) -> Result<Option<StoredOrder>, sqlx::Error> {
        let mut conn = self.read.acquire().await?;
        load(&mut conn, By::IdempotencyKey, key).await
    }

    /// Pending orders past their time, to expire.
    pub async fn due_to_expire(&self, now: i64) -> Result<Vec<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT id FROM orders WHERE status = $1 AND expires_at <= $2")
            .bind(OrderStatus::Pending.as_str())
            .bind(now)
            .fetch_all(&self.read)
            .await
    }

    /// Sets who responds to an order (`None` clears it).
    pub async fn assign(&self, reference: &str, staff: Option<&str>) -> Result<bool, sqlx::Error> {
        let done =
            sqlx::query("UPDATE orders SET assigned_to = $1, updated_at = $2 WHERE reference = $3")
                .bind(staff)
                .bind(now_ms())
                .bind(reference)
                .execute(&self.write)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The status of an order by reference.
    pub async fn status_of(&self, reference: &str) -> Result<Option<OrderStatus>, sqlx::Error> {
        let mut conn = self.read.acquire().await?;
        Ok(load(&mut conn, By::Reference, reference)
            .await?
            .map(|o| o.status))
    }
}

/// Reads a stored status name.
pub(crate) fn parse_status(text: String) -> Result<OrderStatus, sqlx::Error> {
    OrderStatus::parse(&text).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: "status".into(),
        source: format!("unknown status '{text}'").into(),
    })
}

/// How an order is looked up.
#[derive(Clone, Copy)]
enum By {
    Reference,
    IdempotencyKey,
}

/// The columns [`load`] reads, by name.
#[derive(sqlx::FromRow)]
struct StoredRow {
    id: i64,
    reference: String,
    status: String,
    request_hash: String,
    currency: String,
    subtotal: i64,
    message: String,
    whatsapp_url: String,
    expires_at: i64,
}

/// One order with its lines.
async fn load(
    conn: &mut AnyConnection,
    by: By,
    value: &str,
) -> Result<Option<StoredOrder>, sqlx::Error> {
    const COLUMNS: &str = "SELECT id, reference, status, request_hash, currency, subtotal, \
                           message, whatsapp_url, expires_at FROM orders";
    let sql = match by {
        By::Reference => format!("{COLUMNS} WHERE reference = $1"),
        By::IdempotencyKey => format!("{COLUMNS} WHERE idempotency_key = $1"),
    };
    let Some(row) = sqlx::query_as::<_, StoredRow>(&sql)
        .bind(value)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let lines = order_lines(&mut *conn, row.id).await?;
    Ok(Some(StoredOrder {
        id: row.id,
        reference: row.reference,
        status: parse_status(row.status)?,
        request_hash: row.request_hash,
        currency: row.currency,
        subtotal: row.subtotal,
        lines,
        message: row.message,
        whatsapp_url: row.whatsapp_url,
        expires_at: row.expires_at,
    }))
}

/// An order line's columns, by name.
#[derive(sqlx::FromRow)]
struct LineRow {
    sku: String,
    name: String,
    options: String,
    unit_price: i64,
    quantity: i64,
}

/// An order's lines, in the order the shopper added them.
pub(crate) async fn order_lines<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    order_id: i64,
) -> Result<Vec<WireLine>, sqlx::Error> {
    sqlx::query_as::<_, LineRow>(
        "SELECT sku, name, options, unit_price, quantity FROM order_lines WHERE order_id = $1 \
         ORDER BY position",
    )
    .bind(order_id)
    .fetch_all(executor)
    .await?
    .into_iter()
    .map(|line| {
        Ok(WireLine {
            options: decode_options(&line.options)?,
            sku: line.sku,
            name: line.name,
            unit_price: line.unit_price,
            quantity: line.quantity,
        })
    })
    .collect()
}

/// A line's stored options. They are written by this server; ones that no longer read are a
/// corrupt row.
pub(super) fn decode_options(text: &str) -> Result<OptionsObject, sqlx::Error> {
    serde_json::from_str::<OptionsObject>(text).map_err(|e| sqlx::Error::ColumnDecode {
        index: "options".into(),
        source: Box::new(e),
    })
}
