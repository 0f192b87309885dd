//! Defects an outside probe found (issue 14), each with the test that would have caught it:
//! stock one request could hold for days, consent times the client made up, slow clients held
//! open forever, non-JSON errors, locks that shut every staff member out, cookies whose
//! `Secure` flag followed the `Host` header, a sign-in token anyone could mint.

use crate::helpers::{client_from, csrf_of, order_body, spawn_with, Backend, Browser, TestApp};
use chatout_core::OrderStatus;
use serde_json::{json, Value};
use sqlx::Row;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// An order of one line of a demo product, the reference left to the server.
fn one_line(sku: &str, name: &str, unit_price: i64, quantity: i64) -> Value {
    let mut body = order_body();
    body["items"] = json!([{"sku": sku, "name": name, "options": {},
                            "unit_price": unit_price, "quantity": quantity}]);
    body["subtotal"] = json!(unit_price * quantity);
    body["reference"] = json!("server-picks");
    body
}

/// An order of `quantity` bottles of olive oil (3 in stock in the demo catalog).
fn olive_oil(quantity: i64) -> Value {
    one_line("olive-oil-500", "Olive oil, 500 ml", 995, quantity)
}

/// Polls `check` every 50 ms for up to 10 s.
async fn within_10s<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Regression: one anonymous POST reserved all three bottles for 48 hours.
async fn one_client_cannot_hold_all_stock_past_the_hold(backend: Backend) {
    let app = spawn_with(backend, |s| s.stock_hold = Duration::from_secs(1)).await;
    let hoarder = client_from("127.0.0.2");
    let buyer = client_from("127.0.0.3");
    let (status, held) = app
        .post_order_with(&hoarder, Some("hoard"), &olive_oil(3))
        .await;
    assert_eq!(status, 201, "{held}");
    let (status, refused) = app
        .post_order_with(&buyer, Some("buy-1"), &olive_oil(1))
        .await;
    assert_eq!(
        (status, refused["error"].clone()),
        (409, json!("out_of_stock"))
    );
    // Nobody confirmed the hoarder's order: after the hold its stock goes back, while the
    // order itself stays pending until it expires.
    within_10s("the hold to lapse", || async {
        app.db.available("olive-oil-500").await.unwrap() == Some(3)
    })
    .await;
    let hoard = held["reference"].as_str().unwrap();
    assert_eq!(
        app.db.status_of(hoard).await.unwrap(),
        Some(OrderStatus::Pending)
    );
    let (status, bought) = app
        .post_order_with(&buyer, Some("buy-2"), &olive_oil(2))
        .await;
    assert_eq!(status, 201, "{bought}");
    // Staff who confirm the hoarder's order now are told there is not enough left; nothing
    // changes, and the buyer's bottles stay the buyer's.
    let mut desk = Browser::new(&app);
    let csrf = desk.sign_in().await;
    let form = [("csrf", csrf.as_str()), ("to", "confirmed")];
    let (status, location, _) = desk
        .post(&format!("/admin/orders/{hoard}/status"), &form)
        .await;
    assert_eq!(status, 409);
    assert!(location.ends_with("notice=out-of-stock"), "{location}");
    assert_eq!(
        app.db.status_of(hoard).await.unwrap(),
        Some(OrderStatus::Pending)
    );
    assert_eq!(app.db.available("olive-oil-500").await.unwrap(), Some(1));
    let (_, _, page) = desk.get(&format!("/admin/orders/{hoard}")).await;
    assert!(
        page.contains("nobody confirmed the order while it held its stock"),
        "{page}"
    );
    // Confirming the buyer's order in time keeps its stock past the hold, until it ends.
    let bought = bought["reference"].as_str().unwrap();
    let (status, _, _) = desk
        .post(&format!("/admin/orders/{bought}/status"), &form)
        .await;
    assert_eq!(status, 303);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.db.available("olive-oil-500").await.unwrap(), Some(1));
    // Cancelling gives it back once; a lapsed order that expires gives nothing back twice.
    let cancel = [("csrf", csrf.as_str()), ("to", "cancelled")];
    desk.post(&format!("/admin/orders/{bought}/status"), &cancel)
        .await;
    desk.post(&format!("/admin/orders/{hoard}/status"), &cancel)
        .await;
    assert_eq!(app.db.available("olive-oil-500").await.unwrap(), Some(3));
}

