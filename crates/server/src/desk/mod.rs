//! `/admin`: the staff order desk. Server-rendered with askama, which HTML-escapes every
//! value, so a hostile name or note shows as text. Sign-in with argon2 hashes; the session
//! cookie is HttpOnly and SameSite=Strict; every form carries the session's CSRF token.
//!
//! One file a page (`orders`, `order`, `inbox`, `staff`, `products`, `campaigns/` …), the
//! WhatsApp part of a page in `conversation` and its forms in `reply`, with what they share:
//! `session` (who is signed in, cookies, CSRF, sign-in and out), `error`, `notice` and
//! `layout`.

mod campaigns;
mod conversation;
mod error;
mod export;
mod inbox;
mod layout;
mod notice;
mod order;
mod orders;
mod payment;
mod products;
mod reply;
pub mod session;
mod staff;
mod tokens;
mod total;
mod webhooks;

pub use error::DeskError;
pub use orders::LATE_AFTER_MS;
pub use session::{Staff, SESSION_COOKIE};

use crate::limit;
use crate::AppState;
use axum::handler::Handler;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

/// The desk's routes.
pub fn routes(state: &AppState) -> Router<AppState> {
    let limited = axum::middleware::from_fn_with_state(state.sign_in_limit.clone(), limit::enforce);
    Router::new()
        .route("/admin", get(orders::page))
        .route(
            "/admin/login",
            get(session::login_page).post(session::login.layer(limited)),
        )
        .route("/admin/logout", post(session::logout))
        .route("/admin/orders/{reference}", get(order::page))
        .route(
            "/admin/orders/{reference}/status",
            post(order::change_status),
        )
        .route("/admin/orders/{reference}/assign", post(order::assign))
        .route("/admin/orders/{reference}/total", post(total::save))
        .route("/admin/orders/{reference}/link", post(payment::create_link))
        .route("/admin/orders/{reference}/paid", post(payment::mark_paid))
        .route("/admin/orders/{reference}/refund", post(payment::refund))
        .route(
            "/admin/campaigns",
            get(campaigns::page).post(campaigns::submit),
        )
        .route("/admin/campaigns.csv", get(campaigns::csv))
        .route("/admin/campaigns/sync", post(campaigns::sync))
        .route("/admin/campaigns/{id}", get(campaigns::detail))
        .route("/admin/campaigns/{id}/test", post(campaigns::test))
        .route("/admin/campaigns/{id}/cancel", post(campaigns::cancel))
        .route("/admin/products", get(products::page))
        .route("/admin/products/{sku}/stock", post(products::set_stock))
        .route("/admin/staff", get(staff::page).post(staff::add))
        .route("/admin/tokens", get(tokens::page).post(tokens::create))
        .route("/admin/tokens/{name}/revoke", post(tokens::revoke))
        .route("/admin/webhooks", get(webhooks::page))
        .route("/admin/export", get(export::page))
        .route("/admin/orders.csv", get(export::csv))
        .route("/admin/webhooks/{id}/retry", post(webhooks::retry))
        .route("/admin/desk.css", get(stylesheet))
        .route("/admin/desk.js", get(script))
        .merge(reply::routes())
        .merge(inbox::routes())
        .layer(axum::middleware::map_response(security_headers))
}

/// No framing, no scripts but the desk's own file, nothing cached, forms only to ourselves.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src 'none'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../templates/desk.js"),
    )
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../templates/desk.css"),
    )
}
