//! Back-in-stock alerts (docs/CONTRACT.md section 10, issue 19): a subscription asked for on the
//! web is pending until its message arrives from that number; a restock (API, desk, catalog
//! reload, a cancelled order) sends the `back_in_stock` template once per active
//! subscriber, in arrival order, up to a multiple of the units; STOP, the link, the missing
//! marketing opt-in and the frequency cap each keep it from going.

use crate::fake_cloud::{FakeCloud, Reply};
use crate::helpers::{order_body, spawn_app, spawn_with, Backend, Browser, TestApp};
use crate::integration::{api, conforms, desk_token, openapi};
use crate::messaging::{
    eventually, inbound, mark, rand_key, spawn_messaging, webhook, whatsapp_for,
};
use serde_json::{json, Value};
use sqlx::Row;
use std::time::Duration;

const OIL: &str = "olive-oil-500";
const OFFERS: &str = "Send me offers and news on WhatsApp";

/// Posts `body` to `POST /api/back-in-stock`: the status and the JSON answer.
async fn post_alert(app: &TestApp, body: &Value) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/api/back-in-stock", app.base))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn ask(app: &TestApp, sku: &str, phone: &str) -> (u16, Value) {
    let body = json!({"sku": sku, "phone": phone, "locale": "en",
                      "consent": {"text": OFFERS, "at": "2026-11-21T10:00:00Z"},
                      "page": "https://shop.example/oil"});
    post_alert(app, &body).await
}

/// Asks for an alert and sends the message the server answered from that number.
async fn subscribe(app: &TestApp, sku: &str, wa_id: &str) -> String {
    let (status, answer) = ask(app, sku, &format!("+{wa_id}")).await;
    assert_eq!(status, 202, "{answer}");
    let message = answer["message"].as_str().unwrap();
    let url = answer["whatsapp_url"].as_str().unwrap();
    assert!(url.starts_with("https://wa.me/31612345678?text="), "{url}");
    let id = format!("wamid.ALERT-{wa_id}-{}", rand_key());
    assert_eq!(webhook(app, &inbound(wa_id, &id, message, 1)).await, 200);
    answer["reference"].as_str().unwrap().to_string()
}

async fn set_stock(app: &TestApp, token: &str, sku: &str, stock: i64) {
    let path = format!("/api/v1/products/{sku}");
    let body = Some(json!({ "stock": stock }));
    let (status, answer) = api(app, reqwest::Method::PATCH, &path, Some(token), body).await;
    assert_eq!(status, 200, "{answer}");
}

