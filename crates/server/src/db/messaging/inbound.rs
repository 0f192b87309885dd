//! What the Cloud API's webhooks bring in, stored: messages from contacts (once each) and
//! status reports of what the shop sent (only ever forward). What a message changes is
//! `policy::inbound`'s decision, applied by `service::record_inbound`.

use crate::clock::UnixMillis;
use crate::policy::outbox::{MessageKind, OutboxStatus};
use sqlx::AnyConnection;

/// A message from a contact, as stored.
#[derive(Debug, Clone, Copy)]
pub struct InboundMessage<'a> {
    /// Its id (`wamid.…`): a redelivery of the same id stores nothing.
    pub wamid: &'a str,
    /// `text`, `button`, `image`…
    pub kind: &'a str,
    /// Its text.
    pub body: &'a str,
    /// When the contact sent it (as far as it can be trusted).
    pub sent_at: UnixMillis,
    /// The message a reaction, an edit or a deletion is about.
    pub refers_to: Option<&'a str>,
}

/// Stores an inbound message of `contact_id`; false when it was stored before.
pub async fn insert_inbound(
    conn: &mut AnyConnection,
    contact_id: i64,
    message: InboundMessage<'_>,
    now: UnixMillis,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO inbound (wamid, contact_id, kind, body, sent_at, received_at, refers_to) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (wamid) DO NOTHING RETURNING id",
    )
    .bind(message.wamid)
    .bind(contact_id)
    .bind(message.kind)
    .bind(message.body)
    .bind(message.sent_at)
    .bind(now)
    .bind(message.refers_to)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(inserted.is_some())
}

/// Extends a contact's customer-service window to `until` (never shortens it) and notes that
/// the contact wrote now.
pub async fn open_window(
    conn: &mut AnyConnection,
    contact_id: i64,
    until: UnixMillis,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE contacts SET window_until = CASE WHEN window_until > $1 THEN window_until \
         ELSE $1 END, last_inbound_at = $2, updated_at = $2 WHERE id = $3",
    )
    .bind(until)
    .bind(now)
    .bind(contact_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Cancels everything still queued for a contact but keyword acknowledgements, saying why.
pub async fn cancel_queued(
    conn: &mut AnyConnection,
    contact_id: i64,
    reason: &str,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    cancel_where(
        conn,
        contact_id,
        "kind <> $6",
        MessageKind::Ack,
        reason,
        now,
    )
    .await
}

/// Cancels the offers still queued for a contact who stopped them (offers only).
pub async fn cancel_queued_marketing(
    conn: &mut AnyConnection,
    contact_id: i64,
    reason: &str,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    cancel_where(
        conn,
        contact_id,
        "kind = $6",
        MessageKind::Marketing,
        reason,
        now,
    )
    .await
}

/// Cancels a contact's queued messages whose kind meets `test` (a constant, on `$6 = kind`).
async fn cancel_where(
    conn: &mut AnyConnection,
    contact_id: i64,
    test: &'static str,
    kind: MessageKind,
    reason: &str,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "UPDATE outbox SET status = $1, error_detail = $2, updated_at = $3 \
         WHERE contact_id = $4 AND status = $5 AND {test}"
    ))
    .bind(OutboxStatus::Cancelled.as_str())
    .bind(reason)
    .bind(now)
    .bind(contact_id)
    .bind(OutboxStatus::Queued.as_str())
    .bind(kind.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A status report on a message the shop sent.
#[derive(Debug, Clone)]
pub struct StatusReport<'a> {
    /// The message id the send's answer gave.
    pub wamid: &'a str,
    /// Where the message got to.
    pub status: OutboxStatus,
    /// The API's error code, for a failure.
    pub error_code: Option<i64>,
    /// What the API said, for a failure.
    pub error_detail: Option<&'a str>,
    /// The outbox row the report names by its callback data, for a report that comes
    /// before the send's answer was stored.
    pub outbox_id: Option<i64>,
}

/// Applies a status report: finds the row by message id (or by the callback's row when the
/// send's answer is not stored yet) and moves it forward only. Returns the contact of the row
/// that moved, or `None` when none did.
pub async fn apply_status(
    conn: &mut AnyConnection,
    report: &StatusReport<'_>,
    now: UnixMillis,
) -> Result<Option<i64>, sqlx::Error> {
    let earlier = OutboxStatus::sql_list(&OutboxStatus::before(report.status));
    sqlx::query_scalar(&format!(
        "UPDATE outbox SET status = $1, updated_at = $2, wamid = COALESCE(wamid, $3), \
         error_code = COALESCE($4, error_code), error_detail = COALESCE($5, error_detail) \
         WHERE (wamid = $3 OR (id = $6 AND wamid IS NULL)) AND status IN ({earlier}) \
         RETURNING contact_id"
    ))
    .bind(report.status.as_str())
    .bind(now)
    .bind(report.wamid)
    .bind(report.error_code)
    .bind(report.error_detail)
    .bind(report.outbox_id)
    .fetch_optional(&mut *conn)
    .await
}
