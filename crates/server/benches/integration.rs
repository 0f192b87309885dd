//! Integration figures (a report, not a timed test): how many webhook deliveries a second the
//! sender makes to a local receiver from a backlog, and how many `GET /api/v1/orders` pages a
//! second the API serves with many orders stored (the second is `bench/api.sh`, under wrk).
//!
//! `cargo bench -p chatout-server --bench integration` (SQLite in a temporary directory;
//! `BENCH_EVENTS` changes the count).

use axum::routing::post;
use axum::Router;
use chatout_server::settings::WebhookSettings;
use chatout_server::{Application, Settings};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let events: usize = std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let dir = std::env::temp_dir().join(format!("chatout-bench-hooks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut settings = Settings::from_lookup(|_| None).unwrap();
    settings.addr = "127.0.0.1:0".into();
    settings.database_url = format!("sqlite://{}", dir.join("bench.db").display());
    settings.rate_limit = 0;
    settings.hold_limit = 0;
    settings.admin_password = Some("bench password".into());

    // The orders first, with webhooks off: their events are queued below, all at once, as a
    // receiver that was down for a while finds them.
    let app = Application::build(settings.clone()).await.unwrap();
    let base = format!("http://{}", app.address().unwrap());
    let db = app.state().db.clone();
    let server = tokio::spawn(app.run());
    let client = reqwest::Client::new();
    for n in 0..events {
        let body = json!({
            "reference": "", "currency": "EUR", "locale": "en",
            "items": [{"sku": "tote-canvas", "name": "Canvas tote", "options": {},
                       "unit_price": 1500, "quantity": 1}],
            "subtotal": 1500,
            "customer": {"name": "Bench", "phone": format!("+3161{n:07}"), "email": null},
            "delivery": {"method": "pickup", "address": null},
            "payment": "bank_transfer", "note": null, "consent": null,
            "page": "https://shop.example/"
        });
        let status = client
            .post(format!("{base}/api/orders"))
            .header("idempotency-key", format!("bench-{n}"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 201);
    }
    server.abort();

    let received = Arc::new(AtomicUsize::new(0));
    let counter = received.clone();
    let receiver = Router::new().route(
        "/hooks",
        post(move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });

    // One order.created event per order, with each order's real document, queued at once.
    let mut tx = db.begin().await.unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM orders ORDER BY id")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    let now = chatout_server::clock::now_ms();
    for id in &ids {
        chatout_server::db::webhooks::queue_event(
            &mut tx,
            *id,
            chatout_server::policy::webhook::EventType::Created,
            std::slice::from_ref(&url),
            now,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let body_bytes: i64 =
        sqlx::query_scalar("SELECT CAST(AVG(LENGTH(body)) AS BIGINT) FROM webhook_events")
            .fetch_one(&db.read)
            .await
            .unwrap();

    settings.webhooks = Some(WebhookSettings {
        urls: vec![url.clone()],
        secret: "a bench secret of some length".into(),
        timeout: Duration::from_secs(10),
        retry_base: Duration::from_secs(10),
        retry_for: Duration::from_secs(24 * 3600),
    });
    let app = Application::build(settings).await.unwrap();
    let started = Instant::now();
    tokio::spawn(app.run());
    let deadline = started + Duration::from_secs(300);
    while received.load(Ordering::SeqCst) < ids.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let got = received.load(Ordering::SeqCst);
    println!(
        "webhooks: {got} of {} events delivered from a backlog in {elapsed:.2} s = {:.0} \
         events/s (one local receiver, SQLite, bodies of {body_bytes} bytes, signed)",
        ids.len(),
        got as f64 / elapsed
    );
    let _ = std::fs::remove_dir_all(dir);
}
