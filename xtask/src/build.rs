//! `dist/`, the release build of what a shop embeds plus the demo page, made with cargo,
//! wasm-bindgen, wasm-opt and node (no Trunk: it is only for `trunk serve` while developing).
//! Every step after cargo is skipped while its inputs and outputs are as it left them.

use crate::fresh::{files_in, Stamp};
use crate::project::{arg, skipped, Project};
use crate::split;
use std::path::PathBuf;

/// Builds dist/: the demo page, the QR module, the split widget and the loader.
pub fn dist(project: &Project) -> Result<(), String> {
    let dist = project.dist();
    std::fs::create_dir_all(dist.join("labels")).map_err(|e| format!("dist/: {e}"))?;
    page(project)?;
    qr(project)?;
    split::widget(project)?;
    loader(project)
}

/// dist/index.html and its stylesheet, from index.html as Trunk would write them.
fn page(project: &Project) -> Result<(), String> {
    let root = &project.root;
    let dist = project.dist();
    let script = "scripts/build-page.mjs";
    let inputs = [
        root.join("index.html"),
        root.join("demo/store.css"),
        root.join(script),
    ];
    let outputs = [dist.join("index.html"), dist.join("store.css")];
    let stamp = Stamp::new(project, "page", &inputs, "");
    if stamp.fresh(&outputs) {
        skipped("demo page");
        return Ok(());
    }
    project.run("demo page", "node", &[script])?;
    stamp.record(&outputs)
}

/// The QR code module (crates/qr), which the widget imports on computers only: cargo, then
/// wasm-bindgen (`--target web`) and wasm-opt -Oz into dist/chatout-qr.js and _bg.wasm.
fn qr(project: &Project) -> Result<(), String> {
    project.run(
        "QR wasm (cargo)",
        "cargo",
        &[
            "build",
            "-p",
            "chatout-qr",
            "--lib",
            "--profile",
            "wasm-release",
            "--target",
            "wasm32-unknown-unknown",
        ],
    )?;
    let input = project
        .target
        .join("wasm32-unknown-unknown/wasm-release/chatout_qr.wasm");
    let dist = project.dist();
    let outputs = [dist.join("chatout-qr.js"), dist.join("chatout-qr_bg.wasm")];
    let stamp = Stamp::new(
        project,
        "qr",
        std::slice::from_ref(&input),
        "bindgen web; opt -Oz",
    );
    if stamp.fresh(&outputs) {
        skipped("QR wasm-bindgen + wasm-opt");
        return Ok(());
    }
    let bindgen = project.xtask_dir().join("qr");
    project.run(
        "QR wasm-bindgen",
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--no-typescript",
            "--out-name",
            "chatout-qr",
            "--out-dir",
            &arg(&bindgen),
            &arg(&input),
        ],
    )?;
    std::fs::copy(bindgen.join("chatout-qr.js"), &outputs[0]).map_err(|e| e.to_string())?;
    project.run(
        "QR wasm-opt",
        "wasm-opt",
        &[
            "-Oz",
            &arg(&bindgen.join("chatout-qr_bg.wasm")),
            "-o",
            &arg(&outputs[1]),
        ],
    )?;
    stamp.record(&outputs)
}

/// dist/chatout.js, the loader (scripts/build-loader.mjs), fetching the split modules' loaders
/// beside the glue, and the language tables it fetches, in dist/labels/.
fn loader(project: &Project) -> Result<(), String> {
    let root = &project.root;
    let script = "scripts/build-loader.mjs";
    let tables = files_in(&root.join("crates/core/labels"), ".json");
    let mut inputs: Vec<PathBuf> = [
        "loader/chatout.js",
        "style/launcher.css",
        "style/chat-icon.path",
        script,
    ]
    .iter()
    .map(|f| root.join(f))
    .collect();
    inputs.extend(tables.iter().cloned());
    let dist = project.dist();
    let mut outputs = vec![dist.join("chatout.js")];
    outputs.extend(
        tables
            .iter()
            .filter_map(|t| t.file_name())
            .map(|name| dist.join("labels").join(name)),
    );
    let stamp = Stamp::new(project, "loader", &inputs, split::SPLIT_LINK);
    if stamp.fresh(&outputs) {
        skipped("loader");
        return Ok(());
    }
    project.run("loader", "node", &[script, "--preload", split::SPLIT_LINK])?;
    stamp.record(&outputs)
}
