//! `/admin`: the staff order desk. Server-rendered with askama, which HTML-escapes every
//! value, so a hostile name or note shows as text. Sign-in with argon2 hashes; the session
//! cookie is HttpOnly and SameSite=Strict; every form carries the session's CSRF token.

use super::limit;
use crate::auth;
use crate::client::Client;
use crate::db::desk::{Figures, OrderDetail, OrderRow};
use crate::db::now_ms;
use crate::db::orders::TransitionError;
use crate::db::staff::Session;
use crate::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chatout_core::{whatsapp_url, Currency, Money, MoneyStyle, OrderStatus, PhoneNumber, WireLine};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;

/// The session cookie.
pub const SESSION_COOKIE: &str = "chatout_session";
/// The sign-in form's CSRF cookie (double submit, before there is a session).
const LOGIN_COOKIE: &str = "chatout_login";
/// How long a sign-in lasts.
const SESSION_MS: i64 = 12 * 60 * 60 * 1000;
/// A pending order older than this is highlighted as waiting for an answer.
pub const LATE_AFTER_MS: i64 = 60 * 60 * 1000;
/// Most orders one list page shows.
const LIST_LIMIT: i64 = 500;

/// The desk's routes.
pub fn routes(state: &AppState) -> Router<AppState> {
    let limited = axum::middleware::from_fn_with_state(state.sign_in_limit.clone(), limit::enforce);
    Router::new()
        .route("/admin", get(orders_page))
        .route("/admin/login", get(login_page).post(login.layer(limited)))
        .route("/admin/logout", post(logout))
        .route("/admin/orders/{reference}", get(order_page))
        .route("/admin/orders/{reference}/status", post(change_status))
        .route("/admin/orders/{reference}/assign", post(assign))
        .route("/admin/staff", get(staff_page).post(add_staff))
        .route("/admin/desk.css", get(stylesheet))
        .merge(super::conversation::routes())
        .layer(axum::middleware::map_response(security_headers))
}

/// No framing, no scripts, nothing cached, forms only to ourselves.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
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

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../templates/desk.css"),
    )
}

/// A desk page failed: shown as a page, never as a stack trace.
pub enum DeskError {
    /// Not signed in: to the sign-in page.
    SignIn,
    /// A form without the session's token (forged or stale).
    Csrf,
    /// No such order.
    NotFound,
    /// Something broke on our side (logged).
    Internal(String),
}

impl From<sqlx::Error> for DeskError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

impl IntoResponse for DeskError {
    fn into_response(self) -> Response {
        let (status, heading, detail) = match self {
            Self::SignIn => return Redirect::to("/admin/login").into_response(),
            Self::Csrf => (
                StatusCode::FORBIDDEN,
                "This form has expired",
                "Go back, reload the page and try again.",
            ),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "No such order",
                "The reference may be mistyped.",
            ),
            Self::Internal(detail) => {
                tracing::error!(%detail, "desk page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Nothing was changed. Please try again in a moment.",
                )
            }
        };
        let page = ErrorPage {
            shop: String::new(),
            user: None,
            csrf: String::new(),
            heading,
            detail,
        };
        (status, render(&page)).into_response()
    }
}

fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A signed-in staff member, from the session cookie.
pub struct Staff(Session);

impl FromRequestParts<AppState> for Staff {
    type Rejection = DeskError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, DeskError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar.get(SESSION_COOKIE).ok_or(DeskError::SignIn)?;
        state
            .db
            .session(&auth::token_hash(token.value()))
            .await?
            .map(Staff)
            .ok_or(DeskError::SignIn)
    }
}

impl Staff {
    /// The signed-in username.
    pub(super) fn username(&self) -> &str {
        &self.0.username
    }

    /// Refuses a form whose token is not this session's.
    pub(super) fn check(&self, csrf: &str) -> Result<(), DeskError> {
        auth::same_secret(csrf, &self.0.csrf_token)
            .then_some(())
            .ok_or(DeskError::Csrf)
    }
}

/// Cookies are `Secure` whenever the desk is reached over HTTPS, as [`Client`] decides it
/// (never from the `Host` header, which a proxy may set to anything).
fn cookie(
    name: &'static str,
    value: String,
    path: &'static str,
    client: &Client,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .path(path)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(client.https)
        .build()
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    shop: String,
    user: Option<String>,
    csrf: String,
    username: String,
    error: Option<&'static str>,
}

