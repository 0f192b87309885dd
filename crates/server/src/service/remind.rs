//! Order recovery: a sequence of reminders (`pending_reminder`'s `after`, e.g. 1 h and 24 h)
//! to a customer who opted in, while their order is pending, its message never arrived and
//! they have not written since. A reminder goes only to a number that sent the shop an
//! order's message before, with the name sent then (`policy::order_template`). It stops at once when the order moves, when the customer
//! writes, or at STOP (the consent check when queueing and again when sending). Each reminder
//! is recorded on the order. Any server may run it; each step of each order is claimed once.

use super::notify::{queue_event_keyed, Queued, Shop};
use crate::clock::{self, now_ms};
use crate::db::orders::adjust::record_changes;
use crate::db::{messaging, Db};
use crate::whatsapp::templates::Event;

/// Queues every reminder that is due; returns how many it queued. Does nothing when the shop
/// has no `pending_reminder` template.
#[tracing::instrument(skip_all)]
pub async fn queue_reminders(db: &Db, shop: Shop<'_>) -> Result<u64, sqlx::Error> {
    let Some(template) = shop.templates.get(Event::PendingReminder) else {
        return Ok(0);
    };
    let steps = &template.after;
    let now = now_ms();
    let mut queued = 0;
    for (sent, after) in steps.iter().enumerate() {
        let sent = i64::try_from(sent).unwrap_or(i64::MAX);
        let due = {
            let mut conn = db.read.acquire().await?;
            let placed_before = now.saturating_sub(clock::millis(*after));
            messaging::due_reminders(&mut conn, placed_before, sent).await?
        };
        for id in due {
            let mut tx = db.begin().await?;
            if messaging::claim_reminder(&mut tx, id, sent, now).await? {
                let step = format!("reminder {} of {}", sent + 1, steps.len());
                let key = format!("{}", sent + 1);
                let event = Event::PendingReminder;
                match queue_event_keyed(&mut tx, id, event, shop, &key, now).await? {
                    Queued::Yes => {
                        let change = format!("{step} queued");
                        record_changes(&mut tx, id, "system", &[change], now).await?;
                        queued += 1;
                    }
                    Queued::Withheld(why) => {
                        let change = format!("{step} not sent: {why}");
                        record_changes(&mut tx, id, "system", &[change], now).await?;
                    }
                    Queued::No => {}
                }
            }
            tx.commit().await?;
        }
    }
    Ok(queued)
}
