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
use crate::db::messaging::{self, DueMessage};
use crate::db::Db;
use crate::lease::Lease;
use crate::policy::outbox::{OutboxStatus, WINDOW_CLOSED};
use crate::policy::retry::backoff;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde_json::Value;
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
    let mut sender = Sender::new(db, messaging);
    loop {
        while sender.sends.try_join_next().is_some() {}
        if !sender.lease.held(&sender.db).await {
            // Another server sends; wait for the lease to come free.
            tokio::time::sleep_until(sender.lease.renew_at().into()).await;
            continue;
        }
        sender.tidy().await;
        let now = now_ms();
        let due = match sender.db.due_messages(now, 256).await {
            Ok(due) => due,
            Err(e) => {
                tracing::error!(error = %e, "reading the outbox failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if sender.round(due, now).await == 0 {
            sender.idle().await;
        }
    }
}

/// The sending server's state between rounds.
struct Sender {
    db: Db,
    messaging: Arc<Messaging>,
    /// The number's rate.
    limiter: DefaultDirectRateLimiter,
    /// How long after its claim a `sending` row counts as abandoned.
    abandoned_after: Duration,
    /// Requests in flight.
    sends: JoinSet<()>,
    /// When each contact was last sent to (for the gap).
    last_sent: HashMap<i64, Instant>,
    /// When abandoned rows were last settled.
    housekeeping: Instant,
    lease: Lease,
}

impl Sender {
    fn new(db: Db, messaging: Arc<Messaging>) -> Self {
        let settings = &messaging.settings;
        // Evenly spaced, no burst: never more than `per_second` in any one-second span.
        let period = Duration::from_secs(1) / settings.per_second.max(1);
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::MIN);
        let abandoned_after = settings.request_timeout.saturating_mul(2) + Duration::from_secs(5);
        Self {
            db,
            limiter: RateLimiter::direct(quota),
            abandoned_after,
            messaging,
            sends: JoinSet::new(),
            last_sent: HashMap::new(),
            housekeeping: Instant::now() - Duration::from_secs(3600),
            lease: Lease::new(SENDER_LEASE, "sends the outbox"),
        }
    }

    /// Every 5 s: rows left `sending` by a stopped server become `uncertain`; gaps that
    /// passed are forgotten.
    async fn tidy(&mut self) {
        if self.housekeeping.elapsed() < Duration::from_secs(5) {
            return;
        }
        self.housekeeping = Instant::now();
        let lease_ms = clock::millis(self.abandoned_after);
        match self
            .db
            .settle_abandoned(now_ms().saturating_sub(lease_ms))
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::warn!(messages = n, "messages interrupted mid-send are uncertain"),
            Err(e) => tracing::error!(error = %e, "settling interrupted messages failed"),
        }
        let gap = self.messaging.settings.contact_gap;
        self.last_sent.retain(|_, at| at.elapsed() < gap);
    }

    /// Starts the due messages that may go now; how many started.
    async fn round(&mut self, due: Vec<DueMessage>, now: i64) -> usize {
        let gap = self.messaging.settings.contact_gap;
        let mut started = 0;
        let mut contacts = HashSet::new();
        for message in due {
            if Instant::now() >= self.lease.renew_at() {
                break; // renew the lease before sending on
            }
            // Oldest first, one per contact per round, and not within the gap.
            if !contacts.insert(message.contact.id) {
                continue;
            }
            if self
                .last_sent
                .get(&message.contact.id)
                .is_some_and(|at| at.elapsed() < gap)
            {
                continue;
            }
            let Some(body) = self.body_of(&message, now).await else {
                continue;
            };
            if self.start(message, body).await {
                started += 1;
            }
        }
        started
    }

    /// The request to send `message` with, or `None` after ending a message that may not or
    /// cannot go.
    async fn body_of(&self, message: &DueMessage, now: i64) -> Option<Value> {
        let db = &self.db;
        if let Err(refusal) = message.contact.may_receive(message.kind, now) {
            let reason = format!("not sent: {refusal}");
            end(db, message.id, OutboxStatus::Cancelled, &reason).await;
            return None;
        }
        let Some(stored) = &message.payload else {
            let detail = "the stored message is unreadable";
            end(db, message.id, OutboxStatus::Failed, detail).await;
            return None;
        };
        let body = payload::addressed(
            stored,
            message.contact.wa_id.as_deref(),
            message.contact.user_id.as_deref(),
            message.id,
        );
        if body.is_none() {
            let detail = "the contact has neither a phone number nor a user id";
            end(db, message.id, OutboxStatus::Failed, detail).await;
        }
        body
    }

    /// Claims `message` and sends it in the background, within the rate and the requests in
    /// flight; false when another claimed it first.
    async fn start(&mut self, message: DueMessage, body: Value) -> bool {
        while self.sends.len() >= IN_FLIGHT {
            self.sends.join_next().await;
        }
        self.limiter.until_ready().await;
        match self.db.claim(message.id).await {
            Ok(true) => {}
            Ok(false) => return false,
            Err(e) => {
                tracing::error!(error = %e, "claiming a message failed");
                return false;
            }
        }
        self.last_sent.insert(message.contact.id, Instant::now());
        let db = self.db.clone();
        let messaging = self.messaging.clone();
        let attempt = u32::try_from(message.attempts + 1).unwrap_or(u32::MAX);
        self.sends.spawn(async move {
            let outcome = messaging.client.send(&body).await;
            settle(&db, &messaging, message.id, attempt, outcome).await;
        });
        true
    }

    /// Nothing started: waits for a wake, the poll, the lease's renewal or a send to end.
    async fn idle(&mut self) {
        let renew_in = self
            .lease
            .renew_at()
            .saturating_duration_since(Instant::now());
        tokio::select! {
            _ = self.messaging.wake.notified() => {}
            _ = tokio::time::sleep(POLL.min(renew_in)) => {}
            Some(_) = self.sends.join_next(), if !self.sends.is_empty() => {}
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
