//! Getting paid, against local fakes of Mollie and Stripe: a payment link for the exact
//! total, paid once by the provider's report (delivered again and out of order), a wrong
//! amount or a replaced link never marks paid, forged and stale Stripe events are refused, a
//! provider that is down leaves nothing half-stored, refunds happen once, payments by hand
//! may be partial, and the shopper's own page.

use crate::fake_pay::{stripe_event, FakePay, MOLLIE_KEY, STRIPE_KEY, STRIPE_WEBHOOK_SECRET};
use crate::helpers::{client_from, order_body, spawn_with, Backend, Browser, TestApp};
use crate::integration::{conforms_to_order, desk_token, get};
use chatout_core::OrderStatus;
use chatout_server::settings::{MollieSettings, PaymentSettings, StripeSettings};
use serde_json::{json, Value};

pub(crate) const PUBLIC: &str = "https://orders.shop.example";

/// The demo catalog, paid by link, in `currency` (JPY prices the tote at 1500 yen).
pub(crate) fn catalog_file(currency: &str) -> String {
    let mut catalog: Value = serde_json::from_str(chatout_server::DEMO_CATALOG).unwrap();
    catalog["shop"]["payments"] = json!(["bank_transfer", "payment_link"]);
    catalog["currency"] = json!(currency);
    if currency == "JPY" {
        catalog["products"] =
            json!([{"sku": "tote-canvas", "name": "Canvas tote", "price": "1500"}]);
    }
    let path = std::env::temp_dir().join(format!(
        "chatout-pay-catalog-{}-{}.json",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::write(&path, catalog.to_string()).unwrap();
    path.display().to_string()
}

/// The server with Mollie and/or Stripe pointed at the fake.
pub(crate) async fn spawn_paying(
    backend: Backend,
    fake: &FakePay,
    mollie: bool,
    stripe: bool,
) -> TestApp {
    spawn_paying_in(backend, fake, mollie, stripe, "EUR").await
}

async fn spawn_paying_in(
    backend: Backend,
    fake: &FakePay,
    mollie: bool,
    stripe: bool,
    currency: &str,
) -> TestApp {
    let payments = PaymentSettings {
        mollie: mollie.then(|| MollieSettings {
            api_key: MOLLIE_KEY.into(),
            api_base: format!("{}/v2", fake.base),
        }),
        stripe: stripe.then(|| StripeSettings {
            secret_key: STRIPE_KEY.into(),
            webhook_secret: STRIPE_WEBHOOK_SECRET.into(),
            api_base: format!("{}/v1", fake.base),
        }),
    };
    let catalog = catalog_file(currency);
    spawn_with(backend, |s| {
        s.public_url = Some(PUBLIC.into());
        s.payments = payments;
        s.catalog_path = Some(catalog);
    })
    .await
}

/// Places the demo order (2 shirts, 3 tea samples: €60.10), paid by link; its reference.
pub(crate) async fn place(app: &TestApp, key: &str, payment: &str) -> String {
    let mut body = order_body();
    body["payment"] = json!(payment);
    body["reference"] = json!("");
    let (status, answer) = app.post_order(Some(key), &body).await;
    assert_eq!(status, 201, "{answer}");
    answer["reference"].as_str().unwrap().to_string()
}

/// Posts a desk form on an order; the notice it led to.
pub(crate) async fn desk(
    browser: &mut Browser<'_>,
    reference: &str,
    action: &str,
    form: &[(&str, &str)],
) -> String {
    let (_, location, _) = browser
        .post(&format!("/admin/orders/{reference}/{action}"), form)
        .await;
    location.rsplit("notice=").next().unwrap_or("").to_string()
}

pub(crate) async fn mollie_webhook(app: &TestApp, id: &str) -> u16 {
    app.client
        .post(format!("{}/webhooks/mollie", app.base))
        .form(&[("id", id)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

pub(crate) async fn stripe_webhook(app: &TestApp, body: &str, signature: Option<&str>) -> u16 {
    let mut request = app
        .client
        .post(format!("{}/webhooks/stripe", app.base))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(signature) = signature {
        request = request.header("stripe-signature", signature);
    }
    request.send().await.unwrap().status().as_u16()
}

/// How many times the order became paid, and by whom.
async fn paid_steps(app: &TestApp, reference: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT e.actor FROM order_events e JOIN orders o ON o.id = e.order_id \
         WHERE o.reference = $1 AND e.to_status = 'paid'",
    )
    .bind(reference)
    .fetch_all(&app.db.read)
    .await
    .unwrap()
}

pub(crate) async fn token_of(app: &TestApp, reference: &str) -> String {
    sqlx::query_scalar("SELECT access_token FROM orders WHERE reference = $1")
        .bind(reference)
        .fetch_one(&app.db.read)
        .await
        .unwrap()
}

async fn a_mollie_link_is_paid_once_and_only_for_the_total(backend: Backend) {
    let fake = FakePay::start().await;
    let app = spawn_paying(backend, &fake, true, false).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let reference = place(&app, "pay-1", "payment_link").await;
    // Confirming an order paid by link makes its page, for the exact total.
    let confirm = [("csrf", csrf.as_str()), ("to", "confirmed")];
    assert_eq!(
        desk(&mut browser, &reference, "status", &confirm).await,
        "confirmed"
    );
    let ids = fake.mollie_ids();
    assert_eq!(ids.len(), 1);
    let payment = fake.mollie(&ids[0]);
    assert_eq!(
        payment["amount"],
        json!({"currency": "EUR", "value": "60.10"})
    );
    assert_eq!(payment["metadata"]["reference"], reference.as_str());
    assert_eq!(
        payment["description"],
        format!("Zeegras Home order {reference}")
    );
    let token = token_of(&app, &reference).await;
    assert_eq!(payment["redirectUrl"], format!("{PUBLIC}/orders/{token}"));
    assert_eq!(payment["webhookUrl"], format!("{PUBLIC}/webhooks/mollie"));
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(
        page.contains(&format!("select-method/{}", ids[0])),
        "the link to copy"
    );
    // Reports: still open, then failed, then paid, delivered three times.
    assert_eq!(mollie_webhook(&app, &ids[0]).await, 200);
    fake.set_mollie(&ids[0], "failed", None);
    assert_eq!(mollie_webhook(&app, &ids[0]).await, 200);
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(
        page.contains("<strong>failed</strong>"),
        "a failure is shown"
    );
    fake.set_mollie(&ids[0], "paid", None);
    for _ in 0..3 {
        assert_eq!(mollie_webhook(&app, &ids[0]).await, 200);
    }
    assert_eq!(
        app.db.status_of(&reference).await.unwrap(),
        Some(OrderStatus::Paid)
    );
    assert_eq!(paid_steps(&app, &reference).await, ["payment:mollie"]);
    // The integration API says so, as its document describes.
    let token = desk_token(&mut browser, &csrf, "erp", "read").await;
    let (_, order) = get(&app, &format!("/api/v1/orders/{reference}"), &token).await;
    assert_eq!(order["payment"]["status"], "paid");
    assert_eq!(order["payment"]["provider"], "mollie");
    assert_eq!(order["payment"]["paid_amount"], 6010);
    assert!(order["payment"]["paid_at"].is_string());
    conforms_to_order(&app, &order).await;
    // An id Mollie does not know, or that is no id at all, changes nothing.
    assert_eq!(mollie_webhook(&app, "tr_unknown").await, 200);
    assert_eq!(mollie_webhook(&app, "'; DROP TABLE orders; --").await, 200);

    // Paid, but not the total: not paid, flagged on the order and in /metrics.
    let short = place(&app, "pay-2", "payment_link").await;
    assert_eq!(
        desk(&mut browser, &short, "status", &confirm).await,
        "confirmed"
    );
    let id = fake.mollie_ids().pop().unwrap();
    fake.set_mollie(&id, "paid", Some("60.00"));
    assert_eq!(mollie_webhook(&app, &id).await, 200);
    assert_eq!(
        app.db.status_of(&short).await.unwrap(),
        Some(OrderStatus::Confirmed)
    );
    let (_, _, page) = browser.get(&format!("/admin/orders/{short}")).await;
    assert!(
        page.contains("Not counted as paid: the amount paid is not the order"),
        "{page}"
    );
    assert!(app.metrics().await.contains("chatout_payments_flagged 1"));

    // A new link after the total changed replaces the old one, which can no longer pay.
    let changed = place(&app, "pay-3", "payment_link").await;
    assert_eq!(
        desk(&mut browser, &changed, "status", &confirm).await,
        "confirmed"
    );
    let old = fake.mollie_ids().pop().unwrap();
    let shipping = [("csrf", csrf.as_str()), ("key", ""), ("shipping", "4.95")];
    assert_eq!(
        desk(&mut browser, &changed, "total", &shipping).await,
        "total-saved"
    );
    let link = [("csrf", csrf.as_str()), ("provider", "mollie")];
    assert_eq!(
        desk(&mut browser, &changed, "link", &link).await,
        "link-created"
    );
    let new = fake.mollie_ids().pop().unwrap();
    assert_eq!(fake.mollie(&new)["amount"]["value"], "65.05");
    assert!(
        fake.cancelled().contains(&old),
        "the old page is cancelled at Mollie"
    );
    fake.set_mollie(&old, "paid", None);
    assert_eq!(mollie_webhook(&app, &old).await, 200);
    assert_eq!(
        app.db.status_of(&changed).await.unwrap(),
        Some(OrderStatus::Confirmed)
    );
    fake.set_mollie(&new, "paid", None);
    assert_eq!(mollie_webhook(&app, &new).await, 200);
    assert_eq!(
        app.db.status_of(&changed).await.unwrap(),
        Some(OrderStatus::Paid)
    );

    // Mollie down: confirming fails clearly and stores nothing.
    let stuck = place(&app, "pay-4", "payment_link").await;
    fake.set_down(true);
    let (status, location, _) = browser
        .post(&format!("/admin/orders/{stuck}/status"), &confirm)
        .await;
    assert_eq!(status, 502);
    assert!(location.ends_with("notice=payment-down"), "{location}");
    assert_eq!(
        app.db.status_of(&stuck).await.unwrap(),
        Some(OrderStatus::Pending)
    );
    assert!(app.db.payments(&stuck).await.unwrap().is_empty());
    fake.set_down(false);

    // Cancelling the paid order offers a refund, which happens once.
    let cancel = [("csrf", csrf.as_str()), ("to", "cancelled")];
    assert_eq!(
        desk(&mut browser, &reference, "status", &cancel).await,
        "cancelled"
    );
    let refund = [("csrf", csrf.as_str())];
    assert_eq!(
        desk(&mut browser, &reference, "refund", &refund).await,
        "refunded"
    );
    assert_eq!(
        desk(&mut browser, &reference, "refund", &refund).await,
        "not-payable"
    );
    let refunds = fake.refunds();
    assert_eq!(refunds.len(), 1);
    assert_eq!(
        refunds[0]["amount"],
        json!({"currency": "EUR", "value": "60.10"})
    );
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(page.contains("<strong>refunded</strong>"), "{page}");
    assert!(fake.bad().is_empty(), "{:?}", fake.bad());
}

async fn amounts_follow_the_currency_s_decimals(backend: Backend) {
    let fake = FakePay::start().await;
    let app = spawn_paying_in(backend, &fake, true, false, "JPY").await;
    let mut body = order_body();
    body["currency"] = json!("JPY");
    body["payment"] = json!("payment_link");
    body["items"] = json!([{"sku": "tote-canvas", "name": "Canvas tote", "options": {},
                            "unit_price": 1500, "quantity": 1}]);
    body["subtotal"] = json!(1500);
    let (status, answer) = app.post_order(Some("yen"), &body).await;
    assert_eq!(status, 201, "{answer}");
    let reference = answer["reference"].as_str().unwrap();
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let confirm = [("csrf", csrf.as_str()), ("to", "confirmed")];
    assert_eq!(
        desk(&mut browser, reference, "status", &confirm).await,
        "confirmed"
    );
    let id = fake.mollie_ids().pop().unwrap();
    assert_eq!(
        fake.mollie(&id)["amount"],
        json!({"currency": "JPY", "value": "1500"})
    );
    assert!(fake.bad().is_empty(), "{:?}", fake.bad());
}

async fn stripe_events_are_signed_fresh_and_applied_once(backend: Backend) {
    let fake = FakePay::start().await;
    let app = spawn_paying(backend, &fake, false, true).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let reference = place(&app, "stripe-1", "payment_link").await;
    let confirm = [("csrf", csrf.as_str()), ("to", "confirmed")];
    assert_eq!(
        desk(&mut browser, &reference, "status", &confirm).await,
        "confirmed"
    );
    let id = fake.stripe_ids().pop().unwrap();
    let session = fake.stripe(&id);
    assert_eq!(
        (&session["amount_total"], &session["currency"]),
        (&json!(6010), &json!("eur"))
    );
    let paid = fake.pay_stripe(&id);
    let (body, good) = stripe_event(
        "evt_1",
        "checkout.session.completed",
        &paid,
        STRIPE_WEBHOOK_SECRET,
        0,
    );
    // Forged, stale and unsigned deliveries are refused and change nothing.
    let (_, forged) = stripe_event(
        "evt_1",
        "checkout.session.completed",
        &paid,
        "whsec_wrong",
        0,
    );
    let (_, stale) = stripe_event(
        "evt_1",
        "checkout.session.completed",
        &paid,
        STRIPE_WEBHOOK_SECRET,
        400,
    );
    assert_eq!(stripe_webhook(&app, &body, Some(&forged)).await, 400);
    assert_eq!(stripe_webhook(&app, &body, None).await, 400);
    let stale_body = stripe_event(
        "evt_1",
        "checkout.session.completed",
        &paid,
        STRIPE_WEBHOOK_SECRET,
        400,
    )
    .0;
    assert_eq!(stripe_webhook(&app, &stale_body, Some(&stale)).await, 400);
    let tampered = body.replace("6010", "1");
    assert_eq!(stripe_webhook(&app, &tampered, Some(&good)).await, 400);
    assert_eq!(
        app.db.status_of(&reference).await.unwrap(),
        Some(OrderStatus::Confirmed)
    );
    // The real one pays, once; a replay and a second event about the same session change
    // nothing more.
    assert_eq!(stripe_webhook(&app, &body, Some(&good)).await, 200);
    assert_eq!(stripe_webhook(&app, &body, Some(&good)).await, 200);
    let (again, signed) = stripe_event(
        "evt_2",
        "checkout.session.async_payment_succeeded",
        &paid,
        STRIPE_WEBHOOK_SECRET,
        0,
    );
    assert_eq!(stripe_webhook(&app, &again, Some(&signed)).await, 200);
    assert_eq!(
        app.db.status_of(&reference).await.unwrap(),
        Some(OrderStatus::Paid)
    );
    assert_eq!(paid_steps(&app, &reference).await, ["payment:stripe"]);
    // Events about other things are acknowledged and ignored.
    let other =
        json!({"id": "evt_3", "type": "customer.created", "data": {"object": {}}}).to_string();
    let signature = chatout_server::payments::stripe::sign(
        STRIPE_WEBHOOK_SECRET,
        other.as_bytes(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
    );
    assert_eq!(stripe_webhook(&app, &other, Some(&signature)).await, 200);
    // The refund names the session's payment intent.
    let cancel = [("csrf", csrf.as_str()), ("to", "cancelled")];
    assert_eq!(
        desk(&mut browser, &reference, "status", &cancel).await,
        "cancelled"
    );
    let refund = [("csrf", csrf.as_str())];
    assert_eq!(
        desk(&mut browser, &reference, "refund", &refund).await,
        "refunded"
    );
    let refunds = fake.refunds();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["payment_intent"], format!("pi_{id}"));
    assert_eq!(refunds[0]["amount"], 6010);
    assert!(fake.bad().is_empty(), "{:?}", fake.bad());
}

async fn payments_by_hand_may_be_partial(backend: Backend) {
    let fake = FakePay::start().await;
    let app = spawn_paying(backend, &fake, false, false).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let reference = place(&app, "hand-1", "bank_transfer").await;
    let confirm = [("csrf", csrf.as_str()), ("to", "confirmed")];
    assert_eq!(
        desk(&mut browser, &reference, "status", &confirm).await,
        "confirmed"
    );
    let part = [
        ("csrf", csrf.as_str()),
        ("amount", "20.00"),
        ("note", "NL12 transfer 1"),
    ];
    assert_eq!(
        desk(&mut browser, &reference, "paid", &part).await,
        "paid-partly"
    );
    assert_eq!(
        app.db.status_of(&reference).await.unwrap(),
        Some(OrderStatus::Confirmed)
    );
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(page.contains("partly paid: €20.00 of €60.10"), "{page}");
    assert!(
        page.contains(r#"name="amount" value="40.10""#),
        "the rest is offered"
    );
    for bad in ["50.00", "-1", "ten"] {
        let form = [("csrf", csrf.as_str()), ("amount", bad), ("note", "")];
        assert_eq!(
            desk(&mut browser, &reference, "paid", &form).await,
            "paid-invalid",
            "{bad}"
        );
    }
    let rest = [
        ("csrf", csrf.as_str()),
        ("amount", "40.10"),
        ("note", "cash at pickup"),
    ];
    assert_eq!(
        desk(&mut browser, &reference, "paid", &rest).await,
        "paid-by-hand"
    );
    assert_eq!(
        app.db.status_of(&reference).await.unwrap(),
        Some(OrderStatus::Paid)
    );
    assert_eq!(paid_steps(&app, &reference).await, ["admin"]);
}

async fn the_shopper_s_page_shows_their_order_and_nothing_more(backend: Backend) {
    let fake = FakePay::start().await;
    let app = spawn_paying(backend, &fake, true, false).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let reference = place(&app, "page-1", "payment_link").await;
    let confirm = [("csrf", csrf.as_str()), ("to", "confirmed")];
    assert_eq!(
        desk(&mut browser, &reference, "status", &confirm).await,
        "confirmed"
    );
    let note = [("csrf", csrf.as_str()), ("assigned_to", "admin")];
    browser
        .post(&format!("/admin/orders/{reference}/assign"), &note)
        .await;
    let token = token_of(&app, &reference).await;
    let response = app
        .client
        .get(format!("{}/orders/{token}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-robots-tag"], "noindex, nofollow");
    let page = response.text().await.unwrap();
    // In the order's language (nl-NL), with the link to pay.
    for part in [
        &format!("Je bestelling {reference}"),
        "Bevestigd",
        "Wacht op je betaling",
        "€\u{a0}60,10",
        "Nu betalen",
        "select-method/",
        "noindex",
    ] {
        assert!(page.contains(part), "{part} not on the page");
    }
    for staff_only in [
        "admin",
        "csrf",
        "Keizersgracht",
        "Gift wrap",
        "Send me order updates",
    ] {
        assert!(
            !page.contains(staff_only),
            "{staff_only} is on the shopper's page"
        );
    }
    // `/pay/{token}` leads to the open payment link (a template's URL button can point at
    // it with a fixed base), and to the shopper's page once nothing is open.
    let no_redirects = client_from("127.0.0.1");
    let pay = |client: reqwest::Client, path: String| async move {
        let response = client.get(path).send().await.unwrap();
        let location = response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        (response.status().as_u16(), location)
    };
    let (status, location) = pay(no_redirects.clone(), format!("{}/pay/{token}", app.base)).await;
    assert_eq!(status, 303);
    assert!(location.unwrap().contains("select-method/tr_"));
    let id = fake.mollie_ids().pop().unwrap();
    fake.set_mollie(&id, "paid", None);
    let hook = app
        .client
        .post(format!("{}/webhooks/mollie", app.base))
        .form(&[("id", id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(hook.status(), 200);
    let (_, location) = pay(no_redirects.clone(), format!("{}/pay/{token}", app.base)).await;
    assert_eq!(
        location.as_deref(),
        Some(format!("/orders/{token}").as_str())
    );
    let (status, _) = pay(no_redirects, format!("{}/pay/{}", app.base, "0".repeat(32))).await;
    assert_eq!(status, 404);
    for wrong in ["0123456789abcdef0123456789abcdef", "nope", &token[..31]] {
        let status = app
            .client
            .get(format!("{}/orders/{wrong}", app.base))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404, "{wrong}");
    }
}

crate::on_both_backends!(
    a_mollie_link_is_paid_once_and_only_for_the_total,
    amounts_follow_the_currency_s_decimals,
    stripe_events_are_signed_fresh_and_applied_once,
    payments_by_hand_may_be_partial,
    the_shopper_s_page_shows_their_order_and_nothing_more,
);
