//! Messaging figures (a report, not a timed test): the outbox's send rate against the local
//! fake Cloud API with the 80 messages/s limit on, how many signed webhook deliveries the
//! server verifies and processes a second, and how many catalog carts it turns into orders.
//!
//! `cargo bench -p chatout-server --bench messaging` (SQLite in a temporary directory;
//! `BENCH_MESSAGES`, `BENCH_WEBHOOKS` and `BENCH_CARTS` change the counts).

mod support;

#[path = "../tests/api/fake_cloud.rs"]
#[allow(dead_code)]
mod fake_cloud;

use chatout_core::OrderStatus;
use chatout_server::db::orders::Step;
use chatout_server::service::change_status::change_status;
use chatout_server::whatsapp::webhook::sign;
use chatout_server::Application;
use fake_cloud::{FakeCloud, PHONE_NUMBER_ID, TOKEN};
use serde_json::json;
use std::time::{Duration, Instant};

const SECRET: &str = "bench-secret";

#[tokio::main]
async fn main() {
    let messages = support::count("BENCH_MESSAGES", 800);
    let webhooks = support::count("BENCH_WEBHOOKS", 4000);
    let fake = FakeCloud::start().await;
    fake.set_latency(Duration::from_millis(50));
    let dir = std::env::temp_dir().join(format!("chatout-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let settings = support::messaging_settings(&dir, &fake.base, PHONE_NUMBER_ID, TOKEN, SECRET);
    let app = Application::build(settings).await.expect("server starts");
    let base = format!("http://{}", app.address().unwrap());
    let state = app.state().clone();
    tokio::spawn(app.run());
    let client = reqwest::Client::new();

    // Orders of opted-in customers, then all confirmed at once: one template each.
    let mut references = Vec::with_capacity(messages);
    for n in 0..messages {
        let body = json!({
            "reference": "", "currency": "EUR", "locale": "en",
            "items": [{"sku": "tote-canvas", "name": "Canvas tote", "options": {},
                       "unit_price": 1500, "quantity": 1}],
            "subtotal": 1500,
            "customer": {"name": "Bench", "phone": format!("+3161{n:07}"), "email": null},
            "delivery": {"method": "pickup", "address": null},
            "payment": "bank_transfer", "note": null,
            "consent": {"whatsapp_updates": true, "text": "Updates on WhatsApp",
                        "at": "2026-11-21T10:00:00Z"},
            "page": "https://shop.example/"
        });
        let answer: serde_json::Value = client
            .post(format!("{base}/api/orders"))
            .header("idempotency-key", format!("bench-{n}"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        references.push(answer["reference"].as_str().unwrap().to_string());
    }
    // Each customer sends the order message the widget opened: it proves the number (the
    // opt-in becomes active) and links the order. Timed: inbound processing with reference
    // matching, 8 at a time.
    let order_messages: Vec<String> = references
        .iter()
        .enumerate()
        .map(|(n, reference)| {
            json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [
                {"field": "messages", "value": {"messaging_product": "whatsapp",
                 "metadata": {"phone_number_id": PHONE_NUMBER_ID},
                 "contacts": [{"wa_id": format!("3161{n:07}")}],
                 "messages": [{"from": format!("3161{n:07}"), "id": format!("wamid.ORDER{n}"),
                               "timestamp": "1763719200", "type": "text",
                               "text": {"body": format!("*Order {reference} — Demo Shop*\n1 × Canvas tote")}}]}}]}]})
            .to_string()
        })
        .collect();
    let (linked, took) = deliver(&client, &base, order_messages).await;
    println!(
        "inbound: {} order messages, each naming its order, processed in {took:.2} s = {:.0} \
         deliveries/s (8 concurrent, SQLite; {linked} answered 200)",
        references.len(),
        references.len() as f64 / took
    );
    for reference in &references {
        change_status(&state, reference, Step::by("bench", OrderStatus::Confirmed))
            .await
            .unwrap();
    }
    let received = fake.wait_for_long(messages, Duration::from_secs(120)).await;
    let first = received.first().unwrap().at;
    let last = received.last().unwrap().at;
    let span = last.duration_since(first).as_secs_f64();
    let rate = (messages - 1) as f64 / span;
    let mut busiest = 0;
    for (i, r) in received.iter().enumerate() {
        let within = received[i..]
            .iter()
            .take_while(|s| s.at.duration_since(r.at) < Duration::from_secs(1))
            .count();
        busiest = busiest.max(within);
    }
    println!(
        "outbox: {messages} template messages in {span:.2} s = {rate:.1} messages/s \
         (limit 80/s; busiest 1-second span: {busiest}; API latency 50 ms)"
    );

    // Signed webhook deliveries, half inbound messages and half status updates, 8 at a time.
    let bodies: Vec<String> = (0..webhooks)
        .map(|n| {
            let value = if n % 2 == 0 {
                json!({"messaging_product": "whatsapp",
                       "metadata": {"phone_number_id": PHONE_NUMBER_ID},
                       "contacts": [{"wa_id": format!("3162{:07}", n % 500)}],
                       "messages": [{"from": format!("3162{:07}", n % 500),
                                     "id": format!("wamid.BENCH{n}"),
                                     "timestamp": "1763719200", "type": "text",
                                     "text": {"body": format!("*Order {} — Demo Shop*\nIs it in stock?",
                                                              references[n % references.len()])}}]})
            } else {
                let wamid = received[n % received.len()].wamid.clone().unwrap_or_default();
                json!({"messaging_product": "whatsapp",
                       "metadata": {"phone_number_id": PHONE_NUMBER_ID},
                       "statuses": [{"id": wamid, "status": if n % 4 == 1 {"delivered"} else {"read"},
                                     "timestamp": "1763719300", "recipient_id": "31610000000"}]})
            };
            json!({"object": "whatsapp_business_account",
                   "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}]})
            .to_string()
        })
        .collect();
    let (ok, elapsed) = deliver(&client, &base, bodies).await;
    let failures = webhooks - ok;
    println!(
        "webhooks: {webhooks} signed deliveries in {elapsed:.2} s = {:.0} requests/s \
         (half inbound messages naming an order's reference, half statuses; 8 concurrent, \
         SQLite; {failures} not 200)",
        webhooks as f64 / elapsed
    );

    // Carts from the shop's WhatsApp catalog, each from a number of its own: priced from the
    // catalog, stock held, stored as an order and answered, 8 at a time.
    let carts = support::count("BENCH_CARTS", 1000);
    let bodies: Vec<String> = (0..carts)
        .map(|n| {
            json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [
                {"field": "messages", "value": {"messaging_product": "whatsapp",
                 "metadata": {"phone_number_id": PHONE_NUMBER_ID},
                 "contacts": [{"profile": {"name": "Bench"}, "wa_id": format!("3163{n:07}")}],
                 "messages": [{"from": format!("3163{n:07}"), "id": format!("wamid.CART{n}"),
                               "timestamp": "1763719200", "type": "order",
                               "order": {"catalog_id": "BENCH", "product_items": [
                                   {"product_retailer_id": "tote-canvas", "quantity": 1,
                                    "item_price": 15, "currency": "EUR"},
                                   {"product_retailer_id": "tea-sample", "quantity": 3,
                                    "item_price": 0.1, "currency": "EUR"}]}}]}}]}]})
            .to_string()
        })
        .collect();
    let (ok, elapsed) = deliver(&client, &base, bodies).await;
    let orders: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE idempotency_key LIKE 'whatsapp:%'")
            .fetch_one(&state.db.read)
            .await
            .unwrap();
    println!(
        "catalog carts: {carts} carts in {elapsed:.2} s = {:.0} deliveries/s, each an order \
         priced, stored and answered ({orders} orders; 8 concurrent, SQLite; {} not 200)",
        carts as f64 / elapsed,
        carts - ok
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Posts signed deliveries to the webhook, 8 at a time: how many got 200, and the seconds.
async fn deliver(client: &reqwest::Client, base: &str, bodies: Vec<String>) -> (usize, f64) {
    let started = Instant::now();
    let mut chunks: Vec<Vec<String>> = vec![Vec::new(); 8];
    for (n, body) in bodies.into_iter().enumerate() {
        chunks[n % 8].push(body);
    }
    let mut tasks = Vec::new();
    for chunk in chunks {
        let client = client.clone();
        let url = format!("{base}/webhooks/whatsapp");
        tasks.push(tokio::spawn(async move {
            let mut ok = 0;
            for body in chunk {
                let status = client
                    .post(&url)
                    .header("x-hub-signature-256", sign(SECRET, body.as_bytes()))
                    .body(body)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0);
                if status == 200 {
                    ok += 1;
                }
            }
            ok
        }));
    }
    let mut ok = 0;
    for task in tasks {
        ok += task.await.unwrap();
    }
    (ok, started.elapsed().as_secs_f64())
}
