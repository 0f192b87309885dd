//! The outbox: every message is a row, queued in the transaction that decided it, sent by the
//! worker, settled by the API's answer or a status report.

use super::super::{now_ms, Db};
use super::contacts::{
    close_window, consent_of_row, contact_by, order_contact, wa_id_of_phone, Contact,
};
use super::kind_of_row;
use crate::policy::consent::Refusal;
use crate::policy::outbox::{MessageKind, OutboxStatus};
use crate::whatsapp::client::WINDOW_CLOSED;
use crate::whatsapp::payload::{self, OrderFacts};
use crate::whatsapp::templates::{Event, Templates};
use serde_json::Value;
use sqlx::{AnyConnection, Row};

/// A message the worker may send now.
#[derive(Debug, Clone)]
pub struct DueMessage {
    /// Outbox row.
    pub id: i64,
    /// What it is.
    pub kind: MessageKind,
    /// The request body without its recipient.
    pub payload: Value,
    /// Who it goes to.
    pub contact: Contact,
    /// Attempts so far (before this one).
    pub attempts: i64,
}

/// A message to queue.
pub(super) struct NewMessage<'a> {
    pub(super) dedupe_key: String,
    pub(super) contact_id: i64,
    pub(super) order_id: Option<i64>,
    pub(super) kind: MessageKind,
    pub(super) event: Option<&'a str>,
    pub(super) payload: Value,
    pub(super) preview: String,
    pub(super) author: &'a str,
    /// A message that can be decided as failed at once (a missing parameter).
    pub(super) failed: Option<String>,
}

/// Why staff could not reply.
#[derive(Debug, thiserror::Error)]
pub enum ReplyError {
    /// The order has no contact (no phone).
    #[error("this order has no WhatsApp contact")]
    NoContact,
    /// The contact said STOP.
    #[error("the customer replied STOP")]
    NoConsent,
    /// More than 24 hours since the customer last wrote.
    #[error("the customer has not written in the last 24 hours")]
    WindowClosed,
    /// Empty or too long.
    #[error("a reply has 1 to 4096 characters")]
    BadText,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Queues a message unless its dedupe key is taken; returns the new row's id.
pub(super) async fn enqueue(
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
    row.map(|r| r.try_get(0)).transpose()
}

/// Inside a status change's transaction: queues the event's template for an opted-in
/// customer. A template parameter the order cannot fill queues a visible failure instead.
pub(crate) async fn enqueue_event(
    conn: &mut AnyConnection,
    order_id: i64,
    event: Event,
    templates: &Templates,
    now: i64,
) -> Result<(), sqlx::Error> {
    let Some(template) = templates.get(event) else {
        return Ok(());
    };
    let Some(order) = sqlx::query_as::<_, FactsRow>(
        "SELECT reference, customer_name, customer_phone, currency, subtotal, locale, \
         tracking_url FROM orders WHERE id = $1",
    )
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(());
    };
    let Some(phone) = order.customer_phone.as_deref() else {
        return Ok(());
    };
    let Some(contact) = contact_by(conn, "wa_id", &wa_id_of_phone(phone)).await? else {
        return Ok(());
    };
    if contact
        .consent
        .may_receive(MessageKind::Template, contact.window_until, now)
        .is_err()
    {
        return Ok(());
    }
    let facts = OrderFacts {
        reference: order.reference,
        name: order.customer_name,
        currency: order.currency,
        subtotal: order.subtotal,
        locale: order.locale,
        tracking_url: order.tracking_url,
    };
    let (payload, preview, failed) = match payload::template(template, &facts) {
        Ok((payload, preview)) => (payload, preview, None),
        Err(problem) => (
            Value::Null,
            format!("template {}", template.name),
            Some(problem),
        ),
    };
    enqueue(
        conn,
        NewMessage {
            dedupe_key: format!("order:{order_id}:{}", event.as_str()),
            contact_id: contact.id,
            order_id: Some(order_id),
            kind: MessageKind::Template,
            event: Some(event.as_str()),
            payload,
            preview,
            author: "system",
            failed,
        },
        now,
    )
    .await?;
    Ok(())
}

