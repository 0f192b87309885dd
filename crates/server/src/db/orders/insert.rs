//! Storing a pending order: the row, its lines, its first history step, its stock
//! reservation and the checkout opt-in, in one transaction.

use super::{record_event, InsertError, Inserted, Step, StoredOrder};
use crate::clock::{now_ms, rfc3339};
use crate::db::messaging::{checkout_opt_in, Purpose};
use crate::db::stock::{held_by, reserve_stock};
use crate::db::webhooks::queue_event;
use crate::db::{is_unique_violation, Db};
use crate::policy::webhook::EventType;
use chatout_core::{OrderStatus, WireCustomer, WireDelivery, WireLine};

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

impl Db {
    /// Stores a pending order and reserves its stock, atomically, with its `order.created`
    /// event for `webhooks`. One client address may hold at most `hold_limit` units (0 = any
    /// number) in orders nobody has confirmed.
    pub async fn insert_pending(
        &self,
        order: &NewOrder,
        hold_limit: u32,
        webhooks: &[String],
    ) -> Result<Inserted, InsertError> {
        // The write path is SQLite's one writer, so it runs as few statements as it can: a
        // repeated key or a taken reference is caught by the unique indexes, and told apart
        // only then.
        let mut tx = self.write.begin().await?;
        let reserved = reserve_stock(&mut tx, &order.lines).await?;
        if !reserved.short.is_empty() {
            tx.rollback().await?;
            let refusal = InsertError::OutOfStock(reserved.short);
            return self
                .refused_unless_stored(&order.idempotency_key, refusal)
                .await;
        }
        if hold_limit > 0 && reserved.held > 0 {
            let (held, until) = held_by(&mut tx, &order.client_addr).await?;
            if held + reserved.held > i64::from(hold_limit) {
                tx.rollback().await?;
                let refusal = InsertError::HoldLimit { held, until };
                return self
                    .refused_unless_stored(&order.idempotency_key, refusal)
                    .await;
            }
        }
        let now = now_ms();
        let inserted: Result<i64, _> = sqlx::query_scalar(
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
        .fetch_one(&mut *tx)
        .await;
        let id: i64 = match inserted {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => {
                // The same key committed first (a retry or a concurrent twin), or the
                // reference is taken.
                tx.rollback().await?;
                if let Some(existing) = self.order_by_key(&order.idempotency_key).await? {
                    return Ok(Inserted::Existing(existing));
                }
                let taken = sqlx::query("SELECT 1 FROM orders WHERE reference = $1")
                    .bind(&order.reference)
                    .fetch_optional(&self.read)
                    .await?;
                return Err(match taken {
                    Some(_) => InsertError::ReferenceTaken,
                    None => e.into(),
                });
            }
            Err(e) => return Err(e.into()),
        };
        for (position, line) in order.lines.iter().enumerate() {
            let options = serde_json::to_string(&line.options).unwrap_or_else(|_| "{}".into());
            sqlx::query(
                "INSERT INTO order_lines (order_id, position, sku, name, options, unit_price, \
                 quantity) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(&line.sku)
            .bind(&line.name)
            .bind(options)
            .bind(line.unit_price)
            .bind(line.quantity)
            .execute(&mut *tx)
            .await?;
        }
        let step = Step::by("shopper", OrderStatus::Pending);
        record_event(&mut tx, id, None, &step, now).await?;
        queue_event(&mut tx, id, EventType::Created, webhooks, now).await?;
        if let (Some(consent), Some(phone)) = (&order.consent, &order.customer.phone) {
            checkout_opt_in(
                &mut tx,
                phone,
                id,
                Purpose::OrderUpdates,
                &consent.text,
                &order.page,
                &order.locale,
                now,
            )
            .await?;
        }
        if let (Some(marketing), Some(phone)) = (&order.marketing, &order.customer.phone) {
            sqlx::query("UPDATE orders SET marketing_text = $1, marketing_at = $2 WHERE id = $3")
                .bind(&marketing.text)
                .bind(rfc3339(now))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            checkout_opt_in(
                &mut tx,
                phone,
                id,
                Purpose::Marketing,
                &marketing.text,
                &order.page,
                &order.locale,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Inserted::Created(StoredOrder {
            id,
            reference: order.reference.clone(),
            status: OrderStatus::Pending,
            request_hash: order.request_hash.clone(),
            currency: order.currency.clone(),
            subtotal: order.subtotal,
            lines: order.lines.clone(),
            message: order.message.clone(),
            whatsapp_url: order.whatsapp_url.clone(),
            expires_at: order.expires_at,
        }))
    }

    /// `refusal`, unless a concurrent retry with the same key stored the order first (it took
    /// the last units, or the address's last holds): then that order.
    async fn refused_unless_stored(
        &self,
        key: &str,
        refusal: InsertError,
    ) -> Result<Inserted, InsertError> {
        match self.order_by_key(key).await? {
            Some(existing) => Ok(Inserted::Existing(existing)),
            None => Err(refusal),
        }
    }
}