async fn one_address_holds_at_most_the_cap_in_unconfirmed_orders(backend: Backend) {
    let app = spawn_with(backend, |s| s.hold_limit = 4).await;
    let shopper = client_from("127.0.0.4");
    let mugs = one_line("mug-stoneware", "Stoneware mug", 1250, 2);
    let (status, answer) = app.post_order_with(&shopper, Some("c-1"), &mugs).await;
    assert_eq!(status, 201, "{answer}");
    let (status, _) = app
        .post_order_with(&shopper, Some("c-2"), &olive_oil(2))
        .await;
    assert_eq!(status, 201, "four units: at the cap");
    let (status, refused) = app
        .post_order_with(&shopper, Some("c-3"), &olive_oil(1))
        .await;
    assert_eq!(
        (status, refused["error"].clone()),
        (429, json!("rate_limited"))
    );
    assert!(
        refused["message"].as_str().unwrap().contains("4 items"),
        "{refused}"
    );
    // Unlimited products hold nothing, so they are never capped; other shoppers are not
    // affected; and a replay of an order already stored is still that order.
    let totes = one_line("tote-canvas", "Canvas tote", 1500, 9);
    let (status, answer) = app.post_order_with(&shopper, Some("c-4"), &totes).await;
    assert_eq!(status, 201, "{answer}");
    let other = client_from("127.0.0.5");
    let (status, _) = app
        .post_order_with(&other, Some("c-5"), &olive_oil(1))
        .await;
    assert_eq!(status, 201);
    let (status, _) = app
        .post_order_with(&shopper, Some("c-2"), &olive_oil(2))
        .await;
    assert_eq!(status, 200);
}

/// Regression: `consent.at` of 1999 was stored as given, and `not-a-date` was accepted.
async fn the_stored_consent_time_is_the_servers(backend: Backend) {
    let app = spawn_with(backend, |_| {}).await;
    let mut body = order_body();
    body["consent"]["at"] = json!("1999-01-01T00:00:00Z");
    let before = chatout_server::clock::now_ms();
    let (status, answer) = app.post_order(Some("consent-1"), &body).await;
    let after = chatout_server::clock::now_ms();
    assert_eq!(status, 201, "{answer}");
    let row = sqlx::query("SELECT consent_at, consent_client_at FROM orders")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let stored: String = row.get(0);
    let format = &time::format_description::well_known::Rfc3339;
    let stored_ms = (time::OffsetDateTime::parse(&stored, format)
        .unwrap()
        .unix_timestamp_nanos()
        / 1_000_000) as i64;
    assert!(
        (before - 1000..=after + 1000).contains(&stored_ms),
        "{stored}"
    );
    assert_eq!(
        row.get::<Option<String>, _>(1).as_deref(),
        Some("1999-01-01T00:00:00Z")
    );
    for (key, consent, field) in [
        (
            "consent-2",
            json!({"whatsapp_updates": true, "text": "Updates, please", "at": "not-a-date"}),
            "consent.at",
        ),
        (
            "consent-3",
            json!({"whatsapp_updates": true, "text": "  "}),
            "consent.text",
        ),
    ] {
        let mut body = order_body();
        body["consent"] = consent;
        let (status, answer) = app.post_order(Some(key), &body).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(answer["errors"][0]["field"], field, "{answer}");
    }
    // What the OpenAPI document refuses, the server refuses: `{}` lacks the required fields.
    let mut body = order_body();
    body["consent"] = json!({});
    let (status, _) = app.post_order(Some("consent-4"), &body).await;
    assert_eq!(status, 422);
    // Without `at` the server's time is all there is.
    let mut body = order_body();
    body["consent"] = json!({"whatsapp_updates": true, "text": "Updates, please"});
    body["reference"] = json!("server-picks");
    let (status, answer) = app.post_order(Some("consent-5"), &body).await;
    assert_eq!(status, 201, "{answer}");
}