/// What a template's parameters are filled from, by name.
#[derive(sqlx::FromRow)]
struct FactsRow {
    reference: String,
    customer_name: String,
    customer_phone: Option<String>,
    currency: String,
    subtotal: i64,
    locale: String,
    tracking_url: Option<String>,
}

impl Db {
    /// Staff's free-form reply on an order, allowed only inside the contact's window.
    pub async fn enqueue_reply(
        &self,
        reference: &str,
        author: &str,
        text: &str,
        key: &str,
    ) -> Result<(), ReplyError> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 4096 {
            return Err(ReplyError::BadText);
        }
        let now = now_ms();
        let mut tx = self.write.begin().await?;
        let (order_id, contact) = order_contact(&mut tx, reference)
            .await?
            .ok_or(ReplyError::NoContact)?;
        match contact
            .consent
            .may_receive(MessageKind::Reply, contact.window_until, now)
        {
            Ok(()) => {}
            Err(Refusal::WindowClosed) => return Err(ReplyError::WindowClosed),
            Err(_) => return Err(ReplyError::NoConsent),
        }
        enqueue(
            &mut tx,
            NewMessage {
                dedupe_key: format!("reply:{key}"),
                contact_id: contact.id,
                order_id: Some(order_id),
                kind: MessageKind::Reply,
                event: None,
                payload: payload::text(text),
                preview: text.to_string(),
                author,
                failed: None,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Queues the pending reminder of orders placed at least `after_ms` ago and still
    /// pending, once each.
    pub async fn enqueue_reminders(
        &self,
        templates: &Templates,
        after_ms: i64,
    ) -> Result<u64, sqlx::Error> {
        let now = now_ms();
        let due = sqlx::query(
            "SELECT id FROM orders WHERE status = 'pending' AND reminded_at IS NULL \
             AND consent_at IS NOT NULL AND created_at <= $1 ORDER BY id LIMIT 500",
        )
        .bind(now.saturating_sub(after_ms))
        .fetch_all(&self.read)
        .await?;
        let mut queued = 0;
        for row in due {
            let id: i64 = row.try_get(0)?;
            let mut tx = self.write.begin().await?;
            let claimed = sqlx::query(
                "UPDATE orders SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL \
                 AND status = 'pending'",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 1 {
                enqueue_event(&mut tx, id, Event::PendingReminder, templates, now).await?;
                queued += 1;
            }
            tx.commit().await?;
        }
        Ok(queued)
    }

    /// Messages whose time has come, oldest first, with their contact.
    pub async fn due_messages(&self, now: i64, limit: i64) -> Result<Vec<DueMessage>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT o.id, o.kind, o.payload, o.attempts, c.id AS cid, c.wa_id, c.user_id, \
             c.consent, c.consent_pending_since, c.locale, c.window_until FROM outbox o \
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
                    payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
                    attempts: row.try_get("attempts")?,
                    contact: Contact {
                        id: row.try_get("cid")?,
                        wa_id: row.try_get("wa_id")?,
                        user_id: row.try_get("user_id")?,
                        consent: consent_of_row(row)?,
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

    /// Ends a message: `failed` (the API refused it for good) or `cancelled` (the server
    /// stopped it: consent revoked, window closed). A 131047 also closes the window.
    pub async fn mark_ended(
        &self,
        id: i64,
        status: OutboxStatus,
        code: Option<i64>,
        detail: &str,
    ) -> Result<(), sqlx::Error> {
        let now = now_ms();
        let mut tx = self.write.begin().await?;
        let ended = sqlx::query(
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
        .fetch_optional(&mut *tx)
        .await?;
        if let (Some(row), Some(WINDOW_CLOSED)) = (ended, code) {
            close_window(&mut tx, row.try_get(0)?, now).await?;
        }
        tx.commit().await
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
