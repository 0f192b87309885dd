//! Regressions (issue 27): money the providers' own dashboards move, and what a stranger can
//! make the payment webhooks do. Refunds and chargebacks made at Mollie or Stripe were never
//! seen; a Stripe session without `amount_total` was refused and retried forever; every
//! plausible Mollie id spent a call of the shop's Mollie quota; POSTs carried no
//! `Idempotency-Key`; and a Stripe signature header of empty entries cost an HMAC each.

use crate::fake_pay::{stripe_event, FakePay, MOLLIE_KEY, STRIPE_KEY, STRIPE_WEBHOOK_SECRET};
use crate::helpers::{client_from, spawn_with, Backend, Browser, TestApp};
use crate::integration::{desk_token, get};
use crate::payments::{catalog_file, desk, mollie_webhook, place, stripe_webhook, PUBLIC};
use chatout_core::OrderStatus;
use chatout_server::settings::{MollieSettings, PaymentSettings, StripeSettings, WebhookSettings};
use serde_json::{json, Value};
use std::time::Duration;

/// Mollie and Stripe at the fake, and order webhooks queued for a receiver that is never
/// reached (the events are read from the database).
async fn spawn(backend: Backend, fake: &FakePay) -> TestApp {
    let payments = PaymentSettings {
        mollie: Some(MollieSettings {
            api_key: MOLLIE_KEY.into(),
            api_base: format!("{}/v2", fake.base),
        }),
        stripe: Some(StripeSettings {
            secret_key: STRIPE_KEY.into(),
            webhook_secret: STRIPE_WEBHOOK_SECRET.into(),
            api_base: format!("{}/v1", fake.base),
        }),
    };
    let catalog = catalog_file("EUR");
    spawn_with(backend, |s| {
        s.public_url = Some(PUBLIC.into());
        s.payments = payments;
        s.catalog_path = Some(catalog);
        s.webhooks = Some(WebhookSettings {
            urls: vec!["http://127.0.0.1:9/hooks".into()],
            secret: "whsec_chatout".into(),
            timeout: Duration::from_secs(1),
            retry_base: Duration::from_secs(3600),
            retry_for: Duration::from_secs(24 * 3600),
        });
    })
    .await
}

/// The `order.updated` events queued for `reference`, oldest first: their payment blocks.
async fn updates(app: &TestApp, reference: &str) -> Vec<Value> {
    let bodies: Vec<String> = sqlx::query_scalar(
        "SELECT e.body FROM webhook_events e JOIN orders o ON o.id = e.order_id \
         WHERE o.reference = $1 AND e.type = 'order.updated' ORDER BY e.id",
    )
    .bind(reference)
    .fetch_all(&app.db.read)
    .await
    .unwrap();
    bodies
        .iter()
        .map(|b| serde_json::from_str::<Value>(b).unwrap()["data"]["order"]["payment"].clone())
        .collect()
}

/// A confirmed order paid by link through `provider`: its reference and the provider's id.
async fn paid_order(
    app: &TestApp,
    fake: &FakePay,
    browser: &mut Browser<'_>,
    csrf: &str,
    key: &str,
    provider: &str,
) -> (String, String) {
    let reference = place(app, key, "payment_link").await;
    let confirm = [("csrf", csrf), ("to", "confirmed")];
    assert_eq!(
        desk(browser, &reference, "status", &confirm).await,
        "confirmed"
    );
    if provider == "stripe" {
        let link = [("csrf", csrf), ("provider", "stripe")];
        desk(browser, &reference, "link", &link).await;
        let id = fake.stripe_ids().pop().unwrap();
        let session = fake.pay_stripe(&id);
        let (body, signature) = stripe_event(
            &format!("evt_paid_{id}"),
            "checkout.session.completed",
            &session,
            STRIPE_WEBHOOK_SECRET,
            0,
        );
        assert_eq!(stripe_webhook(app, &body, Some(&signature)).await, 200);
        (reference, id)
    } else {
        let id = fake.mollie_ids().pop().unwrap();
        fake.set_mollie(&id, "paid", None);
        assert_eq!(mollie_webhook(app, &id).await, 200);
        (reference, id)
    }
}

async fn page_of(browser: &mut Browser<'_>, reference: &str) -> String {
    browser.get(&format!("/admin/orders/{reference}")).await.2
}

