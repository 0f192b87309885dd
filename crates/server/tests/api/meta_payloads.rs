//! Meta's own payloads (issue 27, items 5-9), shaped on the Cloud API's documented webhook
//! examples: opt-ins proven only by their own reference, contacts merged when a business-scoped
//! user id meets a phone number, system messages, Meta's marketing opt-out, and the content
//! of reactions, locations, shared contacts, edits and deletions.

use crate::fake_cloud::{FakeCloud, PHONE_NUMBER_ID};
use crate::helpers::{Backend, Browser, TestApp};
use crate::messaging::{delivery, inbound, place, spawn_messaging, webhook};
use serde_json::{json, Value};
use sqlx::Row;

const ANNA: &str = "31612345678";

fn now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A `messages` change with these contacts and messages, as Meta sends it.
fn messages(contacts: Value, messages: Value) -> Value {
    let mut value = json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "messages": messages,
    });
    if !contacts.is_null() {
        value["contacts"] = contacts;
    }
    delivery(value)
}

/// One message of `kind` with its part `body`, from a phone and/or a business-scoped id.
fn message(from: Option<&str>, user_id: Option<&str>, id: &str, kind: &str, body: Value) -> Value {
    let mut m = json!({"id": id, "timestamp": now_s().to_string(), "type": kind});
    if let Some(from) = from {
        m["from"] = json!(from);
    }
    if let Some(user_id) = user_id {
        m["from_user_id"] = json!(user_id);
    }
    m[kind] = body;
    m
}

/// (consent, marketing, window_until) of the contact with this phone.
async fn consent_of(app: &TestApp, wa_id: &str) -> (String, String, i64) {
    let row = sqlx::query("SELECT consent, marketing, window_until FROM contacts WHERE wa_id = $1")
        .bind(wa_id)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    (row.get(0), row.get(1), row.get(2))
}

async fn count(app: &TestApp, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&app.db.read)
        .await
        .unwrap()
}

/// Places an order with both opt-ins ticked for `phone`; returns its reference.
async fn place_with_offers(app: &TestApp, phone: &str, key: &str) -> String {
    let mut body = crate::helpers::order_body();
    body["customer"]["phone"] = json!(phone);
    body["consent"]["marketing"] = json!({"whatsapp_updates": true,
        "text": "Send me offers and news on WhatsApp", "at": "2026-11-21T10:00:00Z"});
    let (status, answer) = app.post_order(Some(key), &body).await;
    assert_eq!(status, 201, "{answer}");
    answer["reference"].as_str().unwrap().to_string()
}