async fn login_page(
    State(state): State<AppState>,
    client: Client,
    jar: CookieJar,
) -> (CookieJar, Response) {
    let csrf = auth::login_token(&state.login_key, now_ms());
    let jar = jar.add(cookie(LOGIN_COOKIE, csrf.clone(), "/admin/login", &client));
    (jar, login_form(&state, csrf, String::new(), None))
}

fn login_form(
    state: &AppState,
    csrf: String,
    username: String,
    error: Option<&'static str>,
) -> Response {
    let page = LoginPage {
        shop: state.catalog.shop.name.clone(),
        user: None,
        csrf,
        username,
        error,
    };
    render(&page)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

async fn login(
    State(state): State<AppState>,
    client: Client,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<(CookieJar, Response), DeskError> {
    // The cookie and the form carry the same token, and the server signed it: a value an
    // attacker plants in both is not one.
    let expected = jar.get(LOGIN_COOKIE).map(|c| c.value().to_string());
    let same = expected.is_some_and(|e| auth::same_secret(&form.csrf, &e));
    if !same || !auth::login_token_valid(&state.login_key, &form.csrf, now_ms()) {
        return Err(DeskError::Csrf);
    }
    let account = state.db.staff_hash(&form.username).await?;
    let again = |status: StatusCode, error: &'static str| {
        let page = login_form(
            &state,
            form.csrf.clone(),
            form.username.clone(),
            Some(error),
        );
        (status, page).into_response()
    };
    if let Some(wait) = account
        .as_ref()
        .and_then(|(id, _)| state.account_limit.locked_for(*id))
    {
        tracing::warn!(username = %form.username, "sign-in refused: account locked");
        let mut page = again(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many wrong passwords for this account. Try again in 15 minutes.",
        );
        page.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(wait.as_secs().max(1)),
        );
        return Ok((jar, page));
    }
    // Unknown users are checked against a throwaway hash so both cost the same time.
    let (id, hash) = account.unwrap_or((-1, dummy_hash().to_string()));
    let Ok(valid) = state
        .password_checks
        .verify(form.password.clone(), hash)
        .await
    else {
        let mut page = again(
            StatusCode::SERVICE_UNAVAILABLE,
            "The desk is busy checking other sign-ins. Try again in a moment.",
        );
        page.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        return Ok((jar, page));
    };
    if !valid || id < 0 {
        tracing::warn!(username = %form.username, "failed desk sign-in");
        if id >= 0 {
            state.account_limit.failed(id);
        }
        let page = again(StatusCode::UNAUTHORIZED, "Wrong username or password.");
        return Ok((jar, page));
    }
    state.account_limit.succeeded(id);
    let token = auth::random_token();
    state
        .db
        .start_session(
            &auth::token_hash(&token),
            id,
            &auth::random_token(),
            now_ms() + SESSION_MS,
        )
        .await?;
    let mut session = cookie(SESSION_COOKIE, token, "/admin", &client);
    session.set_max_age(time::Duration::milliseconds(SESSION_MS));
    let jar = jar
        .remove(Cookie::build(LOGIN_COOKIE).path("/admin/login"))
        .add(session);
    Ok((jar, Redirect::to("/admin").into_response()))
}

fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| auth::hash_password(&auth::random_token()).unwrap_or_default())
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    staff: Staff,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Result<(CookieJar, Redirect), DeskError> {
    staff.check(&form.csrf)?;
    if let Some(token) = jar.get(SESSION_COOKIE) {
        state
            .db
            .end_session(&auth::token_hash(token.value()))
            .await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/admin"));
    Ok((jar, Redirect::to("/admin/login")))
}

/// One status tab.
struct Tab {
    status: &'static str,
    count: i64,
}

/// The figures, written for people.
struct FigureView {
    created: i64,
    conversion: String,
    response: String,
    within_hour: String,
}

impl FigureView {
    fn new(figures: &Figures) -> Self {
        let within_hour = figures
            .response_buckets
            .iter()
            .find(|(bound, _)| *bound == 3600)
            .map_or(0, |(_, n)| *n);
        let share = |n: i64, of: i64| {
            if of == 0 {
                "–".to_string()
            } else {
                format!("{:.0}%", n as f64 * 100.0 / of as f64)
            }
        };
        Self {
            created: figures.created,
            conversion: share(figures.confirmed, figures.created),
            response: if figures.confirmed == 0 {
                "–".into()
            } else {
                duration((figures.response_sum_seconds * 1000.0 / figures.confirmed as f64) as i64)
            },
            within_hour: share(within_hour, figures.confirmed),
        }
    }
}

struct RowView {
    reference: String,
    status: &'static str,
    customer: String,
    total: String,
    age: String,
    late: bool,
    assigned_to: String,
}

#[derive(Template)]
#[template(path = "orders.html")]
struct OrdersPage {
    shop: String,
    user: Option<String>,
    csrf: String,
    figures: FigureView,
    tabs: Vec<Tab>,
    filter: String,
    rows: Vec<RowView>,
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
}

async fn orders_page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> Result<Response, DeskError> {
    let filter = query.status.as_deref().and_then(OrderStatus::parse);
    let now = now_ms();
    let figures = state.db.figures().await?;
    let rows = state
        .db
        .list_orders(filter, LIST_LIMIT)
        .await?
        .into_iter()
        .map(|row| row_view(row, now))
        .collect();
    let page = OrdersPage {
        shop: state.catalog.shop.name.clone(),
        user: Some(staff.0.username),
        csrf: staff.0.csrf_token,
        figures: FigureView::new(&figures),
        tabs: figures
            .by_status
            .iter()
            .map(|(status, count)| Tab {
                status: status.as_str(),
                count: *count,
            })
            .collect(),
        filter: filter.map(|s| s.as_str().to_string()).unwrap_or_default(),
        rows,
    };
    Ok(render(&page))
}

fn row_view(row: OrderRow, now: i64) -> RowView {
    let waiting = now - row.created_at;
    let pending = row.status == OrderStatus::Pending;
    RowView {
        total: money(row.subtotal, &row.currency),
        age: if pending {
            duration(waiting)
        } else {
            crate::db::rfc3339(row.created_at)
        },
        late: pending && waiting > LATE_AFTER_MS,
        reference: row.reference,
        status: row.status.as_str(),
        customer: row.customer_name,
        assigned_to: row.assigned_to.unwrap_or_default(),
    }
}

/// An amount in the desk's (English) style; the raw minor units if the currency is unknown.
fn money(minor: i64, currency: &str) -> String {
    Currency::from_code(currency)
        .and_then(|c| Money::from_minor(minor, c))
        .map(|m| MoneyStyle::for_language("en").format(m))
        .unwrap_or_else(|_| format!("{minor} {currency}"))
}

/// `3 d 4 h`, `2 h 5 min`, `12 min`, `40 s`.
fn duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (d, h, m) = (s / 86400, s / 3600 % 24, s / 60 % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

struct LineView {
    quantity: i64,
    name: String,
    options: String,
    sku: String,
    total: String,
}

struct EventView {
    at: String,
    change: String,
    actor: String,
}

struct OrderView {
    reference: String,
    status: &'static str,
    next: Vec<&'static str>,
    chat_url: Option<String>,
    lines: Vec<LineView>,
    total: String,
    customer: String,
    phone: String,
    email: Option<String>,
    delivery: String,
    address: Option<String>,
    payment: String,
    note: Option<String>,
    consent: String,
    stock: String,
    page: String,
    locale: String,
    created: String,
    expires: String,
    message: String,
    events: Vec<EventView>,
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    shop: String,
    user: Option<String>,
    csrf: String,
    notice: Option<String>,
    o: OrderView,
    staff: Vec<(String, bool)>,
    wa: super::conversation::ConversationView,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    shop: String,
    user: Option<String>,
    csrf: String,
    heading: &'static str,
    detail: &'static str,
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn order_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, DeskError> {
    let detail = state
        .db
        .order_detail(&reference)
        .await?
        .ok_or(DeskError::NotFound)?;
    let names = state.db.staff_names().await?;
    let assigned = detail.row.assigned_to.clone();
    let wa = super::conversation::view(&state, &reference).await?;
    let page = OrderPage {
        wa,
        shop: state.catalog.shop.name.clone(),
        user: Some(staff.0.username),
        csrf: staff.0.csrf_token,
        notice: query.notice.as_deref().and_then(notice_text),
        staff: names
            .into_iter()
            .map(|n| {
                let selected = assigned.as_deref() == Some(n.as_str());
                (n, selected)
            })
            .collect(),
        o: order_view(&state, detail),
    };
    Ok(render(&page))
}

/// Notices are chosen by code, so a link cannot put words on the page.
fn notice_text(code: &str) -> Option<String> {
    match (OrderStatus::parse(code), code) {
        (Some(status), _) => Some(format!("Marked {}.", status.as_str())),
        (None, "assigned") => Some("Saved who responds.".into()),
        (None, "illegal") => Some(
            "That change is not allowed from the order's current status; nothing was changed."
                .into(),
        ),
        (None, "out-of-stock") => Some(
            "Not confirmed: nobody confirmed this order while it held its stock, and its \
             products are no longer all available. Cancel it, or agree a change with the \
             customer."
                .into(),
        ),
        _ => super::conversation::notice_text(code).map(str::to_string),
    }
}

fn order_view(state: &AppState, d: OrderDetail) -> OrderView {
    let shop = &state.catalog.shop;
    let currency = d.row.currency.clone();
    let chat_url = d
        .customer_phone
        .as_deref()
        .and_then(|p| PhoneNumber::parse(p, None).ok())
        .map(|phone| {
            whatsapp_url(
                &phone,
                &format!(
                    "Hi {}, about your order {} at {}:",
                    d.row.customer_name, d.row.reference, shop.name
                ),
            )
        });
    let label = |id: &str, pairs: &[(String, String)]| {
        pairs
            .iter()
            .find(|(k, _)| k == id)
            .map_or_else(|| id.to_string(), |(_, v)| format!("{v} ({id})"))
    };
    OrderView {
        reference: d.row.reference,
        status: d.row.status.as_str(),
        next: d
            .row
            .status
            .next()
            .iter()
            .filter(|s| **s != OrderStatus::Expired)
            .map(|s| s.as_str())
            .collect(),
        chat_url,
        lines: d.lines.iter().map(|l| line_view(l, &currency)).collect(),
        total: money(d.row.subtotal, &currency),
        customer: d.row.customer_name,
        phone: d.customer_phone.unwrap_or_default(),
        email: d.customer_email,
        delivery: d.delivery_method,
        address: d.delivery_address,
        payment: label(&d.payment, &shop.payment_labels),
        note: d.note,
        consent: match (d.consent_text, d.consent_at) {
            (Some(text), Some(at)) => match d.consent_client_at {
                Some(client) => {
                    format!("ticked, received at {at} (the browser said {client}): “{text}”")
                }
                None => format!("ticked, received at {at}: “{text}”"),
            },
            _ => "no".into(),
        },
        stock: match (d.row.status, d.stock_held, d.hold_until) {
            (OrderStatus::Pending, true, Some(until)) => format!(
                "held until {} unless confirmed sooner; then held until the order ends",
                crate::db::rfc3339(until)
            ),
            (OrderStatus::Pending, false, Some(until)) => format!(
                "given back at {}: nobody confirmed the order while it held its stock. \
                 Confirming takes it again if it is still available.",
                crate::db::rfc3339(until)
            ),
            (_, true, _) => "held".into(),
            (_, false, _) => "given back".into(),
        },
        page: d.page,
        locale: d.locale,
        created: crate::db::rfc3339(d.row.created_at),
        expires: crate::db::rfc3339(d.expires_at),
        message: d.message,
        events: d
            .events
            .into_iter()
            .map(|e| EventView {
                at: crate::db::rfc3339(e.at),
                change: match e.from {
                    Some(from) => format!("{} → {}", from.as_str(), e.to.as_str()),
                    None => format!("created {}", e.to.as_str()),
                },
                actor: e.actor,
            })
            .collect(),
    }
}

fn line_view(line: &WireLine, currency: &str) -> LineView {
    LineView {
        quantity: line.quantity,
        name: line.name.clone(),
        options: line
            .options
            .0
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        sku: line.sku.clone(),
        total: money(line.unit_price.saturating_mul(line.quantity), currency),
    }
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    to: String,
    /// Given with "Mark fulfilled": the carrier's tracking page.
    #[serde(default)]
    tracking_url: String,
}

async fn change_status(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    let back = |notice: &str| order_page_with(&reference, notice);
    let Some(to) = OrderStatus::parse(&form.to) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, back("illegal")).into_response());
    };
    let tracking = form.tracking_url.trim();
    if to == OrderStatus::Fulfilled
        && tracking.is_empty()
        && super::conversation::tracking_required(&state, &reference).await?
    {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, back("tracking-required")).into_response());
    }
    let tracking_url = (to == OrderStatus::Fulfilled && !tracking.is_empty()).then_some(tracking);
    if let Some(url) = tracking_url {
        let url_like = (url.starts_with("https://") || url.starts_with("http://"))
            && url.len() <= 2000
            && !url.chars().any(char::is_whitespace);
        if !url_like {
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, back("bad-tracking")).into_response());
        }
    }
    match state
        .db
        .transition(
            &reference,
            to,
            &staff.0.username,
            state.templates(),
            tracking_url,
        )
        .await
    {
        Ok(_) => Ok(back(to.as_str()).into_response()),
        Err(TransitionError::NotFound) => Err(DeskError::NotFound),
        Err(TransitionError::Illegal { .. }) => {
            Ok((StatusCode::CONFLICT, back("illegal")).into_response())
        }
        Err(TransitionError::OutOfStock(_)) => {
            Ok((StatusCode::CONFLICT, back("out-of-stock")).into_response())
        }
        Err(TransitionError::Db(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    assigned_to: String,
}

async fn assign(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<AssignForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    let who = form.assigned_to.trim();
    let who = if who.is_empty() {
        None
    } else if state.db.staff_names().await?.iter().any(|n| n == who) {
        Some(who)
    } else {
        return Ok(StatusCode::UNPROCESSABLE_ENTITY.into_response());
    };
    if !state.db.assign(&reference, who).await? {
        return Err(DeskError::NotFound);
    }
    Ok(order_page_with(&reference, "assigned").into_response())
}

/// Back to an order's page, with a notice chosen by code (see [`notice_text`]).
pub(super) fn order_page_with(reference: &str, notice: &str) -> Redirect {
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-');
    Redirect::to(&format!(
        "/admin/orders/{}?notice={notice}",
        utf8_percent_encode(reference, SEGMENT)
    ))
}
#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage {
    shop: String,
    user: Option<String>,
    csrf: String,
    notice: Option<String>,
    names: Vec<String>,
    can_add: bool,
}

/// The account that may add others: the first one.
const FIRST_ACCOUNT: &str = "admin";
use auth::MIN_PASSWORD;

async fn staff_page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, DeskError> {
    let notice = query.notice.as_deref().map(|code| match code {
        "added" => "Account added.".to_string(),
        "taken" => "That username is taken.".to_string(),
        _ => format!(
            "Usernames are 1 to 40 of a-z, 0-9, '.', '_' and '-'; passwords at least \
             {MIN_PASSWORD} characters."
        ),
    });
    let page = StaffPage {
        shop: state.catalog.shop.name.clone(),
        can_add: staff.0.username == FIRST_ACCOUNT,
        user: Some(staff.0.username),
        csrf: staff.0.csrf_token,
        notice,
        names: state.db.staff_names().await?,
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
struct NewStaffForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

async fn add_staff(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<NewStaffForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    if staff.0.username != FIRST_ACCOUNT {
        return Ok(StatusCode::FORBIDDEN.into_response());
    }
    let username = form.username.trim().to_string();
    let valid_name = (1..=40).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if !valid_name || form.password.chars().count() < MIN_PASSWORD {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Redirect::to("/admin/staff?notice=invalid"),
        )
            .into_response());
    }
    let hash = state
        .password_checks
        .hash(form.password)
        .await
        .map_err(|e| DeskError::Internal(e.to_string()))?
        .ok_or_else(|| DeskError::Internal("hashing the password failed".into()))?;
    let notice = if state.db.add_staff(&username, &hash).await? {
        "added"
    } else {
        "taken"
    };
    Ok(Redirect::to(&format!("/admin/staff?notice={notice}")).into_response())
}
