use chatout_server::{Application, Settings};
use serde_json::{json, Value};
use std::time::Duration;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: chatout_server::db::Db,
    settings: Settings,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _cleanup: Cleanup,
}

/// Which database a test runs against.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    /// A fresh SQLite file in a temporary directory.
    Sqlite,
    /// A fresh database on the PostgreSQL server named by `CHATOUT_TEST_POSTGRES`.
    Postgres,
}

/// The PostgreSQL URL `cargo xtask test` exports (scripts/postgres.sh starts the server).
/// Unset outside CI skips the PostgreSQL half with a note; unset in CI fails the test.
pub fn postgres_url() -> Option<String> {
    match std::env::var("CHATOUT_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CHATOUT_TEST_POSTGRES is unset in CI: run the suite with `cargo xtask test`")
        }
        _ => {
            eprintln!(
                "skipped: CHATOUT_TEST_POSTGRES is unset (`cargo xtask test` sets it; or run \
                 `export CHATOUT_TEST_POSTGRES=$(bash scripts/postgres.sh)`)"
            );
            None
        }
    }
}

/// Starts the server on a fresh database with the demo catalog.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_with(backend, |_| {}).await
}

/// A fresh database for `backend`: its URL, and what removes it when dropped.
pub async fn fresh_database(backend: Backend) -> (String, Cleanup) {
    let suffix = rand_suffix();
    let dir = std::env::temp_dir().join(format!("chatout-test-{suffix}"));
    std::fs::create_dir_all(&dir).unwrap();
    match backend {
        Backend::Sqlite => (
            format!("sqlite://{}", dir.join("orders.db").display()),
            Cleanup::Dir(dir),
        ),
        Backend::Postgres => {
            let admin = postgres_url().expect("the caller checked postgres_url()");
            let name = format!("chatout_test_{}", suffix.replace('-', "_"));
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
                .await
                .expect("PostgreSQL reachable at CHATOUT_TEST_POSTGRES");
            sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("test database created");
            let (base, _) = admin.rsplit_once('/').expect("URL has a database");
            (
                format!("{base}/{name}"),
                Cleanup::Database { admin, name, dir },
            )
        }
    }
}

/// [`spawn_app`] with settings changed by `adjust` first.
pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let (database_url, cleanup) = fresh_database(backend).await;
    let mut settings = Settings::from_lookup(|_| None).expect("the defaults are valid");
    settings.addr = "127.0.0.1:0".into();
    settings.database_url = database_url;
    settings.allowed_origins = vec!["https://shop.example".into()];
    settings.order_ttl = Duration::from_secs(3600);
    settings.admin_password = Some("correct horse".into());
    // Tests send bursts from one address; the limits have tests of their own.
    settings.rate_limit = 0;
    settings.hold_limit = 0;
    settings.max_connections_per_client = 1024;
    adjust(&mut settings);
    let (base, db, task) = start(settings.clone()).await;
    TestApp {
        base,
        client: reqwest::Client::new(),
        db,
        settings,
        task,
        _cleanup: cleanup,
    }
}

async fn start(
    settings: Settings,
) -> (
    String,
    chatout_server::db::Db,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let app = Application::build(settings).await.expect("server starts");
    let base = format!("http://{}", app.address().unwrap());
    let db = app.state().db.clone();
    (base, db, tokio::spawn(app.run()))
}

impl TestApp {
    /// Stops the server as a crash would (its tasks end wherever they are, requests in flight
    /// are dropped) and starts a new one on the same database.
    pub async fn restart(&mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
        let (base, db, task) = start(self.settings.clone()).await;
        (self.base, self.db, self.task) = (base, db, task);
    }
}

/// What a test leaves behind, removed when it ends.
pub enum Cleanup {
    Dir(std::path::PathBuf),
    Database {
        admin: String,
        name: String,
        dir: std::path::PathBuf,
    },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        match self {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Database { admin, name, dir } => {
                let _ = std::fs::remove_dir_all(dir);
                let (admin, name) = (admin.clone(), name.clone());
                // The test's runtime is ending; drop the database from a runtime of our own.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    runtime.block_on(async {
                        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
                            .await
                            .ok()?;
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        sqlx::Executor::execute(&mut conn, sql.as_str()).await.ok()
                    })
                })
                .join();
            }
        }
    }
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

