//! The widget built with its split points (feature `split`; the points sit beside the code they load, `split_point!` in src/split.rs) and split like
//! cargo-leptos does: linked with relocations, cut into a main module and one module per split
//! point (plus chunks they share) *before* wasm-bindgen, then wasm-bindgen on the main module
//! and wasm-opt on every module. Writes dist/chatout-widget.js and _bg.wasm (the main module),
//! dist/chatout-split.js (the loaders) and dist/chatout-<name>.wasm.

use crate::fresh::Stamp;
use crate::project::{arg, skipped, Project};
use std::path::{Path, PathBuf};

/// The module the wasm imports its loaders from, beside the glue.
pub const SPLIT_LINK: &str = "chatout-split.js";
/// Which modules each split point fetches (in xtask's folder), for the size report:
/// `checkout chatout-chunk-4.wasm chatout-checkout.wasm` per line.
pub const SPLIT_POINTS: &str = "split-points.txt";
/// The linked widget, with relocations, in the shared target folder.
const LINKED: &str = "wasm32-unknown-unknown/wasm-release/chatout-widget.wasm";

/// Builds the split widget into dist/, skipping the split when the linked wasm is unchanged.
pub fn widget(project: &Project) -> Result<(), String> {
    link(project)?;
    let input = project.target.join(LINKED);
    let minify = project.root.join("scripts/minify-module.mjs");
    // This file's text is part of the key: a change to how the split runs reruns it.
    let stamp = Stamp::new(
        project,
        "split",
        &[input.clone(), minify],
        include_str!("split.rs"),
    );
    if stamp.fresh(&outputs(project)) {
        skipped("widget split + wasm-opt");
        return Ok(());
    }
    let started = std::time::Instant::now();
    let wasm = std::fs::read(&input).map_err(|e| format!("{}: {e}", input.display()))?;
    no_serde(&wasm)?;
    let pieces = project.xtask_dir().join("split");
    let split = cut(&wasm, &pieces)?;
    bindgen(project, &pieces)?;
    let modules = place(project, &pieces, &split.split_modules)?;
    optimise(project, &modules)?;
    minify_glue(project)?;
    write_points(project, split.prefetch_map)?;
    stamp.record(&outputs(project))?;
    println!(
        "  {:<32} {:>7.1} s",
        "widget split (total)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// cargo links the widget with relocations, which the splitter reads. The flag goes to the
/// final crate only (`cargo rustc … -- -C …`, not `RUSTFLAGS`), so the dependencies are the
/// ones every other wasm-release build of the shared target folder uses.
fn link(project: &Project) -> Result<(), String> {
    project.run(
        "widget wasm (cargo, split)",
        "cargo",
        &[
            "rustc",
            "-p",
            "chatout",
            "--bin",
            "chatout-widget",
            "--profile",
            "wasm-release",
            "--target",
            "wasm32-unknown-unknown",
            "--features",
            "split",
            "--",
            "-C",
            "link-args=--emit-relocs",
        ],
    )
}

/// What the split writes: the glue, the main module, the loaders, the list of split points
/// and the modules that list names (none known before a first split).
fn outputs(project: &Project) -> Vec<PathBuf> {
    let dist = project.dist();
    let points_file = project.xtask_dir().join(SPLIT_POINTS);
    let mut outputs = vec![
        dist.join("chatout-widget.js"),
        dist.join("chatout-widget_bg.wasm"),
        dist.join(SPLIT_LINK),
        points_file.clone(),
    ];
    let points = std::fs::read_to_string(&points_file).unwrap_or_default();
    let mut modules: Vec<&str> = points
        .split_whitespace()
        .filter(|w| w.ends_with(".wasm"))
        .collect();
    modules.sort();
    modules.dedup();
    outputs.extend(modules.into_iter().map(|m| dist.join(m)));
    outputs
}

/// The splitter (as a library): the main module and the split modules into `pieces`.
fn cut(wasm: &[u8], pieces: &Path) -> Result<wasm_split_cli_support::SplitWasm, String> {
    let _ = std::fs::remove_dir_all(pieces);
    let main = pieces.join("main.wasm");
    wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(wasm);
        options.output_dir = pieces;
        options.main_out_path = &main;
        options.link_name = "./chatout-split.js";
        options.main_module = "./chatout-widget.js";
        options
    })
    .map_err(|e| format!("splitting the wasm: {e:#}"))
}

/// wasm-bindgen on the main module, into `pieces/bindgen`.
fn bindgen(project: &Project, pieces: &Path) -> Result<(), String> {
    project.run(
        "widget wasm-bindgen",
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--keep-lld-exports",
            "--no-demangle",
            "--out-name",
            "chatout-widget",
            "--out-dir",
            &arg(&pieces.join("bindgen")),
            &arg(&pieces.join("main.wasm")),
        ],
    )
}

