//! Issue 27, as a stranger, Meta and schemathesis would talk to the server: a stranger's
//! words in the shop's templates (item 4), a cart line in the catalog's own option order
//! (10), a campaign link with a line break (14), the campaigns list's times (15), and an
//! OpenAPI document no looser than the server (16, in `real_inputs/schema.rs`).

mod schema;

use crate::fake_cloud::{FakeCloud, PHONE_NUMBER_ID};
use crate::helpers::{order_body, spawn_with, Backend, Browser, TestApp};
use crate::messaging::{
    eventually, inbound, mark, rand_key, send_order_message, spawn_messaging, webhook, whatsapp_for,
};
use serde_json::{json, Value};
use std::time::Duration;

const EVIL: &str = "Anna — your payment failed, pay again at https://evil.example/pay";

/// The messaging server with these order templates (reminders after 1 s).
async fn with_templates(backend: Backend, fake: &FakeCloud, templates: Value) -> TestApp {
    let dir = std::env::temp_dir().join(format!("chatout-real-{}", rand_key()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("templates.json");
    std::fs::write(&path, templates.to_string()).unwrap();
    spawn_messaging(backend, fake, |w| {
        w.templates_path = Some(path.display().to_string())
    })
    .await
}

fn reminder_and_confirmation() -> Value {
    json!({
        "pending_reminder": {"name": "chatout_order_reminder", "languages": ["en"],
                             "body": ["name", "reference"], "after": ["1s"]},
        "confirmed": {"name": "chatout_order_confirmed", "languages": ["en"],
                      "body": ["name", "reference", "total"]}
    })
}

/// An order for `phone` with the box ticked, under `name`; its reference.
async fn order_as(app: &TestApp, phone: &str, name: &str) -> String {
    let mut body = order_body();
    body["items"] = json!([{"sku": "tote-canvas", "name": "Canvas tote", "options": {},
                            "unit_price": 1500, "quantity": 1}]);
    body["subtotal"] = json!(1500);
    body["customer"]["phone"] = json!(phone);
    body["customer"]["name"] = json!(name);
    let (status, answer) = app
        .post_order(Some(&format!("real-{}", rand_key())), &body)
        .await;
    assert_eq!(status, 201, "{answer}");
    answer["reference"].as_str().unwrap().to_string()
}

/// The templates named `name` the fake Cloud API got: (to, body parameters).
fn templates_sent(fake: &FakeCloud, name: &str) -> Vec<(String, Vec<String>)> {
    fake.received()
        .iter()
        .filter(|r| r.body["template"]["name"] == name)
        .map(|r| {
            let params = r.body["template"]["components"][0]["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| p["text"].as_str().unwrap_or("").into())
                        .collect()
                })
                .unwrap_or_default();
            (
                r.body["to"].as_str().unwrap_or_default().to_string(),
                params,
            )
        })
        .collect()
}

async fn history_of(app: &TestApp, reference: &str) -> String {
    let mut browser = Browser::new(app);
    browser.sign_in().await;
    browser.get(&format!("/admin/orders/{reference}")).await.2
}

/// Item 4: an order posted with a customer's number and a stranger's "name" made the shop
/// send its reminder template, carrying that text, to the customer.
async fn a_strangers_order_never_puts_their_words_in_the_shops_templates(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = with_templates(backend, &fake, reminder_and_confirmation()).await;
    // Anna ordered before and sent that order's message: her opt-in is active.
    let anna = "31612345678";
    order_as(&app, &format!("+{anna}"), "Anna de Vries").await;
    send_order_message(&app, anna).await;
    // Bram opted in and sent START (order updates are active), but never sent an order's
    // message: his number is not proven for any order.
    let bram = "31687654321";
    order_as(&app, &format!("+{bram}"), "Bram").await;
    let hello = inbound(
        bram,
        &format!("wamid.HI-{}", rand_key()),
        "START",
        25 * 3600,
    );
    assert_eq!(webhook(&app, &hello).await, 200);
    tokio::time::sleep(Duration::from_millis(20)).await;
    // A stranger orders with each number and a message of their own as the name.
    let against_anna = order_as(&app, &format!("+{anna}"), EVIL).await;
    let against_bram = order_as(&app, &format!("+{bram}"), EVIL).await;
    eventually(&app, "the reminder to Anna", || async {
        !templates_sent(&fake, "chatout_order_reminder").is_empty()
    })
    .await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    mark(&mut browser, &csrf, &against_anna, "confirmed").await;
    mark(&mut browser, &csrf, &against_bram, "confirmed").await;
    eventually(&app, "the confirmation to Anna", || async {
        !templates_sent(&fake, "chatout_order_confirmed").is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Anna hears of the order under the name she sent the shop herself; Bram not at all.
    let reminders = templates_sent(&fake, "chatout_order_reminder");
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    assert_eq!(reminders[0].0, anna);
    assert_eq!(reminders[0].1, ["Anna de Vries", against_anna.as_str()]);
    let confirmations = templates_sent(&fake, "chatout_order_confirmed");
    assert_eq!(confirmations.len(), 1, "{confirmations:?}");
    assert_eq!(confirmations[0].1[0], "Anna de Vries");
    let all = serde_json::to_string(&fake.received().iter().map(|r| &r.body).collect::<Vec<_>>());
    assert!(
        !all.unwrap().contains("evil.example"),
        "the stranger's words went out"
    );
    let page = history_of(&app, &against_bram).await;
    assert!(page.contains("reminder 1 of 1 not sent"), "{page}");
    assert!(
        page.contains("carries the name typed on the web"),
        "the withheld confirmation is shown: {page}"
    );
}

/// Item 4: however many orders strangers post with one number, it gets at most five order
/// templates a day.
async fn a_number_gets_at_most_five_order_templates_a_day(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = with_templates(backend, &fake, reminder_and_confirmation()).await;
    let anna = "31612345678";
    order_as(&app, &format!("+{anna}"), "Anna de Vries").await;
    send_order_message(&app, anna).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    for _ in 0..7 {
        order_as(&app, &format!("+{anna}"), "Anna de Vries").await;
    }
    eventually(&app, "five reminders", || async {
        templates_sent(&fake, "chatout_order_reminder").len() >= 5
    })
    .await;
    eventually(&app, "every order's reminder decided", || async {
        let left: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM orders WHERE reminders_sent = 0 AND received_at IS NULL",
        )
        .fetch_one(&app.db.read)
        .await
        .unwrap();
        left == 0
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(templates_sent(&fake, "chatout_order_reminder").len(), 5);
}

/// A catalog cart from `wa_id` with these content ids, one of each.
fn cart(wa_id: &str, id: &str, retailer_ids: &[&str]) -> Value {
    let items: Vec<Value> = retailer_ids
        .iter()
        .map(|r| json!({"product_retailer_id": r, "quantity": 1, "item_price": 1.0, "currency": "EUR"}))
        .collect();
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [
        {"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": "Anna de Vries"}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": id, "timestamp": at.to_string(), "type": "order",
                          "order": {"catalog_id": "CAT-1", "product_items": items}}]}}]}]})
}

