//! The outbound webhooks' durable outbox (docs/CONTRACT.md section 8): each order event is a row
//! written in the transaction of the change that raised it, with the exact body every
//! receiver gets, and one delivery row per receiver URL that the sender works through.

use super::orders::document::document_by_id;
use super::Db;
use crate::clock::{now_ms, rfc3339, UnixMillis};
use crate::policy::webhook::{DeliveryStatus, EventType};
use serde_json::json;
use sqlx::AnyConnection;

/// The most of a receiver's answer kept to show staff.
pub const EXCERPT: usize = 300;

/// Queues event `event` of order `order_id` for each of `urls`, with the order as it is now
/// in the caller's transaction. Nothing is queued without receivers.
pub async fn queue_event(
    conn: &mut AnyConnection,
    order_id: i64,
    event: EventType,
    urls: &[String],
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    if urls.is_empty() {
        return Ok(());
    }
    let Some(order) = document_by_id(conn, order_id).await? else {
        return Ok(());
    };
    let event_id = format!("evt_{}", &crate::auth::random_token()[..32]);
    let body = json!({
        "id": event_id,
        "type": event.as_str(),
        "created_at": rfc3339(now),
        "data": {"order": order},
    })
    .to_string();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO webhook_events (event_id, order_id, type, body, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&event_id)
    .bind(order_id)
    .bind(event.as_str())
    .bind(&body)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    for url in urls {
        sqlx::query(
            "INSERT INTO webhook_deliveries (event_id, order_id, url, status, next_attempt_at, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5, $5)",
        )
        .bind(id)
        .bind(order_id)
        .bind(url)
        .bind(DeliveryStatus::Queued.as_str())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A delivery the sender may make now.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueDelivery {
    /// The delivery row.
    pub id: i64,
    /// Where it goes.
    pub url: String,
    /// The public event id (`Chatout-Event-Id`).
    pub event_id: String,
    /// The exact body.
    pub body: String,
    /// Attempts before this one.
    pub attempts: i64,
    /// When the delivery was queued, or sent again by staff (retries stop a day after).
    pub created_at: i64,
}

/// One delivery as the desk shows it.
#[derive(Debug, Clone)]
pub struct DeliveryRow {
    /// The delivery row.
    pub id: i64,
    /// The order's reference.
    pub reference: String,
    /// `order.confirmed`…
    pub event: String,
    /// The receiver.
    pub url: String,
    /// Where it is.
    pub status: DeliveryStatus,
    /// Attempts so far.
    pub attempts: i64,
    /// The last answer's HTTP status (none: no answer).
    pub last_status: Option<i64>,
    /// The last answer's start, or why there was none.
    pub last_error: Option<String>,
    /// When it was last tried or settled.
    pub updated_at: UnixMillis,
}

#[derive(sqlx::FromRow)]
struct DeliveryColumns {
    id: i64,
    reference: String,
    event: String,
    url: String,
    status: String,
    attempts: i64,
    last_status: Option<i64>,
    last_error: Option<String>,
    updated_at: i64,
}

impl TryFrom<DeliveryColumns> for DeliveryRow {
    type Error = sqlx::Error;

    fn try_from(row: DeliveryColumns) -> Result<Self, Self::Error> {
        let status =
            DeliveryStatus::parse(&row.status).ok_or_else(|| sqlx::Error::ColumnDecode {
                index: "status".into(),
                source: format!("unknown delivery status '{}'", row.status).into(),
            })?;
        Ok(Self {
            id: row.id,
            reference: row.reference,
            event: row.event,
            url: row.url,
            status,
            attempts: row.attempts,
            last_status: row.last_status,
            last_error: row.last_error,
            updated_at: row.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CountRow {
    status: String,
    n: i64,
}

const DELIVERY_COLUMNS: &str = "SELECT d.id, o.reference, e.type AS event, d.url, d.status, \
     d.attempts, d.last_status, d.last_error, d.updated_at FROM webhook_deliveries d \
     JOIN webhook_events e ON e.id = d.event_id JOIN orders o ON o.id = d.order_id";

impl Db {
    /// Deliveries whose time has come, oldest first; one whose order has an earlier
    /// delivery to the same URL still waiting or under way waits for it (events go out in
    /// order per order and receiver).
    pub async fn due_deliveries(
        &self,
        now: UnixMillis,
        limit: i64,
    ) -> Result<Vec<DueDelivery>, sqlx::Error> {
        sqlx::query_as(
            "SELECT d.id, d.url, e.event_id, e.body, d.attempts, d.created_at \
             FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id \
             WHERE d.status = $1 AND d.next_attempt_at <= $2 AND NOT EXISTS (\
               SELECT 1 FROM webhook_deliveries p WHERE p.url = d.url \
               AND p.order_id = d.order_id AND p.id < d.id AND p.status IN ($1, $3)) \
             ORDER BY d.id LIMIT $4",
        )
        .bind(DeliveryStatus::Queued.as_str())
        .bind(now)
        .bind(DeliveryStatus::Delivering.as_str())
        .bind(limit)
        .fetch_all(&self.read)
        .await
    }

    /// Takes a delivery for sending; false when another sender took it first.
    pub async fn claim_delivery(&self, id: i64) -> Result<bool, sqlx::Error> {
        let claimed = sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, \
             updated_at = $2 WHERE id = $3 AND status = $4",
        )
        .bind(DeliveryStatus::Delivering.as_str())
        .bind(now_ms())
        .bind(id)
        .bind(DeliveryStatus::Queued.as_str())
        .execute(&self.write)
        .await?;
        Ok(claimed.rows_affected() == 1)
    }

    /// Records an attempt's answer: `Delivered`, `Queued` again at `retry_at`, or `Failed`.
    pub async fn settle_delivery(
        &self,
        id: i64,
        status: DeliveryStatus,
        retry_at: UnixMillis,
        answer: Option<u16>,
        detail: &str,
    ) -> Result<(), sqlx::Error> {
        let now = now_ms();
        let excerpt: String = detail.chars().take(EXCERPT).collect();
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, last_status = $3, \
             last_error = $4, updated_at = $5, delivered_at = COALESCE($6, delivered_at) \
             WHERE id = $7 AND status = $8",
        )
        .bind(status.as_str())
        .bind(retry_at)
        .bind(answer.map(i64::from))
        .bind(excerpt)
        .bind(now)
        .bind((status == DeliveryStatus::Delivered).then_some(now))
        .bind(id)
        .bind(DeliveryStatus::Delivering.as_str())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Deliveries left `delivering` since before `before` (a server stopped mid-request) go
    /// back in the queue: delivery is at least once, and receivers dedupe by event id.
    pub async fn requeue_abandoned(&self, before: UnixMillis) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, updated_at = $2 \
             WHERE status = $3 AND updated_at < $4",
        )
        .bind(DeliveryStatus::Queued.as_str())
        .bind(now_ms())
        .bind(DeliveryStatus::Delivering.as_str())
        .bind(before)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected())
    }

    /// Staff's "send again" of a failed delivery: queued now, with a fresh day of retries
    /// counted from now.
    pub async fn send_delivery_again(&self, id: i64) -> Result<bool, sqlx::Error> {
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, attempts = 0, \
             created_at = $2, updated_at = $2 WHERE id = $3 AND status = $4",
        )
        .bind(DeliveryStatus::Queued.as_str())
        .bind(now)
        .bind(id)
        .bind(DeliveryStatus::Failed.as_str())
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// An order's deliveries, newest first.
    pub async fn deliveries_of(&self, reference: &str) -> Result<Vec<DeliveryRow>, sqlx::Error> {
        sqlx::query_as::<_, DeliveryColumns>(&format!(
            "{DELIVERY_COLUMNS} WHERE o.reference = $1 ORDER BY d.id DESC LIMIT 100"
        ))
        .bind(reference)
        .fetch_all(&self.read)
        .await?
        .into_iter()
        .map(DeliveryRow::try_from)
        .collect()
    }

    /// The latest deliveries that are not delivered (failed first), for the desk.
    pub async fn undelivered(&self) -> Result<Vec<DeliveryRow>, sqlx::Error> {
        sqlx::query_as::<_, DeliveryColumns>(&format!(
            "{DELIVERY_COLUMNS} WHERE d.status <> $1 \
             ORDER BY CASE WHEN d.status = $2 THEN 0 ELSE 1 END, d.id DESC LIMIT 200"
        ))
        .bind(DeliveryStatus::Delivered.as_str())
        .bind(DeliveryStatus::Failed.as_str())
        .fetch_all(&self.read)
        .await?
        .into_iter()
        .map(DeliveryRow::try_from)
        .collect()
    }

    /// Deliveries per status, every status listed (for `/metrics`).
    pub async fn delivery_counts(&self) -> Result<Vec<(DeliveryStatus, i64)>, sqlx::Error> {
        let rows: Vec<CountRow> =
            sqlx::query_as("SELECT status, COUNT(*) AS n FROM webhook_deliveries GROUP BY status")
                .fetch_all(&self.read)
                .await?;
        Ok(DeliveryStatus::ALL
            .into_iter()
            .map(|status| {
                let n = rows
                    .iter()
                    .find(|row| row.status == status.as_str())
                    .map_or(0, |row| row.n);
                (status, n)
            })
            .collect())
    }
}