/// Regression (#27.5): a marketing opt-in typed for someone else's number became active when
/// that person later asked an unrelated question. Only the request's own reference proves it.
async fn only_the_requests_own_reference_activates_an_opt_in(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let reference = place_with_offers(&app, "+31612345678", "offers-own").await;
    let pending = ("pending".to_string(), "pending".to_string());
    let question = inbound(ANNA, "wamid.Q1", "Do you ship to Belgium?", 1);
    assert_eq!(webhook(&app, &question).await, 200);
    let (consent, marketing, window) = consent_of(&app, ANNA).await;
    assert_eq!((consent, marketing), pending, "an unrelated question");
    assert!(window > 0, "a question still opens the window");
    let other = inbound(ANNA, "wamid.Q2", "*Order ZZZZ-9Q2M — Demo Shop*", 1);
    assert_eq!(webhook(&app, &other).await, 200);
    let (consent, marketing, _) = consent_of(&app, ANNA).await;
    assert_eq!((consent, marketing), pending, "another order's reference");
    let own = inbound(
        ANNA,
        "wamid.Q3",
        &format!("*Order {reference} — Demo Shop*"),
        1,
    );
    assert_eq!(webhook(&app, &own).await, 200);
    let (consent, marketing, _) = consent_of(&app, ANNA).await;
    assert_eq!((consent.as_str(), marketing.as_str()), ("active", "active"));

    // A back-in-stock request: only its own `ALERT-…` code proves its opt-in to offers.
    let bea = "31611112222";
    let asked = app
        .client
        .post(format!("{}/api/back-in-stock", app.base))
        .json(
            &json!({"sku": "olive-oil-500", "phone": "+31611112222", "locale": "en",
                      "consent": {"text": "Send me offers and news on WhatsApp"},
                      "page": "https://shop.example/oil"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status().as_u16(), 202);
    let asked: Value = asked.json().await.unwrap();
    let question = inbound(bea, "wamid.B1", "When is the olive oil back?", 1);
    assert_eq!(webhook(&app, &question).await, 200);
    assert_eq!(consent_of(&app, bea).await.1, "pending");
    let code = inbound(bea, "wamid.B2", asked["message"].as_str().unwrap(), 1);
    assert_eq!(webhook(&app, &code).await, 200);
    assert_eq!(consent_of(&app, bea).await.1, "active");
    let status: String = sqlx::query_scalar("SELECT status FROM stock_alerts WHERE wa_id = $1")
        .bind(bea)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(status, "active");
}

/// A web opt-in whose message never came lapses after `CHATOUT_OPT_IN_PENDING`; its reference
/// arriving later proves nothing any more.
async fn a_pending_opt_in_lapses(backend: Backend) {
    let fake = FakeCloud::start().await;
    let mut whatsapp = crate::messaging::whatsapp_for(&fake);
    whatsapp.max_attempts = 5;
    let app = crate::helpers::spawn_with(backend, |s| {
        s.whatsapp = Some(whatsapp);
        s.opt_in_pending = std::time::Duration::from_secs(1);
    })
    .await;
    let reference = place_with_offers(&app, "+31612345678", "offers-lapse").await;
    // The housekeeping task lapses it without any message (how older pending opt-ins lapse
    // on the first start after the upgrade).
    crate::messaging::eventually(&app, "the opt-in to lapse", || async {
        consent_of(&app, ANNA).await.0 == "none"
    })
    .await;
    let own = inbound(
        ANNA,
        "wamid.LATE",
        &format!("*Order {reference} — Demo Shop*"),
        0,
    );
    assert_eq!(webhook(&app, &own).await, 200);
    let (consent, marketing, _) = consent_of(&app, ANNA).await;
    assert_eq!((consent.as_str(), marketing.as_str()), ("none", "none"));
    let lapsed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM consent_events WHERE source = 'lapsed' AND opted_in = 0",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(lapsed, 2, "both purposes' lapses are in the history");
}

/// Regression (#27.6): a BSUID-only contact and a phone-only contact made the next message
/// carrying both answer 500 (UNIQUE constraint failed: contacts.user_id) forever.
async fn a_user_id_and_a_phone_met_in_one_message_merge_their_contacts(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    // A web order made the phone's contact, with its opt-in.
    let reference = place(&app, "+31612345678", true).await;
    let by_id = messages(
        json!([{"profile": {"name": "Anna", "username": "@anna.dv"}, "user_id": "NL.1349"}]),
        json!([
            message(
                None,
                Some("NL.1349"),
                "wamid.U1",
                "text",
                json!({"body": "hi from my username"})
            ),
            // START opts the BSUID-only contact in, and queues its acknowledgement.
            message(
                None,
                Some("NL.1349"),
                "wamid.U2",
                "text",
                json!({"body": "START"})
            )
        ]),
    );
    assert_eq!(webhook(&app, &by_id).await, 200);
    let by_phone = messages(
        json!([{"profile": {"name": "Anna"}, "wa_id": ANNA}]),
        json!([message(
            Some(ANNA),
            None,
            "wamid.P1",
            "text",
            json!({"body": "still there?"})
        )]),
    );
    assert_eq!(webhook(&app, &by_phone).await, 200);
    let both = messages(
        json!([{"profile": {"name": "Anna"}, "wa_id": ANNA, "user_id": "NL.1349"}]),
        json!([message(
            Some(ANNA),
            Some("NL.1349"),
            "wamid.B1",
            "text",
            json!({"body": format!("*Order {reference}*")})
        )]),
    );
    assert_eq!(webhook(&app, &both).await, 200, "the merge");
    assert_eq!(webhook(&app, &both).await, 200, "its redelivery");
    let contacts: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM contacts WHERE wa_id IS NOT NULL OR user_id IS NOT NULL",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(contacts, 1);
    let id = app.contact_id(ANNA).await;
    let user_id: Option<String> = sqlx::query_scalar("SELECT user_id FROM contacts WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(user_id.as_deref(), Some("NL.1349"));
    let inbound_sql = "SELECT COUNT(*) FROM inbound WHERE contact_id = $1";
    assert_eq!(
        count(&app, inbound_sql, id).await,
        4,
        "the whole conversation"
    );
    let outbox_sql = "SELECT COUNT(*) FROM outbox WHERE contact_id = $1";
    assert_eq!(count(&app, outbox_sql, id).await, 1, "the acknowledgement");
    let consent_sql = "SELECT COUNT(*) FROM consent_events WHERE contact_id = $1";
    assert!(
        count(&app, consent_sql, id).await >= 2,
        "the consent history"
    );
    let orders_sql = "SELECT COUNT(*) FROM orders WHERE contact_id = $1";
    assert_eq!(count(&app, orders_sql, id).await, 1, "the order, linked");
    assert_eq!(consent_of(&app, ANNA).await.0, "active");
    // A known business-scoped id arriving with a new number keeps the number current.
    let moved = messages(
        json!([{"profile": {"name": "Anna"}, "wa_id": "31699999999", "user_id": "NL.1349"}]),
        json!([message(
            Some("31699999999"),
            Some("NL.1349"),
            "wamid.N1",
            "text",
            json!({"body": "new phone"})
        )]),
    );
    assert_eq!(webhook(&app, &moved).await, 200);
    assert_eq!(app.contact_id("31699999999").await, id);
    // The desk shows the merged conversation on the order.
    let mut browser = Browser::new(&app);
    browser.sign_in().await;
    let (_, _, page) = browser.get(&format!("/admin/inbox/{id}")).await;
    for text in ["hi from my username", "still there?", "new phone"] {
        assert!(page.contains(text), "{text}: {page}");
    }
}

/// Regression (#27.7): `system` and `unsupported` messages opened the window and activated a
/// pending opt-in; a number change was not applied.
async fn system_and_unsupported_messages_are_not_the_contact_writing(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let reference = place(&app, "+31612345678", true).await;
    let id = app.contact_id(ANNA).await;
    // The new number was typed into a web order before: that contact becomes this one.
    place(&app, "+31687654321", true).await;
    let unsupported = messages(
        json!([{"profile": {"name": "Anna"}, "wa_id": ANNA}]),
        json!([{"from": ANNA, "id": "wamid.UNS", "timestamp": now_s().to_string(),
                "type": "unsupported", "errors": [{"code": 131051,
                "title": "Message type unknown", "message": "Message type unknown",
                "error_data": {"details": "Message type is currently not supported."}}],
                "unsupported": {"type": "poll"}}]),
    );
    assert_eq!(webhook(&app, &unsupported).await, 200);
    // The documented shape: no contacts array, `from` the old number, `system.wa_id` the new.
    let changed = messages(
        Value::Null,
        json!([message(
            Some(ANNA),
            None,
            "wamid.SYS",
            "system",
            json!({
            "body": format!("User Anna changed from {ANNA} to 31687654321 {reference}"),
            "wa_id": "31687654321", "type": "user_changed_number"})
        )]),
    );
    assert_eq!(webhook(&app, &changed).await, 200);
    let row = sqlx::query("SELECT wa_id, consent, window_until FROM contacts WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let (wa_id, consent, window): (Option<String>, String, i64) =
        (row.get(0), row.get(1), row.get(2));
    assert_eq!(wa_id.as_deref(), Some("31687654321"), "the new number");
    assert_eq!(consent, "pending", "WhatsApp's own notices prove nothing");
    assert_eq!(window, 0, "nor do they open the window");
    let stored = "SELECT COUNT(*) FROM inbound WHERE contact_id = $1";
    assert_eq!(count(&app, stored, id).await, 2, "both kept for staff");
    // A business-scoped id that changed (`user_changed_user_id`) renames its contact.
    let hello = messages(
        json!([{"profile": {"name": "Sheena"}, "user_id": "US.1"}]),
        json!([message(
            None,
            Some("US.1"),
            "wamid.US1",
            "text",
            json!({"body": "hi"})
        )]),
    );
    assert_eq!(webhook(&app, &hello).await, 200);
    let renamed = messages(
        Value::Null,
        json!([message(
            None,
            Some("US.2"),
            "wamid.US2",
            "system",
            json!({
            "body": "User Sheena's business-scoped user ID changed",
            "type": "user_changed_user_id", "user_id": "US.2", "previous_user_id": "US.1"})
        )]),
    );
    assert_eq!(webhook(&app, &renamed).await, 200);
    let ids: Vec<Option<String>> =
        sqlx::query_scalar("SELECT user_id FROM contacts WHERE profile_name = 'Sheena'")
            .fetch_all(&app.db.read)
            .await
            .unwrap();
    assert_eq!(ids, [Some("US.2".to_string())]);
    let history = "SELECT COUNT(*) FROM consent_events WHERE contact_id = $1";
    assert_eq!(
        count(&app, history, id).await,
        2,
        "both web opt-ins, merged"
    );
}

/// Regression (#27.8): Meta's own marketing opt-out (`user_preferences`, `stop`) was ignored.
async fn metas_marketing_opt_out_stops_offers_at_once(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let reference = place_with_offers(&app, "+31612345678", "offers-meta").await;
    let own = inbound(ANNA, "wamid.OWN", &format!("*Order {reference}*"), 1);
    assert_eq!(webhook(&app, &own).await, 200);
    assert_eq!(consent_of(&app, ANNA).await.1, "active");
    let stop = delivery(json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Anna"}, "wa_id": ANNA}],
        "user_preferences": [{"wa_id": ANNA, "detail": "User requested to stop marketing messages",
                              "category": "marketing_messages", "value": "stop",
                              "timestamp": now_s()}]}));
    let stop = json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA",
        "changes": [{"field": "user_preferences", "value": stop["entry"][0]["changes"][0]["value"]}]}]});
    assert_eq!(webhook(&app, &stop).await, 200);
    let (consent, marketing, _) = consent_of(&app, ANNA).await;
    assert_eq!(
        (consent.as_str(), marketing.as_str()),
        ("active", "stopped")
    );
    let source: String = sqlx::query_scalar(
        "SELECT source FROM consent_events WHERE purpose = 'marketing' AND opted_in = 0",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(source, "whatsapp_settings");
    // Meta's "Stop promotions" quick reply, from another customer, is recorded as itself.
    let bea = "31611112222";
    let theirs = place_with_offers(&app, "+31611112222", "offers-bea").await;
    let own = inbound(bea, "wamid.BEA", &format!("*Order {theirs}*"), 1);
    assert_eq!(webhook(&app, &own).await, 200);
    let tap = messages(
        json!([{"profile": {"name": "Bea"}, "wa_id": bea}]),
        json!([message(
            Some(bea),
            None,
            "wamid.TAP",
            "button",
            json!({"payload": "Stop promotions", "text": "Stop promotions"})
        )]),
    );
    assert_eq!(webhook(&app, &tap).await, 200);
    assert_eq!(consent_of(&app, bea).await.1, "stopped");
    let source: String = sqlx::query_scalar(
        "SELECT e.source FROM consent_events e JOIN contacts c ON c.id = e.contact_id \
         WHERE c.wa_id = $1 AND e.purpose = 'marketing' AND e.opted_in = 0",
    )
    .bind(bea)
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(source, "stop_promotions");
}

