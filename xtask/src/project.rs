//! The project being built: where it and its target folder are, and how its commands run
//! (quiet or shown, with the project's tools first on `PATH`).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The workspace, its cargo target folder and whether build output is shown.
pub struct Project {
    pub root: PathBuf,
    /// `CARGO_TARGET_DIR` when set (relative to the root, as cargo reads it), else `target/`.
    pub target: PathBuf,
    pub verbose: bool,
}

impl Project {
    /// The workspace this xtask belongs to, made the current folder.
    pub fn new(verbose: bool) -> Project {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let root = manifest
            .parent()
            .expect("xtask sits in the workspace")
            .to_path_buf();
        std::env::set_current_dir(&root).expect("project root");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .filter(|dir| !dir.is_empty())
            .map(|dir| root.join(dir))
            .unwrap_or_else(|| root.join("target"));
        Project {
            root,
            target,
            verbose,
        }
    }

    pub fn dist(&self) -> PathBuf {
        self.root.join("dist")
    }

    /// The folder of xtask's own records (stamps, the last quiet step's output, split points).
    pub fn xtask_dir(&self) -> PathBuf {
        self.target.join("xtask")
    }

    /// Runs a build step: one line when quiet (its output kept, and printed if it fails), all of
    /// it with `--verbose`.
    pub fn run(&self, name: &str, program: &str, args: &[&str]) -> Result<(), String> {
        self.run_with(name, program, args, &[])
    }

    /// [`Project::run`] with extra environment variables.
    pub fn run_with(
        &self,
        name: &str,
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<(), String> {
        if self.verbose {
            return self.shown_with(name, program, args, env);
        }
        let started = Instant::now();
        let log_path = self.xtask_dir().join("last-step.log");
        std::fs::create_dir_all(self.xtask_dir()).map_err(|e| e.to_string())?;
        let log = File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
        let err = log.try_clone().map_err(|e| e.to_string())?;
        let status = self
            .command(program, args, env)
            .stdout(log)
            .stderr(err)
            .status()
            .map_err(|e| format!("could not start {program}: {e}"))?;
        if status.success() {
            done(name, started);
            return Ok(());
        }
        let output = std::fs::read_to_string(&log_path).unwrap_or_default();
        eprintln!("{output}");
        Err(failed(program, args, status))
    }

    /// Runs a command with its output shown as it comes (tests, benchmarks).
    pub fn shown(&self, name: &str, program: &str, args: &[&str]) -> Result<(), String> {
        self.shown_with(name, program, args, &[])
    }

    /// [`Project::shown`] with extra environment variables.
    pub fn shown_with(
        &self,
        name: &str,
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<(), String> {
        println!("\n$ {program} {}", args.join(" "));
        let started = Instant::now();
        let status = self
            .command(program, args, env)
            .status()
            .map_err(|e| format!("could not start {program}: {e}"))?;
        if !status.success() {
            return Err(failed(program, args, status));
        }
        done(name, started);
        Ok(())
    }

    /// A command's standard output (its errors go to the terminal).
    pub fn output(&self, program: &str, args: &[&str]) -> Result<String, String> {
        let out = self
            .command(program, args, &[])
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("could not start {program}: {e}"))?;
        if !out.status.success() {
            return Err(failed(program, args, out.status));
        }
        String::from_utf8(out.stdout).map_err(|e| e.to_string())
    }

    /// A command with node_modules/.bin and ~/.cargo/bin first on `PATH`: the pinned wasm-opt
    /// (binaryen 132, not Debian's) and the wasm-bindgen that setup.sh installed.
    pub fn command(&self, program: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
        let tools = self.root.join("node_modules/.bin");
        let cargo_bin = std::env::var("HOME")
            .map(|h| format!("{h}/.cargo/bin"))
            .unwrap_or_default();
        let path = format!(
            "{}:{cargo_bin}:{}",
            tools.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut command = Command::new(program);
        // What `cargo run` set for xtask itself: ring's build script watches
        // CARGO_MANIFEST_DIR, so passing it on made every build from xtask rebuild ring, rustls,
        // reqwest and the server that a build from a shell had just made, and the other way round.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            if name == "CARGO"
                || name.starts_with("CARGO_MANIFEST_")
                || name.starts_with("CARGO_PKG_")
                || matches!(
                    name.as_ref(),
                    "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE"
                )
            {
                command.env_remove(name.as_ref());
            }
        }
        command
            .args(args)
            .current_dir(&self.root)
            .env("PATH", path)
            .envs(env.iter().copied());
        command
    }
}

/// One finished step, with how long it took.
fn done(name: &str, started: Instant) {
    println!("  {name:<32} {:>7.1} s", started.elapsed().as_secs_f64());
}

/// A step that was up to date.
pub fn skipped(name: &str) {
    println!("  {name:<32} up to date");
}

fn failed(program: &str, args: &[&str], status: std::process::ExitStatus) -> String {
    format!("`{program} {}` failed ({status})", args.join(" "))
}

/// A path as text, for a command's argument.
pub fn arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}