async fn refunds_and_chargebacks_made_in_mollies_dashboard_are_recorded(backend: Backend) {
    let fake = FakePay::start().await;
    let app = spawn(backend, &fake).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let (reference, id) = paid_order(&app, &fake, &mut browser, &csrf, "m-1", "mollie").await;
    assert_eq!(
        app.db.status_of(&reference).await.unwrap(),
        Some(OrderStatus::Paid)
    );
    let token = desk_token(&mut browser, &csrf, "erp", "read").await;
    let before = updates(&app, &reference).await.len();

    // Part refunded in Mollie's dashboard: Mollie calls the webhook; the order stays paid,
    // for less, and the receivers are told.
    fake.mollie_money_back(&id, Some("10.00"), None);
    assert_eq!(mollie_webhook(&app, &id).await, 200);
    assert_eq!(mollie_webhook(&app, &id).await, 200, "a repeat");
    let told = updates(&app, &reference).await;
    assert_eq!(told.len(), before + 1, "one order.updated: {told:?}");
    assert_eq!(told.last().unwrap()["paid_amount"], 5010);
    let (_, order) = get(&app, &format!("/api/v1/orders/{reference}"), &token).await;
    assert_eq!(order["payment"]["status"], "paid");
    assert_eq!(order["payment"]["paid_amount"], 5010);
    assert!(page_of(&mut browser, &reference)
        .await
        .contains("€10.00 refunded"));

    // The rest refunded too: the payment is refunded.
    fake.mollie_money_back(&id, Some("60.10"), None);
    assert_eq!(mollie_webhook(&app, &id).await, 200);
    let (_, order) = get(&app, &format!("/api/v1/orders/{reference}"), &token).await;
    assert_eq!(order["payment"]["status"], "refunded");
    assert_eq!(updates(&app, &reference).await.len(), before + 2);

    // Another order charged back: flagged for staff, no longer counted as paid.
    let (other, other_id) = paid_order(&app, &fake, &mut browser, &csrf, "m-2", "mollie").await;
    fake.mollie_money_back(&other_id, None, Some("60.10"));
    assert_eq!(mollie_webhook(&app, &other_id).await, 200);
    let page = page_of(&mut browser, &other).await;
    assert!(page.contains("charged back by the customer"), "{page}");
    assert!(page.contains("Not counted as paid: charged back"), "{page}");
    let (_, order) = get(&app, &format!("/api/v1/orders/{other}"), &token).await;
    assert_eq!(order["payment"]["status"], "open", "{order}");
    assert!(order["payment"]["paid_amount"].is_null(), "{order}");
    assert!(app.metrics().await.contains("chatout_payments_flagged 1"));
}

