//! Regression (issue 14): each failed sign-in left argon2's 19 MiB behind. 60 wrong sign-ins
//! from different addresses took the server from 9 MB to over 1 GB resident; 820 to 6.7 GB.
//!
//! The real `chatout-server` process is started on a fresh SQLite file, bursts of wrong
//! sign-ins from 60 loopback addresses are sent at it, and its resident memory is read from
//! `/proc` before, during and after. The figures are printed (`cargo xtask test` shows them).

use crate::helpers::{fresh_database, Backend};
use crate::process::ServerProcess;
use std::time::{Duration, Instant};

/// One wrong sign-in from `ip`, as a browser makes it: the form, then the post. The username
/// is one nobody has, so no account lock stops the check (unknown names are checked against
/// a throwaway hash, at the same cost).
async fn wrong_sign_in(base: String, ip: String) -> u16 {
    let client = crate::helpers::client_from(&ip);
    let page = client
        .get(format!("{base}/admin/login"))
        .send()
        .await
        .unwrap();
    let cookie = page.headers()["set-cookie"].to_str().unwrap().to_string();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let csrf = crate::helpers::csrf_of(&page.text().await.unwrap());
    client
        .post(format!("{base}/admin/login"))
        .header("cookie", cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", format!("guess-{ip}").as_str()),
            ("password", "not the password"),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_burst_of_wrong_sign_ins_leaves_memory_where_it_was() {
    let (database_url, _cleanup) = fresh_database(Backend::Sqlite).await;
    let server = ServerProcess::start(&database_url, &[]);
    // Warm up: the first checks allocate what every later one reuses.
    for n in 0..3 {
        wrong_sign_in(server.base.clone(), format!("127.0.4.{n}")).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = server.resident_mib();
    let mut peak = before;
    let mut statuses = Vec::new();
    let started = Instant::now();
    for round in 0..5 {
        let burst = (1..=60).map(|n| {
            tokio::spawn(wrong_sign_in(
                server.base.clone(),
                format!("127.0.{}.{n}", 10 + round),
            ))
        });
        let burst = futures::future::join_all(burst);
        tokio::pin!(burst);
        loop {
            tokio::select! {
                done = &mut burst => {
                    statuses.extend(done.into_iter().map(Result::unwrap));
                    break;
                }
                () = tokio::time::sleep(Duration::from_millis(5)) => {
                    peak = peak.max(server.resident_mib());
                }
            }
        }
    }
    let took = started.elapsed();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = server.resident_mib();
    let refused = statuses.iter().filter(|s| **s == 401).count();
    let busy = statuses.iter().filter(|s| **s == 503).count();
    println!(
        "sign-in memory: {} wrong sign-ins from 300 addresses in {took:.1?}: {refused} checked \
         (401), {busy} answered busy (503); resident {before:.1} MiB before, {peak:.1} MiB at \
         the peak, {after:.1} MiB after",
        statuses.len()
    );
    assert_eq!(refused + busy, statuses.len(), "{statuses:?}");
    assert!(refused >= 5 * 10, "every admitted check ran: {refused}");
    // Two checks at once take 2 × 19 MiB; anything near 60 × 19 MiB is the old defect.
    assert!(
        peak - before < 100.0,
        "peak {peak:.1} MiB from {before:.1} MiB"
    );
    assert!(
        after - before < 25.0,
        "after {after:.1} MiB from {before:.1} MiB"
    );
}
