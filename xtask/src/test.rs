//! `cargo xtask test`: every check CI runs, one named step after another, each timed; a table
//! of the times ends the run, whether it passed or not (CI's log then says where time goes).

use crate::project::Project;
use std::time::{Duration, Instant};

/// Playwright files run two at a time: each starts its own servers on port 0, its own
/// Chromium and its own temporary folders, so none depends on another.
const E2E_CONCURRENCY: &str = "--test-concurrency=2";

pub fn test(project: &Project) -> Result<(), String> {
    let mut steps = Steps::default();
    let result = all(project, &mut steps);
    steps.print(result.is_ok());
    result
}

/// The steps, in order; the first failure stops the run.
fn all(project: &Project, steps: &mut Steps) -> Result<(), String> {
    steps.time("setup (tools)", || crate::setup(project))?;
    steps.time("fmt", || {
        project.shown("fmt", "cargo", &["fmt", "--all", "--", "--check"])
    })?;
    steps.time("clippy (native)", || clippy_native(project))?;
    steps.time("clippy (wasm, plain and split)", || clippy_wasm(project))?;
    let postgres = steps.time("postgres (start)", || {
        project.output("bash", &["scripts/postgres.sh"])
    })?;
    let postgres = [("CHATOUT_TEST_POSTGRES", postgres.trim())];
    steps.time("tests (native, SQLite + PostgreSQL)", || {
        native_tests(project, &postgres)
    })?;
    steps.time("flood tests (alone)", || flood_tests(project, &postgres))?;
    steps.time("browser tests (wasm)", || browser_tests(project))?;
    steps.time("dist (release widget)", || crate::build::dist(project))?;
    steps.time("size report", || crate::size::report(project))?;
    steps.time("embedded server (clippy + test)", || embedded(project))?;
    steps.time("end-to-end (Playwright)", || end_to_end(project))
}

/// The start and length of each step run so far.
#[derive(Default)]
struct Steps {
    done: Vec<(&'static str, Duration)>,
}

impl Steps {
    /// Runs a step and records how long it took (failed or not).
    fn time<T>(
        &mut self,
        name: &'static str,
        step: impl FnOnce() -> Result<T, String>,
    ) -> Result<T, String> {
        println!("\n== {name}");
        let started = Instant::now();
        let result = step();
        self.done.push((name, started.elapsed()));
        result
    }

    /// The table of step times and their total; the last row is the failed step, if any.
    fn print(&self, passed: bool) {
        println!("\n{:<40} {:>9}", "step", "time");
        for (i, (name, took)) in self.done.iter().enumerate() {
            let failed = !passed && i + 1 == self.done.len();
            let mark = if failed { "  FAILED" } else { "" };
            println!("{name:<40} {:>9}{mark}", minutes(*took));
        }
        let total = self.done.iter().map(|(_, took)| *took).sum();
        println!("{:<40} {:>9}", "total", minutes(total));
    }
}

/// `m:ss`.
fn minutes(took: Duration) -> String {
    let seconds = took.as_secs();
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

fn clippy_native(project: &Project) -> Result<(), String> {
    project.shown(
        "clippy",
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )
}

/// The widget and the QR module for the browser, then the widget with its split points as
/// `cargo xtask dist` builds it. Both with the same packages and targets, so the dependencies
/// are checked once (with `-p chatout` alone they differ in features and were checked again).
fn clippy_wasm(project: &Project) -> Result<(), String> {
    for (name, features) in [
        ("clippy wasm", None),
        ("clippy wasm split", Some("chatout/split")),
    ] {
        let mut args = vec![
            "clippy",
            "-p",
            "chatout",
            "-p",
            "chatout-qr",
            "--all-targets",
            "--target",
            "wasm32-unknown-unknown",
        ];
        if let Some(features) = features {
            args.extend(["--features", features]);
        }
        args.extend(["--", "-D", "warnings"]);
        project.shown(name, "cargo", &args)?;
    }
    Ok(())
}

/// The workspace's tests; the server's suite runs on SQLite and again on the PostgreSQL
/// started by scripts/postgres.sh. The floods run alone afterwards ([`flood_tests`]).
fn native_tests(project: &Project, postgres: &[(&str, &str)]) -> Result<(), String> {
    project.shown_with(
        "tests",
        "cargo",
        &[
            "test",
            "--workspace",
            "--",
            "--skip",
            "sign_in_memory",
            "--skip",
            "webhook_flood",
        ],
        postgres,
    )
}

/// Run alone, one at a time, and shown: they print the server's resident memory around a
/// sign-in flood and a webhook body flood, and /healthz under a signature attack.
fn flood_tests(project: &Project, postgres: &[(&str, &str)]) -> Result<(), String> {
    project.shown_with(
        "floods",
        "cargo",
        &[
            "test",
            "-p",
            "chatout-server",
            "--test",
            "api",
            "--",
            "sign_in_memory",
            "webhook_flood",
            "--nocapture",
            "--test-threads",
            "1",
        ],
        postgres,
    )
}

/// The widget's tests in headless Chromium (wasm-bindgen-test-runner).
fn browser_tests(project: &Project) -> Result<(), String> {
    project.shown(
        "browser tests",
        "cargo",
        &[
            "test",
            "-p",
            "chatout",
            "--target",
            "wasm32-unknown-unknown",
            "--test",
            "widget",
        ],
    )
}

/// The server with the release widget inside it (built from the dist/ just made).
fn embedded(project: &Project) -> Result<(), String> {
    let embedded = ["-p", "chatout-server", "--features", "embed-widget"];
    project.shown(
        "clippy embedded",
        "cargo",
        &[
            &["clippy"],
            &embedded[..],
            &["--lib", "--test", "embedded", "--", "-D", "warnings"],
        ]
        .concat(),
    )?;
    project.shown(
        "test embedded",
        "cargo",
        &[&["test"], &embedded[..], &["--test", "embedded"]].concat(),
    )
}

/// The Playwright files, against the server built once here (e2e/harness.mjs then does not
/// build it per file). A test that hangs fails after two minutes instead of holding CI.
fn end_to_end(project: &Project) -> Result<(), String> {
    project.shown(
        "server for e2e",
        "cargo",
        &["build", "-p", "chatout-server"],
    )?;
    let server = project.target.join("debug/chatout-server");
    project.shown_with(
        "e2e",
        "node",
        &["--test", E2E_CONCURRENCY, "--test-timeout=120000", "e2e/"],
        &[("CHATOUT_E2E_SERVER", &server.to_string_lossy())],
    )
}
