//! Back-in-stock on the web (CONTRACT.md section 10): `POST /api/back-in-stock` (the
//! widget's "Tell me when it's back"), `GET /api/availability` (which products the widget
//! should offer that for), and the unsubscribe page `/alerts/{token}` that the confirming
//! message links to.

use super::orders::{is_json, plain_error, read_body, ApiError};
use super::shopper::{plausible, private};
use crate::policy::campaign::own_url;
use crate::service::back_in_stock::{
    subscribe, token_state, unsubscribe, AlertRequest, SubscribeError, Subscribed,
};
use crate::service::campaigns::own_hosts;
use crate::service::place_order::{issue, FieldIssue};
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

impl IntoResponse for SubscribeError {
    fn into_response(self) -> Response {
        match self {
            Self::Invalid(errors) => invalid(errors),
            Self::Off => plain_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "this shop sends no back-in-stock alerts".into(),
            ),
            Self::Db(e) => {
                tracing::error!(error = %e, "a back-in-stock request failed");
                plain_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "please try again".into(),
                )
            }
        }
    }
}

fn invalid(errors: Vec<FieldIssue>) -> Response {
    let body = serde_json::json!({"error": "invalid", "errors": errors});
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// `POST /api/back-in-stock` → `202 {reference, message, whatsapp_url}`.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Subscribed>), Response> {
    if !is_json(&headers) {
        return Err(ApiError::NotJson.into_response());
    }
    let body = read_body(body).map_err(IntoResponse::into_response)?;
    let request: AlertRequest = serde_json::from_slice(&body).map_err(|e| {
        invalid(vec![issue(
            "body",
            "malformed",
            format!("not a back-in-stock request: {e}"),
        )])
    })?;
    let subscribed = subscribe(&state, &request)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok((StatusCode::ACCEPTED, Json(subscribed)))
}

#[derive(Serialize)]
struct Availability {
    unavailable: Vec<String>,
}

/// `GET /api/availability` → `{"unavailable": [sku, …]}`: the catalog's products with
/// nothing left to order. Cached briefly; the order itself is checked again anyway.
pub async fn availability(State(state): State<AppState>) -> Response {
    match state.db.stock_levels().await {
        Ok(levels) => {
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
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "reading availability failed");
            plain_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "please try again".into(),
            )
        }
    }
}

/// `GET /r/{token}`: a campaign's tracked link. The click is counted and the shopper sent on
/// to the page it was made for; only links made for the shop's own pages exist, and one whose
/// page is no longer the shop's (`CHATOUT_PUBLIC_URL` or the origins changed) is `404`.
pub async fn tracked(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    if !plausible(&token) {
        return (StatusCode::NOT_FOUND, "no such link").into_response();
    }
    match state.db.click(&token, crate::clock::now_ms()).await {
        // To the address as parsed: a link stored with a line break still leads somewhere.
        Ok(Some(url)) => match own_url(&url, own_hosts(&state)) {
            Some(target) => private(Redirect::to(target.as_str()).into_response()),
            None => (StatusCode::NOT_FOUND, "no such link").into_response(),
        },
        Ok(None) => (StatusCode::NOT_FOUND, "no such link").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a tracked link failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "please try again").into_response()
        }
    }
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
pub async fn page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
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
) -> Response {
    let confirm = url::form_urlencoded::parse(&body)
        .find(|(name, _)| name == "confirm")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    let cross_site = headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site");
    let expected = crate::auth::page_key(&state.login_key, STOP_ALERTS, &token);
    if cross_site || !crate::auth::same_secret(&confirm, &expected) {
        let mut response = show(&state, &token, false).await;
        if response.status() == StatusCode::OK {
            *response.status_mut() = StatusCode::FORBIDDEN;
        }
        return response;
    }
    show(&state, &token, true).await
}

async fn show(state: &AppState, token: &str, stop: bool) -> Response {
    let result = async {
        if !plausible(token) {
            return Ok(None);
        }
        if stop && unsubscribe(&state.db, token).await?.is_none() {
            return Ok(None);
        }
        token_state(&state.db, token).await
    }
    .await;
    let found = match result {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "the alerts page failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "please try again").into_response();
        }
    };
    let Some(found) = found else {
        let text = chat_texts("en").alert_page_unknown;
        return (StatusCode::NOT_FOUND, text).into_response();
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
    match page.render() {
        Ok(html) => private(Html(html).into_response()),
        Err(e) => {
            tracing::error!(error = %e, "rendering the alerts page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "please try again").into_response()
        }
    }
}
