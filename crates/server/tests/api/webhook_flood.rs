//! Regressions (issue 27, items 1-2): the open webhook routes under a stranger's flood.
//!
//! 1. Two requests to `POST /webhooks/stripe` (15,000 empty `v1=` signatures, a 2 MB body)
//!    stalled `/healthz` for 41-53 s: each signature cost an HMAC of the whole body.
//! 2. 1,000 connections each sending a 1.999 MB body to the webhook routes took the server
//!    from 36 MB to 1,978 MB resident, and it kept 1,954 MB after they closed.
//!
//! The real `chatout-server` process, on a fresh SQLite file, with Stripe, Mollie and
//! WhatsApp configured. `/healthz` is timed while the first attack runs, and resident memory
//! read from `/proc` before, at the peak and after the second. The figures are printed
//! (`cargo xtask test` runs this alone and shows them).

use crate::helpers::{fresh_database, Backend};
use crate::process::ServerProcess;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BODY: usize = 1_999_000;

/// Sends a POST of `BODY` bytes to `path` from `from`, with a declared length or in chunks,
/// and reads the answer's status (`None`: the server closed the connection first).
async fn post_big(
    server: SocketAddr,
    from: IpAddr,
    path: &str,
    chunked: bool,
    extra: &str,
) -> Option<u16> {
    let socket = tokio::net::TcpSocket::new_v4().ok()?;
    socket.bind(SocketAddr::new(from, 0)).ok()?;
    let mut stream = socket.connect(server).await.ok()?;
    let length = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {BODY}")
    };
    let kind = if path.ends_with("mollie") {
        "application/x-www-form-urlencoded"
    } else {
        "application/json"
    };
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: shop\r\nContent-Type: {kind}\r\n{extra}{length}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.ok()?;
    let chunk = vec![b'x'; 64 * 1024];
    let send = async {
        let mut sent = 0;
        while sent < BODY {
            let n = chunk.len().min(BODY - sent);
            if chunked {
                stream.write_all(format!("{n:x}\r\n").as_bytes()).await?;
            }
            stream.write_all(&chunk[..n]).await?;
            if chunked {
                stream.write_all(b"\r\n").await?;
            }
            sent += n;
        }
        if chunked {
            stream.write_all(b"0\r\n\r\n").await?;
        }
        Ok::<_, std::io::Error>(())
    };
    // A server that answers early stops reading: the rest of the body is not its problem.
    let _ = tokio::time::timeout(Duration::from_secs(40), send).await;
    let mut answer = Vec::new();
    let read = async {
        let mut buffer = [0u8; 1024];
        while !answer.windows(2).any(|w| w == b"\r\n") {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(40), read).await;
    let line = String::from_utf8_lossy(&answer);
    line.split(' ').nth(1).and_then(|s| s.parse().ok())
}

/// Starts a chunked POST to the WhatsApp webhook from `from` and sends only its first bytes:
/// the connection, kept open, holds that body's share of the budget.
async fn trickle(server: SocketAddr, from: IpAddr) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(from, 0)).unwrap();
    let mut stream = socket.connect(server).await.unwrap();
    let head = "POST /webhooks/whatsapp HTTP/1.1\r\nHost: shop\r\n\
        Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\na\r\n{\"entry\":[\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

