//! A local stand-in for the WhatsApp Cloud API's messages endpoint, on loopback.
//!
//! It speaks the documented wire format: `POST /{version}/{phone-number-id}/messages` with a
//! bearer token; it checks the body's shape, records every request with its arrival time,
//! and answers `{"messages":[{"id":"wamid.…"}]}` or a documented error body. Tests script
//! the next answers (131047, 130429, 131026, 5xx…) and the latency.

use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The token the fake accepts.
pub const TOKEN: &str = "test-token";
/// The phone number id it serves.
pub const PHONE_NUMBER_ID: &str = "1065";
/// The WhatsApp Business Account whose templates it lists.
pub const WABA_ID: &str = "2024";

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with a fresh message id.
    Accept,
    /// A Graph error body with this HTTP status and code.
    Error(u16, i64),
}

/// A request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub body: Value,
    pub at: Instant,
    /// The id it was answered with, if accepted.
    pub wamid: Option<String>,
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    script: VecDeque<Reply>,
    latency: Duration,
    bad_shapes: Vec<String>,
    next_id: u64,
}

#[derive(Clone)]
pub struct FakeCloud {
    /// `http://127.0.0.1:port/v23.0`: what `WHATSAPP_API_BASE` is set to.
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakeCloud {
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/{version}/{phone}/messages", post(messages))
            .route(
                "/{version}/{waba}/message_templates",
                get(message_templates),
            )
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/v23.0", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base, inner }
    }