/// Item 10: `shirt-linen:M:Sand` lists the options as the catalog does (Size, then Colour)
/// and was refused; only `shirt-linen:Sand:M` (names sorted) was ordered.
async fn a_cart_line_may_list_options_in_the_catalogs_order(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let body = cart(
        "31612345678",
        "wamid.CART-ORDER",
        &["shirt-linen:M:Sand", "shirt-linen:Navy:L"],
    );
    assert_eq!(webhook(&app, &body).await, 200);
    let lines: Vec<(String, String)> = sqlx::query_as(
        "SELECT l.sku, l.options FROM order_lines l JOIN orders o ON o.id = l.order_id \
         WHERE o.idempotency_key = 'whatsapp:wamid.CART-ORDER' ORDER BY l.position",
    )
    .fetch_all(&app.db.read)
    .await
    .unwrap();
    let options: Vec<Value> = lines
        .iter()
        .map(|(_, o)| serde_json::from_str(o).unwrap())
        .collect();
    assert_eq!(
        options,
        [
            json!({"Colour": "Sand", "Size": "M"}),
            json!({"Colour": "Navy", "Size": "L"})
        ],
        "{lines:?}"
    );
}

/// The server for campaigns: messaging on, a public URL for tracked links.
async fn campaign_server(backend: Backend, fake: &FakeCloud) -> TestApp {
    let whatsapp = whatsapp_for(fake);
    spawn_with(backend, move |s| {
        s.whatsapp = Some(whatsapp);
        s.public_url = Some("https://orders.shop.example".into());
    })
    .await
}

