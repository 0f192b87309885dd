//! Local stand-ins for Mollie's Payments API v2 and Stripe Checkout, on loopback, speaking
//! their documented wire formats: Mollie's JSON amounts as strings with the currency's
//! decimals and `_links.checkout`; Stripe's form-encoded requests and Checkout Session
//! objects. Each checks the requests' shape and key, keeps the payments it made, and lets a
//! test "pay" one, change its status, or take the provider down.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const MOLLIE_KEY: &str = "test_mollie_key";
pub const STRIPE_KEY: &str = "sk_test_stripe";
pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_test_secret";

#[derive(Default)]
struct Inner {
    mollie: HashMap<String, Value>,
    stripe: HashMap<String, Value>,
    refunds: Vec<Value>,
    cancelled: Vec<String>,
    bad: Vec<String>,
    down: bool,
    next: u64,
    /// Every POST's path and the headers both providers' libraries send with it.
    posts: Vec<Post>,
    /// `GET /v2/payments/{id}` calls: each one spends the shop's Mollie quota.
    mollie_gets: usize,
}

/// A POST the server made, as far as idempotency and versions go.
#[derive(Debug, Clone)]
pub struct Post {
    pub path: String,
    pub idempotency_key: Option<String>,
    pub stripe_version: Option<String>,
    /// Mollie's `locale`, Stripe's `locale`, when sent.
    pub locale: Option<String>,
}

fn post_of(path: String, headers: &HeaderMap, locale: Option<String>) -> Post {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    Post {
        path,
        idempotency_key: header("idempotency-key"),
        stripe_version: header("stripe-version"),
        locale,
    }
}

#[derive(Clone)]
pub struct FakePay {
    /// `http://127.0.0.1:port`: `MOLLIE_API_BASE` is `{base}/v2`, `STRIPE_API_BASE` `{base}/v1`.
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakePay {
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/v2/payments", post(mollie_create))
            .route("/v2/payments/{id}", get(mollie_get).delete(mollie_cancel))
            .route("/v2/payments/{id}/refunds", post(mollie_refund))
            .route("/v1/checkout/sessions", post(stripe_create))
            .route("/v1/checkout/sessions/{id}/expire", post(stripe_expire))
            .route("/v1/refunds", post(stripe_refund))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base, inner }
    }

    /// Every Mollie payment made, by id.
    pub fn mollie(&self, id: &str) -> Value {
        self.inner.lock().unwrap().mollie[id].clone()
    }

    /// The Mollie payments made, oldest first.
    pub fn mollie_ids(&self) -> Vec<String> {
        let inner = self.inner.lock().unwrap();
        let mut ids: Vec<String> = inner.mollie.keys().cloned().collect();
        ids.sort_by_key(|id| id[3..].parse::<u64>().unwrap_or(0));
        ids
    }

    /// Sets what Mollie says of payment `id` (`paid`, `failed`…), and optionally its value.
    pub fn set_mollie(&self, id: &str, status: &str, value: Option<&str>) {
        let mut inner = self.inner.lock().unwrap();
        let payment = inner.mollie.get_mut(id).unwrap();
        payment["status"] = json!(status);
        if let Some(value) = value {
            payment["amount"]["value"] = json!(value);
        }
    }

    /// A Stripe session made, by id.
    pub fn stripe(&self, id: &str) -> Value {
        self.inner.lock().unwrap().stripe[id].clone()
    }

    /// The Stripe sessions made, oldest first.
    pub fn stripe_ids(&self) -> Vec<String> {
        let inner = self.inner.lock().unwrap();
        let mut ids: Vec<String> = inner.stripe.keys().cloned().collect();
        ids.sort_by_key(|id| id[3..].parse::<u64>().unwrap_or(0));
        ids
    }

    /// The customer pays session `id`: it is complete and paid, with a payment intent.
    pub fn pay_stripe(&self, id: &str) -> Value {
        let mut inner = self.inner.lock().unwrap();
        let session = inner.stripe.get_mut(id).unwrap();
        session["status"] = json!("complete");
        session["payment_status"] = json!("paid");
        session["payment_intent"] = json!(format!("pi_{id}"));
        session.clone()
    }

    /// Refunds asked for.
    pub fn refunds(&self) -> Vec<Value> {
        self.inner.lock().unwrap().refunds.clone()
    }

    /// Payments cancelled or sessions expired by the server.
    pub fn cancelled(&self) -> Vec<String> {
        self.inner.lock().unwrap().cancelled.clone()
    }

    /// Requests that broke the documented shape (tests expect none).
    pub fn bad(&self) -> Vec<String> {
        self.inner.lock().unwrap().bad.clone()
    }

    /// The POSTs made, oldest first.
    pub fn posts(&self) -> Vec<Post> {
        self.inner.lock().unwrap().posts.clone()
    }

    /// How many times Mollie was asked about a payment.
    pub fn mollie_gets(&self) -> usize {
        self.inner.lock().unwrap().mollie_gets
    }

    /// Money goes back on Mollie payment `id` in Mollie's dashboard: `refunded` and
    /// `charged_back` in all, as Mollie's payment object then says (`amountRefunded`,
    /// `amountRemaining`, `amountChargedBack`; absent while nothing went back that way).
    pub fn mollie_money_back(&self, id: &str, refunded: Option<&str>, charged_back: Option<&str>) {
        let mut inner = self.inner.lock().unwrap();
        let payment = inner.mollie.get_mut(id).unwrap();
        let currency = payment["amount"]["currency"].clone();
        if let Some(value) = refunded {
            payment["amountRefunded"] = json!({"currency": currency, "value": value});
        }
        if let Some(value) = charged_back {
            payment["amountChargedBack"] = json!({"currency": currency, "value": value});
        }
    }

    /// Every request answers `503` while down.
    pub fn set_down(&self, down: bool) {
        self.inner.lock().unwrap().down = down;
    }
}

