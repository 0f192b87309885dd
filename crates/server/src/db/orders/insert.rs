//! Storing a pending order: the row and its lines, statements run in the caller's
//! transaction (`service::store_pending` decides and holds the transaction).

use super::StoredOrder;
use crate::clock::rfc3339;
use chatout_core::{OrderStatus, WireCustomer, WireDelivery, WireLine};
use sqlx::AnyConnection;

/// A pending order ready to be stored (already priced and validated).
#[derive(Debug, Clone)]
pub struct NewOrder {
    /// The reference the shopper sees.
    pub reference: String,
    /// The client's `Idempotency-Key`.
    pub idempotency_key: String,
    /// Hash of the request body, to tell a replay from a reused key.
    pub request_hash: String,
    /// Unguessable per-order token.
    pub access_token: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Sum of the lines, minor units.
    pub subtotal: i64,
    /// Shopper's locale.
    pub locale: String,
    /// Page the order was placed on.
    pub page: String,
    /// Who orders.
    pub customer: WireCustomer,
    /// How the goods travel.
    pub delivery: WireDelivery,
    /// Payment preference id.
    pub payment: String,
    /// Shopper's note.
    pub note: Option<String>,
    /// The opt-in to order updates, if the box was ticked.
    pub consent: Option<OptIn>,
    /// The opt-in to offers and news, if its own box was ticked.
    pub marketing: Option<OptIn>,
    /// The client address that placed it (what the hold cap counts by).
    pub client_addr: String,
    /// Until when the order holds its stock if nobody confirms it (ms).
    pub hold_until: i64,
    /// The message the shopper sends.
    pub message: String,
    /// Its wa.me link.
    pub whatsapp_url: String,
    /// Priced lines.
    pub lines: Vec<WireLine>,
    /// When it expires (ms).
    pub expires_at: i64,
}

/// The shopper's opt-in to order updates on WhatsApp.
#[derive(Debug, Clone)]
pub struct OptIn {
    /// The checkbox text the shopper saw.
    pub text: String,
    /// The time the shopper's browser gave, if it was RFC 3339 (kept beside the stored
    /// consent time, which is the server's own, taken when the order is stored).
    pub client_at: Option<String>,
}

impl NewOrder {
    /// The order as the API answers with it, once stored as row `id`.
    pub fn stored(&self, id: i64) -> StoredOrder {
        StoredOrder {
            id,
            reference: self.reference.clone(),
            status: OrderStatus::Pending,
            request_hash: self.request_hash.clone(),
            currency: self.currency.clone(),
            subtotal: self.subtotal,
            lines: self.lines.clone(),
            message: self.message.clone(),
            whatsapp_url: self.whatsapp_url.clone(),
            expires_at: self.expires_at,
        }
    }
}

/// Inserts the order's row as pending and returns its id. A repeated key or a taken
/// reference is refused by the unique indexes (a unique violation the caller tells apart).
pub async fn insert_order(
    conn: &mut AnyConnection,
    order: &NewOrder,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO orders (reference, idempotency_key, request_hash, access_token, status, \
         currency, subtotal, locale, page, customer_name, customer_phone, customer_email, \
         delivery_method, delivery_address, payment, note, consent_text, consent_at, message, \
         whatsapp_url, created_at, updated_at, expires_at, consent_client_at, client_addr, \
         hold_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19, $20, $21, $21, $22, $23, $24, $25) RETURNING id",
    )
    .bind(&order.reference)
    .bind(&order.idempotency_key)
    .bind(&order.request_hash)
    .bind(&order.access_token)
    .bind(OrderStatus::Pending.as_str())
    .bind(&order.currency)
    .bind(order.subtotal)
    .bind(&order.locale)
    .bind(&order.page)
    .bind(&order.customer.name)
    .bind(&order.customer.phone)
    .bind(&order.customer.email)
    .bind(&order.delivery.method)
    .bind(&order.delivery.address)
    .bind(&order.payment)
    .bind(&order.note)
    .bind(order.consent.as_ref().map(|c| c.text.as_str()))
    .bind(order.consent.as_ref().map(|_| rfc3339(now)))
    .bind(&order.message)
    .bind(&order.whatsapp_url)
    .bind(now)
    .bind(order.expires_at)
    .bind(order.consent.as_ref().and_then(|c| c.client_at.as_deref()))
    .bind(&order.client_addr)
    .bind(order.hold_until)
    .fetch_one(&mut *conn)
    .await
}

/// Inserts order `order_id`'s lines, in the order the shopper added them.
pub async fn insert_lines(
    conn: &mut AnyConnection,
    order_id: i64,
    lines: &[WireLine],
) -> Result<(), sqlx::Error> {
    for (position, line) in lines.iter().enumerate() {
        let options = serde_json::to_string(&line.options).unwrap_or_else(|_| "{}".into());
        sqlx::query(
            "INSERT INTO order_lines (order_id, position, sku, name, options, unit_price, \
             quantity) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(order_id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(&line.sku)
        .bind(&line.name)
        .bind(options)
        .bind(line.unit_price)
        .bind(line.quantity)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Keeps the offers-and-news opt-in text on order `order_id`, given at `now`.
pub async fn record_marketing(
    conn: &mut AnyConnection,
    order_id: i64,
    text: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET marketing_text = $1, marketing_at = $2 WHERE id = $3")
        .bind(text)
        .bind(rfc3339(now))
        .bind(order_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether an order has this reference.
pub async fn reference_exists<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    reference: &str,
) -> Result<bool, sqlx::Error> {
    let taken = sqlx::query("SELECT 1 FROM orders WHERE reference = $1")
        .bind(reference)
        .fetch_optional(executor)
        .await?;
    Ok(taken.is_some())
}
