//! `cargo xtask <command>`: the project's build, demo and test orchestration.
//!
//! - `setup`      install what is missing (scripts/setup.sh)
//! - `demo`       build the widget, then run the order server with the demo store
//!   at http://127.0.0.1:8080 (endpoint mode, SQLite, desk at /admin)
//! - `test`       every check CI runs: fmt, clippy, native, browser and end-to-end tests, size report
//! - `dist`       release build of the embeddable files into dist/
//! - `size`       release build, then the size report
//! - `bench`      criterion benchmarks of crates/core
//! - `screenshot` docs/screenshot.png from the built demo in headless Chromium

use flate2::{write::GzEncoder, Compression};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{exit, Command};

/// What a shopper may download, gzip, before this budget is exceeded.
const BUDGET_GZIP_BYTES: u64 = 120 * 1024;
/// What a page may fetch before the shopper interacts: the loader (issue #5).
const LOADER_BUDGET_GZIP_BYTES: u64 = 3 * 1024;

/// The files a shop embeds, in the order a browser fetches them.
const EMBED_FILES: [&str; 3] = ["chatout.js", "chatout-widget.js", "chatout-widget_bg.wasm"];
/// The QR code module, which only a shopper on a computer fetches, after sending an order.
const QR_FILES: [&str; 2] = ["chatout-qr.js", "chatout-qr_bg.wasm"];

fn main() {
    let task = std::env::args().nth(1).unwrap_or_default();
    let root = project_root();
    std::env::set_current_dir(&root).expect("project root");
    let result = match task.as_str() {
        "setup" => setup(),
        "demo" => setup()
            .and_then(|_| dist())
            .and_then(|_| run("cargo", &["run", "-p", "chatout-server"])),
        "dist" => setup().and_then(|_| dist()),
        "npm" => setup()
            .and_then(|_| dist())
            .and_then(|_| run("node", &["scripts/npm-package.mjs"])),
        "size" => setup()
            .and_then(|_| dist())
            .and_then(|_| size_report(&root.join("dist"))),
        "bench" => run(
            "cargo",
            &["bench", "-p", "chatout-core", "--bench", "summary"],
        )
        .and_then(|_| {
            run(
                "cargo",
                &["bench", "-p", "chatout-server", "--bench", "messaging"],
            )
        }),
        "impact" => setup()
            .and_then(|_| dist())
            .and_then(|_| run("node", &["bench/host-impact.mjs"])),
        "screenshot" => setup()
            .and_then(|_| dist())
            .and_then(|_| run("node", &["e2e/screenshot.mjs"])),
        "test" => test(&root),
        _ => {
            eprintln!("usage: cargo xtask <setup|demo|test|dist|npm|size|bench|impact|screenshot>");
            exit(2);
        }
    };
    if let Err(message) = result {
        eprintln!("xtask {task}: {message}");
        exit(1);
    }
}

fn project_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

fn setup() -> Result<(), String> {
    run("bash", &["scripts/setup.sh"])
}

fn dist() -> Result<(), String> {
    run("trunk", &["build", "--release"])
}

