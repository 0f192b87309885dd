//! WhatsApp messaging (messages from the shop's number) against a local fake Cloud API: consent, templates per
//! order event, STOP/START, the 24-hour window, the outbox's retries and restarts, and
//! signed, idempotent webhooks.

use crate::fake_cloud::{FakeCloud, Reply, PHONE_NUMBER_ID, TOKEN};
use crate::helpers::{csrf_of, order_body, spawn_with, Backend, Browser, TestApp};
use chatout_server::settings::WhatsAppSettings;
use chatout_server::whatsapp::webhook::sign;
use serde_json::{json, Value};
use sqlx::Row;
use std::time::{Duration, Instant};

const SECRET: &str = "test-secret";
const VERIFY: &str = "verify-me";

/// Messaging pointed at the fake, quick to retry.
pub(crate) fn whatsapp_for(fake: &FakeCloud) -> WhatsAppSettings {
    WhatsAppSettings {
        api_base: fake.base.clone(),
        phone_number_id: PHONE_NUMBER_ID.into(),
        token: TOKEN.into(),
        app_secret: SECRET.into(),
        verify_token: VERIFY.into(),
        templates_path: None,
        waba_id: None,
        per_second: 80,
        contact_gap: Duration::ZERO,
        retry_base: Duration::from_millis(100),
        max_attempts: 5,
        request_timeout: Duration::from_secs(5),
    }
}

/// The server with messaging pointed at the fake; `adjust` tunes the worker.
pub(crate) async fn spawn_messaging(
    backend: Backend,
    fake: &FakeCloud,
    adjust: impl FnOnce(&mut WhatsAppSettings),
) -> TestApp {
    let mut whatsapp = whatsapp_for(fake);
    adjust(&mut whatsapp);
    spawn_with(backend, |s| s.whatsapp = Some(whatsapp)).await
}

/// Places an order (one canvas tote, unlimited stock) for `phone`; returns its reference.
pub(crate) async fn place(app: &TestApp, phone: &str, opted_in: bool) -> String {
    let mut body = order_body();
    body["items"] = json!([{"sku": "tote-canvas", "name": "Canvas tote", "options": {},
                            "unit_price": 1500, "quantity": 1}]);
    body["subtotal"] = json!(1500);
    body["customer"]["phone"] = json!(phone);
    if !opted_in {
        body["consent"] = Value::Null;
    }
    let key = format!("key-{phone}-{}", rand_key());
    let (status, answer) = app.post_order(Some(&key), &body).await;
    assert_eq!(status, 201, "{answer}");
    answer["reference"].as_str().unwrap().to_string()
}

/// The shopper sent the order message from `wa_id`, as the widget asked them to, a day
/// ago: that made a web opt-in for the number active, and the window has closed again, so
/// order updates go as templates. The message names the number's latest order, as the
/// widget's message does, so that order's message has arrived.
pub(crate) async fn send_order_message(app: &TestApp, wa_id: &str) {
    let id = format!("wamid.ORDER-{wa_id}-{}", rand_key());
    // Only the order's own reference proves its opt-in (docs/CONTRACT.md section 10).
    let latest: Option<String> = sqlx::query_scalar(
        "SELECT reference FROM orders WHERE customer_phone = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(format!("+{wa_id}"))
    .fetch_optional(&app.db.read)
    .await
    .unwrap();
    let reference = latest.unwrap_or_else(|| "K7F3-9Q2M".into());
    let text = format!("*Order {reference} — Demo Shop*");
    let message = inbound(wa_id, &id, &text, 25 * 3600);
    assert_eq!(webhook(app, &message).await, 200);
}

pub(crate) fn rand_key() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

/// Moves an order through the desk, as staff do.
pub(crate) async fn mark(browser: &mut Browser<'_>, csrf: &str, reference: &str, to: &str) {
    let (status, _, _) = browser
        .post(
            &format!("/admin/orders/{reference}/status"),
            &[("csrf", csrf), ("to", to)],
        )
        .await;
    assert_eq!(status, 303, "marking {reference} {to}");
}

/// Posts a signed webhook delivery; returns the status.
pub(crate) async fn webhook(app: &TestApp, body: &Value) -> u16 {
    let text = body.to_string();
    app.client
        .post(format!("{}/webhooks/whatsapp", app.base))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", sign(SECRET, text.as_bytes()))
        .body(text)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

pub(crate) fn delivery(value: Value) -> Value {
    json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [
        {"field": "messages", "value": value}]}]})
}

/// A text message from a contact, sent `ago` seconds before now.
pub(crate) fn inbound(wa_id: &str, id: &str, text: &str, ago: u64) -> Value {
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - ago;
    delivery(json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Anna"}, "wa_id": wa_id, "user_id": format!("NL.{wa_id}")}],
        "messages": [{"from": wa_id, "id": id, "timestamp": at.to_string(), "type": "text",
                      "text": {"body": text}}]
    }))
}

/// Status webhooks: (message id, status, callback data).
fn statuses(list: &[(&str, &str, Option<&str>)]) -> Value {
    let statuses: Vec<Value> = list
        .iter()
        .map(|(id, status, callback)| {
            let mut s = json!({"id": id, "status": status, "timestamp": "1763719300",
                               "recipient_id": "31612345678"});
            if let Some(callback) = callback {
                s["biz_opaque_callback_data"] = json!(callback);
            }
            s
        })
        .collect();
    delivery(json!({"messaging_product": "whatsapp",
                    "metadata": {"phone_number_id": PHONE_NUMBER_ID}, "statuses": statuses}))
}

/// The outbox: (id, kind, status, attempts), oldest first.
pub(crate) async fn outbox(app: &TestApp) -> Vec<(i64, String, String, i64)> {
    sqlx::query("SELECT id, kind, status, attempts FROM outbox ORDER BY id")
        .fetch_all(&app.db.read)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect()
}