async fn stripe_refunds_and_disputes_are_recorded_from_charge_events(backend: Backend) {
    let fake = FakePay::start().await;
    let app = spawn(backend, &fake).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let (reference, id) = paid_order(&app, &fake, &mut browser, &csrf, "s-1", "stripe").await;
    assert_eq!(
        app.db.status_of(&reference).await.unwrap(),
        Some(OrderStatus::Paid)
    );
    let token = desk_token(&mut browser, &csrf, "erp", "read").await;
    let intent = format!("pi_{id}");
    // Shaped on Stripe's charge.refunded: the Charge, with amount_refunded in all.
    let charge = |refunded: i64| {
        json!({"id": "ch_1", "object": "charge", "amount": 6010, "amount_refunded": refunded,
               "currency": "eur", "payment_intent": intent, "refunded": refunded == 6010,
               "status": "succeeded"})
    };
    let send = |event: String, kind: &'static str, object: Value| {
        let (body, signature) = stripe_event(&event, kind, &object, STRIPE_WEBHOOK_SECRET, 0);
        let app = &app;
        async move { stripe_webhook(app, &body, Some(&signature)).await }
    };
    // Regression: charge.refunded answered "ignored".
    assert_eq!(
        send("evt_r1".into(), "charge.refunded", charge(1510)).await,
        200
    );
    let (_, order) = get(&app, &format!("/api/v1/orders/{reference}"), &token).await;
    assert_eq!(order["payment"]["paid_amount"], 4500);
    assert_eq!(
        updates(&app, &reference).await.last().unwrap()["paid_amount"],
        4500
    );
    // Delivered again, and an older event after a newer one: nothing changes.
    assert_eq!(
        send("evt_r1".into(), "charge.refunded", charge(1510)).await,
        200
    );
    assert_eq!(
        send("evt_r2".into(), "charge.refunded", charge(6010)).await,
        200
    );
    assert_eq!(
        send("evt_r0".into(), "charge.refunded", charge(1000)).await,
        200
    );
    let (_, order) = get(&app, &format!("/api/v1/orders/{reference}"), &token).await;
    assert_eq!(order["payment"]["status"], "refunded");

    // A dispute on another order: flagged while it stands, counted again once won.
    let (other, other_id) = paid_order(&app, &fake, &mut browser, &csrf, "s-2", "stripe").await;
    let dispute = |status: &str| {
        json!({"id": "dp_1", "object": "dispute", "amount": 6010, "charge": "ch_2",
               "currency": "eur", "payment_intent": format!("pi_{other_id}"), "status": status})
    };
    assert_eq!(
        send(
            "evt_d1".into(),
            "charge.dispute.created",
            dispute("needs_response")
        )
        .await,
        200
    );
    let page = page_of(&mut browser, &other).await;
    assert!(page.contains("Not counted as paid: charged back"), "{page}");
    assert_eq!(
        send("evt_d2".into(), "charge.dispute.closed", dispute("won")).await,
        200
    );
    let page = page_of(&mut browser, &other).await;
    assert!(!page.contains("charged back"), "{page}");
    let (_, order) = get(&app, &format!("/api/v1/orders/{other}"), &token).await;
    assert_eq!(order["payment"]["status"], "paid");
    // A refund reported while the paid event is still on its way (Stripe retries it after
    // a 5xx, say) is kept, and counts once the payment is known.
    let early = place(&app, "s-3", "payment_link").await;
    let confirm = [("csrf", csrf.as_str()), ("to", "confirmed")];
    desk(&mut browser, &early, "status", &confirm).await;
    let link = [("csrf", csrf.as_str()), ("provider", "stripe")];
    desk(&mut browser, &early, "link", &link).await;
    let early_id = fake.stripe_ids().pop().unwrap();
    let session = fake.pay_stripe(&early_id);
    let refund = json!({"id": "ch_3", "object": "charge", "amount": 6010, "amount_refunded": 1010,
                        "currency": "eur", "payment_intent": format!("pi_{early_id}")});
    assert_eq!(send("evt_e1".into(), "charge.refunded", refund).await, 200);
    assert_eq!(
        send("evt_e2".into(), "checkout.session.completed", session).await,
        200
    );
    assert_eq!(
        app.db.status_of(&early).await.unwrap(),
        Some(OrderStatus::Paid)
    );
    let (_, order) = get(&app, &format!("/api/v1/orders/{early}"), &token).await;
    assert_eq!(order["payment"]["paid_amount"], 5000, "{order}");
    // A charge that is not this server's (another intent) changes nothing and is not retried.
    let foreign = json!({"id": "ch_9", "object": "charge", "amount_refunded": 100,
                         "payment_intent": "pi_someone_else", "currency": "eur"});
    assert_eq!(send("evt_f".into(), "charge.refunded", foreign).await, 200);
}

async fn a_session_without_an_amount_is_flagged_not_retried(backend: Backend) {
    let fake = FakePay::start().await;
    let app = spawn(backend, &fake).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let reference = place(&app, "n-1", "payment_link").await;
    let confirm = [("csrf", csrf.as_str()), ("to", "confirmed")];
    desk(&mut browser, &reference, "status", &confirm).await;
    let link = [("csrf", csrf.as_str()), ("provider", "stripe")];
    desk(&mut browser, &reference, "link", &link).await;
    let id = fake.stripe_ids().pop().unwrap();
    let mut session = fake.pay_stripe(&id);
    session.as_object_mut().unwrap().remove("amount_total");
    let (body, signature) = stripe_event(
        "evt_no_amount",
        "checkout.session.completed",
        &session,
        STRIPE_WEBHOOK_SECRET,
        0,
    );
    // Regression: 400, and Stripe delivered it again for three days.
    assert_eq!(stripe_webhook(&app, &body, Some(&signature)).await, 200);
    assert_eq!(stripe_webhook(&app, &body, Some(&signature)).await, 200);
    assert_eq!(
        app.db.status_of(&reference).await.unwrap(),
        Some(OrderStatus::Confirmed)
    );
    let page = page_of(&mut browser, &reference).await;
    assert!(
        page.contains("Stripe reported this payment unreadably"),
        "{page}"
    );
}

