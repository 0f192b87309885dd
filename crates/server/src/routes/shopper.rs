//! The shopper's order page, `GET /orders/{token}` (docs/CONTRACT.md section 9): where a payment
//! page sends the customer back, and what a message may link to. Status, items, the total,
//! the payment's state and how to reach the shop, in the order's language; no staff data,
//! `noindex`, and nothing to guess: the token is 128 random bits, a wrong one is `404`, and
//! requests are rate limited per address like orders.

mod words;

use super::error::{Context, PageError};
use crate::db::orders::order_lines;
use crate::db::payments::{payable_by_token, payments_of, Payable, PaymentRow};
use crate::policy::payment::{summarise, PaymentStatus, Summary};
use crate::{limit, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use chatout_core::{fill, language_of, whatsapp_url, Labels, Money, MoneyStyle, OrderStatus};
use words::words;

/// The shopper's page, rate limited.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/orders/{token}", get(page))
        .route("/pay/{token}", get(pay))
        .layer(axum::middleware::from_fn_with_state(
            state.order_limit.clone(),
            limit::enforce,
        ))
}

struct Line {
    quantity: i64,
    name: String,
    options: String,
    total: String,
}

#[derive(Template)]
#[template(path = "shopper_order.html")]
struct ShopperPage {
    lang: String,
    rtl: bool,
    title: String,
    shop: String,
    status: &'static str,
    lines: Vec<Line>,
    items_label: String,
    subtotal_label: String,
    shipping_label: String,
    discount_label: &'static str,
    total_label: &'static str,
    subtotal: String,
    shipping: Option<String>,
    discount: Option<String>,
    total: String,
    payment_label: String,
    payment: &'static str,
    pay_url: Option<String>,
    pay_now: &'static str,
    contact: String,
    chat_url: String,
}

/// A shopper's own page or link: not indexed, not stored, its address (which holds the
/// token) not passed on to the next site, and never shown inside another site's frame (where
/// a click could be stolen).
pub(super) fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

async fn page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let page = render(&state, &token)
        .await
        .context("the shopper's order page failed")?;
    Ok(match page {
        Some(page) => private(Html(page).into_response()),
        None => (StatusCode::NOT_FOUND, "no such order").into_response(),
    })
}

/// `GET /pay/{token}`: to the order's open payment page, else to the shopper's order page.
/// A template's URL button can point here with a fixed base (`…/pay/{{1}}`, the `pay_token`
/// parameter), as WhatsApp requires, and still reach whichever link is current.
async fn pay(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let target = pay_target(&state, &token)
        .await
        .context("the payment redirect failed")?;
    let Some(url) = target else {
        return Ok((StatusCode::NOT_FOUND, "no such order").into_response());
    };
    let mut response = Redirect::to(&url).into_response();
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

/// The order's open payment page, else its order page; `None` for no such order.
async fn pay_target(state: &AppState, token: &str) -> Result<Option<String>, sqlx::Error> {
    if !plausible(token) {
        return Ok(None);
    }
    let mut conn = state.db.read.acquire().await?;
    let Some(order) = payable_by_token(&mut conn, token).await? else {
        return Ok(None);
    };
    let payments = payments_of(&mut conn, order.id).await?;
    let (_, open) = standing(&order, &payments);
    Ok(Some(open.unwrap_or_else(|| format!("/orders/{token}"))))
}

/// Where `order`'s payment stands, and the link to pay on while it waits for payment.
fn standing(order: &Payable, payments: &[PaymentRow]) -> (Summary, Option<String>) {
    let items: Vec<_> = payments.iter().map(PaymentRow::item).collect();
    let summary = summarise(&items, order.totals.total.minor_units());
    let open = summary
        .current
        .map(|at| &payments[at])
        .filter(|p| p.status() == PaymentStatus::Open && order.status == OrderStatus::Confirmed)
        .and_then(|p| p.url.clone());
    (summary, open)
}

/// The server's tokens are 32 hex digits; anything else is not one (and costs no query).
pub(super) fn plausible(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn render(state: &AppState, token: &str) -> Result<Option<String>, sqlx::Error> {
    if !plausible(token) {
        return Ok(None);
    }
    let mut conn = state.db.read.acquire().await?;
    let Some(order) = payable_by_token(&mut conn, token).await? else {
        return Ok(None);
    };
    let lines = order_lines(&mut *conn, order.id).await?;
    let payments = payments_of(&mut conn, order.id).await?;
    let w = words(&order.locale);
    let labels = Labels::for_locale(&order.locale);
    let style = MoneyStyle::for_language(&language_of(&order.locale));
    let currency = order.totals.total.currency();
    let amount = |minor: i64| {
        Money::from_minor(minor, currency)
            .map(|m| style.format(m))
            .unwrap_or_default()
    };
    let status_at = OrderStatus::ALL
        .iter()
        .position(|s| *s == order.status)
        .unwrap_or(0);
    let (summary, pay_url) = standing(&order, &payments);
    let payment_at = match summary.status {
        None => 0,
        Some(status) => {
            1 + PaymentStatus::ALL
                .iter()
                .position(|s| *s == status)
                .unwrap_or(0)
        }
    };
    let shop = &state.catalog.shop;
    let language = language_of(&order.locale);
    let page = ShopperPage {
        rtl: language == "ar",
        lang: language,
        title: fill(w.title, &[("reference", &order.reference)]),
        shop: shop.name.clone(),
        status: w.statuses[status_at],
        lines: lines
            .iter()
            .map(|l| Line {
                quantity: l.quantity,
                name: l.name.clone(),
                options: l
                    .options
                    .0
                    .iter()
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                total: Money::from_minor(l.unit_price, currency)
                    .and_then(|u| u.checked_mul(u32::try_from(l.quantity).unwrap_or(0)))
                    .map(|m| style.format(m))
                    .unwrap_or_default(),
            })
            .collect(),
        items_label: labels.items.clone(),
        subtotal_label: labels.subtotal.clone(),
        shipping_label: labels.shipping.clone(),
        discount_label: w.discount,
        total_label: w.total,
        subtotal: amount(order.totals.subtotal.minor_units()),
        shipping: (order.totals.shipping.minor_units() > 0)
            .then(|| amount(order.totals.shipping.minor_units())),
        discount: (order.totals.discount.minor_units() > 0)
            .then(|| amount(order.totals.discount.minor_units())),
        total: amount(order.totals.total.minor_units()),
        payment_label: labels.payment.clone(),
        payment: w.payments[payment_at],
        pay_url,
        pay_now: w.pay_now,
        contact: fill(w.contact, &[("shop", &shop.name)]),
        chat_url: whatsapp_url(&shop.phone, &order.reference),
    };
    Ok(page.render().ok())
}