async fn a_non_json_order_gets_415_and_every_api_error_is_json(backend: Backend) {
    let app = spawn_with(backend, |_| {}).await;
    let post = |content_type: &'static str, body: String| {
        app.client
            .post(format!("{}/api/orders", app.base))
            .header("content-type", content_type)
            .header("idempotency-key", "k-415")
            .body(body)
            .send()
    };
    let response = post("text/plain", order_body().to_string()).await.unwrap();
    assert_eq!(response.status(), 415);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "unsupported_media_type");
    let ok = post("application/json; charset=utf-8", order_body().to_string())
        .await
        .unwrap();
    assert_eq!(ok.status(), 201);
    let mut big = order_body();
    big["note"] = json!("x".repeat(100_000));
    let response = post("application/json", big.to_string()).await.unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "too_large");
    // The router's own answers under /api/ are JSON too.
    let missing = app
        .client
        .get(format!("{}/api/nothing-here", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<Value>().await.unwrap()["error"], "not_found");
    let wrong_method = app
        .client
        .get(format!("{}/api/orders", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(
        wrong_method.json::<Value>().await.unwrap()["error"],
        "method_not_allowed"
    );
}

/// Regression: 10 wrong passwords from one proxy address locked every staff member out.
async fn wrong_passwords_lock_the_account_guessed_at_not_everyone(backend: Backend) {
    let app = spawn_with(backend, |_| {}).await;
    let mut admin = Browser::new(&app);
    let csrf = admin.sign_in().await;
    let form = [
        ("csrf", csrf.as_str()),
        ("username", "sam"),
        ("password", "a long password"),
    ];
    admin.post("/admin/staff", &form).await;
    // A guesser spreads attempts over ten addresses, under every per-address limit.
    for n in 0..10 {
        let mut guesser = Browser::from(&app, &format!("127.0.1.{}", n + 1));
        let (_, _, page) = guesser.get("/admin/login").await;
        let token = csrf_of(&page);
        let wrong = [
            ("csrf", token.as_str()),
            ("username", "admin"),
            ("password", "guess"),
        ];
        assert_eq!(guesser.post("/admin/login", &wrong).await.0, 401);
    }
    // Now admin is locked, even with the right password, and is told why…
    let mut from_home = Browser::from(&app, "127.0.2.1");
    let (_, _, page) = from_home.get("/admin/login").await;
    let token = csrf_of(&page);
    let right = [
        ("csrf", token.as_str()),
        ("username", "admin"),
        ("password", "correct horse"),
    ];
    let (status, _, page) = from_home.post("/admin/login", &right).await;
    assert_eq!(status, 429);
    assert!(
        page.contains("Too many wrong passwords for this account"),
        "{page}"
    );
    // …while a colleague behind the same address signs in as usual.
    from_home.sign_in_as("sam", "a long password").await;
}

/// Regression: the sign-in form took any value that was the same in cookie and form.
async fn a_planted_sign_in_token_is_refused(backend: Backend) {
    let app = spawn_with(backend, |_| {}).await;
    let client = client_from("127.0.0.1");
    for token in ["x", "9999999999999.abc.def"] {
        let response = client
            .post(format!("{}/admin/login", app.base))
            .header("cookie", format!("chatout_login={token}"))
            .form(&[
                ("csrf", token),
                ("username", "admin"),
                ("password", "correct horse"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{token}");
        assert!(response.headers().get("set-cookie").is_none());
    }
}

/// The sign-in page's `Set-Cookie` and HSTS headers for a request from `ip` with `headers`.
async fn sign_in_cookie(app: &TestApp, ip: &str, headers: &[(&str, &str)]) -> (String, bool) {
    let mut request = client_from(ip).get(format!("{}/admin/login", app.base));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    let hsts = response
        .headers()
        .get("strict-transport-security")
        .is_some();
    (cookie, hsts)
}

/// Regression: behind a proxy that passed `Host: 127.0.0.1`, the desk cookie lost `Secure`.
async fn cookies_are_secure_unless_a_browser_on_this_machine_asks(backend: Backend) {
    let app = spawn_with(backend, |s| {
        s.trusted_proxies = chatout_server::settings::parse_networks("127.0.0.9").unwrap();
    })
    .await;
    let (cookie, hsts) = sign_in_cookie(&app, "127.0.0.1", &[]).await;
    assert!(
        !cookie.contains("Secure") && !hsts,
        "a developer's browser: {cookie}"
    );
    let untrusted_proxy = [("x-forwarded-for", "203.0.113.5"), ("host", "127.0.0.1")];
    let (cookie, hsts) = sign_in_cookie(&app, "127.0.0.1", &untrusted_proxy).await;
    assert!(cookie.contains("Secure") && hsts, "{cookie}");
    let plain = [
        ("x-forwarded-for", "203.0.113.5"),
        ("x-forwarded-proto", "http"),
    ];
    let (cookie, hsts) = sign_in_cookie(&app, "127.0.0.9", &plain).await;
    assert!(
        !cookie.contains("Secure") && !hsts,
        "a trusted proxy said http: {cookie}"
    );
    let tls = [
        ("x-forwarded-for", "203.0.113.5"),
        ("x-forwarded-proto", "https"),
    ];
    let (cookie, hsts) = sign_in_cookie(&app, "127.0.0.9", &tls).await;
    assert!(cookie.contains("Secure") && hsts, "{cookie}");
    let health = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.headers()["x-content-type-options"], "nosniff");
}

async fn rate_limits_count_the_client_behind_a_trusted_proxy(backend: Backend) {
    let app = spawn_with(backend, |s| {
        s.rate_limit = 2;
        s.trusted_proxies = chatout_server::settings::parse_networks("127.0.0.9").unwrap();
    })
    .await;
    let order_from = |ip: &'static str, forwarded: String, key: String| {
        let client = client_from(ip);
        let url = format!("{}/api/orders", app.base);
        async move {
            let mut body = order_body();
            body["reference"] = json!("server-picks");
            body["consent"] = Value::Null;
            client
                .post(url)
                .header("x-forwarded-for", forwarded)
                .header("idempotency-key", key)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Through the proxy, each shopper has a limit of their own…
    let mut seen = Vec::new();
    for (n, shopper) in [
        "198.51.100.1",
        "198.51.100.1",
        "198.51.100.1",
        "198.51.100.2",
    ]
    .iter()
    .enumerate()
    {
        seen.push(order_from("127.0.0.9", shopper.to_string(), format!("p{n}")).await);
    }
    assert_eq!(seen, [201, 201, 429, 201]);
    // …while a forged header from anyone else changes nothing.
    let mut forged = Vec::new();
    for n in 0..3 {
        forged.push(order_from("127.0.0.8", format!("192.0.2.{n}"), format!("f{n}")).await);
    }
    assert_eq!(forged, [201, 201, 429]);
}

/// Opens a connection from `ip`.
async fn connect_from(app: &TestApp, ip: &str) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{ip}:0").parse().unwrap()).unwrap();
    let addr = app.base.trim_start_matches("http://").parse().unwrap();
    socket.connect(addr).await.unwrap()
}

/// Reads until the server closes the connection; what it sent, and how long it took.
async fn until_closed(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => seen.extend_from_slice(&buffer[..n]),
            Err(_) => panic!("still open after 10 s"),
        }
    }
    (
        String::from_utf8_lossy(&seen).into_owned(),
        started.elapsed(),
    )
}

/// Regression: a connection that sent half its headers was still open after 45 s, and
/// 15,863 of them were held.
async fn slow_clients_are_closed_while_healthz_answers(backend: Backend) {
    let app = spawn_with(backend, |s| {
        s.header_timeout = Duration::from_secs(1);
        s.body_timeout = Duration::from_secs(1);
        s.max_connections_per_client = 40;
    })
    .await;
    // Forty half-sent requests from one address, and a body trickled a byte at a time.
    let mut slow = Vec::new();
    for _ in 0..40 {
        let mut stream = connect_from(&app, "127.0.0.6").await;
        stream
            .write_all(b"POST /api/orders HTTP/1.1\r\nHost: shop\r\nContent-Ty")
            .await
            .unwrap();
        slow.push(stream);
    }
    let mut trickle = connect_from(&app, "127.0.0.7").await;
    trickle
        .write_all(
            b"POST /api/orders HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\n\
              Idempotency-Key: t\r\nContent-Length: 500\r\n\r\n{",
        )
        .await
        .unwrap();
    // Read while writing, so the answer is read before a write after it could reset it.
    let (mut read_half, mut write_half) = trickle.into_split();
    let reading = tokio::spawn(async move {
        let mut seen = Vec::new();
        let _ =
            tokio::time::timeout(Duration::from_secs(10), read_half.read_to_end(&mut seen)).await;
        String::from_utf8_lossy(&seen).into_owned()
    });
    tokio::spawn(async move {
        for _ in 0..30 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if write_half.write_all(b" ").await.is_err() {
                break;
            }
        }
    });
    // The forty-first connection from that address is turned away at once, with a 503.
    let mut one_more = connect_from(&app, "127.0.0.6").await;
    let (answer, _) = until_closed(&mut one_more).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    // Meanwhile the server answers everyone else.
    let health = tokio::time::timeout(
        Duration::from_secs(5),
        app.client.get(format!("{}/healthz", app.base)).send(),
    )
    .await
    .expect("healthz answers while slow clients pile up")
    .unwrap();
    assert_eq!(health.status(), 200);
    // Each half-sent request is closed once its header time is up…
    for stream in &mut slow {
        let (_, took) = until_closed(stream).await;
        assert!(took < Duration::from_secs(5), "closed after {took:?}");
    }
    // …and the trickled body is cut off at its deadline with a JSON 408.
    let answer = reading.await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"error\":\"timeout\""), "{answer}");
}

crate::on_both_backends!(
    one_client_cannot_hold_all_stock_past_the_hold,
    one_address_holds_at_most_the_cap_in_unconfirmed_orders,
    the_stored_consent_time_is_the_servers,
    a_non_json_order_gets_415_and_every_api_error_is_json,
    wrong_passwords_lock_the_account_guessed_at_not_everyone,
    a_planted_sign_in_token_is_refused,
    cookies_are_secure_unless_a_browser_on_this_machine_asks,
    rate_limits_count_the_client_behind_a_trusted_proxy,
    slow_clients_are_closed_while_healthz_answers,
);