/// Polls until `check` holds; panics after 20 s with the outbox.
pub(crate) async fn eventually<F, Fut>(app: &TestApp, what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; outbox: {:?}",
            outbox(app).await
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn a_confirmed_order_of_an_opted_in_customer_sends_one_template(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let quiet = place(&app, "+31611111111", false).await;
    let reference = place(&app, "+31612345678", true).await;
    send_order_message(&app, "31612345678").await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    // The customer without an opt-in is confirmed first: the worker sends in order, so
    // when the second customer's message arrives, any message to the first would have too.
    mark(&mut browser, &csrf, &quiet, "confirmed").await;
    mark(&mut browser, &csrf, &reference, "confirmed").await;
    fake.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = fake.received();
    assert_eq!(received.len(), 1, "{:#?}", received);
    let body = &received[0].body;
    assert_eq!(body["to"], "31612345678");
    assert_eq!(body["type"], "template");
    assert_eq!(body["template"]["name"], "chatout_order_confirmed");
    assert_eq!(body["template"]["language"]["code"], "nl");
    let params = &body["template"]["components"][0]["parameters"];
    assert_eq!(params[0]["text"], "Anna de Vries");
    assert_eq!(params[1]["text"], reference.as_str());
    assert_eq!(params[2]["currency"]["amount_1000"], 15000);
    assert_eq!(params[2]["currency"]["code"], "EUR");
    // Its quick replies carry the order's answers ("Yes, confirm" / "Cancel order").
    let quick: Vec<(String, String)> = body["template"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["sub_type"] == "quick_reply")
        .map(|c| {
            let payload = c["parameters"][0]["payload"].as_str().unwrap();
            (
                c["index"].as_str().unwrap().to_string(),
                payload.to_string(),
            )
        })
        .collect();
    assert_eq!(
        quick,
        [
            ("0".into(), format!("order:{reference}:confirm")),
            ("1".into(), format!("order:{reference}:cancel"))
        ]
    );
    assert!(fake.bad_shapes().is_empty(), "{:?}", fake.bad_shapes());
    eventually(&app, "the message marked sent", || async {
        outbox(&app).await.iter().any(|m| m.2 == "sent")
    })
    .await;
    // The desk shows it, with the consent and its text.
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(page.contains("Opted in at checkout"), "{page}");
    assert!(page.contains("Send me order updates on WhatsApp"));
    assert!(page.contains("chatout_order_confirmed (nl)"));
    // Paying sends the next template, once.
    mark(&mut browser, &csrf, &reference, "paid").await;
    let received = fake.wait_for(2).await;
    assert_eq!(received[1].body["template"]["name"], "chatout_order_paid");
    // The shipping template needs the tracking link: the desk asks for a real one.
    let status_path = format!("/admin/orders/{reference}/status");
    for (link, notice) in [
        ("", "tracking-required"),
        ("javascript:alert(1)", "bad-tracking"),
    ] {
        let form = [
            ("csrf", csrf.as_str()),
            ("to", "fulfilled"),
            ("tracking_url", link),
        ];
        let (status, location, _) = browser.post(&status_path, &form).await;
        assert_eq!(status, 422, "{link:?}");
        assert!(location.ends_with(notice), "{location}");
    }
    assert_eq!(
        app.db.status_of(&reference).await.unwrap(),
        Some(chatout_core::OrderStatus::Paid)
    );
    let link = "https://track.example/parcel?id=42&lang=nl";
    let form = [
        ("csrf", csrf.as_str()),
        ("to", "fulfilled"),
        ("tracking_url", link),
    ];
    let (status, _, _) = browser.post(&status_path, &form).await;
    assert_eq!(status, 303);
    let received = fake.wait_for(3).await;
    let shipped = &received[2].body["template"];
    assert_eq!(shipped["name"], "chatout_order_shipped");
    assert_eq!(shipped["components"][0]["parameters"][2]["text"], link);
}

async fn stop_in_four_languages_revokes_consent_and_is_acknowledged_once(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let words = [
        ("31600000001", "STOP", "Je ontvangt geen"),
        ("31600000002", " Stoppen! ", "Je ontvangt geen"),
        ("31600000003", "arrêt", "Vous ne recevrez plus"),
        ("31600000004", "Basta", "Non riceverai più"),
        ("31600000005", "PARAR", "Você não receberá"),
    ];
    let mut orders = Vec::new();
    for (wa_id, word, _) in words {
        orders.push(place(&app, &format!("+{wa_id}"), true).await);
        let message = inbound(wa_id, &format!("wamid.IN-{wa_id}"), word, 5);
        assert_eq!(webhook(&app, &message).await, 200);
        // Meta delivers at least once: the same message again changes nothing.
        assert_eq!(webhook(&app, &message).await, 200);
    }
    let received = fake.wait_for(words.len()).await;
    for (wa_id, _, expected) in words {
        let acks: Vec<_> = received.iter().filter(|r| r.body["to"] == wa_id).collect();
        assert_eq!(acks.len(), 1, "{wa_id}: one acknowledgement");
        assert_eq!(acks[0].body["type"], "text");
        let text = acks[0].body["text"]["body"].as_str().unwrap();
        assert!(text.starts_with(expected), "{wa_id}: {text}");
    }
    // A second STOP from someone already out is not acknowledged again.
    let again = inbound(words[0].0, "wamid.IN-again", "stop", 1);
    assert_eq!(webhook(&app, &again).await, 200);
    // Later events send nothing to any of them.
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    for reference in &orders {
        mark(&mut browser, &csrf, reference, "confirmed").await;
    }
    // START opts the first back in, acknowledged; the next event then goes out.
    let start = inbound(words[0].0, "wamid.IN-start", "Start", 1);
    assert_eq!(webhook(&app, &start).await, 200);
    let received = fake.wait_for(words.len() + 1).await;
    assert_eq!(received[words.len()].body["to"], words[0].0);
    assert!(received[words.len()].body["text"]["body"]
        .as_str()
        .unwrap()
        .contains("STOP"));
    mark(&mut browser, &csrf, &orders[0], "paid").await;
    let received = fake.wait_for(words.len() + 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        fake.received().len(),
        words.len() + 2,
        "{:#?}",
        fake.received()
    );
    assert_eq!(
        received[words.len() + 1].body["template"]["name"],
        "chatout_order_paid"
    );
    let (_, _, page) = browser.get(&format!("/admin/orders/{}", orders[1])).await;
    assert!(page.contains("Opted out by replying"), "{page}");
    assert!(
        page.contains("opted out by replying “ Stoppen! ”"),
        "{page}"
    );
    assert!(page.contains("Only templates") || page.contains("opted in to WhatsApp messages"));
}

async fn a_reply_goes_out_inside_the_window_and_is_refused_outside(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let reference = place(&app, "+31612345678", true).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let path = format!("/admin/orders/{reference}/reply");
    // The customer never wrote: the window is closed, nothing is queued.
    let (_, location, _) = browser
        .post(&path, &[("csrf", &csrf), ("text", "Hello!")])
        .await;
    assert!(location.ends_with("notice=reply-window"), "{location}");
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(!page.contains("name=\"text\""), "no reply box while closed");
    // A message 25 hours old does not open it either.
    assert_eq!(
        webhook(&app, &inbound("31612345678", "wamid.OLD", "Hi", 25 * 3600)).await,
        200
    );
    let (_, location, _) = browser
        .post(&path, &[("csrf", &csrf), ("text", "Hello!")])
        .await;
    assert!(location.ends_with("notice=reply-window"), "{location}");
    // A fresh message opens it: the reply is a free-form text.
    assert_eq!(
        webhook(
            &app,
            &inbound("31612345678", "wamid.NEW", "Where is my <b>order</b>?", 60)
        )
        .await,
        200
    );
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(
        page.contains("Where is my &#60;b&#62;order&#60;/b&#62;?")
            || page.contains("Where is my &lt;b&gt;order&lt;/b&gt;?"),
        "{page}"
    );
    let key = "ab".repeat(32);
    let form = [
        ("csrf", csrf.as_str()),
        ("text", "It ships today."),
        ("key", key.as_str()),
    ];
    let (_, location, _) = browser.post(&path, &form).await;
    assert!(location.ends_with("notice=replied"), "{location}");
    // A double click posts the same key: still one message.
    browser.post(&path, &form).await;
    let received = fake.wait_for(1).await;
    assert_eq!(received[0].body["type"], "text");
    assert_eq!(received[0].body["text"]["body"], "It ships today.");
    assert_eq!(received[0].body["to"], "31612345678");
    // The API says the window closed (131047): the reply fails and the window is closed.
    fake.script([Reply::Error(400, 131047)]);
    browser
        .post(&path, &[("csrf", &csrf), ("text", "One more thing")])
        .await;
    eventually(&app, "the 131047 failure", || async {
        outbox(&app).await.iter().any(|m| m.2 == "failed")
    })
    .await;
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(page.contains("131047"), "{page}");
    assert!(
        page.contains("only approved templates can be sent"),
        "{page}"
    );
    let (_, location, _) = browser
        .post(&path, &[("csrf", &csrf), ("text", "Hello again")])
        .await;
    assert!(location.ends_with("notice=reply-window"), "{location}");
    assert_eq!(fake.received().len(), 2);
}

async fn throttling_is_retried_and_permanent_errors_fail_visibly(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let slow = place(&app, "+31612345678", true).await;
    let doomed = place(&app, "+31687654321", true).await;
    send_order_message(&app, "31612345678").await;
    send_order_message(&app, "31687654321").await;
    fake.script([
        Reply::Error(400, 130429),
        Reply::Error(503, 0),
        Reply::Accept,
        Reply::Error(400, 131026),
    ]);
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    mark(&mut browser, &csrf, &slow, "confirmed").await;
    eventually(&app, "the throttled message sent", || async {
        outbox(&app).await.first().is_some_and(|m| m.2 == "sent")
    })
    .await;
    let first = &outbox(&app).await[0];
    assert_eq!(first.3, 3, "sent on the third attempt");
    let received = fake.received();
    assert_eq!(received.len(), 3);
    assert!(
        received.iter().all(|r| r.body == received[0].body),
        "the same message each time"
    );
    mark(&mut browser, &csrf, &doomed, "confirmed").await;
    eventually(&app, "the undeliverable message failed", || async {
        outbox(&app).await.get(1).is_some_and(|m| m.2 == "failed")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(fake.received().len(), 4, "a permanent error is not retried");
    let (_, _, page) = browser.get(&format!("/admin/orders/{doomed}")).await;
    assert!(page.contains("131026"), "{page}");
    assert!(page.contains("Send again"), "{page}");
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
        metrics.contains("chatout_whatsapp_messages{status=\"failed\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("chatout_whatsapp_messages{status=\"sent\"} 1"),
        "{metrics}"
    );
    // "Send again" queues it once more; this time the API takes it.
    let (_, _, page) = browser.get(&format!("/admin/orders/{doomed}")).await;
    let start = page.find("/messages/").unwrap() + "/messages/".len();
    let id: String = page[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let (_, location, _) = browser
        .post(
            &format!("/admin/orders/{doomed}/messages/{id}/retry"),
            &[("csrf", &csrf)],
        )
        .await;
    assert!(location.ends_with("notice=requeued"), "{location}");
    eventually(&app, "the message sent again", || async {
        outbox(&app).await.get(1).is_some_and(|m| m.2 == "sent")
    })
    .await;
    assert_eq!(fake.received().len(), 5);
}

async fn a_restart_mid_queue_sends_each_message_exactly_once(backend: Backend) {
    let fake = FakeCloud::start().await;
    fake.set_latency(Duration::from_millis(300));
    let mut app = spawn_messaging(backend, &fake, |w| {
        w.per_second = 10;
        w.request_timeout = Duration::from_secs(1);
    })
    .await;
    let mut references = Vec::new();
    for n in 0..12 {
        references.push(place(&app, &format!("+316100000{n:02}"), true).await);
        send_order_message(&app, &format!("316100000{n:02}")).await;
    }
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    for reference in &references {
        mark(&mut browser, &csrf, reference, "confirmed").await;
    }
    fake.wait_for(3).await;
    app.restart().await;
    fake.set_latency(Duration::ZERO);
    eventually(&app, "nothing left queued or sending", || async {
        let rows = outbox(&app).await;
        rows.len() == 12 && rows.iter().all(|m| m.2 != "queued" && m.2 != "sending")
    })
    .await;
    // What was in flight at the crash is not resent but marked uncertain.
    let rows = outbox(&app).await;
    assert!(rows.iter().any(|m| m.2 == "uncertain"), "{rows:?}");
    // Meta reports each message it got; the ones cut off mid-request are settled by their
    // callback data.
    let received = fake.received();
    let reports: Vec<(String, String)> = received
        .iter()
        .enumerate()
        .map(|(n, r)| {
            (
                r.wamid.clone().unwrap_or_else(|| format!("wamid.CUT{n}")),
                r.body["biz_opaque_callback_data"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    let list: Vec<(&str, &str, Option<&str>)> = reports
        .iter()
        .map(|(id, cb)| (id.as_str(), "sent", Some(cb.as_str())))
        .collect();
    assert_eq!(webhook(&app, &statuses(&list)).await, 200);
    let rows = outbox(&app).await;
    assert!(rows.iter().all(|m| m.2 == "sent"), "{rows:?}");
    let mut recipients: Vec<_> = received.iter().map(|r| r.body["to"].to_string()).collect();
    recipients.sort();
    let before = recipients.len();
    recipients.dedup();
    assert_eq!(
        (before, recipients.len()),
        (12, 12),
        "each of 12 sent exactly once"
    );
}

async fn forged_missing_and_stale_signatures_are_refused(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    place(&app, "+31612345678", true).await;
    let stop = inbound("31612345678", "wamid.FORGED", "STOP", 1).to_string();
    let post = |signature: Option<String>, body: String| {
        let mut request = app
            .client
            .post(format!("{}/webhooks/whatsapp", app.base))
            .header("content-type", "application/json")
            .body(body);
        if let Some(signature) = signature {
            request = request.header("x-hub-signature-256", signature);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let earlier = inbound("31612345678", "wamid.EARLIER", "hello", 100).to_string();
    let cases = [
        (None, "missing"),
        (Some(sign("not-the-secret", stop.as_bytes())), "forged"),
        (
            Some(sign(SECRET, earlier.as_bytes())),
            "stale (another body's)",
        ),
        (Some("sha256=".to_string()), "empty"),
        (
            Some(sign(SECRET, stop.as_bytes()).replace("sha256=", "sha1=")),
            "wrong scheme",
        ),
    ];
    for (signature, what) in cases {
        assert_eq!(post(signature, stop.clone()).await, 401, "{what}");
    }
    let consent: String = sqlx::query("SELECT consent FROM contacts")
        .fetch_one(&app.db.read)
        .await
        .unwrap()
        .get(0);
    assert_eq!(consent, "pending", "nothing processed");
    let inbound_rows: i64 = sqlx::query("SELECT COUNT(*) FROM inbound")
        .fetch_one(&app.db.read)
        .await
        .unwrap()
        .get(0);
    assert_eq!(inbound_rows, 0);
    assert_eq!(
        post(Some(sign(SECRET, stop.as_bytes())), stop.clone()).await,
        200
    );
    // A signed body that is not a delivery is a clear 400.
    let junk = "{\"object\":\"page\"}".to_string();
    assert_eq!(post(Some(sign(SECRET, junk.as_bytes())), junk).await, 400);
}

async fn duplicated_and_out_of_order_statuses_end_in_the_right_state(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let reference = place(&app, "+31612345678", true).await;
    send_order_message(&app, "31612345678").await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    mark(&mut browser, &csrf, &reference, "confirmed").await;
    let received = fake.wait_for(1).await;
    let wamid = received[0].wamid.clone().unwrap();
    eventually(&app, "sent", || async {
        outbox(&app).await.first().is_some_and(|m| m.2 == "sent")
    })
    .await;
    let w = wamid.as_str();
    for batch in [
        vec![(w, "read", None)],
        vec![(w, "delivered", None), (w, "sent", None)],
        vec![(w, "delivered", None)],
        vec![(w, "failed", None)],
        vec![(w, "read", None)],
    ] {
        assert_eq!(webhook(&app, &statuses(&batch)).await, 200);
    }
    assert_eq!(outbox(&app).await[0].2, "read");
    // Unknown message ids and statuses are ignored without error.
    let unknown = statuses(&[("wamid.NOPE", "delivered", None), (w, "deleted", None)]);
    assert_eq!(webhook(&app, &unknown).await, 200);
    assert_eq!(outbox(&app).await[0].2, "read");
}

async fn the_subscription_check_echoes_the_challenge_only_for_our_token(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let get = |query: String| {
        let request = app
            .client
            .get(format!("{}/webhooks/whatsapp?{query}", app.base));
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let ok = get(format!(
        "hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=1158201444"
    ))
    .await;
    assert_eq!(ok, (200, "1158201444".to_string()));
    let bad = get("hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1".into()).await;
    assert_eq!(bad.0, 403);
    let no_mode = get(format!("hub.verify_token={VERIFY}&hub.challenge=1")).await;
    assert_eq!(no_mode.0, 403);
    // With messaging off the route says so.
    let off = crate::helpers::spawn_app(backend).await;
    let response = off
        .client
        .get(format!("{}/webhooks/whatsapp?hub.mode=subscribe", off.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
}

async fn messages_to_one_contact_keep_the_gap(backend: Backend) {
    let fake = FakeCloud::start().await;
    let gap = Duration::from_millis(700);
    let app = spawn_messaging(backend, &fake, |w| w.contact_gap = gap).await;
    let reference = place(&app, "+31612345678", true).await;
    assert_eq!(
        webhook(&app, &inbound("31612345678", "wamid.Q", "Question", 5)).await,
        200
    );
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert_eq!(csrf_of(&page), csrf);
    let path = format!("/admin/orders/{reference}/reply");
    for text in ["First", "Second", "Third"] {
        browser
            .post(&path, &[("csrf", &csrf), ("text", text)])
            .await;
    }
    let received = fake.wait_for(3).await;
    let texts: Vec<_> = received
        .iter()
        .map(|r| r.body["text"]["body"].clone())
        .collect();
    assert_eq!(texts, ["First", "Second", "Third"], "in order");
    for pair in received.windows(2) {
        assert!(
            pair[1].at.duration_since(pair[0].at) >= gap,
            "at least the gap apart"
        );
    }
}

/// Regression: after a customer's STOP, a stranger's checkout with their number and the box
/// ticked opted them back in, and confirming their earlier order sent them a template.
async fn a_strangers_checkout_does_not_undo_stop(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let earlier = place(&app, "+31612345678", true).await;
    send_order_message(&app, "31612345678").await;
    let stop = inbound("31612345678", "wamid.STOP", "STOP", 1);
    assert_eq!(webhook(&app, &stop).await, 200);
    fake.wait_for(1).await; // the acknowledgement, the one message a STOP allows
                            // Someone else, in another browser, types the customer's number and ticks the box.
    let stranger = crate::helpers::client_from("127.0.0.66");
    let mut body = order_body();
    body["reference"] = json!("server-picks");
    let (status, answer) = app
        .post_order_with(&stranger, Some("stranger"), &body)
        .await;
    assert_eq!(status, 201, "{answer}");
    let theirs = answer["reference"].as_str().unwrap().to_string();
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    mark(&mut browser, &csrf, &earlier, "confirmed").await;
    mark(&mut browser, &csrf, &theirs, "confirmed").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fake.received().len(), 1, "{:#?}", fake.received());
    let (_, _, page) = browser.get(&format!("/admin/orders/{earlier}")).await;
    assert!(page.contains("Opted out by replying"), "{page}");
    assert!(
        page.contains("not applied (the customer had replied STOP)"),
        "{page}"
    );
    // Only the customer's own START brings updates back.
    let start = inbound("31612345678", "wamid.START", "START", 1);
    assert_eq!(webhook(&app, &start).await, 200);
    mark(&mut browser, &csrf, &earlier, "paid").await;
    let received = fake.wait_for(3).await;
    assert_eq!(received[2].body["template"]["name"], "chatout_order_paid");
}

/// A number typed into a web form proves nothing: its opt-in waits for the number to write.
async fn a_web_opt_in_is_pending_until_the_number_writes(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let reference = place(&app, "+31612345678", true).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    mark(&mut browser, &csrf, &reference, "confirmed").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(fake.received().is_empty(), "{:#?}", fake.received());
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(
        page.contains("pending: it becomes active once the customer writes"),
        "{page}"
    );
    send_order_message(&app, "31612345678").await;
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(page.contains("confirmed when the customer wrote"), "{page}");
    mark(&mut browser, &csrf, &reference, "paid").await;
    let received = fake.wait_for(1).await;
    assert_eq!(received[0].body["template"]["name"], "chatout_order_paid");
}

/// An order still pending some time after it was placed reminds its customer once; one that
/// staff confirmed in time does not.
async fn a_forgotten_order_gets_its_reminders_until_something_happens(backend: Backend) {
    let fake = FakeCloud::start().await;
    let dir = std::env::temp_dir().join(format!("chatout-reminder-{}", rand_key()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("templates.json");
    let templates = json!({"pending_reminder": {"name": "chatout_order_reminder",
        "languages": ["en", "nl"], "body": ["name", "reference"], "after": ["1s", "2s"]}});
    std::fs::write(&path, templates.to_string()).unwrap();
    let app = spawn_messaging(backend, &fake, |w| {
        w.templates_path = Some(path.display().to_string())
    })
    .await;
    // Customers who opted in and wrote before (their opt-in is active) order again, and
    // those orders' messages never arrive.
    let numbers = ["31612345678", "31687654321", "31622222222", "31633333333"];
    for number in numbers {
        place(&app, &format!("+{number}"), true).await;
        send_order_message(&app, number).await;
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    let forgotten = place(&app, "+31612345678", true).await;
    let handled = place(&app, "+31687654321", true).await;
    let wrote = place(&app, "+31622222222", true).await;
    let stopped = place(&app, "+31633333333", true).await;
    let never_asked = place(&app, "+31611111111", false).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    mark(&mut browser, &csrf, &handled, "confirmed").await;
    let question = inbound("31622222222", "wamid.Q", "Is the mug dishwasher safe?", 0);
    assert_eq!(webhook(&app, &question).await, 200);
    let stop = inbound("31633333333", "wamid.STOP", "STOP", 0);
    assert_eq!(webhook(&app, &stop).await, 200);
    // Both steps of the sequence, to the forgotten order only (the STOP is acknowledged).
    let reminders = || {
        fake.received()
            .into_iter()
            .filter(|r| r.body["template"]["name"] == "chatout_order_reminder")
            .collect::<Vec<_>>()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while reminders().len() < 2 {
        assert!(Instant::now() < deadline, "{:#?}", fake.received());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let sent = reminders();
    assert_eq!(sent.len(), 2, "{sent:#?}");
    for reminder in &sent {
        assert_eq!(reminder.body["to"], "31612345678");
        let params = &reminder.body["template"]["components"][0]["parameters"];
        assert_eq!(params[1]["text"], forgotten.as_str());
    }
    let count = |reference: String| {
        let db = app.db.read.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT reminders_sent FROM orders WHERE reference = $1")
                .bind(reference)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    assert_eq!(count(forgotten.clone()).await, 2);
    for quiet in [&handled, &wrote, &never_asked] {
        assert_eq!(count(quiet.to_string()).await, 0, "{quiet}");
    }
    // A STOP'd customer is never sent one, and nothing says one was.
    let (_, _, page) = browser.get(&format!("/admin/orders/{stopped}")).await;
    assert!(!page.contains("reminder 1 of 2 queued"), "{page}");
    let (_, _, page) = browser.get(&format!("/admin/orders/{forgotten}")).await;
    assert!(page.contains("reminder 1 of 2 queued") && page.contains("reminder 2 of 2 queued"));
    // Confirmed after its reminders: recovered.
    mark(&mut browser, &csrf, &forgotten, "confirmed").await;
    assert!(app.metrics().await.contains("chatout_orders_recovered 1"));
    let (_, _, list) = browser.get("/admin").await;
    assert!(
        list.contains("<strong>1</strong> recovered after a reminder"),
        "{list}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A queued message whose stored body no longer reads fails with a reason and sends nothing;
/// the messages behind it still go out.
async fn a_corrupt_outbox_row_fails_visibly(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let reference = place(&app, "+31612345678", true).await;
    send_order_message(&app, "31612345678").await;
    let contact: i64 = sqlx::query_scalar("SELECT id FROM contacts WHERE wa_id = $1")
        .bind("31612345678")
        .fetch_one(&app.db.write)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO outbox (dedupe_key, contact_id, kind, payload, preview, author, status, \
         next_attempt_at, created_at, updated_at) \
         VALUES ('corrupt', $1, 'template', '{\"type\": ', 'x', 'system', 'queued', 0, 0, 0)",
    )
    .bind(contact)
    .execute(&app.db.write)
    .await
    .unwrap();
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    mark(&mut browser, &csrf, &reference, "confirmed").await;
    let received = fake.wait_for(1).await;
    assert_eq!(
        received[0].body["template"]["name"],
        "chatout_order_confirmed"
    );
    eventually(&app, "the corrupt row failed", || async {
        let row =
            sqlx::query("SELECT status, error_detail FROM outbox WHERE dedupe_key = 'corrupt'")
                .fetch_one(&app.db.read)
                .await
                .unwrap();
        row.get::<String, _>("status") == "failed"
            && row.get::<Option<String>, _>("error_detail").as_deref()
                == Some("the stored message is unreadable")
    })
    .await;
    assert_eq!(fake.received().len(), 1, "{:#?}", fake.received());
}

/// The shopper's order message links the order to their WhatsApp once, tells the shop's
/// systems, and holds the stock for real; a message naming someone else's, an expired or an
/// unknown order links nothing and is shown to staff.
async fn the_order_message_links_its_order_once(backend: Backend) {
    let fake = FakeCloud::start().await;
    let receiver = crate::receiver::Receiver::start(0).await;
    let url = receiver.url.clone();
    let app = spawn_with(backend, |s| {
        s.whatsapp = Some(whatsapp_for(&fake));
        s.webhooks = Some(chatout_server::settings::WebhookSettings {
            urls: vec![url],
            secret: "receivers share this secret".into(),
            timeout: Duration::from_secs(2),
            retry_base: Duration::from_millis(50),
            retry_for: Duration::from_secs(3600),
        });
    })
    .await;
    let mut body = order_body(); // two linen shirts: limited stock, held
    body["customer"]["phone"] = json!("+31612345678");
    let (status, placed) = app.post_order(Some("link-1"), &body).await;
    assert_eq!(status, 201, "{placed}");
    let reference = placed["reference"].as_str().unwrap().to_string();
    let forgotten = place(&app, "+31611111111", false).await;
    let expired = place(&app, "+31622222222", false).await;
    sqlx::query("UPDATE orders SET status = 'expired' WHERE reference = $1")
        .bind(&expired)
        .execute(&app.db.write)
        .await
        .unwrap();

    let message = format!("*Order {reference} — Demo Shop*\n2 × Linen shirt (Size: M)");
    let first = inbound("31612345678", "wamid.LINK-1", &message, 5);
    assert_eq!(webhook(&app, &first).await, 200);
    assert_eq!(webhook(&app, &first).await, 200, "a redelivery");
    let edited = format!(
        "hi, is {} ready? ({})",
        reference.to_lowercase(),
        reference.replace('-', "–")
    );
    assert_eq!(
        webhook(&app, &inbound("31612345678", "wamid.LINK-2", &edited, 1)).await,
        200
    );
    let row = sqlx::query(
        "SELECT o.received_at, c.wa_id, o.hold_until, o.expires_at FROM orders o \
         JOIN contacts c ON c.id = o.contact_id WHERE o.reference = $1",
    )
    .bind(&reference)
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    let received_at: i64 = row.get("received_at");
    assert_eq!(row.get::<String, _>("wa_id"), "31612345678");
    assert_eq!(
        row.get::<Option<i64>, _>("hold_until"),
        Some(row.get::<i64, _>("expires_at")),
        "a real shopper wrote: the stock is held until the order expires"
    );
    let window: i64 = sqlx::query_scalar("SELECT window_until FROM contacts WHERE wa_id = $1")
        .bind("31612345678")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert!(
        window > chatout_server::clock::now_ms(),
        "the window is open"
    );

    // Someone else forwards it; an unknown and an expired order are named.
    let forwarded = format!("look what I ordered: {reference}");
    assert_eq!(
        webhook(&app, &inbound("31687654321", "wamid.LINK-3", &forwarded, 1)).await,
        200
    );
    let other = format!("about ZZZZ-ZZZZ and {expired}, STRENGTH");
    assert_eq!(
        webhook(&app, &inbound("31687654321", "wamid.LINK-4", &other, 1)).await,
        200
    );
    let still: i64 = sqlx::query_scalar("SELECT received_at FROM orders WHERE reference = $1")
        .bind(&reference)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(still, received_at, "received once");
    let linked: Option<i64> =
        sqlx::query_scalar("SELECT contact_id FROM orders WHERE reference = $1")
            .bind(&expired)
            .fetch_one(&app.db.read)
            .await
            .unwrap();
    assert_eq!(linked, None, "an expired order is not linked");

    let accepted = receiver.wait_for(4, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let types: Vec<String> = receiver
        .accepted()
        .iter()
        .map(|d| d.json())
        .filter(|e| e["data"]["order"]["reference"] == reference.as_str())
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types, ["order.created", "order.received"], "{accepted:?}");
    let received = receiver
        .accepted()
        .iter()
        .map(|d| d.json())
        .find(|e| e["type"] == "order.received")
        .unwrap();
    assert_eq!(
        received["data"]["order"]["whatsapp"]["wa_id"],
        "31612345678"
    );
    assert!(received["data"]["order"]["whatsapp"]["received_at"].is_string());

    let mut browser = Browser::new(&app);
    browser.sign_in().await;
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(page.contains("from +31612345678"), "{page}");
    assert!(
        page.contains("another WhatsApp number sent first"),
        "{page}"
    );
    let (_, _, list) = browser.get("/admin").await;
    assert!(
        list.contains("ZZZZ-ZZZZ</code> names no order of this shop"),
        "{list}"
    );
    assert!(list.contains("names an order that had expired"));
    assert!(
        !list.contains("STRE-NGTH"),
        "an ordinary word is no reference"
    );
    let (_, _, waiting) = browser.get("/admin?status=not-received").await;
    let row_of = |r: &str| format!("href=\"/admin/orders/{r}\"");
    assert!(waiting.contains(&row_of(&forgotten)), "{waiting}");
    assert!(
        !waiting.contains(&row_of(&reference)),
        "received: not in the list: {waiting}"
    );
    assert!(
        waiting.contains("registered, not received (1)"),
        "{waiting}"
    );
}

/// Ten numbers send the same order's message at once: one of them gets it, the others are
/// warnings, and the shop is told once.
async fn an_order_named_by_many_at_once_is_linked_to_one(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let reference = place(&app, "+31612345678", true).await;
    let text = format!("*Order {reference} — Demo Shop*");
    let sends = (0..10).map(|n| {
        let message = inbound(
            &format!("3169000000{n}"),
            &format!("wamid.RACE-{n}"),
            &text,
            1,
        );
        let app = &app;
        async move { webhook(app, &message).await }
    });
    let statuses = futures::future::join_all(sends).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let linked: Vec<Option<i64>> =
        sqlx::query_scalar("SELECT contact_id FROM orders WHERE reference = $1")
            .bind(&reference)
            .fetch_all(&app.db.read)
            .await
            .unwrap();
    assert!(linked[0].is_some());
    let warnings: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM link_warnings WHERE reference = $1 AND reason = 'other_contact'",
    )
    .bind(&reference)
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(warnings, 9);
    let winner: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM link_warnings w JOIN orders o ON o.contact_id = w.contact_id \
         WHERE o.reference = $1",
    )
    .bind(&reference)
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(winner, 0, "the contact it is linked to has no warning");
}

/// The inbox's `href`s of conversations, top to bottom.
fn inbox_order(page: &str) -> Vec<String> {
    page.match_indices("href=\"/admin/inbox/")
        .map(|(at, _)| {
            let rest = &page[at + "href=\"/admin/inbox/".len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// Every contact who wrote is in the inbox, unanswered first by waiting time; a reply inside
/// the window needs no opt-in and answers the conversation; "done" puts it away until the
/// contact writes again; outside the window, or after STOP, no free-form reply goes out.
async fn the_inbox_puts_the_longest_waiting_first(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    // They wrote 30, 20 and 10 seconds ago, and one two days ago.
    for (n, wa_id) in ["31600000011", "31600000012", "31600000013"]
        .iter()
        .enumerate()
    {
        let ago = 30 - 10 * n as u64;
        let text = "Is the tote in stock?";
        let message = inbound(wa_id, &format!("wamid.INBOX-{n}"), text, ago);
        assert_eq!(webhook(&app, &message).await, 200);
    }
    let old = inbound("31600000014", "wamid.INBOX-OLD", "Hello?", 2 * 24 * 3600);
    assert_eq!(webhook(&app, &old).await, 200);
    let id = |wa_id: &str| {
        let app = &app;
        let wa_id = wa_id.to_string();
        async move {
            let id: i64 = sqlx::query_scalar("SELECT id FROM contacts WHERE wa_id = $1")
                .bind(wa_id)
                .fetch_one(&app.db.read)
                .await
                .unwrap();
            id.to_string()
        }
    };
    let (a, b, c, d) = (
        id("31600000011").await,
        id("31600000012").await,
        id("31600000013").await,
        id("31600000014").await,
    );
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let (_, _, page) = browser.get("/admin/inbox").await;
    assert!(page.contains("<title>Inbox · "), "a plain title");
    assert_eq!(page.matches("Enquiry to order, last 30 days").count(), 1);
    assert_eq!(
        inbox_order(&page)[..3],
        [d.clone(), a.clone(), b.clone()],
        "{page}"
    );

    // A reply to b, who never opted in, inside the window: sent as text; b is answered.
    let form = [("csrf", csrf.as_str()), ("text", "Yes, 4 left!")];
    let (status, location, _) = browser
        .post(&format!("/admin/inbox/{b}/reply"), &form)
        .await;
    assert_eq!(
        (status, location.ends_with("notice=replied")),
        (303, true),
        "{location}"
    );
    let received = fake.wait_for(1).await;
    assert_eq!(received[0].body["type"], "text");
    assert_eq!(received[0].body["to"], "31600000012");
    assert_eq!(received[0].body["text"]["body"], "Yes, 4 left!");
    let (_, _, page) = browser.get("/admin/inbox").await;
    let order = inbox_order(&page);
    assert_eq!(order[..3], [d.clone(), a.clone(), c.clone()], "{page}");
    assert_eq!(order[3], b);

    // Done puts a conversation away until the contact writes again.
    let (status, _, _) = browser
        .post(
            &format!("/admin/inbox/{a}/done"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(status, 303);
    let (_, _, page) = browser.get("/admin/inbox").await;
    assert_eq!(inbox_order(&page)[..2], [d.clone(), c.clone()]);
    let again = inbound("31600000011", "wamid.INBOX-AGAIN", "Still there?", 0);
    assert_eq!(webhook(&app, &again).await, 200);
    let (_, _, page) = browser.get("/admin/inbox").await;
    assert_eq!(inbox_order(&page)[..3], [d.clone(), c.clone(), a.clone()]);

    // Who answers.
    let form = [("csrf", csrf.as_str()), ("assigned_to", "admin")];
    let (status, _, _) = browser
        .post(&format!("/admin/inbox/{c}/assign"), &form)
        .await;
    assert_eq!(status, 303);
    let (_, _, page) = browser.get(&format!("/admin/inbox/{c}")).await;
    assert!(page.contains("<option value=\"admin\" selected>"), "{page}");
    assert!(page.contains("Is the tote in stock?"));
    let form = [("csrf", csrf.as_str()), ("assigned_to", "nobody-here")];
    assert_eq!(
        browser
            .post(&format!("/admin/inbox/{c}/assign"), &form)
            .await
            .0,
        422
    );

    // Outside the window, and after STOP: nothing free-form goes out.
    let form = [("csrf", csrf.as_str()), ("text", "Sorry for the wait")];
    let (_, location, _) = browser
        .post(&format!("/admin/inbox/{d}/reply"), &form)
        .await;
    assert!(location.ends_with("notice=reply-window"), "{location}");
    let stop = inbound("31600000013", "wamid.INBOX-STOP", "STOP", 0);
    assert_eq!(webhook(&app, &stop).await, 200);
    fake.wait_for(2).await; // STOP's acknowledgement
    let (_, location, _) = browser
        .post(&format!("/admin/inbox/{c}/reply"), &form)
        .await;
    assert!(location.ends_with("notice=reply-consent"), "{location}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fake.received().len(), 2, "{:#?}", fake.received());
    assert_eq!(browser.get("/admin/inbox/999999").await.0, 404);
}

/// First responses on a scripted history: waits of about 600, 120 and 50 seconds give a
/// median of 2 min, a 90th percentile of 10 min, and the histogram in /metrics.
async fn first_response_times_are_measured(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let contact = |wa_id: &'static str| {
        let app = &app;
        async move {
            let id: i64 = sqlx::query_scalar("SELECT id FROM contacts WHERE wa_id = $1")
                .bind(wa_id)
                .fetch_one(&app.db.read)
                .await
                .unwrap();
            id
        }
    };
    let script = [
        ("31600000021", "wamid.FR-1", 600),
        ("31600000022", "wamid.FR-2", 120),
        ("31600000021", "wamid.FR-3", 50),
    ];
    for (wa_id, wamid, ago) in script {
        assert_eq!(
            webhook(&app, &inbound(wa_id, wamid, "A question", ago)).await,
            200
        );
        let id = contact(wa_id).await;
        let form = [("csrf", csrf.as_str()), ("text", "An answer")];
        let (_, location, _) = browser
            .post(&format!("/admin/inbox/{id}/reply"), &form)
            .await;
        assert!(location.ends_with("notice=replied"), "{location}");
        // A second reply to the same wait is no first response.
        browser
            .post(&format!("/admin/inbox/{id}/reply"), &form)
            .await;
    }
    let (_, _, page) = browser.get("/admin/inbox").await;
    let section = &page[page.find("First response, last 7 days").unwrap()..];
    assert!(
        section.contains("<td>admin</td><td>3</td><td>2 min</td><td>10 min</td>"),
        "{section}"
    );
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "chatout_first_response_seconds_bucket{le=\"60\"} 1",
        "chatout_first_response_seconds_bucket{le=\"300\"} 2",
        "chatout_first_response_seconds_bucket{le=\"900\"} 3",
        "chatout_first_response_seconds_count 3",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
}

/// Enquiry to order on a scripted history: of three conversations, the one whose contact
/// ordered the next day counts; an order 10 days later does not; per topic too.
async fn enquiries_convert_to_orders_within_a_week(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    for topic in ["stock", "delivery time"] {
        let (status, _, _) = browser
            .post(
                "/admin/topics",
                &[("csrf", csrf.as_str()), ("topic", topic)],
            )
            .await;
        assert_eq!(status, 303);
    }
    let script = [
        ("31600000031", "stock", Some(86_400_000_i64)),
        ("31600000032", "delivery time", None),
        ("31600000033", "stock", Some(10 * 86_400_000)),
    ];
    for (n, (wa_id, topic, order_after)) in script.iter().enumerate() {
        let message = inbound(
            wa_id,
            &format!("wamid.CONV-{n}"),
            "Do you have it in blue?",
            1,
        );
        assert_eq!(webhook(&app, &message).await, 200);
        let id: i64 = sqlx::query_scalar("SELECT id FROM contacts WHERE wa_id = $1")
            .bind(*wa_id)
            .fetch_one(&app.db.read)
            .await
            .unwrap();
        let form = [("csrf", csrf.as_str()), ("topic", *topic)];
        let (_, location, _) = browser
            .post(&format!("/admin/inbox/{id}/topic"), &form)
            .await;
        assert!(location.ends_with("notice=tagged"), "{location}");
        if let Some(after) = order_after {
            let reference = place(&app, &format!("+{wa_id}"), false).await;
            // The order came `after` the first message.
            sqlx::query(
                "UPDATE orders SET created_at = (SELECT MIN(received_at) FROM inbound \
                 WHERE contact_id = $1) + $2 WHERE reference = $3",
            )
            .bind(id)
            .bind(after)
            .bind(&reference)
            .execute(&app.db.write)
            .await
            .unwrap();
        }
    }
    let (_, _, page) = browser.get("/admin/inbox").await;
    let section = &page[page.find("Enquiry to order, last 30 days").unwrap()..];
    for row in [
        "<td>all</td><td data-label=\"Conversations\">3</td><td data-label=\"With an order\">1</td><td data-label=\"Share\">33%</td>",
        "<td>stock</td><td data-label=\"Conversations\">2</td><td data-label=\"With an order\">1</td><td data-label=\"Share\">50%</td>",
        "<td>delivery time</td><td data-label=\"Conversations\">1</td><td data-label=\"With an order\">0</td><td data-label=\"Share\">0%</td>",
    ] {
        assert!(section.contains(row), "{row} in {section}");
    }
    let form = [("csrf", csrf.as_str()), ("topic", "not a topic")];
    assert_eq!(browser.post("/admin/inbox/1/topic", &form).await.0, 422);
}

/// The value of the first hidden `key` field on a page.
fn key_on(page: &str) -> String {
    let start = page.find(r#"name="key" value=""#).expect("a key field") + 18;
    page[start..start + 64].to_string()
}

async fn outside_the_window_staff_choose_a_template(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let reference = place(&app, "+31612345678", true).await;
    send_order_message(&app, "31612345678").await;
    let contact = app.contact_id("31612345678").await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let (_, _, page) = browser.get(&format!("/admin/inbox/{contact}")).await;
    assert!(page.contains(r#"<select name="template""#), "{page}");
    let value = format!("confirmed:{reference}");
    assert!(page.contains(&format!(r#"value="{value}""#)), "{page}");
    // Each choice shows its parameters as the customer gets them.
    assert!(page.contains(&format!(
        "chatout_order_confirmed (nl): Anna de Vries · {reference}"
    )));
    let key = key_on(&page);
    let path = format!("/admin/inbox/{contact}/template");
    let form = [
        ("csrf", csrf.as_str()),
        ("template", value.as_str()),
        ("key", key.as_str()),
    ];
    for _ in 0..2 {
        let (status, location, _) = browser.post(&path, &form).await;
        assert_eq!(status, 303);
        assert!(location.ends_with("notice=template-sent"), "{location}");
    }
    let received = fake.wait_for(1).await;
    assert_eq!(
        received[0].body["template"]["name"],
        "chatout_order_confirmed"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fake.received().len(), 1, "a double submit is one message");
    // A customer without an opt-in is offered none, and a forged form sends nothing.
    let other = place(&app, "+31687654321", false).await;
    let message = inbound(
        "31687654321",
        "wamid.OLD",
        &format!("*Order {other}*"),
        25 * 3600,
    );
    assert_eq!(webhook(&app, &message).await, 200);
    let (_, _, page) = browser.get(&format!("/admin/orders/{other}")).await;
    assert!(!page.contains(r#"<select name="template""#), "{page}");
    let forged = format!("confirmed:{other}");
    let form = [
        ("csrf", csrf.as_str()),
        ("template", forged.as_str()),
        ("key", ""),
    ];
    let (_, location, _) = browser
        .post(&format!("/admin/orders/{other}/template"), &form)
        .await;
    assert!(location.ends_with("notice=template-consent"), "{location}");
    let bad = [
        ("csrf", csrf.as_str()),
        ("template", "refund:x"),
        ("key", ""),
    ];
    let (_, location, _) = browser.post(&path, &bad).await;
    assert!(location.ends_with("notice=template-bad"), "{location}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fake.received().len(), 1);
}

crate::on_both_backends!(
    outside_the_window_staff_choose_a_template,
    enquiries_convert_to_orders_within_a_week,
    first_response_times_are_measured,
    the_inbox_puts_the_longest_waiting_first,
    an_order_named_by_many_at_once_is_linked_to_one,
    the_order_message_links_its_order_once,
    a_corrupt_outbox_row_fails_visibly,
    a_forgotten_order_gets_its_reminders_until_something_happens,
    a_strangers_checkout_does_not_undo_stop,
    a_web_opt_in_is_pending_until_the_number_writes,
    a_confirmed_order_of_an_opted_in_customer_sends_one_template,
    stop_in_four_languages_revokes_consent_and_is_acknowledged_once,
    a_reply_goes_out_inside_the_window_and_is_refused_outside,
    throttling_is_retried_and_permanent_errors_fail_visibly,
    a_restart_mid_queue_sends_each_message_exactly_once,
    forged_missing_and_stale_signatures_are_refused,
    duplicated_and_out_of_order_statuses_end_in_the_right_state,
    the_subscription_check_echoes_the_challenge_only_for_our_token,
    messages_to_one_contact_keep_the_gap,
);
