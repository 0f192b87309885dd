//! The outbox: every message is a row, queued in the transaction that decided it, sent by the
//! worker, settled by the API's answer or a status report.

use super::super::Db;
use super::contacts::{consent_of_row, marketing_of_row, Contact};
use super::kind_of_row;
use crate::clock::now_ms;
use crate::policy::outbox::{MessageKind, OutboxStatus};
use chatout_core::OrderStatus;
use serde_json::Value;
use sqlx::{AnyConnection, Row};

/// A message the worker may send now.
#[derive(Debug, Clone)]
pub struct DueMessage {
    /// Outbox row.
    pub id: i64,
    /// What it is.
    pub kind: MessageKind,
    /// The request body without its recipient; `None` when the stored body no longer reads
    /// (a corrupt row: the worker fails it visibly instead of sending something else).
    pub payload: Option<Value>,
    /// Who it goes to.
    pub contact: Contact,
    /// Attempts so far (before this one).
    pub attempts: i64,
}

/// A message to queue, decided by a use case.
pub struct NewMessage<'a> {
    /// What makes it once only (`order:42:confirmed`, `ack:wamid.…`, `reply:<random>`).
    pub dedupe_key: String,
    /// Who it goes to.
    pub contact_id: i64,
    /// The order it is about.
    pub order_id: Option<i64>,
    /// What it is.
    pub kind: MessageKind,
    /// The order event it tells of.
    pub event: Option<&'a str>,
    /// The Cloud API request body, without its recipient (`null` for a decided failure).
    pub payload: Value,
    /// The line the desk shows for it.
    pub preview: String,
    /// `system` or the staff member.
    pub author: &'a str,
    /// A message that can be decided as failed at once (a missing parameter).
    pub failed: Option<String>,
}

/// Queues a message unless its dedupe key is taken; returns the new row's id.
pub async fn enqueue(
    conn: &mut AnyConnection,
    message: NewMessage<'_>,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let status = if message.failed.is_some() {
        OutboxStatus::Failed
    } else {
        OutboxStatus::Queued
    };
    let row = sqlx::query(
        "INSERT INTO outbox (dedupe_key, contact_id, order_id, kind, event, payload, preview, \
         author, status, next_attempt_at, error_detail, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $10) \
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(message.dedupe_key)
    .bind(message.contact_id)
    .bind(message.order_id)
    .bind(message.kind.as_str())
    .bind(message.event)
    .bind(message.payload.to_string())
    .bind(message.preview)
    .bind(message.author)
    .bind(status.as_str())
    .bind(now)
    .bind(message.failed)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| r.try_get("id")).transpose()
}

/// What an order's messages are filled from, and the phone they go to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageFacts {
    /// Reference.
    pub reference: String,
    /// Customer name.
    pub customer_name: String,
    /// The phone given at checkout.
    pub customer_phone: Option<String>,
    /// ISO 4217 code.
    pub currency: String,
    /// Sum of the lines, minor units.
    pub subtotal: i64,
    /// Shipping staff set, minor units.
    pub shipping: i64,
    /// Discount staff set, minor units.
    pub discount: i64,
    /// The shopper's locale.
    pub locale: String,
    /// The carrier's page, once shipped.
    pub tracking_url: Option<String>,
    /// The order's current payment page, while it is open.
    pub payment_url: Option<String>,
    /// The payment preference.
    pub payment: String,
    /// The token of the shopper's order page.
    pub access_token: String,
    /// The contact whose message for this order arrived (or whose chat made it).
    pub contact_id: Option<i64>,
    /// When this order's own message arrived on WhatsApp.
    pub received_at: Option<i64>,
}

/// [`MessageFacts`] of order `order_id`.
pub async fn message_facts(
    conn: &mut AnyConnection,
    order_id: i64,
) -> Result<Option<MessageFacts>, sqlx::Error> {
    sqlx::query_as(
        "SELECT reference, customer_name, customer_phone, currency, subtotal, shipping, \
         discount, locale, tracking_url, payment, access_token, contact_id, received_at, \
         (SELECT p.url FROM payments p \
         WHERE p.order_id = orders.id AND p.is_current = 1 AND p.status = 'open' \
         ORDER BY p.id DESC LIMIT 1) AS payment_url FROM orders WHERE id = $1",
    )
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await
}

