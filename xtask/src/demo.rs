//! `cargo xtask demo`: dist/ (each step skipped when up to date), then the order server with
//! the demo store. Quiet: once the store page answers, the lines that matter come last (the
//! store, the desk, the desk's password); after them only the server's warnings and errors,
//! everything with `--verbose`.

use crate::project::Project;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// How long the server may take from its start to a store page that answers.
const START_TIMEOUT: Duration = Duration::from_secs(60);

pub fn demo(project: &Project) -> Result<(), String> {
    crate::setup(project)?;
    crate::build::dist(project)?;
    project.run(
        "server (cargo)",
        "cargo",
        &["build", "-p", "chatout-server"],
    )?;
    let server = project.target.join("debug/chatout-server");
    let mut child = project
        .command(&server.to_string_lossy(), &[], &[])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", server.display()))?;
    let lines = read_lines(&mut child)?;
    let started = startup(project, &lines)?;
    started.print();
    // After the summary: the server's warnings and errors (all of it with --verbose).
    for line in lines {
        if project.verbose || line.contains("WARN") || line.contains("ERROR") {
            println!("{line}");
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("chatout-server stopped ({status})"))
}

/// The server's standard output, a line at a time, from a thread that reads it.
fn read_lines(child: &mut Child) -> Result<Receiver<String>, String> {
    let stdout = child.stdout.take().ok_or("the server has no stdout")?;
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    Ok(receive)
}

/// What the server said while starting, and how its store page answered.
struct Started {
    address: String,
    messaging: Option<String>,
    password: Option<String>,
    store: Result<(), String>,
}

/// Reads the server's startup lines until it listens, waits for the store page to answer,
/// then takes what it printed meanwhile (the password comes right after the address).
fn startup(project: &Project, lines: &Receiver<String>) -> Result<Started, String> {
    let deadline = Instant::now() + START_TIMEOUT;
    let mut started = Started {
        address: String::new(),
        messaging: None,
        password: None,
        store: Ok(()),
    };
    while started.address.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines
            .recv_timeout(left)
            .map_err(|_| "chatout-server stopped or did not start listening".to_string())?;
        started.take(project, line);
    }
    started.store = store_page(&started.address, deadline);
    while let Ok(line) = lines.recv_timeout(Duration::from_millis(200)) {
        started.take(project, line);
    }
    Ok(started)
}

impl Started {
    /// Keeps the startup lines that matter; shows the rest with --verbose.
    fn take(&mut self, project: &Project, line: String) {
        if let Some(address) = line.strip_prefix("chatout-server listening on ") {
            self.address = address.trim().to_string();
        } else if line.starts_with("WhatsApp messaging:") {
            self.messaging = Some(line);
        } else if line.starts_with("first desk account:") {
            self.password = Some(line);
        } else if line.starts_with("order desk:") {
            // Printed again, last, with the others.
        } else if project.verbose || line.contains("WARN") || line.contains("ERROR") {
            println!("{line}");
        }
    }

    /// The lines that matter, last: messaging, then the store, the desk and its password.
    fn print(&self) {
        if let Err(problem) = &self.store {
            println!("\nthe demo store did not answer: {problem}");
        }
        println!();
        if let Some(messaging) = &self.messaging {
            println!("{messaging}");
        }
        println!("demo store: {}/", self.address);
        println!("order desk: {}/admin", self.address);
        match &self.password {
            Some(line) => println!("{line}"),
            None => println!(
                "desk sign-in: admin, with the password printed when this database was made \
                 (a new database prints a new one)"
            ),
        }
        println!("(Ctrl-C stops the server)");
    }
}

/// Asks for the store page until it answers `200`, or says how it answered last.
fn store_page(address: &str, deadline: Instant) -> Result<(), String> {
    let host = address.trim_start_matches("http://");
    loop {
        let answer = get(host, "/");
        if matches!(&answer, Ok(status) if status.contains(" 200 ")) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(match answer {
                Ok(status) => format!("http://{host}/ answered `{status}`"),
                Err(e) => format!("http://{host}/: {e}"),
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The status line of a plain HTTP/1.1 GET on loopback.
fn get(host: &str, path: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect(host).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    Ok(answer.lines().next().unwrap_or_default().to_string())
}
