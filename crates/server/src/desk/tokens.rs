//! `/admin/tokens` (the `admin` account only): integration API tokens, created with a name
//! and a scope and shown once, listed with their last use, revoked at once.

use super::error::DeskError;
use super::layout::render;
use super::layout::when;
use super::notice::{Notice, NoticeQuery};
use super::session::Staff;
use crate::policy::access::Scope;
use crate::service::staff::FIRST_ACCOUNT;
use crate::service::tokens::{create_token, TokenError};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    shop: String,
    user: Option<String>,
    csrf: String,
    notice: Option<String>,
    tokens: Vec<TokenView>,
    created: Option<CreatedView>,
}

struct TokenView {
    name: String,
    scope: &'static str,
    created: String,
    last_used: String,
    revoked: Option<String>,
}

struct CreatedView {
    name: String,
    scope: &'static str,
    value: String,
}

fn admin(staff: &Staff) -> Result<(), DeskError> {
    (staff.username() == FIRST_ACCOUNT)
        .then_some(())
        .ok_or(DeskError::AdminOnly)
}

async fn tokens_page(
    state: &AppState,
    staff: Staff,
    notice: Option<Notice>,
    created: Option<CreatedView>,
) -> Result<Response, DeskError> {
    let tokens = state
        .db
        .tokens()
        .await?
        .into_iter()
        .map(|t| TokenView {
            scope: t.scope.as_str(),
            created: format!("{} by {}", when(state, t.created_at), t.created_by),
            last_used: t.last_used_at.map_or("never".into(), |at| when(state, at)),
            revoked: t.revoked_at.map(|at| when(state, at)),
            name: t.name,
        })
        .collect();
    let page = TokensPage {
        shop: state.catalog.shop.name.clone(),
        user: Some(staff.0.username),
        csrf: staff.0.csrf_token,
        notice: notice.map(Notice::text),
        tokens,
        created,
    };
    render(&page)
}

pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, DeskError> {
    admin(&staff)?;
    tokens_page(&state, staff, query.notice(), None).await
}

#[derive(Deserialize)]
pub(super) struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
}

/// Creates a token and shows it on the page it answers with (never in a link, so it stays
/// out of history and logs).
pub(super) async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<CreateForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    admin(&staff)?;
    let back = |notice: Notice| Redirect::to(&format!("/admin/tokens?notice={}", notice.code()));
    let Some(scope) = Scope::parse(&form.scope) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, back(Notice::TokenInvalid)).into_response());
    };
    match create_token(&state.db, &form.name, scope, staff.username()).await {
        Ok(value) => {
            let created = CreatedView {
                name: form.name.trim().to_string(),
                scope: scope.as_str(),
                value,
            };
            tokens_page(&state, staff, None, Some(created)).await
        }
        Err(TokenError::BadName) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, back(Notice::TokenInvalid)).into_response())
        }
        Err(TokenError::Taken) => Ok(back(Notice::TokenTaken).into_response()),
        Err(TokenError::Db(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(super) struct RevokeForm {
    #[serde(default)]
    csrf: String,
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(form): Form<RevokeForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    admin(&staff)?;
    let notice = if state.db.revoke_token(&name).await? {
        Notice::TokenRevoked
    } else {
        Notice::TokenUnknown
    };
    Ok(Redirect::to(&format!("/admin/tokens?notice={}", notice.code())).into_response())
}
