//! Rate limits: per client address (governor's GCRA) for order requests, sign-in attempts
//! and the payment providers' webhooks, and per desk account for wrong passwords. The address
//! is the client's as [`Client`] works it out: behind a trusted proxy, the forwarded one.
//! And one budget for request bodies in flight, whoever sends them.

use crate::client::Client;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Sign-in attempts per minute from one address.
const SIGN_IN_PER_MINUTE: u32 = 20;
/// Payment provider webhooks per minute from one address: Mollie and Stripe deliver from a
/// handful of addresses, a few per order; a stranger gets no more than this.
const PROVIDER_WEBHOOKS_PER_MINUTE: u32 = 300;
/// Bytes of request bodies that may be in flight at once, all connections together.
pub const BODY_BUDGET: usize = 64 * 1024 * 1024;
/// What one request may hold of it: the largest body any route reads (axum's default).
pub const LARGEST_BODY: usize = 2 * 1024 * 1024;
/// Wrong passwords one account takes within [`ACCOUNT_WINDOW`] before it is locked for the
/// rest of it.
const ACCOUNT_FAILURES: u32 = 10;
/// The window wrong passwords are counted in.
const ACCOUNT_WINDOW: Duration = Duration::from_secs(15 * 60);

/// One limit per key (a client address, by default; an API token's id): `None` when
/// turned off.
#[derive(Clone)]
pub struct Limit<K: Hash + Eq + Clone = IpAddr>(Option<Arc<DefaultKeyedRateLimiter<K>>>);

impl<K: Hash + Eq + Clone> Limit<K> {
    /// `per_minute` requests a minute, all of them usable in a burst; 0 = no limit.
    pub fn per_minute(per_minute: u32) -> Self {
        Self(
            NonZeroU32::new(per_minute).map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n)))),
        )
    }

    /// Counts a request of `key`: how long to wait when it is over its limit.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        let Some(limiter) = &self.0 else {
            return Ok(());
        };
        limiter.check_key(key).map_err(|not_until| {
            not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ))
        })
    }

    /// Forgets keys that have been quiet (called from the housekeeping loop).
    pub fn forget_quiet(&self) {
        if let Some(limiter) = &self.0 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

impl Limit {
    /// The sign-in limit.
    pub fn sign_in() -> Self {
        Self::per_minute(SIGN_IN_PER_MINUTE)
    }

    /// The payment providers' webhooks' limit.
    pub fn provider_webhooks() -> Self {
        Self::per_minute(PROVIDER_WEBHOOKS_PER_MINUTE)
    }
}

/// Request bodies in flight, in bytes: each request with a body larger than [`SMALL_BODY`]
/// holds its declared length (or, sent in chunks, the most its route reads) while it is
/// handled, so that no mix of connections can make the server hold more than [`BODY_BUDGET`]
/// of large bodies, and no one
/// client address more than [`CLIENT_SHARE`] of it (a stranger trickling bodies on many
/// connections cannot shut the others out). A request that does not fit now is answered
/// `503` with `Retry-After` at once, before its body is read; the providers deliver again.
#[derive(Clone)]
pub struct BodyBudget {
    bytes: Arc<tokio::sync::Semaphore>,
    clients: Arc<Mutex<HashMap<IpAddr, usize>>>,
    /// The most a route reads (`routes::body_limit_of`).
    route_limit: fn(&str) -> usize,
}

/// What one client address may hold of the [`BodyBudget`].
pub const CLIENT_SHARE: usize = BODY_BUDGET / 8;
/// Bodies up to this size (an order, a payment event, a desk form) hold no share: the
/// connection caps bound them (`CHATOUT_MAX_CONNECTIONS` × 64 KiB), and a flood of large
/// bodies can then never turn a shopper's order away.
pub const SMALL_BODY: usize = 64 * 1024;

impl BodyBudget {
    /// A budget of [`BODY_BUDGET`], with `route_limit` telling what each path reads at most.
    pub fn new(route_limit: fn(&str) -> usize) -> Self {
        Self {
            bytes: Arc::new(tokio::sync::Semaphore::new(BODY_BUDGET)),
            clients: Arc::default(),
            route_limit,
        }
    }

    /// Takes `bytes` for `client`, when both the whole budget and its share allow.
    fn take(&self, client: IpAddr, bytes: usize) -> Option<Held> {
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        let held = clients.entry(client).or_default();
        if *held + bytes > CLIENT_SHARE {
            return None;
        }
        let permit = self
            .bytes
            .clone()
            .try_acquire_many_owned(u32::try_from(bytes).ok()?)
            .ok()?;
        *held += bytes;
        Some(Held {
            _permit: permit,
            clients: self.clients.clone(),
            client,
            bytes,
        })
    }
}

/// A request's share of the budget, given back when it is answered.
struct Held {
    _permit: tokio::sync::OwnedSemaphorePermit,
    clients: Arc<Mutex<HashMap<IpAddr, usize>>>,
    client: IpAddr,
    bytes: usize,
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(held) = clients.get_mut(&self.client) {
            *held = held.saturating_sub(self.bytes);
            if *held == 0 {
                clients.remove(&self.client);
            }
        }
    }
}

