//! Freshness of the build steps cargo does not track (wasm-bindgen, the split, wasm-opt, the
//! loader and the demo page): a stamp file per step holds the hash of its inputs and of the
//! outputs it wrote, and the step is skipped while both still hash the same.
//!
//! Hashes are of contents, not times: a relink that writes the same wasm is still fresh.
//! `DefaultHasher` is stable within one toolchain; a new one may rerun each step once.

use crate::project::Project;
use std::collections::hash_map::DefaultHasher;
use std::hash::Hasher;
use std::path::{Path, PathBuf};

/// A step's inputs, hashed; [`Stamp::fresh`] compares them and the outputs with the last run.
pub struct Stamp {
    file: PathBuf,
    inputs: u64,
}

impl Stamp {
    /// The stamp of `step` over `inputs` (files; a missing one hashes as missing) and `key`
    /// (anything else the output depends on: arguments, the step's own code).
    pub fn new(project: &Project, step: &str, inputs: &[PathBuf], key: &str) -> Stamp {
        let mut hasher = DefaultHasher::new();
        hasher.write(key.as_bytes());
        for input in inputs {
            hash_file(&mut hasher, input);
        }
        Stamp {
            file: project.xtask_dir().join("stamps").join(step),
            inputs: hasher.finish(),
        }
    }

    /// Whether the last run had these inputs and its outputs are still as it left them.
    pub fn fresh(&self, outputs: &[PathBuf]) -> bool {
        let Ok(recorded) = std::fs::read_to_string(&self.file) else {
            return false;
        };
        recorded.trim() == self.line(outputs)
    }

    /// Records a successful run that wrote `outputs`.
    pub fn record(&self, outputs: &[PathBuf]) -> Result<(), String> {
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&self.file, self.line(outputs) + "\n")
            .map_err(|e| format!("{}: {e}", self.file.display()))
    }

    fn line(&self, outputs: &[PathBuf]) -> String {
        let mut hasher = DefaultHasher::new();
        for output in outputs {
            hash_file(&mut hasher, output);
        }
        format!("{:016x} {:016x}", self.inputs, hasher.finish())
    }
}

/// A file's name and contents into the hash ("missing" when it cannot be read).
fn hash_file(hasher: &mut DefaultHasher, path: &Path) {
    hasher.write(path.to_string_lossy().as_bytes());
    match std::fs::read(path) {
        Ok(bytes) => {
            hasher.write_u8(1);
            hasher.write(&bytes);
        }
        Err(_) => hasher.write_u8(0),
    }
}

/// The files directly inside `dir` whose names end with `suffix`, sorted.
pub fn files_in(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.to_string_lossy().ends_with(suffix))
        .collect();
    files.sort();
    files
}
