//! Per-IP rate limits (governor's GCRA): order requests, and sign-in attempts at the desk.
//! The key is the connecting address; behind a reverse proxy that is the proxy's.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

/// Sign-in attempts per minute from one address.
const SIGN_IN_PER_MINUTE: u32 = 10;

/// One limit: `None` when turned off.
#[derive(Clone)]
pub struct Limit(Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>);

impl Limit {
    /// `per_minute` requests a minute, all of them usable in a burst; 0 = no limit.
    pub fn per_minute(per_minute: u32) -> Self {
        Self(
            NonZeroU32::new(per_minute).map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n)))),
        )
    }

    /// The sign-in limit.
    pub fn sign_in() -> Self {
        Self::per_minute(SIGN_IN_PER_MINUTE)
    }

    /// Forgets addresses that have been quiet (called from the housekeeping loop).
    pub fn forget_quiet(&self) {
        if let Some(limiter) = &self.0 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// Middleware: `429` with `Retry-After` once an address is over its limit.
pub async fn enforce(
    State(limit): State<Limit>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let Some(limiter) = &limit.0 else {
        return next.run(request).await;
    };
    match limiter.check_key(&peer.ip()) {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            let wait = not_until
                .wait_time_from(governor::clock::Clock::now(
                    &governor::clock::DefaultClock::default(),
                ))
                .as_secs()
                .max(1);
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, wait.to_string())],
                axum::Json(serde_json::json!({
                    "error": "rate_limited",
                    "message": format!("too many requests; try again in {wait} s"),
                })),
            )
                .into_response()
        }
    }
}