/// Middleware: holds the request's share of the [`BodyBudget`] until it is answered.
pub async fn body_budget(
    State(budget): State<BodyBudget>,
    client: Client,
    request: Request,
    next: Next,
) -> Response {
    let hint = http_body::Body::size_hint(request.body());
    let most = (budget.route_limit)(request.uri().path()).min(LARGEST_BODY);
    let wants = hint
        .exact()
        .map_or(most, |n| usize::try_from(n).unwrap_or(usize::MAX).min(most));
    if wants <= SMALL_BODY {
        return next.run(request).await;
    }
    match budget.take(client.key(), wants) {
        Some(_held) => next.run(request).await,
        None => {
            tracing::warn!(bytes = wants, client = %client.key(),
                "a request body was refused: too many in flight");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "1")],
                axum::Json(serde_json::json!({
                    "error": "unavailable",
                    "message": "the server is reading too many requests at once; try again",
                })),
            )
                .into_response()
        }
    }
}

/// Middleware: `429` with `Retry-After` once an address is over its limit.
pub async fn enforce(
    State(limit): State<Limit>,
    client: Client,
    request: Request,
    next: Next,
) -> Response {
    match limit.check(&client.key()) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many(wait, "too many requests"),
    }
}

/// `429` with `Retry-After` (whole seconds, at least 1) and a JSON body.
pub fn too_many(wait: Duration, what: &str) -> Response {
    let wait = wait.as_secs().max(1);
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, wait.to_string())],
        axum::Json(serde_json::json!({
            "error": "rate_limited",
            "message": format!("{what}; try again in {wait} s"),
        })),
    )
        .into_response()
}

/// Wrong passwords per desk account: behind one proxy address, or spread over many, a
/// guesser locks only the account guessed at, and only for a while. Kept for existing
/// accounts only, so its size is the number of staff.
#[derive(Clone, Default)]
pub struct AccountLimit(Arc<Mutex<HashMap<i64, (u32, Instant)>>>);

impl AccountLimit {
    /// How long the account stays locked, when it is.
    pub fn locked_for(&self, account: i64) -> Option<Duration> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let (failures, since) = map.get(&account)?;
        let left = ACCOUNT_WINDOW.checked_sub(since.elapsed())?;
        (*failures >= ACCOUNT_FAILURES).then_some(left)
    }

    /// Counts a wrong password.
    pub fn failed(&self, account: i64) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(account).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= ACCOUNT_WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    /// A right password clears the count.
    pub fn succeeded(&self, account: i64) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&account);
    }

    /// Forgets windows that have passed.
    pub fn forget_quiet(&self) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, (_, since)| since.elapsed() < ACCOUNT_WINDOW);
    }
}