/// Removes an earlier split's modules from dist/, writes the loaders with the modules' dist/
/// names, and returns each module with where its optimised copy goes.
fn place(
    project: &Project,
    pieces: &Path,
    split_modules: &[PathBuf],
) -> Result<Vec<(PathBuf, PathBuf)>, String> {
    let dist = project.dist();
    for entry in std::fs::read_dir(&dist).map_err(|e| format!("dist/: {e}"))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if is_split_module(&path) {
            std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    let mut link = std::fs::read_to_string(pieces.join(SPLIT_LINK)).map_err(|e| e.to_string())?;
    let mut modules = vec![(
        pieces.join("bindgen/chatout-widget_bg.wasm"),
        dist.join("chatout-widget_bg.wasm"),
    )];
    for module in split_modules {
        let stem = module
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = dist_name(&stem);
        let quoted = format!("\"./{stem}.wasm\"");
        if !link.contains(&quoted) {
            return Err(format!("{SPLIT_LINK} does not load {stem}.wasm"));
        }
        link = link.replace(&quoted, &format!("\"./{name}\""));
        modules.push((module.clone(), dist.join(name)));
    }
    std::fs::write(dist.join(SPLIT_LINK), link).map_err(|e| e.to_string())?;
    std::fs::copy(
        pieces.join("bindgen/chatout-widget.js"),
        dist.join("chatout-widget.js"),
    )
    .map_err(|e| e.to_string())?;
    Ok(modules)
}

/// wasm-opt -Oz on every module, each to its place in dist/.
fn optimise(project: &Project, modules: &[(PathBuf, PathBuf)]) -> Result<(), String> {
    for (from, to) in modules {
        let name = to.file_name().unwrap_or_default().to_string_lossy();
        project.run(
            &format!("wasm-opt {name}"),
            "wasm-opt",
            &[
                "-Oz",
                "--enable-reference-types",
                "--strip-debug",
                "--strip-producers",
                &arg(from),
                "-o",
                &arg(to),
            ],
        )?;
    }
    Ok(())
}

/// terser on the glue and the loaders of the split modules.
fn minify_glue(project: &Project) -> Result<(), String> {
    let dist = project.dist();
    project.run(
        "minify glue",
        "node",
        &[
            "scripts/minify-module.mjs",
            &arg(&dist.join("chatout-widget.js")),
            &arg(&dist.join(SPLIT_LINK)),
        ],
    )
}

/// Which modules each split point fetches, one point a line, for the size report.
fn write_points(
    project: &Project,
    prefetch_map: impl IntoIterator<Item = (String, Vec<String>)>,
) -> Result<(), String> {
    let mut points: Vec<String> = prefetch_map
        .into_iter()
        .map(|(point, files)| {
            let files: Vec<String> = files.iter().map(|f| dist_name(f)).collect();
            format!("{point} {}", files.join(" "))
        })
        .collect();
    points.sort();
    let file = project.xtask_dir().join(SPLIT_POINTS);
    std::fs::write(&file, points.join("\n") + "\n").map_err(|e| format!("{}: {e}", file.display()))
}

/// The widget reads and writes JSON through the browser (src/json.rs): serde, and the float
/// formatting only its error messages reach, must not come back into the wasm unnoticed. The
/// linked wasm still has its function names, so a look for theirs tells.
fn no_serde(wasm: &[u8]) -> Result<(), String> {
    for name in [
        "serde_core",
        "serde_json",
        "serde_wasm_bindgen",
        "float_to_decimal",
    ] {
        if wasm.windows(name.len()).any(|w| w == name.as_bytes()) {
            return Err(format!(
                "the widget's wasm links {name}: JSON goes through src/json.rs, and no float is formatted"
            ));
        }
    }
    Ok(())
}

/// The name in dist/ of a module the splitter wrote: split_checkout → chatout-checkout.wasm,
/// chunk_0 → chatout-chunk-0.wasm, names a shop's static folder will not confuse with its own.
fn dist_name(stem: &str) -> String {
    format!(
        "chatout-{}.wasm",
        stem.trim_start_matches("split_").replace('_', "-")
    )
}

/// A module the split wrote into dist/ ([`dist_name`]), not the main module or the QR code's.
fn is_split_module(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.strip_prefix("chatout-")
        .and_then(|n| n.strip_suffix(".wasm"))
        .is_some_and(|stem| !stem.ends_with("_bg"))
}
