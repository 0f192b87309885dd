//! Who is signed in: the session cookie and its CSRF token, the signed sign-in form, and
//! signing in and out (with the per-address and per-account limits and the bounded password
//! checks of [`crate::auth`]).

use super::error::DeskError;
use super::layout::render;
use crate::auth;
use crate::client::Client;
use crate::clock::now_ms;
use crate::db::staff::Session;
use crate::service::sign_in::{sign_in, SignIn};
use crate::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;

/// The session cookie.
pub const SESSION_COOKIE: &str = "chatout_session";
/// The sign-in form's CSRF cookie (double submit, before there is a session).
const LOGIN_COOKIE: &str = "chatout_login";
/// How long a sign-in lasts.
const SESSION_MS: i64 = 12 * 60 * 60 * 1000;

/// A signed-in staff member, from the session cookie.
pub struct Staff(pub(super) Session);

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
    pub fn username(&self) -> &str {
        &self.0.username
    }

    /// Refuses a form whose token is not this session's.
    pub fn check(&self, csrf: &str) -> Result<(), DeskError> {
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

pub(super) async fn login_page(
    State(state): State<AppState>,
    client: Client,
    jar: CookieJar,
) -> Result<(CookieJar, Response), DeskError> {
    let csrf = auth::login_token(&state.login_key, now_ms());
    let jar = jar.add(cookie(LOGIN_COOKIE, csrf.clone(), "/admin/login", &client));
    Ok((jar, login_form(&state, csrf, String::new(), None)?))
}

fn login_form(
    state: &AppState,
    csrf: String,
    username: String,
    error: Option<&'static str>,
) -> Result<Response, DeskError> {
    let page = LoginPage {
        shop: state.catalog.shop.name.clone(),
        user: None,
        csrf,
        username,
        error,
    };
    render(&page)
}

/// A username and password with the form's token: the sign-in form, and the form that adds
/// a staff account.
#[derive(Deserialize)]
pub(super) struct Credentials {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) username: String,
    #[serde(default)]
    pub(super) password: String,
}

pub(super) async fn login(
    State(state): State<AppState>,
    client: Client,
    jar: CookieJar,
    Form(form): Form<Credentials>,
) -> Result<(CookieJar, Response), DeskError> {
    // The cookie and the form carry the same token, and the server signed it: a value an
    // attacker plants in both is not one.
    let expected = jar.get(LOGIN_COOKIE).map(|c| c.value().to_string());
    let same = expected.is_some_and(|e| auth::same_secret(&form.csrf, &e));
    if !same || !auth::login_token_valid(&state.login_key, &form.csrf, now_ms()) {
        return Err(DeskError::Csrf);
    }
    let again = |status: StatusCode, error: &'static str, retry_after: Option<u64>| {
        let page = login_form(
            &state,
            form.csrf.clone(),
            form.username.clone(),
            Some(error),
        )?;
        let mut page = (status, page).into_response();
        if let Some(seconds) = retry_after {
            page.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        Ok::<_, DeskError>((jar.clone(), page))
    };
    let signed = sign_in(
        &state.db,
        &state.account_limit,
        &state.password_checks,
        &form.username,
        form.password.clone(),
        SESSION_MS,
    )
    .await?;
    let token = match signed {
        SignIn::Locked(wait) => {
            return again(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many wrong passwords for this account. Try again in 15 minutes.",
                Some(wait.as_secs().max(1)),
            )
        }
        SignIn::Busy => {
            return again(
                StatusCode::SERVICE_UNAVAILABLE,
                "The desk is busy checking other sign-ins. Try again in a moment.",
                Some(2),
            )
        }
        SignIn::Wrong => {
            return again(
                StatusCode::UNAUTHORIZED,
                "Wrong username or password.",
                None,
            )
        }
        SignIn::Started(token) => token,
    };
    let mut session = cookie(SESSION_COOKIE, token, "/admin", &client);
    session.set_max_age(time::Duration::milliseconds(SESSION_MS));
    let jar = jar
        .remove(Cookie::build(LOGIN_COOKIE).path("/admin/login"))
        .add(session);
    Ok((jar, Redirect::to("/admin").into_response()))
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub(super) async fn logout(
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