    /// The next answers, in order; after them every request is accepted.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.inner.lock().unwrap().script.extend(replies);
    }

    /// How long each answer takes.
    pub fn set_latency(&self, latency: Duration) {
        self.inner.lock().unwrap().latency = latency;
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// Requests whose body broke the documented shape (tests expect none).
    pub fn bad_shapes(&self) -> Vec<String> {
        self.inner.lock().unwrap().bad_shapes.clone()
    }

    /// The most requests that arrived within any one second.
    pub fn busiest_second(&self) -> usize {
        let mut times: Vec<Instant> = self.received().iter().map(|r| r.at).collect();
        times.sort();
        (0..times.len())
            .map(|i| {
                times[i..]
                    .iter()
                    .take_while(|t| t.duration_since(times[i]) < Duration::from_secs(1))
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    /// Waits until at least `n` requests arrived; panics after 20 s.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        self.wait_for_long(n, Duration::from_secs(20)).await
    }

    /// [`FakeCloud::wait_for`] with a limit of its own.
    pub async fn wait_for_long(&self, n: usize, limit: Duration) -> Vec<Received> {
        let deadline = Instant::now() + limit;
        loop {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "expected {n} requests, got {}: {:#?}",
                received.len(),
                received.iter().map(|r| &r.body).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// What the documented body must hold; an empty list means it is well formed.
fn shape_problems(body: &Value) -> Vec<&'static str> {
    let mut problems = Vec::new();
    if body["messaging_product"] != "whatsapp" {
        problems.push("messaging_product must be whatsapp");
    }
    let to = body["to"]
        .as_str()
        .is_some_and(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()));
    let recipient = body["recipient"].as_str().is_some_and(|r| !r.is_empty());
    if !(to || recipient) {
        problems.push("to (digits) or recipient is required");
    }
    match body["type"].as_str() {
        Some("text") => {
            let text = body["text"]["body"].as_str().unwrap_or("");
            if text.is_empty() || text.chars().count() > 4096 {
                problems.push("text.body must have 1 to 4096 characters");
            }
        }
        Some("template") => {
            let template = &body["template"];
            if template["name"].as_str().is_none_or(str::is_empty) {
                problems.push("template.name is required");
            }
            if template["language"]["code"]
                .as_str()
                .is_none_or(str::is_empty)
            {
                problems.push("template.language.code is required");
            }
            for component in template["components"].as_array().into_iter().flatten() {
                for parameter in component["parameters"].as_array().into_iter().flatten() {
                    let ok = match parameter["type"].as_str() {
                        Some("text") => parameter["text"]
                            .as_str()
                            .is_some_and(|t| !t.is_empty() && !t.contains('\n')),
                        Some("payload") => {
                            component["sub_type"] == "quick_reply"
                                && parameter["payload"].as_str().is_some_and(|p| !p.is_empty())
                        }
                        Some("currency") => {
                            parameter["currency"]["amount_1000"].is_i64()
                                && parameter["currency"]["code"].is_string()
                                && parameter["currency"]["fallback_value"].is_string()
                        }
                        _ => false,
                    };
                    if !ok {
                        problems.push("a template parameter is malformed");
                    }
                }
            }
        }
        Some("interactive") => {
            let interactive = &body["interactive"];
            let text = interactive["body"]["text"].as_str().unwrap_or("");
            if interactive["type"] != "button" || text.is_empty() || text.chars().count() > 1024 {
                problems.push("interactive: type button with a body of 1 to 1024 characters");
            }
            let buttons = interactive["action"]["buttons"].as_array();
            let count = buttons.map_or(0, Vec::len);
            if !(1..=3).contains(&count) {
                problems.push("interactive.action.buttons: 1 to 3 buttons");
            }
            for button in buttons.into_iter().flatten() {
                let title = button["reply"]["title"].as_str().unwrap_or("");
                let id = button["reply"]["id"].as_str().unwrap_or("");
                if button["type"] != "reply"
                    || !(1..=20).contains(&title.chars().count())
                    || !(1..=256).contains(&id.len())
                {
                    problems.push("a reply button needs an id (≤ 256) and a title (≤ 20)");
                }
            }
        }
        _ => problems.push("type must be text, template or interactive"),
    }
    problems
}

fn graph_error(code: i64) -> Value {
    let title = match code {
        131047 => "Re-engagement message",
        130429 => "Rate limit hit",
        131026 => "Message undeliverable",
        131009 => "Parameter value is not valid",
        190 => "Access token has expired",
        _ => "Error",
    };
    json!({"error": {
        "message": format!("(#{code}) {title}"), "type": "OAuthException", "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": format!("{title} (fake)")},
        "fbtrace_id": "AFakeTrace"
    }})
}

async fn messages(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path((_version, phone)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let authorized = headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"));
    let (reply, latency, index) = {
        let mut inner = inner.lock().unwrap();
        let problems = shape_problems(&body);
        if !problems.is_empty() || phone != PHONE_NUMBER_ID {
            inner.bad_shapes.push(format!("{problems:?} in {body}"));
        }
        let reply = if !authorized {
            Reply::Error(401, 190)
        } else {
            inner.script.pop_front().unwrap_or(Reply::Accept)
        };
        inner.received.push(Received {
            body: body.clone(),
            at: Instant::now(),
            wamid: None,
        });
        (reply, inner.latency, inner.received.len() - 1)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match reply {
        Reply::Accept => {
            let mut inner = inner.lock().unwrap();
            inner.next_id += 1;
            let wamid = format!("wamid.FAKE{}", inner.next_id);
            inner.received[index].wamid = Some(wamid.clone());
            let to = body["to"].clone();
            (
                StatusCode::OK,
                Json(json!({"messaging_product": "whatsapp",
                            "contacts": [{"input": to, "wa_id": to}],
                            "messages": [{"id": wamid}]})),
            )
        }
        Reply::Error(status, code) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            Json(graph_error(code)),
        ),
    }
}

/// `GET /{version}/{waba-id}/message_templates`, as the Business Management API answers it:
/// one language per entry, in two pages (`paging.next` on the first).
async fn message_templates(
    Path((version, waba)): Path<(String, String)>,
    Query(query): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> (StatusCode, Json<Value>) {
    let authorized = headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"));
    if !authorized {
        return (StatusCode::UNAUTHORIZED, Json(graph_error(190)));
    }
    if waba != WABA_ID {
        return (StatusCode::BAD_REQUEST, Json(graph_error(100)));
    }
    let body = |text: &str| json!({"type": "BODY", "text": text});
    if query.get("after").map(String::as_str) == Some("page2") {
        return (
            StatusCode::OK,
            Json(json!({"data": [
            {"name": "flash_sale", "language": "nl", "status": "APPROVED", "category": "MARKETING",
             "parameter_format": "POSITIONAL",
             "components": [body("Flitsverkoop: {{1}}"), {"type": "FOOTER", "text": "Antwoord STOP om af te melden"}],
             "id": "4"},
            {"name": "no_stop_line", "language": "en", "status": "APPROVED", "category": "MARKETING",
             "components": [body("Buy {{1}} now")], "id": "5"}
        ], "paging": {"cursors": {"before": "b", "after": "end"}}})),
        );
    }
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (
        StatusCode::OK,
        Json(json!({"data": [
        {"name": "flash_sale", "language": "en", "status": "APPROVED", "category": "MARKETING",
         "parameter_format": "POSITIONAL",
         "components": [body("Flash sale: {{1}}"), {"type": "FOOTER", "text": "Reply STOP to unsubscribe"},
                        {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Stop promotions"}]}],
         "id": "1"},
        {"name": "order_receipt", "language": "en", "status": "APPROVED", "category": "UTILITY",
         "components": [body("Receipt {{1}}")], "id": "2"},
        {"name": "waiting_review", "language": "en", "status": "PENDING", "category": "MARKETING",
         "components": [body("Soon {{1}}. Reply STOP to unsubscribe")], "id": "3"}
    ], "paging": {"cursors": {"before": "a", "after": "page2"},
                  "next": format!("http://{host}/{version}/{WABA_ID}/message_templates?after=page2")}})),
    )
}
