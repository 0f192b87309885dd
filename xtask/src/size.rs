//! The size report: raw and gzip sizes of what a shopper's browser fetches from dist/, against
//! issue #20's targets (flagged, not failed) and the loader's budget (enforced).

use crate::project::Project;
use crate::split::SPLIT_POINTS;
use flate2::{write::GzEncoder, Compression};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// Issue #20's targets, gzip: what opening the panel fetches (loader, glue, loaders of the split
/// modules, main wasm), and everything a checkout may fetch (QR module aside).
const PANEL_BUDGET_GZIP_BYTES: u64 = 100 * 1024;
const CHECKOUT_BUDGET_GZIP_BYTES: u64 = 150 * 1024;
/// What a page may fetch before the shopper interacts: the loader (issue #5).
const LOADER_BUDGET_GZIP_BYTES: u64 = 3 * 1024;

/// The files the first interaction fetches, in the order a browser fetches them.
const EMBED_FILES: [&str; 4] = [
    "chatout.js",
    "chatout-widget.js",
    "chatout-split.js",
    "chatout-widget_bg.wasm",
];
/// The QR code module, which only a shopper on a computer fetches, after sending an order.
const QR_FILES: [&str; 2] = ["chatout-qr.js", "chatout-qr_bg.wasm"];

/// Raw and gzip bytes.
type Size = (u64, u64);

/// Prints raw and gzip sizes of what the first interaction fetches (the panel), of each split
/// point's modules, and the totals against issue #20's targets: over a target is flagged, not
/// failed. The loader's budget is enforced.
pub fn report(project: &Project) -> Result<(), String> {
    let dist = project.dist();
    println!("\nSize report ({}):", dist.display());
    println!("{:<34} {:>10} {:>10}", "file", "raw", "gzip");
    let (panel, loader) = panel(&dist)?;
    let points = project.xtask_dir().join(SPLIT_POINTS);
    let checkout = split_points(&dist, &points, panel)?;
    largest_table(&dist)?;
    qr(&dist)?;
    verdicts(panel.1, checkout.1);
    loader_budget(loader)
}

/// The files the first interaction fetches, one row each, and their total; also the loader's
/// gzip size.
fn panel(dist: &Path) -> Result<(Size, u64), String> {
    let mut panel = (0, 0);
    let mut loader = 0;
    for name in EMBED_FILES {
        let size = measure(&dist.join(name))?;
        row(name, size);
        panel = add(panel, size);
        if name == EMBED_FILES[0] {
            loader = size.1;
        }
    }
    row("= to open the panel", panel);
    Ok((panel, loader))
}

/// Each split point's modules (a chunk two points share is fetched once), then what a checkout
/// fetches and all a shopper may fetch. Returns what a checkout fetches.
fn split_points(dist: &Path, points: &Path, panel: Size) -> Result<Size, String> {
    let points =
        std::fs::read_to_string(points).map_err(|e| format!("{}: {e}", points.display()))?;
    let mut fetched = BTreeMap::new();
    let mut checkout = panel;
    for line in points.lines() {
        let mut words = line.split_whitespace();
        let Some(point) = words.next() else { continue };
        let mut sum = (0, 0);
        for file in words {
            let size = measure(&dist.join(file))?;
            fetched.insert(file.to_string(), size);
            sum = add(sum, size);
        }
        row(&format!("+ {point} (on first use)"), sum);
        if point == "checkout" {
            checkout = add(panel, sum);
        }
    }
    let all = fetched.values().copied().fold(panel, add);
    row("= to check out", checkout);
    row("= all a shopper may fetch", all);
    Ok(checkout)
}

/// A shop in another language than English also fetches its table (in parallel with the wasm);
/// the largest one is what such a shopper adds at most.
fn largest_table(dist: &Path) -> Result<(), String> {
    let mut tables = Vec::new();
    for entry in std::fs::read_dir(dist.join("labels")).map_err(|e| format!("labels/: {e}"))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let (raw, gzip) = measure(&path)?;
        tables.push((gzip, raw, path));
    }
    tables.sort();
    if let Some((gzip, raw, path)) = tables.last() {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        row(&format!("+ labels/{name} (largest)"), (*raw, *gzip));
    }
    Ok(())
}

/// The QR module, fetched on computers when an order is sent.
fn qr(dist: &Path) -> Result<(), String> {
    let mut qr = (0, 0);
    for name in QR_FILES {
        qr = add(qr, measure(&dist.join(name))?);
    }
    row("+ QR (computers, at send)", qr);
    Ok(())
}

/// The panel's and the checkout's gzip totals against their targets.
fn verdicts(panel: u64, checkout: u64) {
    for (what, size, budget) in [
        ("to open the panel", panel, PANEL_BUDGET_GZIP_BYTES),
        ("to check out", checkout, CHECKOUT_BUDGET_GZIP_BYTES),
    ] {
        let verdict = if size > budget {
            "OVER TARGET"
        } else {
            "within target"
        };
        println!(
            "{what}: {} gzip, target {}: {verdict}",
            kb(size),
            kb(budget)
        );
    }
}

/// The loader is all a page fetches before the shopper interacts: that budget holds.
fn loader_budget(loader: u64) -> Result<(), String> {
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

fn add(a: Size, b: Size) -> Size {
    (a.0 + b.0, a.1 + b.1)
}

fn gzip_len(bytes: &[u8]) -> u64 {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).expect("gzip in memory");
    encoder.finish().expect("gzip in memory").len() as u64
}

/// A file's size, raw and gzip.
fn measure(path: &Path) -> Result<Size, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((bytes.len() as u64, gzip_len(&bytes)))
}

/// One line of the size report.
fn row(label: &str, (raw, gzip): Size) {
    println!("{label:<34} {:>10} {:>10}", kb(raw), kb(gzip));
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}
