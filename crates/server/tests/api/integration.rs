//! The shop's other systems (docs/CONTRACT.md sections 7 and 8): API tokens in the desk and on the
//! command line, the integration API's routes, signed webhooks through the durable outbox
//! against a local receiver, and the CSV export.

use crate::helpers::{fresh_database, order_body, spawn_with, Backend, Browser, TestApp};
use crate::process::ServerProcess;
use crate::receiver::{free_port, Receiver};
use chatout_server::outbound::signature::verify;
use chatout_server::settings::WebhookSettings;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::time::Duration;

const SECRET: &str = "receivers share this secret";

fn webhooks(urls: &[&str]) -> WebhookSettings {
    WebhookSettings {
        urls: urls.iter().map(|u| u.to_string()).collect(),
        secret: SECRET.into(),
        timeout: Duration::from_secs(2),
        retry_base: Duration::from_millis(50),
        retry_for: Duration::from_secs(24 * 3600),
    }
}

/// Runs `python3 args…` with `env`, `input` on its standard input.
fn python(args: &[&str], env: &[(&str, &str)], input: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args(args)
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// Creates a token in the desk as admin; returns its value, read off the page that shows it.
pub(crate) async fn desk_token(
    browser: &mut Browser<'_>,
    csrf: &str,
    name: &str,
    scope: &str,
) -> String {
    let form = [("csrf", csrf), ("name", name), ("scope", scope)];
    let (status, _, page) = browser.post("/admin/tokens", &form).await;
    assert_eq!(status, 200, "{page}");
    token_on(&page).expect("the new token is shown once")
}

fn token_on(page: &str) -> Option<String> {
    let start = page.find("<code class=\"token\">")? + "<code class=\"token\">".len();
    let end = page[start..].find('<')? + start;
    Some(page[start..end].to_string())
}

/// An API request with `token` (none: no Authorization header).
pub(crate) async fn api(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app.client.request(method, format!("{}{path}", app.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    api(app, reqwest::Method::GET, path, Some(token), None).await
}

async fn move_to(app: &TestApp, reference: &str, to: &str, token: &str) -> (u16, Value) {
    let path = format!("/api/v1/orders/{reference}/transitions");
    let body = json!({"to": to, "note": format!("via the ERP: {to}")});
    api(app, reqwest::Method::POST, &path, Some(token), Some(body)).await
}

/// One canvas tote (unlimited stock) for `phone`; returns the reference.
async fn place(app: &TestApp, key: &str, phone: &str) -> String {
    let mut body = order_body();
    body["items"] = json!([{"sku": "tote-canvas", "name": "Canvas tote", "options": {},
                            "unit_price": 1500, "quantity": 1}]);
    body["subtotal"] = json!(1500);
    body["customer"]["phone"] = json!(phone);
    let (status, answer) = app.post_order(Some(key), &body).await;
    assert_eq!(status, 201, "{answer}");
    answer["reference"].as_str().unwrap().to_string()
}

async fn tokens_in_the_desk_are_shown_once_scoped_and_revoked_at_once(backend: Backend) {
    let app = spawn_with(backend, |_| {}).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let erp = desk_token(&mut browser, &csrf, "erp", "write").await;
    let bi = desk_token(&mut browser, &csrf, "bi", "read").await;
    assert!(erp.starts_with("chatout_") && erp.len() > 60, "{erp}");
    // Shown once: the list never shows a value again, and a taken name is refused.
    let (_, _, page) = browser.get("/admin/tokens").await;
    assert!(!page.contains(&erp) && !page.contains(&bi));
    let form = [("csrf", csrf.as_str()), ("name", "erp"), ("scope", "read")];
    let (status, location, _) = browser.post("/admin/tokens", &form).await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/admin/tokens?notice=token-taken")
    );

    let (status, body) = api(&app, reqwest::Method::GET, "/api/v1/orders", None, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, _) = get(&app, "/api/v1/orders", "chatout_not-a-token").await;
    assert_eq!(status, 401);
    let (status, body) = get(&app, "/api/v1/orders", &bi).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["orders"], json!([]));
    let used: HashMap<String, bool> = app
        .db
        .tokens()
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.name, t.last_used_at.is_some()))
        .collect();
    assert!(used["bi"], "last used is noted");
    assert!(!used["erp"]);

    // A read token cannot move an order; a write token can, as api:<name>.
    let reference = place(&app, "tokens-1", "+31612345678").await;
    let (status, body) = move_to(&app, &reference, "confirmed", &bi).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("forbidden")));
    let (status, order) = move_to(&app, &reference, "confirmed", &erp).await;
    assert_eq!(status, 200, "{order}");
    assert_eq!(order["status"], "confirmed");
    let last = order["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["actor"], "api:erp");

    // Revoked: refused on the next request.
    let (status, _, _) = browser
        .post("/admin/tokens/bi/revoke", &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(status, 303);
    let (status, _) = get(&app, "/api/v1/orders", &bi).await;
    assert_eq!(status, 401);

    // Only admin manages tokens.
    let form = [
        ("csrf", csrf.as_str()),
        ("username", "sam"),
        ("password", "a long enough password"),
    ];
    browser.post("/admin/staff", &form).await;
    let mut sam = Browser::from(&app, "127.0.0.2");
    sam.sign_in_as("sam", "a long enough password").await;
    let (status, _, _) = sam.get("/admin/tokens").await;
    assert_eq!(status, 403);
}

/// The command line makes, lists and revokes tokens on the server's database, and the server
/// never prints a token's value.
async fn tokens_from_the_command_line_work_and_never_reach_the_log(backend: Backend) {
    let (database_url, _cleanup) = fresh_database(backend).await;
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_chatout-server"))
            .args(args)
            .env("DATABASE_URL", &database_url)
            .env("RUST_LOG", "error")
            .output()
            .expect("chatout-server runs");
        let text = String::from_utf8(out.stdout).unwrap();
        (
            out.status.code(),
            text,
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, out, err) = cli(&["token", "create", "--name", "deploy", "--scope", "write"]);
    assert_eq!(code, Some(0), "{err}");
    let token = out.trim().lines().last().unwrap().to_string();
    assert!(token.starts_with("chatout_"), "{out}");
    let (code, _, err) = cli(&["token", "create", "--name", "deploy", "--scope", "read"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("exists already"), "{err}");
    let (code, _, err) = cli(&["token", "create", "--name", "x", "--scope", "admin"]);
    assert_eq!(code, Some(2), "a usage error");
    assert!(err.contains("read or write"), "{err}");

    let server = ServerProcess::start(
        &database_url,
        &[("RUST_LOG", "debug"), ("CHATOUT_RATE_LIMIT", "0")],
    );
    let client = reqwest::Client::new();
    let orders = format!("{}/api/v1/orders", server.base);
    let status = client
        .get(&orders)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    let (_, list, _) = cli(&["token", "list"]);
    let line = list.lines().find(|l| l.starts_with("deploy\t")).unwrap();
    assert_eq!(line.split('\t').nth(1), Some("write"));
    assert_ne!(line.split('\t').nth(3), Some("-"), "last used: {line}");
    assert!(!list.contains(&token), "listing never shows the value");

    let (code, out, _) = cli(&["token", "revoke", "deploy"]);
    assert_eq!(code, Some(0), "{out}");
    let status = client
        .get(&orders)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401, "revoked at once");
    let (code, _, _) = cli(&["token", "revoke", "deploy"]);
    assert_ne!(code, Some(0), "nothing left to revoke");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = server.output().join("\n");
    assert!(!log.is_empty(), "the server logged at debug level");
    assert!(!log.contains(&token), "the token is in the log:\n{log}");
}

/// Paging newest first by an opaque cursor while more orders arrive: each order that existed
/// when paging began is seen exactly once.
async fn paging_while_orders_arrive_sees_each_order_once(backend: Backend) {
    let app = spawn_with(backend, |_| {}).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let token = desk_token(&mut browser, &csrf, "crm", "read").await;
    let mut before = HashSet::new();
    for n in 0..500 {
        before.insert(place(&app, &format!("page-{n}"), "+31612345678").await);
    }
    let arriving = {
        let (base, client) = (app.base.clone(), app.client.clone());
        tokio::spawn(async move {
            let mut body = order_body();
            body["items"] = json!([{"sku": "tote-canvas", "name": "Canvas tote",
                                    "options": {}, "unit_price": 1500, "quantity": 1}]);
            body["subtotal"] = json!(1500);
            for n in 0..100 {
                let response = client
                    .post(format!("{base}/api/orders"))
                    .header("idempotency-key", format!("late-{n}"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 201);
            }
        })
    };
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/orders?limit=37&cursor={c}"),
            None => "/api/v1/orders?limit=37".to_string(),
        };
        let (status, page) = get(&app, &path, &token).await;
        assert_eq!(status, 200, "{page}");
        for order in page["orders"].as_array().unwrap() {
            seen.push(order["reference"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    arriving.await.unwrap();
    let unique: HashSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "an order was repeated");
    assert!(
        before.is_subset(&unique),
        "{} of 500 seen",
        before.intersection(&unique).count()
    );
    // Filters and bad input.
    let (_, page) = get(&app, "/api/v1/orders?status=confirmed", &token).await;
    assert_eq!(page["orders"], json!([]));
    let (_, page) = get(&app, "/api/v1/orders?since=2999-01-01T00:00:00Z", &token).await;
    assert_eq!(page["orders"], json!([]));
    for bad in [
        "limit=201",
        "limit=0",
        "status=lost",
        "since=yesterday",
        "cursor=zz",
    ] {
        let (status, body) = get(&app, &format!("/api/v1/orders?{bad}"), &token).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (422, Some("invalid")),
            "{bad}"
        );
    }
}

/// The API and the desk move the same orders by the same rules; history names each actor.
async fn api_and_desk_transitions_interleave(backend: Backend) {
    let app = spawn_with(backend, |_| {}).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let erp = desk_token(&mut browser, &csrf, "erp", "write").await;
    let reference = place(&app, "mix-1", "+31612345678").await;
    assert_eq!(move_to(&app, &reference, "confirmed", &erp).await.0, 200);
    let path = format!("/admin/orders/{reference}/status");
    let (status, _, _) = browser
        .post(&path, &[("csrf", csrf.as_str()), ("to", "paid")])
        .await;
    assert_eq!(status, 303);
    let (status, body) = move_to(&app, &reference, "confirmed", &erp).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        (&body["error"], &body["from"], &body["to"]),
        (
            &json!("illegal_transition"),
            &json!("paid"),
            &json!("confirmed")
        )
    );
    assert_eq!(move_to(&app, &reference, "fulfilled", &erp).await.0, 200);
    let (status, order) = get(&app, &format!("/api/v1/orders/{reference}"), &erp).await;
    assert_eq!(status, 200);
    let steps: Vec<(String, String)> = order["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["to"].as_str().unwrap().into(),
                s["actor"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        ("pending", "shopper"),
        ("confirmed", "api:erp"),
        ("paid", "admin"),
        ("fulfilled", "api:erp"),
    ];
    assert_eq!(
        steps,
        expected
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .to_vec()
    );
    assert_eq!(order["total"], order["subtotal"]);
    assert_eq!(order["items"][0]["line_total"], 1500);
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(
        page.contains("via the ERP: fulfilled"),
        "the note shows in the desk"
    );

    // Two moves at once: one wins, the other is refused cleanly.
    let second = place(&app, "mix-2", "+31612345678").await;
    let (a, b) = tokio::join!(
        move_to(&app, &second, "confirmed", &erp),
        move_to(&app, &second, "cancelled", &erp)
    );
    let mut codes = [a.0, b.0];
    codes.sort();
    assert!(codes == [200, 200] || codes == [200, 409], "{codes:?}");
    if codes == [200, 200] {
        // Confirmed then cancelled is a legal sequence; both really happened in order.
        let (_, order) = get(&app, &format!("/api/v1/orders/{second}"), &erp).await;
        assert_eq!(order["history"].as_array().unwrap().len(), 3);
    }
    assert_eq!(get(&app, "/api/v1/orders/NOPE-NOPE", &erp).await.0, 404);
    let (status, _) = move_to(&app, &second, "shipped", &erp).await;
    assert_eq!(status, 422);
}

/// Products with their stock; setting a count moves availability by the difference (held
/// units stay held) and is recorded; `null` makes a product unlimited.
async fn stock_updates_move_availability_like_the_catalog(backend: Backend) {
    let app = spawn_with(backend, |_| {}).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let erp = desk_token(&mut browser, &csrf, "erp", "write").await;
    let bi = desk_token(&mut browser, &csrf, "bi", "read").await;
    let (status, _) = app.post_order(Some("stock-1"), &order_body()).await; // 2 linen shirts
    assert_eq!(status, 201);
    let (_, list) = get(&app, "/api/v1/products", &bi).await;
    let shirt = list["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["sku"] == "shirt-linen")
        .unwrap()
        .clone();
    let (stock, available) = (
        shirt["stock"].as_i64().unwrap(),
        shirt["available"].as_i64().unwrap(),
    );
    assert_eq!(stock - available, 2, "{shirt}");
    let patch = |token: &str, body: Value| {
        let token = token.to_string();
        let app = &app;
        async move {
            api(
                app,
                reqwest::Method::PATCH,
                "/api/v1/products/shirt-linen",
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    assert_eq!(patch(&bi, json!({"stock": 3})).await.0, 403);
    let (status, product) = patch(&erp, json!({"stock": 3})).await;
    assert_eq!(status, 200, "{product}");
    assert_eq!(
        (product["stock"].as_i64(), product["available"].as_i64()),
        (Some(3), Some(1))
    );
    assert_eq!(app.db.available("shirt-linen").await.unwrap(), Some(1));
    for bad in [
        json!({"stock": -1}),
        json!({"stock": "many"}),
        json!({}),
        json!({"stock": 1.5}),
    ] {
        assert_eq!(patch(&erp, bad.clone()).await.0, 422, "{bad}");
    }
    let (_, product) = patch(&erp, json!({"stock": null})).await;
    assert_eq!(product["available"], Value::Null);
    assert_eq!(app.db.available("shirt-linen").await.unwrap(), None);
    let status = api(
        &app,
        reqwest::Method::PATCH,
        "/api/v1/products/nope",
        Some(&erp),
        Some(json!({"stock": 1})),
    )
    .await
    .0;
    assert_eq!(status, 404);
    let actors: Vec<String> =
        sqlx::query_scalar("SELECT actor FROM stock_changes WHERE sku = 'shirt-linen' ORDER BY id")
            .fetch_all(&app.db.read)
            .await
            .unwrap();
    assert_eq!(
        actors.iter().filter(|a| *a == "api:erp").count(),
        2,
        "{actors:?}"
    );
}

/// Every event arrives signed, in order per order, once after its 2xx, though the receiver
/// was down at first (connection refused) and then failed three times.
async fn webhooks_survive_a_receiver_that_is_down_then_failing(backend: Backend) {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hooks");
    let app = spawn_with(backend, |s| s.webhooks = Some(webhooks(&[&url]))).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let erp = desk_token(&mut browser, &csrf, "erp", "write").await;
    let mut references = Vec::new();
    for n in 0..5 {
        let reference = place(&app, &format!("hook-{n}"), "+31612345678").await;
        move_to(&app, &reference, "confirmed", &erp).await;
        move_to(&app, &reference, "paid", &erp).await;
        references.push(reference);
    }
    // Nobody listens yet: every attempt is refused and retried.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (_, _, page) = browser.get("/admin/webhooks").await;
    assert!(page.contains("could not connect"), "{page}");
    let receiver = Receiver::start_on(port, 3).await;
    let accepted = receiver.wait_for(15, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let accepted_now = receiver.accepted();
    assert_eq!(accepted_now.len(), 15, "nothing twice after a 2xx");
    let ids: HashSet<_> = accepted.iter().map(|d| d.event_id.clone()).collect();
    assert_eq!(ids.len(), 15);
    assert_eq!(receiver.deliveries().len(), 18, "three answered 500 first");
    let now = chatout_server::clock::now_ms() / 1000;
    let mut per_order: HashMap<String, Vec<String>> = HashMap::new();
    for d in &accepted {
        assert!(
            verify(SECRET, &d.signature, &d.body, now, 300),
            "{}",
            d.signature
        );
        assert!(!verify("another secret", &d.signature, &d.body, now, 300));
        let event = d.json();
        assert_eq!(event["id"].as_str(), Some(d.event_id.as_str()));
        let reference = event["data"]["order"]["reference"]
            .as_str()
            .unwrap()
            .to_string();
        per_order
            .entry(reference)
            .or_default()
            .push(event["type"].as_str().unwrap().into());
    }
    for reference in &references {
        assert_eq!(
            per_order[reference],
            ["order.created", "order.confirmed", "order.paid"],
            "{reference}"
        );
    }
    // The README's receiver example accepts a real delivery, and only with the secret.
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/verify_webhook.py");
    let readme = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/integration.md"),
    )
    .unwrap();
    let script = std::fs::read_to_string(&example).unwrap();
    assert!(
        readme.contains(&script),
        "the README shows examples/verify_webhook.py as it is"
    );
    for (secret, valid) in [(SECRET, true), ("another secret", false)] {
        let out = python(
            &[example.to_str().unwrap(), &accepted[0].signature],
            &[("CHATOUT_WEBHOOK_SECRET", secret)],
            &accepted[0].body,
        );
        assert_eq!(
            out.status.success(),
            valid,
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    // The event carries the order as it was then.
    let confirmed = accepted
        .iter()
        .map(|d| d.json())
        .find(|e| e["type"] == "order.confirmed")
        .unwrap();
    assert_eq!(confirmed["data"]["order"]["status"], "confirmed");
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("chatout_webhook_deliveries{status=\"delivered\"} 15"),
        "{metrics}"
    );
}

/// A server stopped mid-queue loses nothing and resends nothing that got its 2xx.
async fn webhooks_survive_a_restart_mid_queue(backend: Backend) {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hooks");
    let mut app = spawn_with(backend, |s| s.webhooks = Some(webhooks(&[&url]))).await;
    let receiver = Receiver::start_on(port, 0).await;
    let first = place(&app, "restart-1", "+31612345678").await;
    receiver.wait_for(1, Duration::from_secs(10)).await;
    drop(receiver);
    for n in 2..6 {
        place(&app, &format!("restart-{n}"), "+31612345678").await;
    }
    app.restart().await;
    let receiver = Receiver::start_on(port, 0).await;
    let accepted = receiver.wait_for(4, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let references: Vec<String> = receiver
        .accepted()
        .iter()
        .map(|d| {
            d.json()["data"]["order"]["reference"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(references.len(), 4, "{references:?}");
    assert!(
        !references.contains(&first),
        "delivered before the restart: not again"
    );
    assert_eq!(accepted.len(), 4);
}

/// A failed delivery is shown with the receiver's answer and can be sent again.
async fn a_failed_delivery_is_shown_and_sent_again(backend: Backend) {
    let receiver = Receiver::start(1).await;
    let url = receiver.url.clone();
    let app = spawn_with(backend, |s| {
        let mut hooks = webhooks(&[&url]);
        // Gives up at once: the first 500 is final.
        hooks.retry_for = Duration::from_millis(1);
        s.webhooks = Some(hooks);
    })
    .await;
    let reference = place(&app, "failed-1", "+31612345678").await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let mut page = String::new();
    for _ in 0..200 {
        page = browser.get("/admin/webhooks").await.2;
        if page.contains("Send again") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(page.contains("HTTP 500"), "{page}");
    let (_, _, order_page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(order_page.contains("order.created") && order_page.contains("failed"));
    let id: i64 = sqlx::query_scalar("SELECT id FROM webhook_deliveries")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let (status, location, _) = browser
        .post(
            &format!("/admin/webhooks/{id}/retry"),
            &[("csrf", csrf.as_str()), ("reference", reference.as_str())],
        )
        .await;
    assert_eq!(status, 303);
    assert!(location.ends_with("notice=delivery-requeued"), "{location}");
    receiver.wait_for(1, Duration::from_secs(10)).await;
}

/// Hostile names come out of the CSV neutralised and quoted, and Python's csv module reads
/// back exactly the rows written.
async fn the_csv_export_neutralises_formulas_and_reads_back(backend: Backend) {
    let app = spawn_with(backend, |_| {}).await;
    let hostile = [
        "=cmd|' /C calc'!A0",
        "+1",
        "@SUM(1)",
        "say \"hi\", then",
        "two\nlines",
    ];
    for (n, name) in hostile.iter().enumerate() {
        let mut body = order_body();
        body["customer"]["name"] = json!(name);
        body["note"] = json!(format!("-{n}"));
        let (status, answer) = app.post_order(Some(&format!("csv-{n}")), &body).await;
        assert_eq!(status, 201, "{answer}");
    }
    let mut browser = Browser::new(&app);
    browser.sign_in().await;
    let (status, _, csv) = browser
        .get("/admin/orders.csv?from=2000-01-01&to=2999-12-31")
        .await;
    assert_eq!(status, 200);
    let (status, _, none) = browser.get("/admin/orders.csv?status=paid").await;
    assert_eq!(status, 200);
    assert_eq!(none.lines().count(), 1, "only the header: {none}");
    assert_eq!(browser.get("/admin/orders.csv?from=tomorrow").await.0, 400);
    let script = "import csv, json, sys\nprint(json.dumps(list(csv.reader(sys.stdin))))";
    let out = python(&["-c", script], &[], csv.as_bytes());
    let rows: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0][0], "reference");
    assert_eq!(rows.len(), 1 + hostile.len() * 2, "a line per item");
    let names: HashSet<&str> = rows[1..].iter().map(|r| r[3].as_str()).collect();
    for name in [
        "'=cmd|' /C calc'!A0",
        "'+1",
        "'@SUM(1)",
        "say \"hi\", then",
        "two\nlines",
    ] {
        assert!(names.contains(name), "{name:?} in {names:?}");
    }
    for row in &rows[1..] {
        assert!(
            row[9].starts_with("'-"),
            "the note {:?} is neutralised",
            row[9]
        );
        assert_eq!(row.len(), rows[0].len());
        assert_eq!(row[20], "EUR");
    }
    let shirt = rows[1..].iter().find(|r| r[10] == "shirt-linen").unwrap();
    assert_eq!(
        (shirt[13].as_str(), shirt[14].as_str(), shirt[15].as_str()),
        ("2", "29.90", "59.80")
    );
    assert_eq!(shirt[16], "60.10");
    assert_eq!(shirt[12], "Colour: Sand; Size: M");
    assert!(csv.starts_with("\"reference\""), "every cell is quoted");
}

/// `value` matches `schema` (resolving `$ref`s in `doc`): every key is described, every
/// required key is there, and every type is the one written, all the way down.
pub(crate) fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) {
    if let Some(path) = schema["$ref"].as_str() {
        let name = path.rsplit('/').next().unwrap();
        return conforms(doc, &doc["components"]["schemas"][name], value, at);
    }
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let allowed: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![kind],
    };
    assert!(
        allowed.contains(&kind) || (kind == "integer" && allowed.contains(&"number")),
        "{at}: {kind} where the schema says {allowed:?}"
    );
    if let Some(values) = schema["enum"].as_array() {
        assert!(
            values.contains(value),
            "{at}: {value} is not one of {values:?}"
        );
    }
    match value {
        Value::Object(map) => {
            let properties = schema["properties"].as_object();
            for (key, item) in map {
                match properties.and_then(|p| p.get(key)) {
                    Some(sub) => conforms(doc, sub, item, &format!("{at}.{key}")),
                    None => assert!(
                        schema["additionalProperties"].is_object(),
                        "{at}: `{key}` is not in the schema"
                    ),
                }
            }
            for key in schema["required"].as_array().into_iter().flatten() {
                let key = key.as_str().unwrap();
                assert!(map.contains_key(key), "{at}: no `{key}`");
            }
        }
        Value::Array(items) => {
            for (n, item) in items.iter().enumerate() {
                conforms(doc, &schema["items"], item, &format!("{at}[{n}]"));
            }
        }
        _ => {}
    }
}

/// The server's OpenAPI document.
pub(crate) async fn openapi(app: &TestApp) -> Value {
    app.client
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// `value` is an `Order` as the server's OpenAPI document describes it, all the way down.
pub(crate) async fn conforms_to_order(app: &TestApp, value: &Value) {
    let doc = openapi(app).await;
    conforms(
        &doc,
        &json!({"$ref": "#/components/schemas/Order"}),
        value,
        "order",
    );
}

/// The OpenAPI document describes every integration route, and real answers match it.
async fn the_openapi_document_describes_the_integration_api(backend: Backend) {
    let app = spawn_with(backend, |_| {}).await;
    let doc = openapi(&app).await;
    let schema = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let erp = desk_token(&mut browser, &csrf, "erp", "write").await;
    let bi = desk_token(&mut browser, &csrf, "bi", "read").await;
    let (_, _) = app.post_order(Some("doc-1"), &order_body()).await;
    let reference = place(&app, "doc-2", "+31612345678").await;
    let (_, moved) = move_to(&app, &reference, "confirmed", &erp).await;
    conforms(&doc, &schema("Order"), &moved, "transition");
    let (_, page) = get(&app, "/api/v1/orders?limit=1", &bi).await;
    assert!(page["next_cursor"].is_string());
    conforms(&doc, &schema("OrderPage"), &page, "page");
    let (_, products) = get(&app, "/api/v1/products", &bi).await;
    conforms(&doc, &schema("Products"), &products, "products");
    let path = "/api/v1/products/shirt-linen";
    let (_, product) = api(
        &app,
        reqwest::Method::PATCH,
        path,
        Some(&erp),
        Some(json!({"stock": 4})),
    )
    .await;
    conforms(&doc, &schema("Product"), &product, "product");
    let (status, contact) = get(&app, "/api/v1/contacts/31612345678", &bi).await;
    assert_eq!(status, 200, "{contact}");
    assert_eq!(contact["consent"]["order_updates"]["state"], "pending");
    conforms(&doc, &schema("Contact"), &contact, "contact");
    let errors = [
        api(&app, reqwest::Method::GET, "/api/v1/orders", None, None).await,
        move_to(&app, &reference, "confirmed", &bi).await,
        move_to(&app, &reference, "pending", &erp).await,
        get(&app, "/api/v1/contacts/999", &bi).await,
        get(&app, "/api/v1/orders?limit=x", &bi).await,
    ];
    for (status, body) in errors {
        assert!(status >= 400);
        conforms(&doc, &schema("ApiError"), &body, &format!("error {status}"));
    }
    for path in [
        "/api/v1/orders",
        "/api/v1/orders/{reference}",
        "/api/v1/orders/{reference}/transitions",
        "/api/v1/products",
        "/api/v1/products/{sku}",
        "/api/v1/contacts/{wa_id}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} undocumented");
    }
}

/// Each token has its own limit: past it, `429` with `Retry-After`, while other tokens go on.
async fn each_token_is_rate_limited_on_its_own(backend: Backend) {
    let app = spawn_with(backend, |s| s.api_rate_limit = 3).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let busy = desk_token(&mut browser, &csrf, "busy", "read").await;
    let calm = desk_token(&mut browser, &csrf, "calm", "read").await;
    for _ in 0..3 {
        assert_eq!(get(&app, "/api/v1/products", &busy).await.0, 200);
    }
    let response = app
        .client
        .get(format!("{}/api/v1/products", app.base))
        .bearer_auth(&busy)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(get(&app, "/api/v1/products", &calm).await.0, 200);
}

/// An order nobody confirms expires, and its receivers are told.
async fn an_expired_order_is_announced(backend: Backend) {
    let receiver = Receiver::start(0).await;
    let url = receiver.url.clone();
    let app = spawn_with(backend, |s| {
        s.webhooks = Some(webhooks(&[&url]));
        s.order_ttl = Duration::from_secs(1);
    })
    .await;
    let reference = place(&app, "expire-1", "+31612345678").await;
    let accepted = receiver.wait_for(2, Duration::from_secs(20)).await;
    let types: Vec<Value> = accepted.iter().map(|d| d.json()["type"].clone()).collect();
    assert_eq!(types, [json!("order.created"), json!("order.expired")]);
    let order = &accepted[1].json()["data"]["order"];
    assert_eq!(
        (order["reference"].as_str(), order["status"].as_str()),
        (Some(reference.as_str()), Some("expired"))
    );
}

crate::on_both_backends!(
    each_token_is_rate_limited_on_its_own,
    an_expired_order_is_announced,
    the_openapi_document_describes_the_integration_api,
    tokens_in_the_desk_are_shown_once_scoped_and_revoked_at_once,
    tokens_from_the_command_line_work_and_never_reach_the_log,
    paging_while_orders_arrive_sees_each_order_once,
    api_and_desk_transitions_interleave,
    stock_updates_move_availability_like_the_catalog,
    webhooks_survive_a_receiver_that_is_down_then_failing,
    webhooks_survive_a_restart_mid_queue,
    a_failed_delivery_is_shown_and_sent_again,
    the_csv_export_neutralises_formulas_and_reads_back,
);