/// Regression (#27.9): reactions, locations, shared contacts, edits and deletions were stored
/// as `[reaction]`, `[location]`…; a BSUID-only contact was "contact 3".
async fn what_a_message_carries_is_kept_and_shown(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let user = Some("US.13491208655302741918");
    let contacts = json!([{"profile": {"name": "Sheena Nelson", "username": "@sheena"},
                           "user_id": "US.13491208655302741918"}]);
    let all = json!([
        message(
            None,
            user,
            "wamid.T1",
            "text",
            json!({"body": "Is the linen shirt lined?"})
        ),
        message(
            None,
            user,
            "wamid.R1",
            "reaction",
            json!({"message_id": "wamid.T1", "emoji": "\u{1F44D}"})
        ),
        message(
            None,
            user,
            "wamid.L1",
            "location",
            json!({"latitude": 52.3676,
                "longitude": 4.9041, "name": "Zeegras Home", "address": "Keizersgracht 1"})
        ),
        message(
            None,
            user,
            "wamid.C1",
            "contacts",
            json!([{"name": {
                "formatted_name": "Barbara Johnson", "first_name": "Barbara"},
                "phones": [{"phone": "+1 (940) 555-1234", "type": "HOME"}]}])
        ),
        message(
            None,
            user,
            "wamid.E1",
            "edit",
            json!({"original_message_id": "wamid.T1",
                "message": {"type": "text", "text": {"body": "Is the linen shirt lined? Size M"}}})
        ),
        message(
            None,
            user,
            "wamid.D1",
            "revoke",
            json!({"original_message_id": "wamid.L1"})
        ),
    ]);
    assert_eq!(webhook(&app, &messages(contacts, all)).await, 200);
    let id: i64 = sqlx::query_scalar("SELECT id FROM contacts WHERE user_id = $1")
        .bind(user)
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let mut browser = Browser::new(&app);
    browser.sign_in().await;
    let (_, _, page) = browser.get(&format!("/admin/inbox/{id}")).await;
    for shown in [
        "\u{1F44D}",
        "Is the linen shirt lined?",
        "52.3676",
        "4.9041",
        "Zeegras Home",
        "Keizersgracht 1",
        "Barbara Johnson",
        "+1 (940) 555-1234",
        "Size M",
        "deleted",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    assert!(page.contains("Sheena Nelson"), "{page}");
    assert!(page.contains("@sheena"), "{page}");
    let (_, _, inbox) = browser.get("/admin/inbox").await;
    assert!(!inbox.contains(&format!("contact {id}")), "{inbox}");
    assert!(inbox.contains("Sheena Nelson"), "{inbox}");
}

/// Regression (review of issue 27): a number that came back with another person's
/// business-scoped id took over the old owner's contact (their opt-ins, orders, chat).
async fn a_recycled_number_does_not_take_over_the_old_owners_contact(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let first = messages(
        json!([{"profile": {"name": "Anna"}, "wa_id": ANNA, "user_id": "NL.1"}]),
        json!([message(
            Some(ANNA),
            Some("NL.1"),
            "wamid.R1",
            "text",
            json!({"body": "hi"})
        )]),
    );
    assert_eq!(webhook(&app, &first).await, 200);
    let later = messages(
        json!([{"profile": {"name": "Noor"}, "wa_id": ANNA, "user_id": "NL.2"}]),
        json!([message(
            Some(ANNA),
            Some("NL.2"),
            "wamid.R2",
            "text",
            json!({"body": "hello"})
        )]),
    );
    assert_eq!(webhook(&app, &later).await, 200);
    let rows = sqlx::query(
        "SELECT wa_id, user_id FROM contacts WHERE user_id IN ('NL.1', 'NL.2') ORDER BY id",
    )
    .fetch_all(&app.db.read)
    .await
    .unwrap();
    let ids: Vec<(Option<String>, Option<String>)> = rows
        .iter()
        .map(|r| (r.get("wa_id"), r.get("user_id")))
        .collect();
    assert_eq!(
        ids,
        [
            (None, Some("NL.1".to_string())),
            (Some(ANNA.to_string()), Some("NL.2".to_string()))
        ]
    );
}

crate::on_both_backends!(
    a_recycled_number_does_not_take_over_the_old_owners_contact,
    only_the_requests_own_reference_activates_an_opt_in,
    a_pending_opt_in_lapses,
    a_user_id_and_a_phone_met_in_one_message_merge_their_contacts,
    system_and_unsupported_messages_are_not_the_contact_writing,
    metas_marketing_opt_out_stops_offers_at_once,
    what_a_message_carries_is_kept_and_shown,
);
