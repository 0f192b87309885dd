//! Staff settling an order's final total: shipping, a discount, a line's quantity, a line
//! removed (it turned out unavailable). Stock follows the lines while the order holds it;
//! the amounts follow `chatout_core::Totals`. Inside the caller's transaction.

use super::parse_status;
use crate::clock::UnixMillis;
use crate::db::stock::{give_back, reserve_stock};
use chatout_core::{Currency, Money, OrderStatus, Quantity, Totals, TotalsError, WireLine};
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

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: i64,
    status: String,
    stock_held: i64,
    currency: String,
    shipping: i64,
    discount: i64,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    position: i64,
    sku: String,
    name: String,
    unit_price: i64,
    quantity: i64,
}

/// Applies `adjustment` to order `reference`; the caller records the changes it returns.
pub async fn adjust(
    conn: &mut AnyConnection,
    reference: &str,
    adjustment: &Adjustment,
    now: UnixMillis,
) -> Result<Adjusted, AdjustError> {
    let order = sqlx::query_as::<_, OrderRow>(
        "SELECT id, status, stock_held, currency, shipping, discount FROM orders \
         WHERE reference = $1",
    )
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AdjustError::NotFound)?;
    let status = parse_status(order.status)?;
    if !matches!(status, OrderStatus::Pending | OrderStatus::Confirmed) {
        return Err(AdjustError::Closed(status));
    }
    let currency = Currency::from_code(&order.currency).map_err(TotalsError::from)?;
    let mut lines = sqlx::query_as::<_, LineRow>(
        "SELECT position, sku, name, unit_price, quantity FROM order_lines WHERE order_id = $1 \
         ORDER BY position",
    )
    .bind(order.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut changes = Vec::new();
    for &(position, quantity) in &adjustment.quantities {
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
        let more = quantity - line.quantity;
        if order.stock_held == 1 && more > 0 {
            let wanted = WireLine {
                sku: line.sku.clone(),
                name: String::new(),
                options: Default::default(),
                unit_price: 0,
                quantity: more,
            };
            let reserved = reserve_stock(conn, std::slice::from_ref(&wanted)).await?;
            if !reserved.short.is_empty() {
                return Err(AdjustError::OutOfStock(reserved.short));
            }
        } else if order.stock_held == 1 {
            give_back(conn, &line.sku, -more).await?;
        }
        changes.push(if quantity == 0 {
            Change::Removed(line.name.clone())
        } else {
            Change::Quantity(line.name.clone(), line.quantity, quantity)
        });
        line.quantity = quantity;
    }
    if lines.iter().all(|l| l.quantity == 0) {
        return Err(AdjustError::NoLines);
    }
    let mut subtotal = Money::zero(currency);
    for line in &lines {
        let unit = Money::from_minor(line.unit_price, currency).map_err(TotalsError::from)?;
        let count = u32::try_from(line.quantity).map_err(|_| AdjustError::BadLine)?;
        subtotal = subtotal
            .checked_add(unit.checked_mul(count).map_err(TotalsError::from)?)
            .map_err(TotalsError::from)?;
    }
    let shipping = adjustment.shipping.unwrap_or(order.shipping);
    let discount = adjustment.discount.unwrap_or(order.discount);
    let totals = Totals::new(
        subtotal,
        Money::from_minor(shipping, currency).map_err(TotalsError::from)?,
        Money::from_minor(discount, currency).map_err(TotalsError::from)?,
    )?;
    if shipping != order.shipping {
        changes.push(Change::Shipping(order.shipping, shipping));
    }
    if discount != order.discount {
        changes.push(Change::Discount(order.discount, discount));
    }
    if changes.is_empty() {
        return Ok(Adjusted {
            id: order.id,
            status,
            changes,
            totals,
        });
    }
    for line in &lines {
        if line.quantity == 0 {
            sqlx::query("DELETE FROM order_lines WHERE order_id = $1 AND position = $2")
                .bind(order.id)
                .bind(line.position)
                .execute(&mut *conn)
                .await?;
        } else {
            sqlx::query(
                "UPDATE order_lines SET quantity = $1 WHERE order_id = $2 AND position = $3",
            )
            .bind(line.quantity)
            .bind(order.id)
            .bind(line.position)
            .execute(&mut *conn)
            .await?;
        }
    }
    sqlx::query(
        "UPDATE orders SET subtotal = $1, shipping = $2, discount = $3, updated_at = $4 \
         WHERE id = $5",
    )
    .bind(totals.subtotal.minor_units())
    .bind(shipping)
    .bind(discount)
    .bind(now)
    .bind(order.id)
    .execute(&mut *conn)
    .await?;
    Ok(Adjusted {
        id: order.id,
        status,
        changes,
        totals,
    })
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
