//! The staff accounts: the list, and (for `admin`) adding one.

use super::error::DeskError;
use super::layout::render;
use super::notice::{Notice, NoticeQuery};
use super::session::{Credentials, Staff};
use crate::auth::MIN_PASSWORD;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;

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

pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, DeskError> {
    let notice = query.notice().map(Notice::text);
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

pub(super) async fn add(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<Credentials>,
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
            staff_page_with(Notice::StaffInvalid),
        )
            .into_response());
    }
    let hash = state
        .password_checks
        .hash(form.password)
        .await
        .map_err(|busy| DeskError::Internal(busy.into()))?
        .ok_or_else(|| DeskError::Internal("hashing the password failed".into()))?;
    let notice = if state.db.add_staff(&username, &hash).await? {
        Notice::StaffAdded
    } else {
        Notice::UsernameTaken
    };
    Ok(staff_page_with(notice).into_response())
}

/// Back to the staff page, with a notice.
fn staff_page_with(notice: Notice) -> Redirect {
    Redirect::to(&format!("/admin/staff?notice={}", notice.code()))
}
