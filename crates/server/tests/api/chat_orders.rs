//! Orders made in the chat: a cart from the shop's WhatsApp catalog becomes a pending order
//! at catalog prices, and the customer answers a confirmation with its buttons.

use crate::fake_cloud::{FakeCloud, PHONE_NUMBER_ID};
use crate::helpers::{spawn_with, Backend, Browser, TestApp};
use crate::integration::{conforms_to_order, desk_token, get};
use crate::messaging::{
    delivery, eventually, inbound, mark, place, spawn_messaging, webhook, whatsapp_for,
};
use chatout_core::OrderStatus;
use serde_json::{json, Value};
use sqlx::Row;

/// A catalog cart from `wa_id` (profile "Anna de Vries"): `(content id, quantity, the
/// webhook's item_price)`.
fn cart(wa_id: &str, id: &str, items: &[(&str, i64, f64)]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|(retailer_id, quantity, price)| {
            json!({"product_retailer_id": retailer_id, "quantity": quantity,
                   "item_price": price, "currency": "EUR"})
        })
        .collect();
    delivery(json!({
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Anna de Vries"}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, "id": id, "timestamp": now_seconds().to_string(),
                      "type": "order", "order": {"catalog_id": "CAT-1",
                      "text": "gift wrap please", "product_items": items}}]
    }))
}

/// A tap on a reply button (`interactive`) or a template quick reply (`button`).
fn tap(wa_id: &str, id: &str, payload: &str, title: &str, template: bool) -> Value {
    let message = if template {
        json!({"from": wa_id, "id": id, "timestamp": now_seconds().to_string(),
               "type": "button", "button": {"payload": payload, "text": title}})
    } else {
        json!({"from": wa_id, "id": id, "timestamp": now_seconds().to_string(),
               "type": "interactive", "interactive": {"type": "button_reply",
               "button_reply": {"id": payload, "title": title}}})
    };
    delivery(json!({
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Anna"}, "wa_id": wa_id}],
        "messages": [message]
    }))
}

fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The order a cart message made: (reference, subtotal, delivery, payment, name, phone,
/// linked contact's phone, received).
async fn cart_order(app: &TestApp, wamid: &str) -> Option<(String, i64, String, String, String)> {
    let row = sqlx::query(
        "SELECT o.reference, o.subtotal, o.delivery_method, o.payment, o.customer_name, \
         o.customer_phone, c.wa_id, o.received_at FROM orders o \
         LEFT JOIN contacts c ON c.id = o.contact_id WHERE o.idempotency_key = $1",
    )
    .bind(format!("whatsapp:{wamid}"))
    .fetch_optional(&app.db.read)
    .await
    .unwrap()?;
    let phone: String = row.get("customer_phone");
    let linked: Option<String> = row.get("wa_id");
    let received: Option<i64> = row.get("received_at");
    assert_eq!(linked.as_deref(), Some(&phone[1..]), "linked to the sender");
    assert!(received.is_some(), "received on WhatsApp");
    Some((
        row.get("reference"),
        row.get("subtotal"),
        format!(
            "{}/{}",
            row.get::<String, _>("delivery_method"),
            row.get::<String, _>("payment")
        ),
        row.get("customer_name"),
        phone,
    ))
}

/// (sku, options JSON, unit price, quantity) of an order, in order.
async fn lines_of(app: &TestApp, reference: &str) -> Vec<(String, String, i64, i64)> {
    sqlx::query(
        "SELECT l.sku, l.options, l.unit_price, l.quantity FROM order_lines l \
         JOIN orders o ON o.id = l.order_id WHERE o.reference = $1 ORDER BY l.position",
    )
    .bind(reference)
    .fetch_all(&app.db.read)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
    .collect()
}

async fn a_catalog_cart_becomes_one_order_at_catalog_prices(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let wa_id = "31612345678";
    let body = cart(
        wa_id,
        "wamid.CART1",
        &[
            ("mug-stoneware", 2, 0.01), // the webhook's price is not the shop's
            ("olive-oil-500", 5, 9.95), // 3 in stock
            ("lamp", 1, 5.0),           // not in the catalog
            ("shirt-linen", 1, 29.9),   // which colour and size?
            ("shirt-linen:Navy:M", 1, 1.0),
        ],
    );
    assert_eq!(webhook(&app, &body).await, 200);
    let (reference, subtotal, terms, name, phone) = cart_order(&app, "wamid.CART1").await.unwrap();
    assert_eq!(
        lines_of(&app, &reference).await,
        [
            ("mug-stoneware".into(), "{}".into(), 1250, 2),
            ("olive-oil-500".into(), "{}".into(), 995, 3),
            (
                "shirt-linen".into(),
                r#"{"Colour":"Navy","Size":"M"}"#.into(),
                2990,
                1
            ),
        ]
    );
    assert_eq!(subtotal, 2 * 1250 + 3 * 995 + 2990);
    assert_eq!(terms, "to_be_agreed/to_be_agreed");
    assert_eq!(
        (name.as_str(), phone.as_str()),
        ("Anna de Vries", "+31612345678")
    );
    assert_eq!(app.db.available("olive-oil-500").await.unwrap(), Some(0));
    assert_eq!(app.db.available("mug-stoneware").await.unwrap(), Some(23));
    // The answer: the order with our prices, and what could not be ordered.
    let received = fake.wait_for(1).await;
    let answer = &received[0].body;
    assert_eq!(
        (answer["type"].as_str(), answer["to"].as_str()),
        (Some("text"), Some(wa_id))
    );
    let text = answer["text"]["body"].as_str().unwrap();
    for part in [
        format!("*{reference}*"),
        "2 × Stoneware mug — €25.00".into(),
        "3 × Olive oil, 500 ml — €29.85".into(),
        "1 × Linen shirt (Navy, M) — €29.90".into(),
        "*Subtotal:* €84.75".into(),
        "Only 3 × Olive oil, 500 ml left".into(),
        "We could not find lamp".into(),
        "Linen shirt: tell us which colour".into(),
        "We will confirm delivery".into(),
    ] {
        assert!(text.contains(&part), "{part:?} not in {text}");
    }
    assert!(fake.bad_shapes().is_empty(), "{:?}", fake.bad_shapes());
    // Delivered again (webhooks come at least once): still one order and one answer.
    assert_eq!(webhook(&app, &body).await, 200);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(count, 1);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(fake.received().len(), 1);
    assert_eq!(app.db.available("olive-oil-500").await.unwrap(), Some(0));
    // The desk shows it like any order, its open terms said so; the API as its document says.
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let token = desk_token(&mut browser, &csrf, "erp", "read").await;
    let (status, order) = get(&app, &format!("/api/v1/orders/{reference}"), &token).await;
    assert_eq!(status, 200, "{order}");
    conforms_to_order(&app, &order).await;
    assert_eq!(order["delivery"]["method"], "to_be_agreed");
    assert_eq!(order["whatsapp"]["wa_id"], wa_id);
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(page.contains("to be agreed in the chat"), "{page}");
    assert!(page.contains("WhatsApp catalog CAT-1"), "{page}");
    // A cart of nothing the shop can sell makes no order, and says so.
    let empty = cart(
        wa_id,
        "wamid.CART2",
        &[("olive-oil-500", 1, 9.95), ("lamp", 2, 1.0)],
    );
    assert_eq!(webhook(&app, &empty).await, 200);
    let received = fake.wait_for(2).await;
    let text = received[1].body["text"]["body"].as_str().unwrap();
    assert!(text.starts_with("Sorry, nothing in this cart"), "{text}");
    assert!(text.contains("We could not find lamp"), "{text}");
    assert_eq!(cart_order(&app, "wamid.CART2").await, None);
}

async fn a_number_holds_no_more_than_the_hold_limit(backend: Backend) {
    let fake = FakeCloud::start().await;
    let whatsapp = whatsapp_for(&fake);
    let app = spawn_with(backend, |s| {
        s.whatsapp = Some(whatsapp);
        s.hold_limit = 20;
    })
    .await;
    let first = cart("31687654321", "wamid.H1", &[("mug-stoneware", 15, 12.5)]);
    assert_eq!(webhook(&app, &first).await, 200);
    assert!(cart_order(&app, "wamid.H1").await.is_some());
    let more = cart("31687654321", "wamid.H2", &[("mug-stoneware", 6, 12.5)]);
    assert_eq!(webhook(&app, &more).await, 200);
    let received = fake.wait_for(2).await;
    let text = received[1].body["text"]["body"].as_str().unwrap();
    assert!(text.contains("We cannot hold more items"), "{text}");
    assert_eq!(cart_order(&app, "wamid.H2").await, None);
    assert_eq!(app.db.available("mug-stoneware").await.unwrap(), Some(10));
}

/// The confirmation's reply buttons as sent: (payload, title) each.
fn buttons_of(body: &Value) -> Vec<(String, String)> {
    body["interactive"]["action"]["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["reply"]["id"].as_str().unwrap().to_string(),
                b["reply"]["title"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn a_confirmation_in_the_window_has_buttons_and_cancel_cancels(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let wa_id = "31612345678";
    // A web order without an opt-in; its message arrives now: the window is open.
    let reference = place(&app, "+31612345678", false).await;
    let message = inbound(wa_id, "wamid.SENT", &format!("*Order {reference}*"), 1);
    assert_eq!(webhook(&app, &message).await, 200);
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    mark(&mut browser, &csrf, &reference, "confirmed").await;
    let received = fake.wait_for(1).await;
    let confirmation = &received[0].body;
    assert_eq!(confirmation["type"], "interactive");
    let body = confirmation["interactive"]["body"]["text"]
        .as_str()
        .unwrap();
    assert!(
        body.contains(&reference)
            && body.contains("€\u{a0}15,00")
            // Paid by bank transfer: the shop's details come with it.
            && body.contains("NL91 ABNA 0417 1643 00"),
        "{body}"
    );
    assert_eq!(
        buttons_of(confirmation),
        [
            (
                format!("order:{reference}:confirm"),
                "Ja, bevestigen".into()
            ),
            (
                format!("order:{reference}:cancel"),
                "Bestelling annuleren".into()
            ),
        ]
    );
    assert!(fake.bad_shapes().is_empty(), "{:?}", fake.bad_shapes());
    // In the order's language (the checkout was in nl-NL). "Yes, confirm" is recorded,
    // and changes nothing.
    let yes = tap(
        wa_id,
        "wamid.YES",
        &format!("order:{reference}:confirm"),
        "Ja, bevestigen",
        false,
    );
    assert_eq!(webhook(&app, &yes).await, 200);
    assert_eq!(
        app.db.status_of(&reference).await.unwrap(),
        Some(OrderStatus::Confirmed)
    );
    // "Cancel order" cancels, with the customer as the actor, and is acknowledged in the chat.
    let cancel_payload = format!("order:{reference}:cancel");
    let cancel = tap(
        wa_id,
        "wamid.NO",
        &cancel_payload,
        "Bestelling annuleren",
        false,
    );
    // Delivered twice: applied once.
    assert_eq!(webhook(&app, &cancel).await, 200);
    assert_eq!(webhook(&app, &cancel).await, 200);
    assert_eq!(
        app.db.status_of(&reference).await.unwrap(),
        Some(OrderStatus::Cancelled)
    );
    let actor: String = sqlx::query_scalar(
        "SELECT e.actor FROM order_events e JOIN orders o ON o.id = e.order_id \
         WHERE o.reference = $1 AND e.to_status = 'cancelled'",
    )
    .bind(&reference)
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(actor, "customer");
    let received = fake.wait_for(2).await;
    let ack = received[1].body["text"]["body"].as_str().unwrap();
    assert!(
        ack.contains(&reference) && ack.contains("geannuleerd"),
        "{ack}"
    );
    eventually(&app, "no third message", || async {
        fake.received().len() == 2
    })
    .await;
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(
        page.contains("Ja, bevestigen") && page.contains("recorded"),
        "{page}"
    );
    assert!(page.contains("cancelled the order"), "{page}");
    // A catalog cart's order (stock held, English: the number never ordered on the web),
    // confirmed and then cancelled with its button: the mugs go back on the shelf.
    let shopper = "31655555555";
    let body = cart(shopper, "wamid.MUGS", &[("mug-stoneware", 2, 12.5)]);
    assert_eq!(webhook(&app, &body).await, 200);
    let (mugs, ..) = cart_order(&app, "wamid.MUGS").await.unwrap();
    assert_eq!(app.db.available("mug-stoneware").await.unwrap(), Some(23));
    mark(&mut browser, &csrf, &mugs, "confirmed").await;
    let received = fake.wait_for(4).await;
    let confirmation = &received[3].body;
    assert_eq!(confirmation["to"], shopper);
    assert_eq!(
        buttons_of(confirmation),
        [
            (format!("order:{mugs}:confirm"), "Yes, confirm".into()),
            (format!("order:{mugs}:cancel"), "Cancel order".into())
        ]
    );
    let payload = format!("order:{mugs}:cancel");
    let cancel = tap(shopper, "wamid.MUGS-NO", &payload, "Cancel order", false);
    assert_eq!(webhook(&app, &cancel).await, 200);
    assert_eq!(
        app.db.status_of(&mugs).await.unwrap(),
        Some(OrderStatus::Cancelled)
    );
    assert_eq!(app.db.available("mug-stoneware").await.unwrap(), Some(25));
    let received = fake.wait_for(5).await;
    let ack = received[4].body["text"]["body"].as_str().unwrap();
    assert_eq!(
        ack,
        format!("Your order {mugs} is cancelled. Write to us any time.")
    );
}

async fn a_late_or_foreign_answer_changes_nothing_and_is_shown(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let wa_id = "31612345678";
    let reference = place(&app, "+31612345678", false).await;
    let message = inbound(wa_id, "wamid.SENT", &format!("*Order {reference}*"), 1);
    assert_eq!(webhook(&app, &message).await, 200);
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    for to in ["confirmed", "paid", "fulfilled"] {
        mark(&mut browser, &csrf, &reference, to).await;
    }
    let payload = format!("order:{reference}:cancel");
    // Another number taps a copy of the button: not theirs.
    let stranger = tap("31699999999", "wamid.X", &payload, "Cancel order", true);
    assert_eq!(webhook(&app, &stranger).await, 200);
    // The customer taps it after the order shipped: too late.
    let late = tap(wa_id, "wamid.LATE", &payload, "Cancel order", true);
    assert_eq!(webhook(&app, &late).await, 200);
    assert_eq!(
        app.db.status_of(&reference).await.unwrap(),
        Some(OrderStatus::Fulfilled)
    );
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(page.contains("the order is past that point"), "{page}");
    assert!(page.contains("not this number"), "{page}");
    // The conversation shows it to whoever answers the chat.
    let contact = app.contact_id(wa_id).await;
    let (_, _, page) = browser.get(&format!("/admin/inbox/{contact}")).await;
    assert!(page.contains("the order is past that point"), "{page}");
}

crate::on_both_backends!(
    a_catalog_cart_becomes_one_order_at_catalog_prices,
    a_number_holds_no_more_than_the_hold_limit,
    a_confirmation_in_the_window_has_buttons_and_cancel_cancels,
    a_late_or_foreign_answer_changes_nothing_and_is_shown,
);