/// Each subscription: (wa_id, status), in the order asked.
async fn alerts(app: &TestApp, sku: &str) -> Vec<(String, String)> {
    sqlx::query("SELECT wa_id, status FROM stock_alerts WHERE sku = $1 ORDER BY id")
        .bind(sku)
        .fetch_all(&app.db.read)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

/// The numbers the fake got a `back_in_stock` template for, in order.
fn alerted(fake: &FakeCloud) -> Vec<String> {
    fake.received()
        .iter()
        .filter(|r| r.body["template"]["name"] == "chatout_back_in_stock")
        .map(|r| r.body["to"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn alerts_go_to_each_proven_subscriber_once(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let erp = desk_token(&mut browser, &csrf, "erp", "write").await;
    set_stock(&app, &erp, OIL, 0).await;
    let availability: Value = app
        .client
        .get(format!("{}/api/availability", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(availability["unavailable"], json!([OIL]), "{availability}");
    let doc = openapi(&app).await;
    let schema = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    conforms(&doc, &schema("Availability"), &availability, "availability");
    // Asking twice is one subscription.
    let (_, first) = ask(&app, OIL, "+31611111111").await;
    let (status, again) = ask(&app, OIL, "06 1111 1111").await;
    assert_eq!(status, 202, "{again}");
    assert_eq!(first["reference"], again["reference"]);
    conforms(&doc, &schema("AlertCreated"), &first, "alert");
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .contains("Olive oil, 500 ml"),
        "{first}"
    );
    let message = first["message"].as_str().unwrap();
    assert_eq!(
        webhook(&app, &inbound("31611111111", "wamid.A", message, 1)).await,
        200
    );
    // The shop confirms it with a service reply.
    let received = fake.wait_for(1).await;
    assert_eq!(received[0].body["to"], "31611111111");
    let confirm = received[0].body["text"]["body"].as_str().unwrap();
    assert!(confirm.contains("You are on the list"), "{confirm}");
    // One that never writes, and one whose message comes from another number.
    let (_, never) = ask(&app, OIL, "+31622222222").await;
    let forwarded = never["message"].as_str().unwrap();
    assert_eq!(
        webhook(&app, &inbound("31644444444", "wamid.F", forwarded, 1)).await,
        200
    );
    // C asked something first: that still waits for staff after the alert's answer.
    let question = inbound("31633333333", "wamid.Q", "Do you have it in green?", 5);
    assert_eq!(webhook(&app, &question).await, 200);
    subscribe(&app, OIL, "31633333333").await;
    let waiting = |wa_id: &'static str| {
        let app = &app;
        async move {
            let id = app.contact_id(wa_id).await;
            app.db.inbox_row(id).await.unwrap().unwrap().unanswered()
        }
    };
    assert!(
        !waiting("31611111111").await,
        "the shop's own answer handled A's request"
    );
    assert!(waiting("31633333333").await, "C's question still waits");
    // Its product name is no order reference: nothing for staff to look at.
    let warnings: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM link_warnings")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(warnings, 0);
    assert_eq!(
        alerts(&app, OIL).await,
        [
            ("31611111111".into(), "active".into()),
            ("31622222222".into(), "pending".into()),
            ("31633333333".into(), "active".into()),
        ]
    );
    // Staff see who waits for it.
    let (_, _, products) = browser.get("/admin/products").await;
    assert!(
        products.contains(&format!(
            "data-testid=\"waiting-{OIL}\">2 <small>(+1 unconfirmed)</small>"
        )),
        "{products}"
    );
    // A restock of 0 is none.
    set_stock(&app, &erp, OIL, 0).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(alerted(&fake).is_empty());
    // One unit: the first three subscribers may hear (3 per unit); the pending one never.
    set_stock(&app, &erp, OIL, 1).await;
    eventually(&app, "two alerts", || async { alerted(&fake).len() == 2 }).await;
    let to = alerted(&fake);
    assert_eq!(to, ["31611111111", "31633333333"]);
    let alert = fake
        .received()
        .into_iter()
        .find(|r| r.body["template"]["name"] == "chatout_back_in_stock")
        .unwrap();
    let parameters = &alert.body["template"]["components"][0]["parameters"];
    assert_eq!(parameters[0]["text"], "Olive oil, 500 ml");
    assert_eq!(parameters[1]["text"], "https://shop.example/oil");
    assert!(fake.bad_shapes().is_empty(), "{:?}", fake.bad_shapes());
    // Alerted subscriptions are over: the next restock sends nothing more.
    set_stock(&app, &erp, OIL, 0).await;
    set_stock(&app, &erp, OIL, 5).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(alerted(&fake).len(), 2);
    assert_eq!(
        alerts(&app, OIL).await[1],
        ("31622222222".into(), "pending".into())
    );
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM outbox WHERE event = 'back_in_stock' ORDER BY id")
            .fetch_all(&app.db.read)
            .await
            .unwrap();
    assert_eq!(kinds, ["marketing", "marketing"]);
}

async fn every_way_of_restocking_alerts(backend: Backend) {
    let fake = FakeCloud::start().await;
    let dir = std::env::temp_dir().join(format!("chatout-catalog-{}", rand_key()));
    std::fs::create_dir_all(&dir).unwrap();
    let catalog_path = dir.join("catalog.json");
    let catalog = include_str!("../../../../demo/catalog.json");
    std::fs::write(&catalog_path, catalog).unwrap();
    let path = catalog_path.to_string_lossy().to_string();
    let mut app = spawn_with(backend, |s| {
        s.whatsapp = Some(whatsapp_for(&fake));
        s.catalog_path = Some(path);
    })
    .await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    // An order takes all three bottles.
    let mut body = order_body();
    body["items"] = json!([{"sku": OIL, "name": "Olive oil, 500 ml", "options": {},
                            "unit_price": 995, "quantity": 3}]);
    body["subtotal"] = json!(2985);
    let (status, order) = app.post_order(Some("oil-all"), &body).await;
    assert_eq!(status, 201, "{order}");
    let reference = order["reference"].as_str().unwrap().to_string();
    subscribe(&app, OIL, "31611111111").await;
    fake.wait_for(1).await;
    // Cancelling the order gives the bottles back: a restock.
    mark(&mut browser, &csrf, &reference, "cancelled").await;
    eventually(&app, "the alert after a cancel", || async {
        alerted(&fake).len() == 1
    })
    .await;
    // The desk sets the stock to 0, then back: a restock.
    subscribe(&app, OIL, "31622222222").await;
    for stock in ["0", "4"] {
        let form = [("csrf", csrf.as_str()), ("stock", stock)];
        let (status, _, _) = browser
            .post(&format!("/admin/products/{OIL}/stock"), &form)
            .await;
        assert_eq!(status, 303);
    }
    eventually(&app, "the alert after the desk's count", || async {
        alerted(&fake).len() == 2
    })
    .await;
    // The catalog file says 0, then (after a restart) 10: a restock.
    subscribe(&app, OIL, "31633333333").await;
    std::fs::write(
        &catalog_path,
        catalog.replace("\"stock\": 3", "\"stock\": 0"),
    )
    .unwrap();
    app.restart().await;
    assert_eq!(app.db.available(OIL).await.unwrap(), Some(0));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(alerted(&fake).len(), 2, "a sold-out catalog is no restock");
    std::fs::write(
        &catalog_path,
        catalog.replace("\"stock\": 3", "\"stock\": 10"),
    )
    .unwrap();
    app.restart().await;
    eventually(&app, "the alert after a catalog reload", || async {
        alerted(&fake).len() == 3
    })
    .await;
    assert_eq!(
        alerted(&fake),
        ["31611111111", "31622222222", "31633333333"]
    );
    let _ = std::fs::remove_dir_all(dir);
}

async fn stop_the_link_consent_and_the_cap_keep_alerts_from_going(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_with(backend, |s| {
        s.whatsapp = Some(whatsapp_for(&fake));
        s.alerts_per_unit = 1;
        s.marketing_cap = 1;
        s.public_url = Some("https://orders.shop.example".into());
    })
    .await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let erp = desk_token(&mut browser, &csrf, "erp", "write").await;
    set_stock(&app, &erp, OIL, 0).await;
    set_stock(&app, &erp, "mug-stoneware", 0).await;
    // A: STOP after subscribing. B: the unsubscribe link. C, D, E: waiting, in order.
    // F: stopped offers earlier (START restores order updates only).
    for wa_id in ["31611111111", "31622222222", "31633333333", "31644444444"] {
        subscribe(&app, OIL, wa_id).await;
    }
    let stop = inbound("31611111111", "wamid.STOP-A", "STOP", 1);
    assert_eq!(webhook(&app, &stop).await, 200);
    let confirmations = fake.wait_for(5).await;
    let link = confirmations
        .iter()
        .filter(|r| r.body["to"] == "31622222222")
        .find_map(|r| r.body["text"]["body"].as_str().map(str::to_string))
        .unwrap();
    let url = link
        .split_whitespace()
        .find(|w| w.starts_with("https://orders.shop.example/alerts/"))
        .unwrap();
    let path = url.trim_start_matches("https://orders.shop.example");
    let (status, _, page) = browser.get(path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Stop my alerts"), "{page}");
    // Regression (issue 27): the page could be framed, and any cross-site POST stopped the
    // alerts. Only the page's own form does now.
    let headers = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap()
        .headers()
        .clone();
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["content-security-policy"], "frame-ancestors 'none'");
    let (status, _, page) = browser.post(path, &[]).await;
    assert_eq!(status, 403, "{page}");
    assert!(page.contains("Stop my alerts"), "still subscribed: {page}");
    let confirm = page
        .split("name=\"confirm\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let cross_site = app
        .client
        .post(format!("{}{path}", app.base))
        .header("sec-fetch-site", "cross-site")
        .form(&[("confirm", confirm.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let (status, _, page) = browser.post(path, &[("confirm", confirm.as_str())]).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("no back-in-stock alerts"), "{page}");
    assert_eq!(
        browser
            .get("/alerts/00112233445566778899aabbccddeeff")
            .await
            .0,
        404
    );
    let for_f = [("wamid.F1", "STOP"), ("wamid.F2", "START")];
    for (id, text) in for_f {
        let message = inbound("31655555555", id, text, 1);
        assert_eq!(webhook(&app, &message).await, 200);
    }
    subscribe(&app, OIL, "31655555555").await;
    // C got a marketing message this week (an alert for the mug): over the cap of 1.
    subscribe(&app, "mug-stoneware", "31633333333").await;
    set_stock(&app, &erp, "mug-stoneware", 1).await;
    eventually(&app, "the mug's alert", || async {
        alerted(&fake) == ["31633333333"]
    })
    .await;
    // With a public URL the alert's link is tracked, and leads to the page it was asked on.
    let mug = fake
        .received()
        .into_iter()
        .find(|r| r.body["template"]["name"] == "chatout_back_in_stock")
        .unwrap();
    let link = mug.body["template"]["components"][0]["parameters"][1]["text"]
        .as_str()
        .unwrap()
        .to_string();
    let path = link
        .strip_prefix("https://orders.shop.example")
        .unwrap_or_else(|| panic!("{link}"));
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let click = no_redirects
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(click.headers()["location"], "https://shop.example/oil");
    let (_, _, page) = browser.get("/admin/campaigns").await;
    assert!(
        page.contains("<td data-label=\"Clicked\" class=\"num\">1</td>"),
        "{page}"
    );
    // Meta's own marketing limit (131049) caps D's alert: not retried.
    fake.script([Reply::Error(400, 131049)]);
    // One bottle: one alert; C is skipped (cap), A and B ended, so D gets it.
    set_stock(&app, &erp, OIL, 1).await;
    eventually(&app, "D's alert, capped by Meta", || async {
        let status: Option<String> = sqlx::query_scalar(
            "SELECT o.status FROM outbox o JOIN stock_alerts a ON a.outbox_id = o.id \
             WHERE a.wa_id = '31644444444'",
        )
        .fetch_optional(&app.db.read)
        .await
        .unwrap();
        status.as_deref() == Some("capped")
    })
    .await;
    let attempts: i64 = sqlx::query_scalar(
        "SELECT o.attempts FROM outbox o JOIN stock_alerts a ON a.outbox_id = o.id \
         WHERE a.wa_id = '31644444444'",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(attempts, 1, "a capped message is not retried");
    let restock = sqlx::query(
        "SELECT alerted, skipped_cap, skipped_consent FROM restocks WHERE sku = $1 ORDER BY id",
    )
    .bind(OIL)
    .fetch_all(&app.db.read)
    .await
    .unwrap();
    let counts: Vec<(i64, i64, i64)> = restock
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(counts, [(1, 1, 0)]);
    // The next bottle: C is still over the cap; F's subscription ended when its message
    // came, as offers were stopped.
    set_stock(&app, &erp, OIL, 0).await;
    set_stock(&app, &erp, OIL, 1).await;
    eventually(&app, "the second restock handled", || async {
        let open: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM restocks WHERE handled_at IS NULL")
                .fetch_one(&app.db.read)
                .await
                .unwrap();
        let all: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM restocks WHERE sku = $1")
            .bind(OIL)
            .fetch_one(&app.db.read)
            .await
            .unwrap();
        open == 0 && all == 2
    })
    .await;
    assert_eq!(
        alerts(&app, OIL).await,
        [
            ("31611111111".into(), "ended".into()),
            ("31622222222".into(), "ended".into()),
            ("31633333333".into(), "active".into()),
            ("31644444444".into(), "alerted".into()),
            ("31655555555".into(), "ended".into()),
        ]
    );
    let to = alerted(&fake);
    assert_eq!(to, ["31633333333", "31644444444"], "{to:?}");
    assert!(app.metrics().await.contains("status=\"capped\""));
}

async fn bad_requests_get_field_errors(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let doc = openapi(&app).await;
    for (body, field) in [
        (
            json!({"sku": "nope", "phone": "+31611111111", "consent": {"text": OFFERS}}),
            "sku",
        ),
        (
            json!({"sku": OIL, "phone": "12", "consent": {"text": OFFERS}}),
            "phone",
        ),
        (
            json!({"sku": OIL, "phone": "", "consent": {"text": OFFERS}}),
            "phone",
        ),
        (json!({"sku": OIL, "phone": "+31611111111"}), "consent.text"),
        (
            json!({"sku": OIL, "phone": "+31611111111", "consent": {"text": "  "}}),
            "consent.text",
        ),
        (
            json!({"sku": OIL, "phone": "+31611111111",
                "consent": {"text": OFFERS, "at": "yesterday"}}),
            "consent.at",
        ),
        (json!({"sku": ["<script>"], "phone": 1}), "body"),
    ] {
        let (status, answer) = post_alert(&app, &body).await;
        assert_eq!(status, 422, "{body}");
        conforms(
            &doc,
            &json!({"$ref": "#/components/schemas/Invalid"}),
            &answer,
            "422",
        );
        let fields: Vec<&str> = answer["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        assert!(fields.contains(&field), "{body}: {answer}");
    }
    let not_json = app
        .client
        .post(format!("{}/api/back-in-stock", app.base))
        .body("sku=x")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 415);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stock_alerts")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(stored, 0);
    // A shop without messaging says it sends no alerts.
    let plain = spawn_app(backend).await;
    let (status, answer) = ask(&plain, OIL, "+31611111111").await;
    assert_eq!(status, 503, "{answer}");
    assert_eq!(answer["error"], "unavailable");
}

crate::on_both_backends!(
    alerts_go_to_each_proven_subscriber_once,
    every_way_of_restocking_alerts,
    stop_the_link_consent_and_the_cap_keep_alerts_from_going,
    bad_requests_get_field_errors,
);
