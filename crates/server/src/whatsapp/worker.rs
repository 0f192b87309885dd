//! The outbox worker: sends queued messages at the number's rate, one at a time per contact
//! and at most one per `contact_gap` each, retries throttling and server errors with
//! exponential backoff and jitter, and ends permanent errors as a visible failure.
//!
//! A message is marked `sending` before its request and settled after the answer; a row left
//! `sending` by a stopped server becomes `uncertain` and is never resent on its own (a
//! status webhook naming it settles it), so nothing goes out twice.
//!
//! Several servers on one database send as one: a lease row makes one of them the sender at a
//! time (renewed every 1.5 s, lapsing after 5 s), so the rate and the gaps hold in total, and
//! when the sender stops another takes over within seconds.

use super::client::Outcome;
use super::payload;
use super::Messaging;
use crate::clock::{self, now_ms};
use crate::db::{messaging, Db};
use crate::lease::Lease;
use crate::policy::outbox::{OutboxStatus, WINDOW_CLOSED};
use crate::policy::retry::backoff;
use governor::{Quota, RateLimiter};
use std::collections::{HashMap, HashSet};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Requests in flight at once (enough to reach 80/s at a few hundred ms per request).
const IN_FLIGHT: usize = 64;
/// How often the worker looks for due messages when nothing wakes it.
const POLL: Duration = Duration::from_millis(250);
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);
/// The lease that makes one server at a time the sender, so several servers on one database
/// keep the number's rate and each contact's gap together.
const SENDER_LEASE: &str = "outbox_sender";
/// Runs until dropped (the server's run future owns it, so stopping the server stops it).
pub async fn run(db: Db, messaging: Arc<Messaging>) {
    let settings = &messaging.settings;
    // Evenly spaced, no burst: never more than `per_second` in any one-second span.
    let period = Duration::from_secs(1) / settings.per_second.max(1);
    let quota = Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::MIN);
    let limiter = RateLimiter::direct(quota);
    let abandoned_after = settings.request_timeout.saturating_mul(2) + Duration::from_secs(5);
    let mut sends: JoinSet<()> = JoinSet::new();
    let mut last_sent: HashMap<i64, Instant> = HashMap::new();
    let mut housekeeping = Instant::now() - Duration::from_secs(3600);
    let mut lease = Lease::new(SENDER_LEASE, "sends the outbox");
    loop {
        while sends.try_join_next().is_some() {}
        if !lease.held(&db).await {
            // Another server sends; wait for the lease to come free.
            tokio::time::sleep_until(lease.renew_at().into()).await;
            continue;
        }
        if housekeeping.elapsed() >= Duration::from_secs(5) {
            housekeeping = Instant::now();
            let lease_ms = clock::millis(abandoned_after);
            match db.settle_abandoned(now_ms().saturating_sub(lease_ms)).await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::warn!(messages = n, "messages interrupted mid-send are uncertain")
                }
                Err(e) => tracing::error!(error = %e, "settling interrupted messages failed"),
            }
            last_sent.retain(|_, at| at.elapsed() < settings.contact_gap);
        }
        let now = now_ms();
        let due = match db.due_messages(now, 256).await {
            Ok(due) => due,
            Err(e) => {
                tracing::error!(error = %e, "reading the outbox failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let mut started = 0;
        let mut contacts = HashSet::new();
        for message in due {
            if Instant::now() >= lease.renew_at() {
                break; // renew the lease before sending on
            }
            // Oldest first, one per contact per round, and not within the gap.
            if !contacts.insert(message.contact.id) {
                continue;
            }
            if last_sent
                .get(&message.contact.id)
                .is_some_and(|at| at.elapsed() < settings.contact_gap)
            {
                continue;
            }
            let allowed = message.contact.may_receive(message.kind, now);
            if let Err(refusal) = allowed {
                let reason = format!("not sent: {refusal}");
                end(&db, message.id, OutboxStatus::Cancelled, &reason).await;
                continue;
            }
            let Some(stored) = &message.payload else {
                let detail = "the stored message is unreadable";
                end(&db, message.id, OutboxStatus::Failed, detail).await;
                continue;
            };
            let Some(body) = payload::addressed(
                stored,
                message.contact.wa_id.as_deref(),
                message.contact.user_id.as_deref(),
                message.id,
            ) else {
                let detail = "the contact has neither a phone number nor a user id";
                end(&db, message.id, OutboxStatus::Failed, detail).await;
                continue;
            };
            while sends.len() >= IN_FLIGHT {
                sends.join_next().await;
            }
            limiter.until_ready().await;
            match db.claim(message.id).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "claiming a message failed");
                    continue;
                }
            }
            last_sent.insert(message.contact.id, Instant::now());
            started += 1;
            let db = db.clone();
            let messaging = messaging.clone();
            let attempt = u32::try_from(message.attempts + 1).unwrap_or(u32::MAX);
            sends.spawn(async move {
                let outcome = messaging.client.send(&body).await;
                settle(&db, &messaging, message.id, attempt, outcome).await;
            });
        }
        if started == 0 {
            tokio::select! {
                _ = messaging.wake.notified() => {}
                _ = tokio::time::sleep(POLL.min(lease.renew_at().saturating_duration_since(Instant::now()))) => {}
                Some(_) = sends.join_next(), if !sends.is_empty() => {}
            }
        }
    }
}

/// Ends a message the server decided not to send (`cancelled`) or cannot send (`failed`).
async fn end(db: &Db, id: i64, status: OutboxStatus, detail: &str) {
    if let Err(e) = mark_ended(db, id, status, None, detail).await {
        tracing::error!(id, error = %e, "ending a message failed");
    }
}

/// Ends a message: `failed` (the API refused it for good) or `cancelled` (the server stopped
/// it). A 131047 also closes its contact's window, in the same transaction.
async fn mark_ended(
    db: &Db,
    id: i64,
    status: OutboxStatus,
    code: Option<i64>,
    detail: &str,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let contact = messaging::end_message(&mut tx, id, status, code, detail, now).await?;
    if let (Some(contact_id), Some(WINDOW_CLOSED)) = (contact, code) {
        messaging::close_window(&mut tx, contact_id, now).await?;
    }
    tx.commit().await
}

/// Records what the API said about one attempt.
async fn settle(db: &Db, messaging: &Messaging, id: i64, attempt: u32, outcome: Outcome) {
    let settings = &messaging.settings;
    let result = match outcome {
        Outcome::Accepted(wamid) => db.mark_accepted(id, &wamid).await,
        Outcome::Retry(error) if attempt < settings.max_attempts => {
            let delay = backoff(
                settings.retry_base,
                attempt,
                MAX_BACKOFF,
                rand::random::<f64>(),
            );
            let at = clock::after(now_ms(), delay);
            tracing::warn!(id, code = error.code, ?delay, "message will be retried");
            db.mark_retry(id, at, error.code, &error.detail).await
        }
        Outcome::Retry(error) | Outcome::Failed(error) => {
            tracing::warn!(id, code = error.code, detail = %error.detail, "message failed");
            let status = OutboxStatus::of_refusal(error.code);
            mark_ended(db, id, status, Some(error.code), &error.detail).await
        }
    };
    if let Err(e) = result {
        tracing::error!(id, error = %e, "recording a send's outcome failed");
    }
}
