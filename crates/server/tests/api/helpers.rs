use chatout_server::{Application, Settings};
use serde_json::{json, Value};
use std::time::Duration;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: chatout_server::db::Db,
    _dir: TempDir,
}

/// A directory removed when the test ends.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts the server on a fresh SQLite file with the demo catalog.
pub async fn spawn_app() -> TestApp {
    spawn_with(Duration::from_secs(3600)).await
}

pub async fn spawn_with(order_ttl: Duration) -> TestApp {
    let dir = std::env::temp_dir().join(format!("chatout-test-{}", rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let settings = Settings {
        addr: "127.0.0.1:0".into(),
        database_url: format!("sqlite://{}", dir.join("orders.db").display()),
        catalog_path: None,
        allowed_origins: vec!["https://shop.example".into()],
        order_ttl,
        admin_password: Some("correct horse".into()),
    };
    let app = Application::build(settings).await.expect("server starts");
    let base = format!("http://{}", app.address().unwrap());
    let db = app.state().db.clone();
    tokio::spawn(app.run());
    TestApp {
        base,
        client: reqwest::Client::new(),
        db,
        _dir: TempDir(dir),
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
    pub async fn post_order(&self, key: Option<&str>, body: &Value) -> (u16, Value) {
        let mut request = self
            .client
            .post(format!("{}/api/orders", self.base))
            .json(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}
