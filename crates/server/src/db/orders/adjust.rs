//! Staff settling an order's final total: the statements `service::adjust_order` runs in
//! its transaction (reading the order and its lines, writing what changed).

use super::parse_status;
use crate::clock::UnixMillis;
use chatout_core::OrderStatus;
use sqlx::AnyConnection;

/// An order's amounts and where it is, as an adjustment starts from.
#[derive(Debug, Clone)]
pub struct AdjustableOrder {
    /// Its row id.
    pub id: i64,
    /// Where it is.
    pub status: OrderStatus,
    /// Whether it holds its stock now.
    pub stock_held: bool,
    /// ISO 4217 code.
    pub currency: String,
    /// Shipping, minor units.
    pub shipping: i64,
    /// Discount, minor units.
    pub discount: i64,
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: i64,
    status: String,
    stock_held: i64,
    currency: String,
    shipping: i64,
    discount: i64,
}

/// One of an order's lines, as an adjustment changes it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdjustableLine {
    /// Its position in the order.
    pub position: i64,
    /// The product's sku.
    pub sku: String,
    /// The product's name.
    pub name: String,
    /// Unit price, minor units.
    pub unit_price: i64,
    /// Units; 0 once it is to be removed.
    pub quantity: i64,
}

/// Order `reference`'s amounts and status, if there is one.
pub async fn adjustable(
    conn: &mut AnyConnection,
    reference: &str,
) -> Result<Option<AdjustableOrder>, sqlx::Error> {
    let row = sqlx::query_as::<_, OrderRow>(
        "SELECT id, status, stock_held, currency, shipping, discount FROM orders \
         WHERE reference = $1",
    )
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(AdjustableOrder {
            id: row.id,
            status: parse_status(row.status)?,
            stock_held: row.stock_held == 1,
            currency: row.currency,
            shipping: row.shipping,
            discount: row.discount,
        })
    })
    .transpose()
}

/// Order `order_id`'s lines, by position.
pub async fn adjustable_lines(
    conn: &mut AnyConnection,
    order_id: i64,
) -> Result<Vec<AdjustableLine>, sqlx::Error> {
    sqlx::query_as::<_, AdjustableLine>(
        "SELECT position, sku, name, unit_price, quantity FROM order_lines WHERE order_id = $1 \
         ORDER BY position",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await
}

/// Writes `lines`' quantities on order `order_id`, deleting the lines left at 0.
pub async fn write_lines(
    conn: &mut AnyConnection,
    order_id: i64,
    lines: &[AdjustableLine],
) -> Result<(), sqlx::Error> {
    for line in lines {
        if line.quantity == 0 {
            sqlx::query("DELETE FROM order_lines WHERE order_id = $1 AND position = $2")
                .bind(order_id)
                .bind(line.position)
                .execute(&mut *conn)
                .await?;
        } else {
            sqlx::query(
                "UPDATE order_lines SET quantity = $1 WHERE order_id = $2 AND position = $3",
            )
            .bind(line.quantity)
            .bind(order_id)
            .bind(line.position)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Writes order `order_id`'s amounts, minor units.
pub async fn write_amounts(
    conn: &mut AnyConnection,
    order_id: i64,
    subtotal: i64,
    shipping: i64,
    discount: i64,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE orders SET subtotal = $1, shipping = $2, discount = $3, updated_at = $4 \
         WHERE id = $5",
    )
    .bind(subtotal)
    .bind(shipping)
    .bind(discount)
    .bind(now)
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records what changed on order `order_id`, by `actor`, each as staff read it.
pub async fn record_changes(
    conn: &mut AnyConnection,
    order_id: i64,
    actor: &str,
    texts: &[String],
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    for text in texts {
        sqlx::query(
            "INSERT INTO order_changes (order_id, actor, what, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(order_id)
        .bind(actor)
        .bind(text)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
