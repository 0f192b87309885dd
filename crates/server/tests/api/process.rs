//! The real `chatout-server` binary as a child process, for tests that need what only a
//! process has: its resident memory, a `kill -9`, several servers on one database.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// A running server, killed when dropped.
pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:port`.
    pub base: String,
    /// What it printed after its address (its log, at the level `RUST_LOG` asks for).
    output: Arc<Mutex<Vec<String>>>,
}

impl ServerProcess {
    /// Starts the binary on `database_url` with `env` on top of a quiet, loopback-only base.
    pub fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        // `CHATOUT_SERVER_BIN` measures another build (a release binary, an older one).
        let binary = std::env::var("CHATOUT_SERVER_BIN")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_chatout-server").to_string());
        let mut command = Command::new(binary);
        command
            .env("CHATOUT_ADDR", "127.0.0.1:0")
            .env("DATABASE_URL", database_url)
            .env("CHATOUT_ADMIN_PASSWORD", "correct horse")
            .env("CHATOUT_WIDGET_DIR", "/nonexistent")
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("chatout-server starts");
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
        let output = Arc::new(Mutex::new(Vec::new()));
        let kept = output.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        Self {
            child,
            base,
            output,
        }
    }

    /// Everything it has printed after its address.
    pub fn output(&self) -> Vec<String> {
        self.output.lock().unwrap().clone()
    }

    /// Whether it has printed a line containing `text`.
    pub fn printed(&self, text: &str) -> bool {
        self.output.lock().unwrap().iter().any(|l| l.contains(text))
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory in MiB, from /proc.
    pub fn resident_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/<pid>/status");
        kib / 1024.0
    }

    /// Stops it as a crash would (SIGKILL), and waits for it to be gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
