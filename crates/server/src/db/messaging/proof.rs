//! What an order template's guard reads (`policy::order_template`): whether the number proved
//! itself by sending an order's message (what the daily cap counts is beside the other caps,
//! `outbox::order_templates_since`).

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
