//! Consent per purpose (docs/CONTRACT.md section 10): the opt-in to offers and news is its own,
//! pending until the number writes, revoked by STOP and not restored by START.

use crate::fake_cloud::FakeCloud;
use crate::helpers::{order_body, Backend, Browser, TestApp};
use crate::integration::{conforms_to_order, desk_token, get};
use crate::messaging::{inbound, spawn_messaging, webhook};
use serde_json::{json, Value};

const OFFERS: &str = "Send me offers and news on WhatsApp";

async fn states(app: &TestApp, token: &str) -> (String, String) {
    let (status, contact) = get(app, "/api/v1/contacts/31612345678", token).await;
    assert_eq!(status, 200, "{contact}");
    let state = |purpose: &str| {
        contact["consent"][purpose]["state"]
            .as_str()
            .unwrap()
            .to_string()
    };
    (state("order_updates"), state("marketing"))
}

async fn offers_are_their_own_opt_in(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let token = desk_token(&mut browser, &csrf, "crm", "read").await;
    // Offers ticked, order updates not.
    let mut body = order_body();
    body["consent"] = json!({"whatsapp_updates": false, "text": "Send me order updates on WhatsApp",
                             "marketing": {"whatsapp_updates": true, "text": OFFERS,
                                           "at": "2026-11-21T10:00:00Z"}});
    let (status, answer) = app.post_order(Some("offers-1"), &body).await;
    assert_eq!(status, 201, "{answer}");
    let reference = answer["reference"].as_str().unwrap().to_string();
    assert_eq!(
        states(&app, &token).await,
        ("none".into(), "pending".into())
    );
    let (_, order) = get(&app, &format!("/api/v1/orders/{reference}"), &token).await;
    assert_eq!(order["consent"]["marketing"]["given"], true);
    assert_eq!(order["consent"]["marketing"]["text"], OFFERS);
    assert_eq!(order["consent"]["order_updates"]["given"], false);
    conforms_to_order(&app, &order).await;
    // The number writes: the web opt-in to offers is its own now.
    let hello = inbound(
        "31612345678",
        "wamid.HI",
        &format!("*Order {reference}*"),
        1,
    );
    assert_eq!(webhook(&app, &hello).await, 200);
    assert_eq!(states(&app, &token).await, ("none".into(), "active".into()));
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(
        page.contains("Opted in to offers and news at checkout"),
        "{page}"
    );
    assert!(page.contains(&format!(
        "offers and news: opted in at checkout: “{OFFERS}”"
    )));
    // STOP revokes both; START brings back order updates only.
    let stop = inbound("31612345678", "wamid.STOP", "STOP", 1);
    assert_eq!(webhook(&app, &stop).await, 200);
    assert_eq!(
        states(&app, &token).await,
        ("stopped".into(), "stopped".into())
    );
    let start = inbound("31612345678", "wamid.START", "START", 1);
    assert_eq!(webhook(&app, &start).await, 200);
    assert_eq!(
        states(&app, &token).await,
        ("active".into(), "stopped".into())
    );
    // A marketing opt-in without its text is refused, field by field.
    let mut bad = order_body();
    bad["consent"]["marketing"] = json!({"whatsapp_updates": true, "text": " "});
    let (status, answer) = app.post_order(Some("offers-2"), &bad).await;
    assert_eq!(status, 422, "{answer}");
    let fields: Vec<&Value> = answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["field"])
        .collect();
    assert!(
        fields.contains(&&json!("consent.marketing.text")),
        "{answer}"
    );
}

crate::on_both_backends!(offers_are_their_own_opt_in);