async fn every_post_to_a_provider_is_idempotent_versioned_and_in_the_orders_language(
    backend: Backend,
) {
    let fake = FakePay::start().await;
    let app = spawn(backend, &fake).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    // The demo order's locale is nl-NL.
    let (reference, _) = paid_order(&app, &fake, &mut browser, &csrf, "i-1", "mollie").await;
    let link = [("csrf", csrf.as_str()), ("provider", "stripe")];
    let (other, _) = paid_order(&app, &fake, &mut browser, &csrf, "i-2", "stripe").await;
    let _ = (&reference, &link);
    for order in [&reference, &other] {
        let cancel = [("csrf", csrf.as_str()), ("to", "cancelled")];
        desk(&mut browser, order, "status", &cancel).await;
        let refund = [("csrf", csrf.as_str())];
        desk(&mut browser, order, "refund", &refund).await;
    }
    let posts = fake.posts();
    let paths: Vec<&str> = posts.iter().map(|p| p.path.as_str()).collect();
    assert!(paths.contains(&"/v1/refunds"), "{paths:?}");
    assert!(
        paths
            .iter()
            .any(|p| p.ends_with("/refunds") && p.starts_with("/v2")),
        "{paths:?}"
    );
    for post in &posts {
        assert!(
            post.idempotency_key
                .as_deref()
                .is_some_and(|k| !k.is_empty()),
            "{post:?}"
        );
        if post.path.starts_with("/v1/") {
            assert_eq!(
                post.stripe_version.as_deref(),
                Some("2024-06-20"),
                "{post:?}"
            );
        }
    }
    let locale = |path: &str| {
        posts
            .iter()
            .find(|p| p.path == path)
            .unwrap()
            .locale
            .clone()
    };
    assert_eq!(locale("/v2/payments").as_deref(), Some("nl_NL"));
    assert_eq!(locale("/v1/checkout/sessions").as_deref(), Some("nl"));
    // Two page POSTs never share a key; a refund's key is the same if it is asked again.
    let keys: std::collections::HashSet<_> =
        posts.iter().map(|p| p.idempotency_key.clone()).collect();
    assert_eq!(keys.len(), posts.len());
}

async fn a_strangers_mollie_ids_cost_the_shop_no_mollie_calls(backend: Backend) {
    let fake = FakePay::start().await;
    let app = spawn(backend, &fake).await;
    // Regression: 800 random ids made 800 calls to Mollie with the shop's key.
    for n in 0..50 {
        assert_eq!(mollie_webhook(&app, &format!("tr_Stranger{n}x")).await, 200);
    }
    assert_eq!(fake.mollie_gets(), 0);
    // A payment this server made is still checked with Mollie.
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    paid_order(&app, &fake, &mut browser, &csrf, "q-1", "mollie").await;
    assert_eq!(fake.mollie_gets(), 1);
    // And one address gets no more than its share of webhook calls a minute.
    let stranger = client_from("127.0.0.77");
    let mut statuses = Vec::new();
    for n in 0..320 {
        let status = stranger
            .post(format!("{}/webhooks/mollie", app.base))
            .form(&[("id", format!("tr_x{n}"))])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        statuses.push(status);
    }
    assert!(statuses.contains(&429), "rate limited");
    assert!(statuses.iter().filter(|s| **s == 200).count() >= 250);
}

async fn a_stripe_attack_is_refused_before_any_work(backend: Backend) {
    let fake = FakePay::start().await;
    let app = spawn(backend, &fake).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let empties = format!("t={now}{}", ",v1=".repeat(15_000));
    // Regression: 15,000 empty signatures and a 2 MB body froze every route for 41-53 s.
    // A body over what Stripe sends is refused from its declared length, unread.
    let big = "x".repeat(2 * 1024 * 1024 - 100);
    let status = stripe_webhook(&app, &big, Some(&empties)).await;
    assert_eq!(status, 413);
    // Within the limit, the header is refused as unreadable: no HMAC is computed for it.
    let body = "x".repeat(60 * 1024);
    let response = app
        .client
        .post(format!("{}/webhooks/stripe", app.base))
        .header("stripe-signature", &empties)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.text().await.unwrap(),
        "no readable Stripe-Signature header"
    );
    // The same for Mollie's form and WhatsApp's deliveries.
    let status = app
        .client
        .post(format!("{}/webhooks/mollie", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("id=tr_1&pad={}", "x".repeat(64 * 1024)))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 413);
}

crate::on_both_backends!(
    refunds_and_chargebacks_made_in_mollies_dashboard_are_recorded,
    stripe_refunds_and_disputes_are_recorded_from_charge_events,
    a_session_without_an_amount_is_flagged_not_retried,
    every_post_to_a_provider_is_idempotent_versioned_and_in_the_orders_language,
    a_strangers_mollie_ids_cost_the_shop_no_mollie_calls,
    a_stripe_attack_is_refused_before_any_work,
);