/// Marketing messages a contact got (or has queued) since `since` (ms): what the frequency
/// cap counts.
pub async fn marketing_since(
    conn: &mut AnyConnection,
    contact_id: i64,
    since: i64,
) -> Result<i64, sqlx::Error> {
    counted_since(conn, contact_id, MessageKind::Marketing, "", since).await
}

/// Order templates (about an order, sent by the system) contact `contact_id` got or has
/// queued since `since` (ms): what the daily cap counts. Withheld and failed ones do not count.
pub async fn order_templates_since(
    conn: &mut AnyConnection,
    contact_id: i64,
    since: i64,
) -> Result<i64, sqlx::Error> {
    let orders = "AND order_id IS NOT NULL AND author = 'system'";
    counted_since(conn, contact_id, MessageKind::Template, orders, since).await
}

/// Messages of `kind` (and `also`, a constant condition) a contact got or has queued since
/// `since`, in the states a cap counts.
async fn counted_since(
    conn: &mut AnyConnection,
    contact_id: i64,
    kind: MessageKind,
    also: &'static str,
    since: i64,
) -> Result<i64, sqlx::Error> {
    let counted: Vec<OutboxStatus> = OutboxStatus::ALL
        .into_iter()
        .filter(|s| s.counts_towards_cap())
        .collect();
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM outbox WHERE contact_id = $1 AND kind = $2 AND created_at > $3 \
         {also} AND status IN ({})",
        OutboxStatus::sql_list(&counted)
    ))
    .bind(contact_id)
    .bind(kind.as_str())
    .bind(since)
    .fetch_one(&mut *conn)
    .await
}

/// Pending orders placed before `placed_before` whose customer opted in, that got `sent`
/// reminders so far, whose shopper's message never arrived and whose customer has not written
/// since the order: the candidates for reminder number `sent + 1`, oldest first.
pub async fn due_reminders(
    conn: &mut AnyConnection,
    placed_before: i64,
    sent: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT o.id FROM orders o WHERE o.status = $2 AND o.reminders_sent = $3 \
         AND o.consent_at IS NOT NULL AND o.received_at IS NULL AND o.created_at <= $1 \
         AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.wa_id = SUBSTR(o.customer_phone, 2) \
         AND c.last_inbound_at > o.created_at) ORDER BY o.id LIMIT 500",
    )
    .bind(placed_before)
    .bind(OrderStatus::Pending.as_str())
    .bind(sent)
    .fetch_all(&mut *conn)
    .await
}

/// Counts reminder number `sent + 1` of order `id`; false when another server did, or the
/// order is no longer pending.
pub async fn claim_reminder(
    conn: &mut AnyConnection,
    id: i64,
    sent: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE orders SET reminded_at = $1, reminders_sent = reminders_sent + 1 \
         WHERE id = $2 AND reminders_sent = $4 AND status = $3",
    )
    .bind(now)
    .bind(id)
    .bind(OrderStatus::Pending.as_str())
    .bind(sent)
    .execute(&mut *conn)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Ends a message still queued or sending: `failed` (the API refused it for good) or
/// `cancelled` (the server stopped it: consent revoked, window closed). Returns its contact,
/// or `None` when the message had ended already.
pub async fn end_message(
    conn: &mut AnyConnection,
    id: i64,
    status: OutboxStatus,
    code: Option<i64>,
    detail: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE outbox SET status = $1, error_code = $2, error_detail = $3, updated_at = $4 \
         WHERE id = $5 AND status IN ($6, $7) RETURNING contact_id",
    )
    .bind(status.as_str())
    .bind(code)
    .bind(detail)
    .bind(now)
    .bind(id)
    .bind(OutboxStatus::Sending.as_str())
    .bind(OutboxStatus::Queued.as_str())
    .fetch_optional(&mut *conn)
    .await
}

