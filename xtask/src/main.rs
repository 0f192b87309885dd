//! `cargo xtask <command> [-v|--verbose]`: the project's build, demo and test orchestration.
//!
//! - `setup`      install what is missing (scripts/setup.sh)
//! - `demo`       build the widget, then run the order server with the demo store
//!   at http://127.0.0.1:8080 (endpoint mode, SQLite, desk at /admin)
//! - `test`       every check CI runs: fmt, clippy, native, browser and end-to-end tests, size
//!   report, then how long each step took
//! - `dist`       release build of the embeddable files and the demo page into dist/
//! - `npm`        dist/, then the npm package (scripts/npm-package.mjs)
//! - `size`       release build, then the size report
//! - `bench`      criterion benchmarks of crates/core and the server
//! - `impact`     dist/, then the host-page impact measurement (bench/host-impact.mjs)
//! - `screenshot` docs/screenshot.png from the built demo in headless Chromium
//!
//! Build steps show one line each and keep their output to themselves unless they fail or
//! `--verbose` is given; `test` always shows everything (CI's log is where failures are read).

mod build;
mod demo;
mod fresh;
mod project;
mod size;
mod split;
mod test;

use project::Project;
use std::process::exit;

const USAGE: &str =
    "usage: cargo xtask <setup|demo|test|dist|npm|size|bench|impact|screenshot> [-v|--verbose]";

fn main() {
    let mut task = None;
    let mut verbose = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "-v" | "--verbose" => verbose = true,
            _ if task.is_none() => task = Some(arg),
            _ => usage(),
        }
    }
    let task = task.unwrap_or_default();
    let project = Project::new(verbose);
    let result = match task.as_str() {
        "setup" => setup(&project),
        "demo" => demo::demo(&project),
        "dist" => setup(&project).and_then(|_| build::dist(&project)),
        "npm" => setup(&project)
            .and_then(|_| build::dist(&project))
            .and_then(|_| project.run("npm package", "node", &["scripts/npm-package.mjs"])),
        "size" => setup(&project)
            .and_then(|_| build::dist(&project))
            .and_then(|_| size::report(&project)),
        "bench" => bench(&project),
        "impact" => setup(&project)
            .and_then(|_| build::dist(&project))
            .and_then(|_| project.shown("host impact", "node", &["bench/host-impact.mjs"])),
        "screenshot" => setup(&project)
            .and_then(|_| build::dist(&project))
            .and_then(|_| project.shown("screenshot", "node", &["e2e/screenshot.mjs"])),
        "test" => test::test(&project),
        _ => usage(),
    };
    if let Err(message) = result {
        eprintln!("xtask {task}: {message}");
        exit(1);
    }
}

fn usage() -> ! {
    eprintln!("{USAGE}");
    exit(2);
}

/// scripts/setup.sh: installs what is missing, silent when nothing is.
fn setup(project: &Project) -> Result<(), String> {
    project.run("setup", "bash", &["scripts/setup.sh"])
}

fn bench(project: &Project) -> Result<(), String> {
    project.shown(
        "core benchmarks",
        "cargo",
        &["bench", "-p", "chatout-core", "--bench", "summary"],
    )?;
    project.shown(
        "server benchmarks",
        "cargo",
        &["bench", "-p", "chatout-server", "--bench", "messaging"],
    )
}
