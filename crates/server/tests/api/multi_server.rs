//! Several servers on one PostgreSQL (issue 15): the outbox's 80 messages/s and the gaps
//! were per process, so three servers sent 240/s. Two real server processes share one
//! database and the fake Cloud API here: every message goes out exactly once, their combined
//! rate stays within the number's, and when the sender is killed the other takes over.
//! (Run without the lease, the same backlog goes out at 160 a second.)

use crate::fake_cloud::{FakeCloud, Received, PHONE_NUMBER_ID, TOKEN};
use crate::helpers::{fresh_database, postgres_url, Backend};
use crate::process::ServerProcess;
use chatout_server::whatsapp::webhook::sign;
use serde_json::json;
use std::collections::HashSet;
use std::time::{Duration, Instant};

const SECRET: &str = "multi-secret";

/// `START` from `wa_id`, delivered to `server`'s webhook: it queues one acknowledgement.
async fn start_from(client: &reqwest::Client, server: &ServerProcess, wa_id: &str) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA",
        "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": "Anna"}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": format!("wamid.START-{wa_id}"),
                          "timestamp": now.to_string(), "type": "text",
                          "text": {"body": "START"}}]}}]}]})
    .to_string();
    let status = client
        .post(format!("{}/webhooks/whatsapp", server.base))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", sign(SECRET, body.as_bytes()))
        .body(body)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
}

/// Queues `n` messages to `n` contacts in one transaction, straight into the outbox.
async fn queue_backlog(database_url: &str, n: usize) {
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(database_url)
        .await
        .unwrap();
    let mut tx = sqlx::Connection::begin(&mut conn).await.unwrap();
    let now = chatout_server::clock::now_ms();
    for i in 0..n {
        let (contact,): (i64,) = sqlx::query_as(
            "INSERT INTO contacts (wa_id, consent, window_until, created_at, updated_at) \
             VALUES ($1, 'active', $2, $3, $3) RETURNING id",
        )
        .bind(format!("3162000{i:04}"))
        .bind(now + 3_600_000)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO outbox (dedupe_key, contact_id, kind, payload, preview, author, status, \
             next_attempt_at, created_at, updated_at) \
             VALUES ($1, $2, 'text', $3, 'backlog', 'test', 'queued', $4, $4, $4)",
        )
        .bind(format!("backlog:{i}"))
        .bind(contact)
        .bind(chatout_server::whatsapp::payload::text("Sorry for the wait").to_string())
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// The most requests that arrived within any one second.
fn busiest_second(received: &[Received]) -> usize {
    received
        .iter()
        .map(|first| {
            received
                .iter()
                .filter(|r| r.at >= first.at && r.at < first.at + Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or(0)
}

/// The pid of the server holding the sender lease, from its holder name (`<pid>-<random>`).
async fn sender_pid(database_url: &str) -> Option<u32> {
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(database_url)
        .await
        .unwrap();
    let holder: Option<(String,)> = sqlx::query_as("SELECT holder FROM leases WHERE name = $1")
        .bind("outbox_sender")
        .fetch_optional(&mut conn)
        .await
        .unwrap();
    holder.and_then(|(h,)| h.split('-').next()?.parse().ok())
}

#[tokio::test]
async fn two_servers_send_each_message_once_at_the_numbers_rate_and_take_over() {
    if postgres_url().is_none() {
        return;
    }
    let fake = FakeCloud::start().await;
    let (database_url, _cleanup) = fresh_database(Backend::Postgres).await;
    let env = [
        ("WHATSAPP_API_BASE", fake.base.as_str()),
        ("WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID),
        ("WHATSAPP_TOKEN", TOKEN),
        ("WHATSAPP_APP_SECRET", SECRET),
        ("WHATSAPP_VERIFY_TOKEN", "verify"),
        // Every delivery here comes from one address.
        ("CHATOUT_MAX_CONNECTIONS_PER_CLIENT", "1000"),
        // The worker says when it becomes (or stops being) the sender.
        ("RUST_LOG", "error,chatout_server::lease=info"),
    ];
    let mut servers = [
        ServerProcess::start(&database_url, &env),
        ServerProcess::start(&database_url, &env),
    ];
    // A backlog of 200 replies appears at once, as after an outage: more than one number may
    // send in a second, so two senders would show as twice the rate.
    queue_backlog(&database_url, 200).await;
    let received = fake.wait_for_long(200, Duration::from_secs(30)).await;
    let recipients: HashSet<_> = received.iter().map(|r| r.body["to"].to_string()).collect();
    let busiest = busiest_second(&received);
    println!("two servers: 200 messages, busiest second {busiest} (limit 80)");
    assert_eq!(
        (received.len(), recipients.len()),
        (200, 200),
        "each exactly once"
    );
    // Evenly spaced at 80/s: a second's window can hold one more at its edge, never 160.
    assert!(busiest <= 81, "busiest second: {busiest}");

    // One of them sent it all: the other never took the sender's turn. (Both walk the same
    // queue and would lose most claims to each other, so the rate alone would not show it.)
    let turns: Vec<bool> = servers
        .iter()
        .map(|s| s.printed("this server sends the outbox now"))
        .collect();
    assert_eq!(
        turns.iter().filter(|t| **t).count(),
        1,
        "senders: {turns:?}"
    );

    // Kill the sender as a crash would; the other server takes over.
    let pid = sender_pid(&database_url)
        .await
        .expect("a sender holds the lease");
    let (sender, survivor) = match servers.iter().position(|s| s.pid() == pid) {
        Some(0) => (0, 1),
        Some(_) => (1, 0),
        None => panic!("the lease names pid {pid}, neither server"),
    };
    servers[sender].kill();
    let killed = Instant::now();
    let client = reqwest::Client::new();
    for n in 200..220 {
        start_from(&client, &servers[survivor], &format!("3161000{n:04}")).await;
    }
    let received = fake.wait_for_long(220, Duration::from_secs(30)).await;
    assert!(servers[survivor].printed("this server sends the outbox now"));
    let took = received[200].at.saturating_duration_since(killed);
    println!("two servers: the survivor sent again {took:.1?} after the sender was killed");
    assert!(took < Duration::from_secs(10), "took over after {took:?}");
    let recipients: HashSet<_> = received.iter().map(|r| r.body["to"].to_string()).collect();
    assert_eq!((received.len(), recipients.len()), (220, 220));
}
