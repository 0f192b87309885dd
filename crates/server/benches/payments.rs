//! Payment figures (a report, not a timed test): how many signed Stripe webhook events and
//! Mollie webhooks (each checked with the local fake Mollie) the server applies a second,
//! and the desk's order page with 50 lines, p50 and p99.
//!
//! `cargo bench -p chatout-server --bench payments` (SQLite in a temporary directory;
//! `BENCH_PAYMENTS` changes the count).

#[path = "../tests/api/fake_pay.rs"]
#[allow(dead_code)]
mod fake_pay;

use chatout_core::OrderStatus;
use chatout_server::db::orders::Step;
use chatout_server::service::change_status::change_status;
use chatout_server::settings::{MollieSettings, PaymentSettings, StripeSettings};
use chatout_server::{Application, Settings};
use fake_pay::{FakePay, MOLLIE_KEY, STRIPE_KEY, STRIPE_WEBHOOK_SECRET};
use serde_json::{json, Value};
use std::time::Instant;

/// A catalog of 60 products, paid by link.
fn catalog() -> String {
    let products: Vec<Value> = (0..60)
        .map(|n| json!({"sku": format!("p{n}"), "name": format!("Product {n}"), "price": "2.50"}))
        .collect();
    json!({"currency": "EUR",
           "shop": {"name": "Bench Shop", "phone": "+31 6 1234 5678",
                    "payments": ["bank_transfer", "payment_link"], "deliveries": ["pickup"]},
           "products": products})
    .to_string()
}

fn order(lines: usize, n: usize) -> Value {
    let items: Vec<Value> = (0..lines)
        .map(|l| {
            json!({"sku": format!("p{l}"), "name": format!("Product {l}"), "options": {},
                        "unit_price": 250, "quantity": 1})
        })
        .collect();
    json!({"reference": "", "currency": "EUR", "locale": "en", "items": items,
           "subtotal": 250 * lines as i64,
           "customer": {"name": "Bench", "phone": format!("+3164{n:07}"), "email": null},
           "delivery": {"method": "pickup", "address": null}, "payment": "payment_link",
           "note": null, "consent": null, "page": "https://shop.example/"})
}

async fn place(client: &reqwest::Client, base: &str, body: &Value, key: &str) -> String {
    let answer: Value = client
        .post(format!("{base}/api/orders"))
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["reference"].as_str().expect("an order").to_string()
}