/// A scheduled campaign's form fields (with `link`), before the CSRF token.
fn campaign(link: &'static str) -> [(&'static str, &'static str); 7] {
    [
        ("name", "New mugs"),
        ("template", "chatout_new_arrivals"),
        ("product", "mug-stoneware"),
        ("link", link),
        ("name_fallback", "there"),
        ("at", "2099-01-01T09:00"),
        ("action", "create"),
    ]
}

/// Item 14: a campaign link with a line break passed the own-host check, and every click
/// answered 500.
async fn campaign_links_hold_no_line_break(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = campaign_server(backend, &fake).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let mut broken = vec![("csrf", csrf.as_str())];
    broken.extend(campaign("https://shop.example/mu\ngs"));
    let (status, _, page) = browser.post("/admin/campaigns", &broken).await;
    assert_eq!(status, 200, "refused, the form shown again");
    assert!(page.contains("control character"), "{page}");
    // A link stored before line breaks were refused still leads to the page, as parsed.
    let contact = app.contact_id_or_new("31699999999").await;
    let token = "0123456789abcdef0123456789abcdef";
    sqlx::query(
        "INSERT INTO tracked_links (token, source, contact_id, url, created_at) \
         VALUES ($1, 'campaign:1', $2, $3, 1)",
    )
    .bind(token)
    .bind(contact)
    .bind("https://shop.example/mugs\r\nSet-Cookie: x=1")
    .execute(&app.db.write)
    .await
    .unwrap();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = no_redirects
        .get(format!("{}/r/{token}", app.base))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        "https://shop.example/mugsSet-Cookie:%20x=1"
    );
    assert!(response.headers().get("set-cookie").is_none());
}

/// Item 15: the campaigns list showed its times as `<time datetime=…>` text.
async fn campaign_times_read_as_times(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = campaign_server(backend, &fake).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let mut good = vec![("csrf", csrf.as_str())];
    good.extend(campaign("https://shop.example/mugs"));
    let (status, location, _) = browser.post("/admin/campaigns", &good).await;
    assert_eq!(status, 303, "{location}");
    let (_, _, list) = browser.get("/admin/campaigns").await;
    assert!(list.contains("<time datetime=\"2099-01-01T"), "{list}");
    let escaped = |page: &str| page.contains("&lt;time") || page.contains("&#60;time");
    assert!(!escaped(&list), "{list}");
    let (_, _, one) = browser.get(&location).await;
    assert!(one.contains("<time datetime=") && !escaped(&one), "{one}");
}

impl TestApp {
    /// The id of the contact with `wa_id`, made if there is none.
    async fn contact_id_or_new(&self, wa_id: &str) -> i64 {
        sqlx::query(
            "INSERT INTO contacts (wa_id, created_at, updated_at) VALUES ($1, 1, 1) \
             ON CONFLICT (wa_id) DO NOTHING",
        )
        .bind(wa_id)
        .execute(&self.db.write)
        .await
        .unwrap();
        self.contact_id(wa_id).await
    }
}

crate::on_both_backends!(
    a_strangers_order_never_puts_their_words_in_the_shops_templates,
    a_number_gets_at_most_five_order_templates_a_day,
    a_cart_line_may_list_options_in_the_catalogs_order,
    campaign_links_hold_no_line_break,
    campaign_times_read_as_times,
);
