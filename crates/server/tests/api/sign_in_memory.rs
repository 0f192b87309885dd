//! Regression (issue 14): each failed sign-in left argon2's 19 MiB behind. 60 wrong sign-ins
//! from different addresses took the server from 9 MB to over 1 GB resident; 820 to 6.7 GB.
//!
//! The real `chatout-server` process is started on a fresh SQLite file, bursts of wrong
//! sign-ins from 60 loopback addresses are sent at it, and its resident memory is read from
//! `/proc` before, during and after. The figures are printed (`cargo xtask test` shows them).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server as a child process, killed when dropped.
struct Server {
    child: Child,
    base: String,
    _dir: tempdir::Dir,
}

mod tempdir {
    /// A directory removed when dropped.
    pub struct Dir(pub std::path::PathBuf);

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Server {
    fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("chatout-memory-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_chatout-server"))
            .env("CHATOUT_ADDR", "127.0.0.1:0")
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.join("m.db").display()),
            )
            .env("CHATOUT_ADMIN_PASSWORD", "correct horse")
            .env("CHATOUT_WIDGET_DIR", dir.join("none"))
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chatout-server starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                line.strip_prefix("chatout-server listening on ")
                    .map(str::to_string)
            })
            .expect("the server prints its address");
        // Keep reading: a closed pipe would make the server's next println! fail.
        std::thread::spawn(move || lines.for_each(drop));
        Self {
            child,
            base,
            _dir: tempdir::Dir(dir),
        }
    }

    /// Resident memory in MiB, from /proc.
    fn resident_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/<pid>/status");
        kib / 1024.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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
    let server = Server::start();
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