/// A valid order for the demo catalog: 2 linen shirts and 3 tea samples.
pub fn order_body() -> Value {
    json!({
        "reference": "K7F3-9Q2M", "currency": "EUR", "locale": "nl-NL",
        "items": [
            {"sku": "shirt-linen", "name": "Linen shirt", "options": {"Size": "M", "Colour": "Sand"},
             "unit_price": 2990, "quantity": 2},
            {"sku": "tea-sample", "name": "Tea sample", "options": {}, "unit_price": 10, "quantity": 3}
        ],
        "subtotal": 6010,
        "customer": {"name": "Anna de Vries", "phone": "+31612345678", "email": null},
        "delivery": {"method": "shipping", "address": "Keizersgracht 1, 1015 Amsterdam"},
        "payment": "bank_transfer", "note": "Gift wrap, please",
        "consent": {"whatsapp_updates": true, "text": "Send me order updates on WhatsApp",
                    "at": "2026-11-21T10:00:00Z"},
        "page": "https://shop.example/products/linen-shirt"
    })
}

impl TestApp {
    /// The `/metrics` text.
    pub async fn metrics(&self) -> String {
        let response = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await;
        response.unwrap().text().await.unwrap()
    }

    /// The row id of the contact with this phone (`wa_id`).
    pub async fn contact_id(&self, wa_id: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM contacts WHERE wa_id = $1")
            .bind(wa_id)
            .fetch_one(&self.db.read)
            .await
            .unwrap()
    }

    pub async fn post_order(&self, key: Option<&str>, body: &Value) -> (u16, Value) {
        self.post_order_with(&self.client, key, body).await
    }

    /// [`TestApp::post_order`] through `client` (one from [`client_from`], say).
    pub async fn post_order_with(
        &self,
        client: &reqwest::Client,
        key: Option<&str>,
        body: &Value,
    ) -> (u16, Value) {
        let mut request = client.post(format!("{}/api/orders", self.base)).json(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// A browser without JavaScript: no redirects followed, cookies kept by hand.
pub struct Browser<'a> {
    app: &'a TestApp,
    pub client: reqwest::Client,
    cookies: Vec<(String, String)>,
}

/// A client whose requests come from `ip` (any 127.x address is this machine's loopback), so
/// a test can be several shoppers or staff members.
pub fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<std::net::IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self::from(app, "127.0.0.1")
    }

    /// A browser on another loopback address.
    pub fn from(app: &'a TestApp, ip: &str) -> Self {
        let client = client_from(ip);
        Self {
            app,
            client,
            cookies: Vec::new(),
        }
    }

    fn keep_cookies(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            if !value.is_empty() {
                self.cookies.push((name.into(), value.into()));
            }
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Status, `Location` and body of a response, keeping the cookies it sets.
    async fn read(&mut self, response: reqwest::Response) -> (u16, String, String) {
        self.keep_cookies(&response);
        let status = response.status().as_u16();
        let location = header(&response, "location");
        (status, location, response.text().await.unwrap())
    }

    pub async fn get(&mut self, path: &str) -> (u16, String, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.app.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (u16, String, String) {
        let response = self
            .client
            .post(format!("{}{path}", self.app.base))
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    /// Signs in as admin; returns the session's CSRF token.
    pub async fn sign_in(&mut self) -> String {
        self.sign_in_as("admin", "correct horse").await
    }

    /// Signs in with an account; returns the session's CSRF token.
    pub async fn sign_in_as(&mut self, username: &str, password: &str) -> String {
        let (_, _, page) = self.get("/admin/login").await;
        let csrf = csrf_of(&page);
        let form = [
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", password),
        ];
        let (status, location, _) = self.post("/admin/login", &form).await;
        assert_eq!((status, location.as_str()), (303, "/admin"));
        let (status, _, page) = self.get("/admin").await;
        assert_eq!(status, 200);
        csrf_of(&page)
    }
}

pub fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

pub fn csrf_of(page: &str) -> String {
    let start = page.find(r#"name="csrf" value=""#).expect("a CSRF field") + 19;
    page[start..].split('"').next().unwrap().to_string()
}
