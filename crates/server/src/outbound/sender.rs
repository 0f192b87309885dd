//! The webhook sender: POSTs each due delivery with its signature, 2xx = delivered; anything
//! else (a timeout, a refused connection, 3xx, 4xx, 5xx) is retried with exponential backoff
//! and jitter for as long as `retry_for` (24 h), then `failed`. Events of one order go to one
//! URL in order. One server at a time sends (a lease), so several servers on one database
//! deliver each event once.

use super::signature::sign;
use crate::clock::{self, now_ms};
use crate::db::webhooks::DueDelivery;
use crate::db::Db;
use crate::lease::Lease;
use crate::policy::retry::backoff;
use crate::policy::webhook::{Answer, DeliveryStatus, MAX_RETRY_DELAY};
use crate::settings::WebhookSettings;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Requests in flight at once.
const IN_FLIGHT: usize = 16;
/// How often the sender looks for due deliveries when it found none.
const POLL: Duration = Duration::from_millis(200);

/// Runs until dropped.
pub async fn run(db: Db, settings: WebhookSettings, wake: Arc<tokio::sync::Notify>) {
    let client = match reqwest::Client::builder()
        .timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("chatout-server/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "the webhook client could not be built");
            return;
        }
    };
    let settings = Arc::new(settings);
    let mut lease = Lease::new("webhook_sender", "delivers webhooks");
    let mut sends: JoinSet<()> = JoinSet::new();
    let mut housekeeping = Instant::now() - Duration::from_secs(3600);
    // A request cannot outlive its timeout: one `delivering` for longer was interrupted.
    let abandoned_after = settings.timeout.saturating_mul(2) + Duration::from_secs(5);
    loop {
        while sends.try_join_next().is_some() {}
        if !lease.held(&db).await {
            tokio::time::sleep_until(lease.renew_at().into()).await;
            continue;
        }
        if housekeeping.elapsed() >= Duration::from_secs(5) {
            housekeeping = Instant::now();
            let before = now_ms().saturating_sub(clock::millis(abandoned_after));
            match db.requeue_abandoned(before).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(deliveries = n, "interrupted deliveries queued again"),
                Err(e) => tracing::error!(error = %e, "requeueing interrupted deliveries failed"),
            }
        }
        let due = match db.due_deliveries(now_ms(), 64).await {
            Ok(due) => due,
            Err(e) => {
                tracing::error!(error = %e, "reading the webhook outbox failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let mut started = 0;
        for delivery in due {
            if Instant::now() >= lease.renew_at() {
                break;
            }
            while sends.len() >= IN_FLIGHT {
                sends.join_next().await;
            }
            match db.claim_delivery(delivery.id).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "claiming a delivery failed");
                    continue;
                }
            }
            started += 1;
            let (db, client, settings) = (db.clone(), client.clone(), settings.clone());
            sends.spawn(async move { deliver(&db, &client, &settings, delivery).await });
        }
        if started == 0 {
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
                Some(_) = sends.join_next(), if !sends.is_empty() => {}
            }
        }
    }
}

/// One attempt, and what it leaves the delivery as.
async fn deliver(db: &Db, client: &reqwest::Client, settings: &WebhookSettings, d: DueDelivery) {
    let sent_at = now_ms() / 1000;
    let signature = sign(&settings.secret, sent_at, d.body.as_bytes());
    let answer = client
        .post(&d.url)
        .header("content-type", "application/json")
        .header("chatout-event-id", &d.event_id)
        .header("chatout-signature", signature)
        .body(d.body.clone())
        .send()
        .await;
    let (code, detail) = match answer {
        Ok(response) => {
            let code = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            (Some(code), text)
        }
        Err(e) if e.is_timeout() => (None, format!("no answer within {:?}", settings.timeout)),
        Err(e) if e.is_connect() => (None, format!("could not connect: {e}")),
        Err(e) => (None, e.to_string()),
    };
    let attempt = u32::try_from(d.attempts + 1).unwrap_or(u32::MAX);
    let now = now_ms();
    let (status, retry_at) = match code.map(Answer::of_status) {
        Some(Answer::Delivered) => (DeliveryStatus::Delivered, now),
        _ => {
            let delay = backoff(
                settings.retry_base,
                attempt,
                MAX_RETRY_DELAY,
                rand::random(),
            );
            let retry_at = clock::after(now, delay);
            if retry_at > clock::after(d.created_at, settings.retry_for) {
                tracing::warn!(url = %d.url, event = %d.event_id, ?code, "webhook failed for good");
                (DeliveryStatus::Failed, now)
            } else {
                tracing::info!(url = %d.url, event = %d.event_id, ?code, ?delay, "webhook retried");
                (DeliveryStatus::Queued, retry_at)
            }
        }
    };
    if let Err(e) = db
        .settle_delivery(d.id, status, retry_at, code, &detail)
        .await
    {
        tracing::error!(error = %e, "recording a delivery failed");
    }
}
