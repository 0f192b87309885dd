//! What an order template's guard reads (`policy::order_template`): whether the number proved
//! itself by sending an order's message, and how many order templates it got lately.

use crate::policy::outbox::{MessageKind, OutboxStatus};
use sqlx::AnyConnection;

/// The name on the latest order whose own message arrived from contact `contact_id`: words
/// the number's owner sent themselves. `None` when no order's message came from it.
pub async fn proven_name(
    conn: &mut AnyConnection,
    contact_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT customer_name FROM orders WHERE contact_id = $1 AND received_at IS NOT NULL \
         ORDER BY received_at DESC, id DESC LIMIT 1",
    )
    .bind(contact_id)
    .fetch_optional(&mut *conn)
    .await
}

/// Order templates (about an order, sent by the system) contact `contact_id` got or has
/// queued since `since` (ms): what the daily cap counts. Withheld and failed ones do not count.
pub async fn order_templates_since(
    conn: &mut AnyConnection,
    contact_id: i64,
    since: i64,
) -> Result<i64, sqlx::Error> {
    let counted: Vec<OutboxStatus> = OutboxStatus::ALL
        .into_iter()
        .filter(|s| s.counts_towards_cap())
        .collect();
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM outbox WHERE contact_id = $1 AND kind = $2 AND created_at > $3 \
         AND order_id IS NOT NULL AND author = 'system' AND status IN ({})",
        OutboxStatus::sql_list(&counted)
    ))
    .bind(contact_id)
    .bind(MessageKind::Template.as_str())
    .bind(since)
    .fetch_one(&mut *conn)
    .await
}
