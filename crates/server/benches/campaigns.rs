//! Campaign figures (a report, not a timed test): how long counting and paging an audience
//! takes among 100,000 contacts, how fast a campaign is queued, and the rate it goes out at
//! against the local fake Cloud API with the 80 messages/s limit on.
//!
//! `cargo bench -p chatout-server --bench campaigns` (SQLite in a temporary directory;
//! `BENCH_CONTACTS` and `BENCH_AUDIENCE` change the counts).

mod support;

#[path = "../tests/api/fake_cloud.rs"]
#[allow(dead_code)]
mod fake_cloud;

use chatout_server::clock::now_ms;
use chatout_server::db::campaigns::audience_page;
use chatout_server::policy::campaign::Audience;
use chatout_server::service::campaigns::{count, create, CampaignRequest, Params};
use chatout_server::Application;
use fake_cloud::{FakeCloud, PHONE_NUMBER_ID, TOKEN};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let contacts = support::count("BENCH_CONTACTS", 100_000);
    // Who gets the campaign that is sent: the Dutch ones (one contact in `dutch_every`).
    let audience_size = support::count("BENCH_AUDIENCE", 1_000);
    let dutch_every = (contacts / audience_size.max(1)).max(1);
    let fake = FakeCloud::start().await;
    fake.set_latency(Duration::from_millis(50));
    let dir = std::env::temp_dir().join(format!("chatout-bench-campaigns-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut settings =
        support::messaging_settings(&dir, &fake.base, PHONE_NUMBER_ID, TOKEN, "bench-secret");
    settings.public_url = Some("https://orders.shop.example".into());
    settings.allowed_origins = vec!["https://shop.example".into()];
    let app = Application::build(settings).await.expect("server starts");
    let state = app.state().clone();

    // 100,000 contacts: three in four opted in to offers; every `dutch_every`-th is Dutch.
    let started = Instant::now();
    let mut tx = state.db.write.begin().await.unwrap();
    for n in 0..contacts {
        let marketing = if n % 4 == 3 { "none" } else { "active" };
        let locale = if n % dutch_every == 0 && marketing == "active" {
            "nl-NL"
        } else {
            "en"
        };
        sqlx::query(
            "INSERT INTO contacts (wa_id, locale, marketing, created_at, updated_at) \
             VALUES ($1, $2, $3, 1, 1)",
        )
        .bind(format!("3170{n:08}"))
        .bind(locale)
        .bind(marketing)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    println!(
        "{contacts} contacts stored in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let everyone = Audience::default();
    let dutch = Audience {
        language: Some("nl".into()),
        ..Audience::default()
    };
    let never = Audience {
        never_ordered: true,
        ..Audience::default()
    };
    for (what, audience) in [
        ("everyone opted in", &everyone),
        ("language nl", &dutch),
        ("never ordered", &never),
    ] {
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..5 {
            let started = Instant::now();
            found = count(&state, audience).await.unwrap();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "count of the audience ({what}): {found} contacts, median {:.1} ms of 5 (min {:.1}, max {:.1})",
            times[2], times[0], times[4]
        );
    }
    // The runner's read: one batch of 200, from the start and from the middle.
    for after in [0, i64::try_from(contacts / 2).unwrap_or(0)] {
        let started = Instant::now();
        let mut conn = state.db.read.acquire().await.unwrap();
        let page = audience_page(&mut conn, &everyone, &[], now_ms(), after, 200)
            .await
            .unwrap();
        println!(
            "one batch of {} (after contact {after}): {:.1} ms",
            page.len(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }

    // A campaign to the Dutch: queued, then sent at the number's rate.
    tokio::spawn(app.run());
    let request = CampaignRequest {
        name: "Bench".into(),
        template: "chatout_new_arrivals".into(),
        params: Params {
            texts: Vec::new(),
            product: Some("mug-stoneware".into()),
            link: Some("https://shop.example/mugs".into()),
            name_fallback: "there".into(),
        },
        audience: dutch,
        at: None,
    };
    let size = count(&state, &request.audience).await.unwrap();
    let started = Instant::now();
    let id = create(&state, &request, "bench").await.unwrap().unwrap();
    loop {
        let done: String = sqlx::query_scalar("SELECT status FROM campaigns WHERE id = $1")
            .bind(id)
            .fetch_one(&state.db.read)
            .await
            .unwrap();
        if done == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The runner's own time, from its start to the last batch (the job looks every second).
    let row = sqlx::query("SELECT started_at, finished_at FROM campaigns WHERE id = $1")
        .bind(id)
        .fetch_one(&state.db.read)
        .await
        .unwrap();
    let (began, ended): (i64, i64) = (
        sqlx::Row::get(&row, "started_at"),
        sqlx::Row::get(&row, "finished_at"),
    );
    let queued = (ended - began) as f64 / 1000.0;
    let target = usize::try_from(size).unwrap_or(0);
    fake.wait_for_long(target, Duration::from_secs(600)).await;
    let sent = started.elapsed().as_secs_f64();
    let busiest = fake.busiest_second();
    // The runner's clock has millisecond steps: a small audience may take less than one.
    let rate = if queued > 0.0 {
        format!("{:.0} contacts/s", size as f64 / queued)
    } else {
        "under a millisecond".into()
    };
    println!(
        "campaign to {size} contacts (each with its own tracked link): queued in {queued:.3} s \
         ({rate}), sent in {sent:.1} s: {:.1} messages/s (busiest second: {busiest})",
        size as f64 / sent,
    );
    let _ = std::fs::remove_dir_all(dir);
}
