//! Back-in-stock on the web (docs/CONTRACT.md section 10): `POST /api/back-in-stock` (the
//! widget's "Tell me when it's back"), `GET /api/availability` (which products the widget
//! should offer that for), and the unsubscribe page `/alerts/{token}` that the confirming
//! message links to.

use super::error::{ApiError, Context, PageError};
use super::orders::{is_json, read_body};
use super::shopper::{plausible, private};
use crate::policy::campaign::own_url;
use crate::service::back_in_stock::{
    subscribe, token_state, unsubscribe, AlertRequest, Subscribed,
};
use crate::service::campaigns::own_hosts;
use crate::service::place_order::issue;
use crate::whatsapp::texts::chat_texts;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use chatout_core::language_of;
use serde::Serialize;

/// `POST /api/back-in-stock` → `202 {reference, message, whatsapp_url}`.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Subscribed>), ApiError> {
    if !is_json(&headers) {
        return Err(ApiError::NotJson);
    }
    let body = read_body(body)?;
    let request: AlertRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::Invalid(vec![issue(
            "body",
            "malformed",
            format!("not a back-in-stock request: {e}"),
        )])
    })?;
    let subscribed = subscribe(&state, &request).await?;
    Ok((StatusCode::ACCEPTED, Json(subscribed)))
}

#[derive(Serialize)]
struct Availability {
    unavailable: Vec<String>,
}

/// `GET /api/availability` → `{"unavailable": [sku, …]}`: the catalog's products with
/// nothing left to order. Cached briefly; the order itself is checked again anyway.
pub async fn availability(State(state): State<AppState>) -> Result<Response, ApiError> {
    let levels = (state.db.stock_levels().await).context("reading availability failed")?;
    let unavailable = state
        .catalog
        .products
        .iter()
        .filter(|p| {
            levels
                .get(p.sku.as_str())
                .is_some_and(|l| l.available == Some(0))
        })
        .map(|p| p.sku.as_str().to_string())
        .collect();
    let mut response = Json(Availability { unavailable }).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=30"),
    );
    Ok(response)
}

/// `GET /r/{token}`: a campaign's tracked link. The click is counted and the shopper sent on
/// to the page it was made for; only links made for the shop's own pages exist, and one whose
/// page is no longer the shop's (`CHATOUT_PUBLIC_URL` or the origins changed) is `404`.
pub async fn tracked(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let no_such_link = || (StatusCode::NOT_FOUND, "no such link").into_response();
    if !plausible(&token) {
        return Ok(no_such_link());
    }
    let clicked =
        (state.db.click(&token, crate::clock::now_ms()).await).context("a tracked link failed")?;
    // To the address as parsed: a link stored with a line break still leads somewhere.
    Ok(
        match clicked.and_then(|url| own_url(&url, own_hosts(&state))) {
            Some(target) => private(Redirect::to(target.as_str()).into_response()),
            None => no_such_link(),
        },
    )
}

#[derive(Template)]
#[template(path = "shopper_alerts.html")]
struct AlertsPage {
    lang: String,
    rtl: bool,
    title: &'static str,
    shop: String,
    open: bool,
    button: &'static str,
    done: &'static str,
    confirm: String,
}

/// What the stop button's form proves: that it came from the page itself.
const STOP_ALERTS: &str = "alerts-stop";

/// `GET /alerts/{token}`: the button that stops them; `POST`: stops them.
pub async fn page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    show(&state, &token, false).await
}

/// `POST /alerts/{token}`: only the page's own form stops them (it carries a key that only
/// the rendered page has; a browser's cross-site post is refused as well). Anything else
/// shows the page again, with its button, and a 403.
pub async fn stop(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let confirm = url::form_urlencoded::parse(&body)
        .find(|(name, _)| name == "confirm")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    let cross_site = headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site");
    let expected = crate::auth::page_key(&state.login_key, STOP_ALERTS, &token);
    if cross_site || !crate::auth::same_secret(&confirm, &expected) {
        let mut response = show(&state, &token, false).await?;
        if response.status() == StatusCode::OK {
            *response.status_mut() = StatusCode::FORBIDDEN;
        }
        return Ok(response);
    }
    show(&state, &token, true).await
}

async fn show(state: &AppState, token: &str, stop: bool) -> Result<Response, PageError> {
    let unknown = || (StatusCode::NOT_FOUND, chat_texts("en").alert_page_unknown).into_response();
    if !plausible(token) {
        return Ok(unknown());
    }
    if stop
        && unsubscribe(&state.db, token)
            .await
            .context(FAILED)?
            .is_none()
    {
        return Ok(unknown());
    }
    let Some(found) = token_state(&state.db, token).await.context(FAILED)? else {
        return Ok(unknown());
    };
    let texts = chat_texts(&found.locale);
    let language = language_of(&found.locale);
    let page = AlertsPage {
        rtl: language == "ar",
        lang: language,
        title: texts.alert_page_title,
        shop: state.catalog.shop.name.clone(),
        open: found.open,
        button: texts.alert_page_button,
        done: texts.alert_page_done,
        confirm: crate::auth::page_key(&state.login_key, STOP_ALERTS, token),
    };
    let html = page.render().context("rendering the alerts page failed")?;
    Ok(private(Html(html).into_response()))
}

/// What the log says when the alerts page cannot be had.
const FAILED: &str = "the alerts page failed";
