//! Expiring pending orders nobody confirmed in time: each in its own transaction, its stock
//! released and `order.expired` queued for the webhooks.

use super::lifecycle::move_status;
use crate::db::orders::Step;
use crate::db::webhooks::queue_event;
use crate::db::Db;
use crate::policy::webhook::EventType;
use chatout_core::OrderStatus;

/// Expires pending orders past their time and releases their stock, telling `webhooks`;
/// returns how many.
#[tracing::instrument(skip_all)]
pub async fn expire_due(db: &Db, now: i64, webhooks: &[String]) -> Result<u64, sqlx::Error> {
    let mut expired = 0;
    for id in db.due_to_expire(now).await? {
        let mut tx = db.begin().await?;
        let step = Step::by("system", OrderStatus::Expired);
        // Confirmed meanwhile: it stays as it is.
        if move_status(&mut tx, id, OrderStatus::Pending, &step, now).await? {
            queue_event(&mut tx, id, EventType::Expired, webhooks, now).await?;
            expired += 1;
        }
        tx.commit().await?;
    }
    Ok(expired)
}