fn authorized(headers: &HeaderMap, key: &str) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {key}"))
}

/// A Mollie amount value: digits, and exactly the currency's decimals.
fn mollie_value_ok(currency: &str, value: &str) -> bool {
    let decimals = match currency {
        "JPY" | "ISK" => 0,
        "KWD" | "BHD" => 3,
        _ => 2,
    };
    match value.split_once('.') {
        None => decimals == 0 && !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()),
        Some((whole, fraction)) => {
            decimals > 0
                && !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && fraction.len() == decimals
                && fraction.bytes().all(|b| b.is_ascii_digit())
        }
    }
}

fn unavailable() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, "down for the test").into_response()
}

async fn mollie_create(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut inner = inner.lock().unwrap();
    let locale = body["locale"].as_str().map(str::to_string);
    inner
        .posts
        .push(post_of("/v2/payments".into(), &headers, locale));
    if inner.down {
        return unavailable();
    }
    if !authorized(&headers, MOLLIE_KEY) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"status": 401, "title": "Unauthorized Request", "detail": "Missing authentication"}))).into_response();
    }
    let currency = body["amount"]["currency"].as_str().unwrap_or("");
    let value = body["amount"]["value"].as_str().unwrap_or("");
    let ok = mollie_value_ok(currency, value)
        && body["description"].as_str().is_some_and(|d| !d.is_empty())
        && body["redirectUrl"]
            .as_str()
            .is_some_and(|u| u.starts_with("http"))
        && body["webhookUrl"]
            .as_str()
            .is_some_and(|u| u.ends_with("/webhooks/mollie"))
        && body["metadata"]["reference"].is_string();
    if !ok {
        inner.bad.push(format!("mollie create: {body}"));
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"status": 422, "title": "Unprocessable Entity", "detail": "The amount is invalid"}))).into_response();
    }
    inner.next += 1;
    let id = format!("tr_{}", inner.next);
    let payment = json!({
        "resource": "payment", "id": id, "mode": "test", "status": "open",
        "amount": body["amount"], "description": body["description"],
        "redirectUrl": body["redirectUrl"], "webhookUrl": body["webhookUrl"],
        "metadata": body["metadata"], "isCancelable": true,
        "_links": {"checkout": {"href": format!("https://www.mollie.com/checkout/select-method/{id}"), "type": "text/html"}}
    });
    inner.mollie.insert(id, payment.clone());
    (StatusCode::CREATED, Json(payment)).into_response()
}

fn mollie_not_found(id: &str) -> Response {
    (StatusCode::NOT_FOUND, Json(json!({"status": 404, "title": "Not Found", "detail": format!("No payment exists with token {id}.")}))).into_response()
}

async fn mollie_get(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let mut inner = inner.lock().unwrap();
    inner.mollie_gets += 1;
    if inner.down {
        return unavailable();
    }
    if !authorized(&headers, MOLLIE_KEY) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    match inner.mollie.get(&id) {
        Some(payment) => {
            let mut payment = payment.clone();
            if payment["status"] != "open" {
                payment["_links"]["checkout"] = Value::Null;
            }
            Json(payment).into_response()
        }
        None => mollie_not_found(&id),
    }
}

async fn mollie_cancel(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let mut inner = inner.lock().unwrap();
    if !authorized(&headers, MOLLIE_KEY) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Some(payment) = inner.mollie.get_mut(&id) else {
        return mollie_not_found(&id);
    };
    if payment["status"] != "open" {
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"status": 422, "title": "Unprocessable Entity", "detail": "The payment cannot be canceled"}))).into_response();
    }
    payment["status"] = json!("canceled");
    let payment = payment.clone();
    inner.cancelled.push(id);
    Json(payment).into_response()
}