/// Posts each `(body, headers)` to `url`, 8 at a time: how many got 200, and the seconds.
async fn deliver(
    client: &reqwest::Client,
    url: &str,
    requests: Vec<(String, Vec<(&'static str, String)>)>,
) -> (usize, f64) {
    let started = Instant::now();
    let mut chunks: Vec<Vec<_>> = vec![Vec::new(); 8];
    for (n, request) in requests.into_iter().enumerate() {
        chunks[n % 8].push(request);
    }
    let mut tasks = Vec::new();
    for chunk in chunks {
        let client = client.clone();
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            let mut ok = 0;
            for (body, headers) in chunk {
                let mut request = client.post(&url).body(body);
                for (name, value) in headers {
                    request = request.header(name, value);
                }
                if request
                    .send()
                    .await
                    .is_ok_and(|r| r.status().as_u16() == 200)
                {
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

#[tokio::main]
async fn main() {
    let count: usize = std::env::var("BENCH_PAYMENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let fake = FakePay::start().await;
    let dir = std::env::temp_dir().join(format!("chatout-bench-pay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("catalog.json"), catalog()).unwrap();
    let mut settings = Settings::from_lookup(|_| None).unwrap();
    settings.addr = "127.0.0.1:0".into();
    settings.database_url = format!("sqlite://{}", dir.join("bench.db").display());
    settings.catalog_path = Some(dir.join("catalog.json").display().to_string());
    settings.rate_limit = 0;
    settings.hold_limit = 0;
    settings.admin_password = Some("bench password".into());
    settings.public_url = Some("https://orders.shop.example".into());
    settings.payments = PaymentSettings {
        mollie: None,
        stripe: Some(StripeSettings {
            secret_key: STRIPE_KEY.into(),
            webhook_secret: STRIPE_WEBHOOK_SECRET.into(),
            api_base: format!("{}/v1", fake.base),
        }),
    };
    let mut with_mollie = settings.clone();
    let app = Application::build(settings).await.expect("server starts");
    let base = format!("http://{}", app.address().unwrap());
    let state = app.state().clone();
    tokio::spawn(app.run());
    let client = reqwest::Client::new();

    // Stripe: orders confirmed (a Checkout Session each), paid, their signed events applied.
    let mut references = Vec::with_capacity(count);
    for n in 0..count {
        references.push(place(&client, &base, &order(2, n), &format!("s{n}")).await);
    }
    for reference in &references {
        change_status(&state, reference, Step::by("bench", OrderStatus::Confirmed))
            .await
            .unwrap();
    }
    let events: Vec<_> = fake
        .stripe_ids()
        .iter()
        .enumerate()
        .map(|(n, id)| {
            let session = fake.pay_stripe(id);
            let (body, signature) = stripe_event(&format!("evt_{n}"), &session);
            (
                body,
                vec![
                    ("stripe-signature", signature),
                    ("content-type", "application/json".into()),
                ],
            )
        })
        .collect();
    let (ok, took) = deliver(&client, &format!("{base}/webhooks/stripe"), events).await;
    let paid: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE status = 'paid'")
        .fetch_one(&state.db.read)
        .await
        .unwrap();
    println!(
        "stripe: {count} signed events (verified, applied, order paid) in {took:.2} s = {:.0} \
         deliveries/s (8 concurrent, SQLite; {ok} answered 200, {paid} orders paid)",
        count as f64 / took
    );

    // The order page with 50 lines, signed in.
    let big = place(&client, &base, &order(50, 9_999_999), "big").await;
    let cookie = sign_in(&base).await;
    let mut times = Vec::new();
    for _ in 0..300 {
        let started = Instant::now();
        let page = client
            .get(format!("{base}/admin/orders/{big}"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        page.text().await.unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "order page with 50 lines: 300 requests one at a time, p50 {:.2} ms, p99 {:.2} ms",
        times[times.len() / 2],
        times[times.len() * 99 / 100]
    );

    // Mollie: a second server on the same database, its webhooks each checked with the fake.
    with_mollie.payments = PaymentSettings {
        mollie: Some(MollieSettings {
            api_key: MOLLIE_KEY.into(),
            api_base: format!("{}/v2", fake.base),
        }),
        stripe: None,
    };
    with_mollie.database_url = format!("sqlite://{}", dir.join("mollie.db").display());
    let app = Application::build(with_mollie)
        .await
        .expect("server starts");
    let base = format!("http://{}", app.address().unwrap());
    let state = app.state().clone();
    tokio::spawn(app.run());
    let mut references = Vec::with_capacity(count);
    for n in 0..count {
        references.push(place(&client, &base, &order(2, n), &format!("m{n}")).await);
    }
    for reference in &references {
        change_status(&state, reference, Step::by("bench", OrderStatus::Confirmed))
            .await
            .unwrap();
    }
    let hooks: Vec<_> = fake
        .mollie_ids()
        .into_iter()
        .map(|id| {
            fake.set_mollie(&id, "paid", None);
            (
                format!("id={id}"),
                vec![(
                    "content-type",
                    "application/x-www-form-urlencoded".to_string(),
                )],
            )
        })
        .collect();
    let (ok, took) = deliver(&client, &format!("{base}/webhooks/mollie"), hooks).await;
    let paid: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE status = 'paid'")
        .fetch_one(&state.db.read)
        .await
        .unwrap();
    println!(
        "mollie: {count} webhooks (each payment fetched from the local fake, applied) in \
         {took:.2} s = {:.0} deliveries/s (8 concurrent, SQLite; {ok} answered 200, {paid} \
         orders paid)",
        count as f64 / took
    );
    let _ = std::fs::remove_dir_all(dir);
}

fn stripe_event(id: &str, session: &Value) -> (String, String) {
    fake_pay::stripe_event(
        id,
        "checkout.session.completed",
        session,
        STRIPE_WEBHOOK_SECRET,
        0,
    )
}

/// Signs in as admin; the session cookie header.
async fn sign_in(base: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client
        .get(format!("{base}/admin/login"))
        .send()
        .await
        .unwrap();
    let cookies: Vec<String> = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
        .collect();
    let page = login.text().await.unwrap();
    let start = page.find(r#"name="csrf" value=""#).unwrap() + 19;
    let csrf = page[start..].split('"').next().unwrap().to_string();
    let answer = client
        .post(format!("{base}/admin/login"))
        .header("cookie", cookies.join("; "))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "admin"),
            ("password", "bench password"),
        ])
        .send()
        .await
        .unwrap();
    answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
        .collect::<Vec<_>>()
        .join("; ")
}
