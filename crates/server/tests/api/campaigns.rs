//! Campaigns (issue 19): a marketing template with an opt-out, to contacts whose opt-in to
//! offers is active, through the outbox and its rate limit; the frequency cap, Meta's own
//! limit (131049), STOP while queued, a restart mid-campaign, tracked links that lead only to
//! the shop's pages, and the results with their CSV.

use crate::fake_cloud::{FakeCloud, Reply, WABA_ID};
use crate::helpers::{spawn_with, Backend, Browser, TestApp};
use crate::messaging::{eventually, inbound, outbox, webhook, whatsapp_for};
use sqlx::Row;
use std::collections::BTreeSet;
use std::time::Duration;

const TEMPLATE: &str = "chatout_new_arrivals";

fn number(n: usize) -> String {
    format!("3169{n:07}")
}

/// Contacts `from..to` with this opt-in to offers (and none to order updates), in `locale`.
async fn contacts(app: &TestApp, range: std::ops::Range<usize>, marketing: &str, locale: &str) {
    let mut tx = app.db.write.begin().await.unwrap();
    for n in range {
        sqlx::query(
            "INSERT INTO contacts (wa_id, locale, marketing, created_at, updated_at) \
             VALUES ($1, $2, $3, 1, 1)",
        )
        .bind(number(n))
        .bind(locale)
        .bind(marketing)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// Two marketing messages this week for each of `numbers`: they are at the cap of 2.
async fn at_the_cap(app: &TestApp, numbers: impl Iterator<Item = String>) {
    let yesterday = now_ms() - 24 * 3600 * 1000;
    for wa_id in numbers {
        let id = app.contact_id(&wa_id).await;
        for k in 0..2 {
            sqlx::query(
                "INSERT INTO outbox (dedupe_key, contact_id, kind, payload, preview, author, \
                 status, next_attempt_at, created_at, updated_at) \
                 VALUES ($1, $2, 'marketing', '{}', 'earlier', 'system', 'delivered', $3, $3, $3)",
            )
            .bind(format!("earlier:{wa_id}:{k}"))
            .bind(id)
            .bind(yesterday)
            .execute(&app.db.write)
            .await
            .unwrap();
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn campaign_form(
    browser: &mut Browser<'_>,
    csrf: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let mut form = vec![("csrf", csrf)];
    form.extend_from_slice(fields);
    browser.post("/admin/campaigns", &form).await
}

/// The campaign messages the fake got: (to, body parameters).
fn campaign_messages(fake: &FakeCloud) -> Vec<(String, Vec<String>)> {
    fake.received()
        .iter()
        .filter(|r| r.body["template"]["name"] == TEMPLATE)
        .map(|r| {
            let params = r.body["template"]["components"][0]["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| p["text"].as_str().unwrap_or_default().to_string())
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

async fn spawn(backend: Backend, fake: &FakeCloud, per_second: u32) -> TestApp {
    let mut whatsapp = whatsapp_for(fake);
    whatsapp.per_second = per_second;
    // A send a restart interrupts is settled as uncertain after twice this and 5 s.
    whatsapp.request_timeout = Duration::from_secs(1);
    spawn_with(backend, move |s| {
        s.whatsapp = Some(whatsapp);
        s.public_url = Some("https://orders.shop.example".into());
        s.marketing_cap = 2;
    })
    .await
}

async fn a_campaign_reaches_its_audience_once(backend: Backend) {
    let fake = FakeCloud::start().await;
    let mut app = spawn(backend, &fake, 40).await;
    // 300 opted in (60 of them Dutch), 40 pending, 20 stopped, 20 never asked.
    contacts(&app, 0..240, "active", "en").await;
    contacts(&app, 240..300, "active", "nl-NL").await;
    contacts(&app, 300..340, "pending", "en").await;
    contacts(&app, 340..360, "stopped", "en").await;
    contacts(&app, 360..380, "none", "en").await;
    // 30 already got two marketing messages this week.
    at_the_cap(&app, (0..30).map(number)).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let (status, _, page) = browser.get("/admin/campaigns").await;
    assert_eq!(status, 200);
    assert!(page.contains("chatout_old_promo"), "{page}");
    assert!(page.contains("Cannot be used: no opt-out line"), "{page}");
    let fields = [
        ("name", "New mugs"),
        ("template", TEMPLATE),
        ("product", "mug-stoneware"),
        ("link", "https://shop.example/mugs"),
        ("name_fallback", "there"),
    ];
    // The count first: everyone opted in, the cap applies when sending.
    let mut counting = fields.to_vec();
    counting.push(("action", "count"));
    let (_, _, page) = campaign_form(&mut browser, &csrf, &counting).await;
    assert!(
        page.contains("300 contacts in this audience now."),
        "{page}"
    );
    let mut dutch = counting.clone();
    dutch.push(("language", "nl"));
    let (_, _, page) = campaign_form(&mut browser, &csrf, &dutch).await;
    assert!(page.contains("60 contacts in this audience now."), "{page}");
    // A link to another site cannot be tracked: no campaign.
    let mut foreign = fields.to_vec();
    foreign[3] = ("link", "https://evil.example/mugs");
    foreign.push(("action", "create"));
    let (status, _, page) = campaign_form(&mut browser, &csrf, &foreign).await;
    assert_eq!(status, 200);
    assert!(page.contains("is not a page of this shop"), "{page}");
    // Nor can a template without an opt-out.
    let (_, _, page) = campaign_form(
        &mut browser,
        &csrf,
        &[
            ("name", "x"),
            ("template", "chatout_old_promo"),
            ("link", "https://shop.example/"),
            ("action", "create"),
        ],
    )
    .await;
    assert!(page.contains("has no opt-out"), "{page}");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM campaigns")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    assert_eq!(stored, 0);
    // Meta holds back the first three under its own limit.
    fake.script([
        Reply::Error(400, 131049),
        Reply::Error(400, 131049),
        Reply::Error(400, 131049),
    ]);
    // Slow answers, so sends are in flight when the server restarts.
    fake.set_latency(Duration::from_millis(200));
    let mut creating = fields.to_vec();
    creating.push(("action", "create"));
    let (status, location, _) = campaign_form(&mut browser, &csrf, &creating).await;
    assert_eq!(status, 303, "{location}");
    assert!(location.starts_with("/admin/campaigns/1"), "{location}");
    // A restart while it is going out.
    eventually(&app, "the first campaign messages", || async {
        campaign_messages(&fake).len() >= 60
    })
    .await;
    app.restart().await;
    let mut browser = Browser::new(&app);
    browser.sign_in().await;
    eventually(&app, "the campaign queued and sent", || async {
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE event = 'campaign' AND status IN ('queued', 'sending')",
        )
        .fetch_one(&app.db.read)
        .await
        .unwrap();
        let sent: String = sqlx::query_scalar("SELECT status FROM campaigns WHERE id = 1")
            .fetch_one(&app.db.read)
            .await
            .unwrap();
        open == 0 && sent == "sent"
    })
    .await;
    let got = campaign_messages(&fake);
    let to: BTreeSet<&str> = got.iter().map(|(to, _)| to.as_str()).collect();
    assert_eq!(to.len(), got.len(), "nobody got it twice");
    let uncertain: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE event = 'campaign' AND status = 'uncertain'",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    // The 270 under the cap, each once; a send the restart interrupted is `uncertain` and
    // never repeated (it may or may not have arrived).
    assert!(got.len() <= 270, "{}", got.len());
    assert!(
        got.len() as i64 + uncertain >= 270,
        "{} + {uncertain}",
        got.len()
    );
    assert!(uncertain > 0, "the restart interrupted sends in flight");
    for n in 0..30 {
        assert!(!to.contains(number(n).as_str()), "over the cap: {n}");
    }
    for n in 300..380 {
        assert!(!to.contains(number(n).as_str()), "no opt-in to offers: {n}");
    }
    let capped = outbox(&app)
        .await
        .into_iter()
        .filter(|(_, kind, status, _)| kind == "marketing" && status == "capped")
        .collect::<Vec<_>>();
    assert_eq!(capped.len(), 3);
    assert!(
        capped.iter().all(|(_, _, _, attempts)| *attempts == 1),
        "not retried"
    );
    // The rate limit holds: never more than 40 in any one second.
    let busiest = fake.busiest_second();
    assert!(busiest <= 41, "{busiest} in one second");
    // Each message is filled for its contact: the stand-in name, the product, a tracked link.
    let (_, params) = &got[0];
    assert_eq!(params[0], "there");
    assert_eq!(params[1], "Stoneware mug");
    let link = &params[2];
    assert!(link.starts_with("https://orders.shop.example/r/"), "{link}");
    let path = link.trim_start_matches("https://orders.shop.example");
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for _ in 0..2 {
        let response = no_redirects
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_redirection(), "{}", response.status());
        assert_eq!(
            response.headers()["location"].to_str().unwrap(),
            "https://shop.example/mugs"
        );
    }
    let missing = no_redirects
        .get(format!("{}/r/00000000000000000000000000000000", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    // A reply and a STOP from two who got it.
    let (first, second) = (got[1].0.clone(), got[2].0.clone());
    assert_eq!(
        webhook(&app, &inbound(&first, "wamid.R1", "Nice mugs!", 0)).await,
        200
    );
    assert_eq!(
        webhook(&app, &inbound(&second, "wamid.R2", "STOP", 0)).await,
        200
    );
    let (_, _, page) = browser.get("/admin/campaigns/1").await;
    let figure = |id: &str| -> i64 {
        let marker = format!("data-testid=\"{id}\">");
        let start = page.find(&marker).unwrap() + marker.len();
        page[start..].split('<').next().unwrap().parse().unwrap()
    };
    assert_eq!(figure("targeted"), 300);
    assert_eq!(figure("skipped-cap"), 30);
    assert_eq!(figure("clicked"), 1, "two clicks of one contact are one");
    assert!(
        page.contains("<th>Replied within 7 days</th><td class=\"num\">2</td>"),
        "{page}"
    );
    assert!(
        page.contains("<th>Stopped offers within 7 days</th><td class=\"num\">1</td>"),
        "{page}"
    );
    assert!(
        page.contains("<th>Capped by Meta (131049)</th><td class=\"num\">3</td>"),
        "{page}"
    );
    let (status, _, csv) = browser.get("/admin/campaigns.csv").await;
    assert_eq!(status, 200);
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("\"what\",\"status\""));
    let row = lines.next().unwrap();
    assert!(
        row.starts_with("\"campaign 1: New mugs\",\"sent\""),
        "{row}"
    );
    assert!(row.contains("\"300\",\"30\""), "{row}");
    assert!(csv.contains("\"back-in-stock alerts\""), "{csv}");
    assert!(csv.contains("\"order recovery\""), "{csv}");
    assert!(fake.bad_shapes().is_empty(), "{:?}", fake.bad_shapes());
}

async fn stop_while_queued_and_no_offers_without_their_opt_in(backend: Backend) {
    let fake = FakeCloud::start().await;
    // Two a second, so the last ones wait their turn.
    let app = spawn(backend, &fake, 2).await;
    contacts(&app, 0..6, "active", "en").await;
    // Order updates on, offers never: not in any campaign.
    sqlx::query(
        "INSERT INTO contacts (wa_id, locale, consent, marketing, created_at, updated_at) \
         VALUES ($1, 'en', 'active', 'none', 1, 1)",
    )
    .bind(number(99))
    .execute(&app.db.write)
    .await
    .unwrap();
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let (status, _, page) = campaign_form(
        &mut browser,
        &csrf,
        &[
            ("name", "Weekend"),
            ("template", "chatout_weekend_sale"),
            ("text1", "20% off all candles."),
            ("action", "create"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{page}");
    eventually(&app, "all six queued", || async {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM campaign_sends WHERE campaign_id = 1")
                .fetch_one(&app.db.read)
                .await
                .unwrap();
        n == 6
    })
    .await;
    // The last one says STOP before its turn: theirs is not sent.
    let last = number(5);
    assert_eq!(
        webhook(&app, &inbound(&last, "wamid.S", "STOP", 0)).await,
        200
    );
    eventually(&app, "the rest sent", || async {
        // Not queued and not in flight: each one answered by the fake, or cancelled.
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE event = 'campaign' \
             AND status IN ('queued', 'sending')",
        )
        .fetch_one(&app.db.read)
        .await
        .unwrap();
        open == 0
    })
    .await;
    let weekend: Vec<String> = fake
        .received()
        .iter()
        .filter(|r| r.body["template"]["name"] == "chatout_weekend_sale")
        .map(|r| r.body["to"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(weekend.len(), 5, "{weekend:?}");
    assert!(!weekend.contains(&last));
    assert!(!weekend.contains(&number(99)));
    let status: String = sqlx::query_scalar(
        "SELECT o.status FROM outbox o JOIN contacts c ON c.id = o.contact_id \
         WHERE c.wa_id = $1 AND o.event = 'campaign'",
    )
    .bind(&last)
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(status, "cancelled");
    // "Stop promotions" (the template's button) stops offers, not order updates.
    let tap = inbound(&number(1), "wamid.TAP", "Stop promotions", 0);
    assert_eq!(webhook(&app, &tap).await, 200);
    let row = sqlx::query("SELECT consent, marketing FROM contacts WHERE wa_id = $1")
        .bind(number(1))
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    let (consent, marketing): (String, String) = (row.get(0), row.get(1));
    assert_eq!((consent.as_str(), marketing.as_str()), ("none", "stopped"));
    // A test send goes to the number typed, whatever its opt-in, and is not counted.
    let before = fake.received().len();
    let (status, location, _) = browser
        .post(
            "/admin/campaigns/1/test",
            &[("csrf", &csrf), ("phone", "+31 6 5555 0000")],
        )
        .await;
    assert_eq!(status, 303);
    assert!(location.contains("notice=test-sent"), "{location}");
    eventually(&app, "the test message", || async {
        fake.received()[before..].iter().any(|r| {
            r.body["to"] == "31655550000" && r.body["template"]["name"] == "chatout_weekend_sale"
        })
    })
    .await;
    let (_, location, _) = browser
        .post(
            "/admin/campaigns/1/test",
            &[("csrf", &csrf), ("phone", "call me")],
        )
        .await;
    assert!(location.contains("notice=test-invalid"), "{location}");
    // A scheduled campaign waits, and can be called off.
    let (status, location, _) = campaign_form(
        &mut browser,
        &csrf,
        &[
            ("name", "Later"),
            ("template", "chatout_weekend_sale"),
            ("text1", "Soon."),
            ("at", "2099-01-01T09:00"),
            ("action", "create"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let id = location
        .trim_start_matches("/admin/campaigns/")
        .split('?')
        .next()
        .unwrap();
    let (_, location, _) = browser
        .post(&format!("/admin/campaigns/{id}/cancel"), &[("csrf", &csrf)])
        .await;
    assert!(location.contains("notice=campaign-cancelled"), "{location}");
    let (_, location, _) = browser
        .post("/admin/campaigns/1/cancel", &[("csrf", &csrf)])
        .await;
    assert!(location.contains("notice=campaign-started"), "{location}");
}

async fn templates_are_synced_from_whatsapp_manager(backend: Backend) {
    let fake = FakeCloud::start().await;
    let spawn_for = |waba: &str| {
        let mut whatsapp = whatsapp_for(&fake);
        whatsapp.waba_id = Some(waba.to_string());
        spawn_with(backend, move |s| s.whatsapp = Some(whatsapp))
    };
    let app = spawn_for(WABA_ID).await;
    contacts(&app, 0..2, "active", "en").await;
    contacts(&app, 2..3, "active", "nl-BE").await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let (_, _, page) = browser.get("/admin/campaigns").await;
    assert!(
        page.contains("Not synced from WhatsApp Manager yet."),
        "{page}"
    );
    assert!(!page.contains("flash_sale"));
    let (status, location, _) = browser
        .post("/admin/campaigns/sync", &[("csrf", &csrf)])
        .await;
    assert_eq!(status, 303);
    assert!(location.contains("notice=templates-synced"), "{location}");
    let (_, _, page) = browser.get("/admin/campaigns").await;
    // Approved marketing ones only, both pages, one entry per name.
    assert_eq!(page.matches("value=\"flash_sale\"").count(), 1, "{page}");
    assert!(page.contains("value=\"no_stop_line\" disabled"), "{page}");
    assert!(!page.contains("order_receipt") && !page.contains("waiting_review"));
    assert!(page.contains("Synced from WhatsApp Manager"), "{page}");
    let (status, _, page) = campaign_form(
        &mut browser,
        &csrf,
        &[
            ("name", "Flash"),
            ("template", "flash_sale"),
            ("text1", "all mugs half price"),
            ("action", "create"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{page}");
    eventually(&app, "three flash sale messages", || async {
        fake.received()
            .iter()
            .filter(|r| r.body["template"]["name"] == "flash_sale")
            .count()
            == 3
    })
    .await;
    let languages: BTreeSet<String> = fake
        .received()
        .iter()
        .filter(|r| r.body["template"]["name"] == "flash_sale")
        .map(|r| {
            r.body["template"]["language"]["code"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        languages,
        BTreeSet::from(["en".to_string(), "nl".to_string()])
    );
    // A wrong account id: nothing changes, and the desk says so.
    let other = spawn_for("999").await;
    let mut browser = Browser::new(&other);
    let csrf = browser.sign_in().await;
    let (_, location, _) = browser
        .post("/admin/campaigns/sync", &[("csrf", &csrf)])
        .await;
    assert!(
        location.contains("notice=templates-not-synced"),
        "{location}"
    );
}

crate::on_both_backends!(
    templates_are_synced_from_whatsapp_manager,
    a_campaign_reaches_its_audience_once,
    stop_while_queued_and_no_offers_without_their_opt_in,
);