impl Db {
    /// Messages whose time has come, oldest first, with their contact.
    pub async fn due_messages(&self, now: i64, limit: i64) -> Result<Vec<DueMessage>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT o.id, o.kind, o.payload, o.attempts, c.id AS cid, c.wa_id, c.user_id, \
             c.consent, c.consent_pending_since, c.marketing, c.marketing_pending_since, \
             c.locale, c.window_until FROM outbox o \
             JOIN contacts c \
             ON c.id = o.contact_id WHERE o.status = $3 AND o.next_attempt_at <= $1 \
             ORDER BY o.id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .bind(OutboxStatus::Queued.as_str())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                let payload: String = row.try_get("payload")?;
                Ok(DueMessage {
                    id: row.try_get("id")?,
                    kind: kind_of_row(row, "kind")?,
                    payload: serde_json::from_str(&payload).ok(),
                    attempts: row.try_get("attempts")?,
                    contact: Contact {
                        id: row.try_get("cid")?,
                        wa_id: row.try_get("wa_id")?,
                        user_id: row.try_get("user_id")?,
                        consent: consent_of_row(row)?,
                        marketing: marketing_of_row(row)?,
                        locale: row.try_get("locale")?,
                        window_until: row.try_get("window_until")?,
                    },
                })
            })
            .collect()
    }

    /// Takes a queued message for sending; false when another worker took it first.
    pub async fn claim(&self, id: i64) -> Result<bool, sqlx::Error> {
        let claimed = sqlx::query(
            "UPDATE outbox SET status = $3, attempts = attempts + 1, updated_at = $1 \
             WHERE id = $2 AND status = $4",
        )
        .bind(now_ms())
        .bind(id)
        .bind(OutboxStatus::Sending.as_str())
        .bind(OutboxStatus::Queued.as_str())
        .execute(&self.write)
        .await?;
        Ok(claimed.rows_affected() == 1)
    }

    /// The API accepted the message. A status webhook may have come first; it is kept.
    pub async fn mark_accepted(&self, id: i64, wamid: &str) -> Result<(), sqlx::Error> {
        let earlier = OutboxStatus::sql_list(&OutboxStatus::before(OutboxStatus::Sent));
        sqlx::query(&format!(
            "UPDATE outbox SET wamid = COALESCE(wamid, $1), status = CASE WHEN status IN \
             ({earlier}) THEN '{}' ELSE status END, updated_at = $2 WHERE id = $3",
            OutboxStatus::Sent.as_str()
        ))
        .bind(wamid)
        .bind(now_ms())
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Puts a message back in the queue for `at`, noting why.
    pub async fn mark_retry(
        &self,
        id: i64,
        at: i64,
        code: i64,
        detail: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE outbox SET status = $6, next_attempt_at = $1, error_code = $2, \
             error_detail = $3, updated_at = $4 WHERE id = $5 AND status = $7",
        )
        .bind(at)
        .bind(code)
        .bind(detail)
        .bind(now_ms())
        .bind(id)
        .bind(OutboxStatus::Queued.as_str())
        .bind(OutboxStatus::Sending.as_str())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Messages left in `sending` since before `before` (a server stopped mid-request):
    /// they may or may not have gone out, so they are never resent automatically. They
    /// become `uncertain`; a status webhook naming them (by callback data) settles them.
    pub async fn settle_abandoned(&self, before: i64) -> Result<u64, sqlx::Error> {
        let settled = sqlx::query(
            "UPDATE outbox SET status = $4, error_detail = $1, updated_at = $2 \
             WHERE status = $5 AND updated_at < $3",
        )
        .bind("the server stopped while sending; it may not have arrived")
        .bind(now_ms())
        .bind(before)
        .bind(OutboxStatus::Uncertain.as_str())
        .bind(OutboxStatus::Sending.as_str())
        .execute(&self.write)
        .await?;
        Ok(settled.rows_affected())
    }

    /// Puts an uncertain or failed message back in the queue (staff's "Send again").
    pub async fn requeue(&self, reference: &str, outbox_id: i64) -> Result<bool, sqlx::Error> {
        let again: Vec<_> = OutboxStatus::ALL
            .into_iter()
            .filter(|s| s.can_send_again())
            .collect();
        let done = sqlx::query(&format!(
            "UPDATE outbox SET status = $4, next_attempt_at = $1, attempts = 0, \
             updated_at = $1 WHERE id = $2 AND status IN ({}) AND kind <> $5 \
             AND payload <> 'null' AND order_id = (SELECT id FROM orders WHERE reference = $3)",
            OutboxStatus::sql_list(&again)
        ))
        .bind(now_ms())
        .bind(outbox_id)
        .bind(reference)
        .bind(OutboxStatus::Queued.as_str())
        .bind(MessageKind::Ack.as_str())
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
