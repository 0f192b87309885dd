//! The pending reminder: one template to a customer who opted in, when their order is still
//! pending some time after it was placed. Any server may run it; each order is claimed once.

use super::notify::{queue_event, Shop};
use crate::clock::{self, now_ms};
use crate::db::{messaging, Db};
use crate::whatsapp::templates::Event;

/// Queues the reminder of every order due for one; returns how many it queued. Does nothing
/// when the shop has no `pending_reminder` template with an `after`.
pub async fn queue_reminders(db: &Db, shop: Shop<'_>) -> Result<u64, sqlx::Error> {
    let Some(after) = shop
        .templates
        .get(Event::PendingReminder)
        .and_then(|t| t.after)
    else {
        return Ok(0);
    };
    let now = now_ms();
    let due = {
        let mut conn = db.read.acquire().await?;
        messaging::due_reminders(&mut conn, now.saturating_sub(clock::millis(after))).await?
    };
    let mut queued = 0;
    for id in due {
        let mut tx = db.begin().await?;
        if messaging::claim_reminder(&mut tx, id, now).await? {
            queue_event(&mut tx, id, Event::PendingReminder, shop, now).await?;
            queued += 1;
        }
        tx.commit().await?;
    }
    Ok(queued)
}