async fn mollie_refund(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    let mut inner = inner.lock().unwrap();
    inner.posts.push(post_of(
        format!("/v2/payments/{id}/refunds"),
        &headers,
        None,
    ));
    if inner.down {
        return unavailable();
    }
    if !authorized(&headers, MOLLIE_KEY) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if inner.mollie.get(&id).map(|p| p["status"] == "paid") != Some(true) {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"status": 422, "detail": "The payment is not paid"})),
        )
            .into_response();
    }
    inner.next += 1;
    let refund = json!({"resource": "refund", "id": format!("re_{}", inner.next), "status": "pending",
                        "amount": body["amount"], "paymentId": id});
    inner.refunds.push(refund.clone());
    (StatusCode::CREATED, Json(refund)).into_response()
}

async fn stripe_create(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let mut inner = inner.lock().unwrap();
    let locale = form
        .iter()
        .find(|(k, _)| k == "locale")
        .map(|(_, v)| v.clone());
    inner
        .posts
        .push(post_of("/v1/checkout/sessions".into(), &headers, locale));
    if inner.down {
        return unavailable();
    }
    if !authorized(&headers, STRIPE_KEY) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}))).into_response();
    }
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let amount =
        field("line_items[0][price_data][unit_amount]").and_then(|a| a.parse::<i64>().ok());
    let currency = field("line_items[0][price_data][currency]");
    let ok = field("mode").as_deref() == Some("payment")
        && amount.is_some_and(|a| a > 0)
        && currency
            .as_ref()
            .is_some_and(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_lowercase()))
        && field("line_items[0][quantity]").as_deref() == Some("1")
        && field("line_items[0][price_data][product_data][name]").is_some()
        && field("success_url").is_some_and(|u| u.starts_with("http"))
        && field("cancel_url").is_some()
        && field("metadata[reference]").is_some();
    if !ok {
        inner.bad.push(format!("stripe create: {form:?}"));
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"type": "invalid_request_error", "message": "Invalid request"}})),
        )
            .into_response();
    }
    inner.next += 1;
    let id = format!("cs_{}", inner.next);
    let session = json!({
        "id": id, "object": "checkout.session", "mode": "payment",
        "amount_total": amount, "currency": currency, "status": "open",
        "payment_status": "unpaid", "payment_intent": null,
        "url": format!("https://checkout.stripe.com/c/pay/{id}"),
        "success_url": field("success_url"),
        "client_reference_id": field("client_reference_id"),
        "metadata": {"reference": field("metadata[reference]")}
    });
    inner.stripe.insert(id, session.clone());
    Json(session).into_response()
}

async fn stripe_expire(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let mut inner = inner.lock().unwrap();
    inner.posts.push(post_of(
        format!("/v1/checkout/sessions/{id}/expire"),
        &headers,
        None,
    ));
    if !authorized(&headers, STRIPE_KEY) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Some(session) = inner.stripe.get_mut(&id) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": {"message": "No such checkout.session"}})),
        )
            .into_response();
    };
    if session["status"] != "open" {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"message": "Only open sessions can be expired"}})),
        )
            .into_response();
    }
    session["status"] = json!("expired");
    let session = session.clone();
    inner.cancelled.push(id);
    Json(session).into_response()
}

async fn stripe_refund(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let mut inner = inner.lock().unwrap();
    inner
        .posts
        .push(post_of("/v1/refunds".into(), &headers, None));
    if inner.down {
        return unavailable();
    }
    if !authorized(&headers, STRIPE_KEY) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let intent = form
        .iter()
        .find(|(k, _)| k == "payment_intent")
        .map(|(_, v)| v.clone());
    let Some(intent) = intent.filter(|i| i.starts_with("pi_")) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"message": "Must provide payment_intent"}})),
        )
            .into_response();
    };
    inner.next += 1;
    let amount = form
        .iter()
        .find(|(k, _)| k == "amount")
        .and_then(|(_, v)| v.parse::<i64>().ok());
    let refund = json!({"id": format!("re_{}", inner.next), "object": "refund", "status": "succeeded",
                        "payment_intent": intent, "amount": amount});
    inner.refunds.push(refund.clone());
    Json(refund).into_response()
}

/// A Stripe webhook event about `session` and its `Stripe-Signature`, signed `age` seconds
/// ago (with `secret`).
pub fn stripe_event(
    id: &str,
    kind: &str,
    session: &Value,
    secret: &str,
    age: i64,
) -> (String, String) {
    let body = json!({"id": id, "object": "event", "type": kind, "api_version": "2024-06-20",
                      "created": 1_800_000_000, "data": {"object": session}})
    .to_string();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let signature = chatout_server::payments::stripe::sign(secret, body.as_bytes(), now - age);
    (body, signature)
}