fn test(root: &Path) -> Result<(), String> {
    setup()?;
    run("cargo", &["fmt", "--all", "--", "--check"])?;
    run(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    run(
        "cargo",
        &[
            "clippy",
            "-p",
            "chatout",
            "-p",
            "chatout-qr",
            "--all-targets",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    // The server's suite runs on SQLite and again on a real PostgreSQL started here.
    let postgres = output("bash", &["scripts/postgres.sh"])?;
    let postgres = [("CHATOUT_TEST_POSTGRES", postgres.trim())];
    run_with(
        "cargo",
        &["test", "--workspace", "--", "--skip", "sign_in_memory"],
        &postgres,
    )?;
    // Run alone, and shown: it prints the server's resident memory around a sign-in flood.
    run_with(
        "cargo",
        &[
            "test",
            "-p",
            "chatout-server",
            "--test",
            "api",
            "sign_in_memory",
            "--",
            "--nocapture",
        ],
        &postgres,
    )?;
    run(
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
    )?;
    dist()?;
    size_report(&root.join("dist"))?;
    // The server with the release widget inside it (built from the dist/ just made).
    let embedded = ["-p", "chatout-server", "--features", "embed-widget"];
    run(
        "cargo",
        &[
            &["clippy"],
            &embedded[..],
            &["--lib", "--test", "embedded", "--", "-D", "warnings"],
        ]
        .concat(),
    )?;
    run(
        "cargo",
        &[&["test"], &embedded[..], &["--test", "embedded"]].concat(),
    )?;
    // A test that hangs fails after two minutes instead of holding CI to its limit.
    run(
        "node",
        &[
            "--test",
            "--test-concurrency=1",
            "--test-timeout=120000",
            "e2e/",
        ],
    )
}

/// Runs a command with the project's tools first on PATH; an error names the failing step.
fn run(program: &str, args: &[&str]) -> Result<(), String> {
    run_with(program, args, &[])
}

/// A command's standard output (its errors go to the terminal).
fn output(program: &str, args: &[&str]) -> Result<String, String> {
    println!("\n$ {program} {}", args.join(" "));
    let out = Command::new(program)
        .args(args)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("could not start {program}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`{program} {}` failed ({})",
            args.join(" "),
            out.status
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}

/// [`run`] with extra environment variables.
fn run_with(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    println!("\n$ {program} {}", args.join(" "));
    let tools = std::env::current_dir()
        .map_err(|e| e.to_string())?
        .join("node_modules/.bin");
    let cargo_bin = std::env::var("HOME")
        .map(|h| format!("{h}/.cargo/bin"))
        .unwrap_or_default();
    let path = format!(
        "{}:{cargo_bin}:{}",
        tools.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = Command::new(program)
        .args(args)
        .env("PATH", path)
        .envs(env.iter().copied())
        .status()
        .map_err(|e| format!("could not start {program}: {e}"))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("`{program} {}` failed ({status})", args.join(" ")))
}

fn gzip_len(bytes: &[u8]) -> u64 {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).expect("gzip in memory");
    encoder.finish().expect("gzip in memory").len() as u64
}

/// A file's size, raw and gzip.
fn measure(path: &Path) -> Result<(u64, u64), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((bytes.len() as u64, gzip_len(&bytes)))
}

/// One line of the size report.
fn size_row(label: &str, (raw, gzip): (u64, u64)) {
    println!("{label:<26} {:>10} {:>10}", kb(raw), kb(gzip));
}

/// Prints raw and gzip sizes of each embeddable file, the total, and how it compares with the
/// budget: an over-budget total is flagged, not failed. The loader's budget is enforced.
fn size_report(dist: &Path) -> Result<(), String> {
    println!("\nSize report ({}):", dist.display());
    println!("{:<26} {:>10} {:>10}", "file", "raw", "gzip");
    let mut sizes = Vec::new();
    for name in EMBED_FILES {
        let size = measure(&dist.join(name))?;
        size_row(name, size);
        sizes.push(size);
    }
    let gzip_total: u64 = sizes.iter().map(|(_, gzip)| gzip).sum();
    let raw_total: u64 = sizes.iter().map(|(raw, _)| raw).sum();
    size_row("total a shopper downloads", (raw_total, gzip_total));
    // A shop in another language than English also fetches its table (in parallel with the
    // wasm); the largest one is what such a shopper adds at most.
    let mut tables = Vec::new();
    for entry in std::fs::read_dir(dist.join("labels")).map_err(|e| format!("labels/: {e}"))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let (raw, gzip) = measure(&path)?;
        tables.push((gzip, raw, path));
    }
    tables.sort();
    if let Some((gzip, raw, path)) = tables.last() {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        size_row(&format!("+ labels/{name} (largest)"), (*raw, *gzip));
    }
    let (mut qr_raw, mut qr_gzip) = (0, 0);
    for name in QR_FILES {
        let (raw, gzip) = measure(&dist.join(name))?;
        qr_raw += raw;
        qr_gzip += gzip;
    }
    size_row("+ QR (computers, at send)", (qr_raw, qr_gzip));
    let verdict = if gzip_total > BUDGET_GZIP_BYTES {
        "OVER BUDGET"
    } else {
        "within budget"
    };
    println!("budget: {} gzip: {verdict}", kb(BUDGET_GZIP_BYTES));
    // The loader (EMBED_FILES[0]) is all a page fetches before the shopper interacts: that
    // budget holds.
    let (_, loader) = sizes[0];
    println!(
        "before the first interaction: {} gzip (the loader; budget {})",
        kb(loader),
        kb(LOADER_BUDGET_GZIP_BYTES)
    );
    if loader > LOADER_BUDGET_GZIP_BYTES {
        return Err(format!(
            "the loader is {} gzip, over its {} budget",
            kb(loader),
            kb(LOADER_BUDGET_GZIP_BYTES)
        ));
    }
    Ok(())
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}