/// `/healthz` timed, back to back, until `until` ends: every latency, in ms.
async fn time_healthz(base: String, until: impl std::future::Future) -> Vec<f64> {
    let client = reqwest::Client::new();
    let mut latencies = Vec::new();
    tokio::pin!(until);
    loop {
        let started = Instant::now();
        tokio::select! {
            _ = &mut until => return latencies,
            answer = client.get(format!("{base}/healthz")).send() => {
                assert_eq!(answer.unwrap().status(), 200);
                latencies.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn median_and_max(mut values: Vec<f64>) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    let median = values.get(values.len() / 2).copied().unwrap_or(0.0);
    (median, values.last().copied().unwrap_or(0.0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_flood_leaves_healthz_answering_and_memory_bounded() {
    let (database_url, _cleanup) = fresh_database(Backend::Sqlite).await;
    let server = ServerProcess::start(
        &database_url,
        &[
            ("CHATOUT_PUBLIC_URL", "https://orders.shop.example"),
            ("STRIPE_SECRET_KEY", "sk_test_flood"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_flood"),
            ("STRIPE_API_BASE", "http://127.0.0.1:9/v1"),
            ("MOLLIE_API_KEY", "test_flood"),
            ("MOLLIE_API_BASE", "http://127.0.0.1:9/v2"),
            ("WHATSAPP_API_BASE", "http://127.0.0.1:9"),
            ("WHATSAPP_PHONE_NUMBER_ID", "1065"),
            ("WHATSAPP_TOKEN", "token"),
            ("WHATSAPP_APP_SECRET", "secret"),
            ("WHATSAPP_VERIFY_TOKEN", "verify"),
        ],
    );
    let address: SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();

    // 1. Two requests with 15,000 empty signatures: one with a 2 MB body, one within the
    //    limit. /healthz is timed meanwhile.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let signature = format!("Stripe-Signature: t={now}{}\r\n", ",v1=".repeat(15_000));
    let started = Instant::now();
    let header = signature
        .trim_start_matches("Stripe-Signature: ")
        .trim_end()
        .to_string();
    // And 200 more within the body limit (60 KB), 10 at a time from 20 addresses.
    let within = futures::future::join_all((0..20).map(|n| {
        let (base, header) = (server.base.clone(), header.clone());
        async move {
            let client = crate::helpers::client_from(&format!("127.0.5.{}", n + 1));
            let mut statuses = Vec::new();
            for _ in 0..10 {
                let answer = client
                    .post(format!("{base}/webhooks/stripe"))
                    .header("stripe-signature", &header)
                    .body(vec![b'x'; 60 * 1024])
                    .send()
                    .await;
                statuses.push(answer.map(|a| a.status().as_u16()).unwrap_or(0));
            }
            statuses
        }
    }));
    let attack = futures::future::join3(
        post_big(
            address,
            "127.0.3.1".parse().unwrap(),
            "/webhooks/stripe",
            false,
            &signature,
        ),
        post_big(
            address,
            "127.0.3.2".parse().unwrap(),
            "/webhooks/stripe",
            true,
            &signature,
        ),
        within,
    );
    let ((declared, chunked, within), healthz) = {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let timing = tokio::spawn(time_healthz(server.base.clone(), rx));
        let answers = attack.await;
        let _ = tx.send(());
        (answers, timing.await.unwrap())
    };
    let took = started.elapsed();
    let (median, max) = median_and_max(healthz.clone());
    println!(
        "stripe signature attack: 2 MB bodies answered {declared:?} (declared) and {chunked:?} \
         (chunked), 200 bodies of 60 KB answered {} × 400, in {took:.1?} in all; /healthz \
         meanwhile: {} requests, median {median:.1} ms, max {max:.1} ms",
        within.iter().flatten().filter(|s| **s == 400).count(),
        healthz.len()
    );
    assert_eq!(
        (declared, chunked),
        (Some(413), Some(413)),
        "refused by size"
    );
    assert!(within.iter().flatten().all(|s| *s == 400), "{within:?}");
    // Before the fix this took 41-53 s; a bound this loose never flakes.
    assert!(took < Duration::from_secs(10), "{took:?}");

    // 2. 1,000 connections from 20 addresses, each sending 1.999 MB to a webhook route:
    //    declared (Stripe) or chunked (Mollie, WhatsApp).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = server.resident_mib();
    let mut peak = before;
    let started = Instant::now();
    let flood = futures::future::join_all((0..1000).map(|n| {
        let from: IpAddr = format!("127.0.{}.{}", 40 + n / 50, 1 + n % 50)
            .parse()
            .unwrap();
        let (path, chunked) = match n % 3 {
            0 => ("/webhooks/stripe", false),
            1 => ("/webhooks/mollie", true),
            _ => ("/webhooks/whatsapp", true),
        };
        tokio::spawn(async move { post_big(address, from, path, chunked, "").await })
    }));
    // A shopper's order in the middle of it is taken as ever.
    let shopper = {
        let base = server.base.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let mut order = crate::helpers::order_body();
            order["reference"] = serde_json::json!("");
            let answer = crate::helpers::client_from("127.0.9.9")
                .post(format!("{base}/api/orders"))
                .header("Idempotency-Key", "flood-shopper")
                .json(&order)
                .send()
                .await
                .unwrap();
            answer.status().as_u16()
        })
    };
    tokio::pin!(flood);
    let answers = loop {
        tokio::select! {
            done = &mut flood => break done,
            () = tokio::time::sleep(Duration::from_millis(5)) => {
                peak = peak.max(server.resident_mib());
            }
        }
    };
    let took = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = server.resident_mib();
    let mut counts = std::collections::BTreeMap::new();
    for answer in answers {
        *counts.entry(answer.unwrap()).or_insert(0) += 1;
    }
    println!(
        "webhook body flood: 1,000 connections × 1.999 MB in {took:.1?}, answers {counts:?}; \
         resident {before:.1} MiB before, {peak:.1} MiB at the peak, {after:.1} MiB after"
    );
    let shopper = shopper.await.unwrap();
    println!("a shopper's order during the flood: {shopper}");
    assert_eq!(shopper, 201, "the order was taken");
    assert!(peak <= 300.0, "peak {peak:.1} MiB");
    assert!(after <= 300.0, "after {after:.1} MiB");
    // 3. One address holding large bodies open (a trickle): it gets its share of the
    //    budget and no more, and another address is not shut out.
    let mut held = Vec::new();
    for _ in 0..(chatout_server::limit::CLIENT_SHARE / (1024 * 1024)) {
        held.push(trickle(address, "127.0.7.1".parse().unwrap()).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let over = post_big(
        address,
        "127.0.7.1".parse().unwrap(),
        "/webhooks/whatsapp",
        true,
        "",
    );
    let other = post_big(
        address,
        "127.0.7.2".parse().unwrap(),
        "/webhooks/whatsapp",
        true,
        "",
    );
    let (over, other) = futures::future::join(over, other).await;
    println!("one address holding {} large bodies: its next answered {over:?}, another address's {other:?}", held.len());
    assert_eq!(over, Some(503), "over its share");
    assert_eq!(other, Some(413), "read, and refused only for its size");
    drop(held);
    // The server still answers.
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}
