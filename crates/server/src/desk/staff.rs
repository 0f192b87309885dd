//! The staff accounts: the list, and (for `admin`) adding one.

use super::error::DeskError;
use super::layout::render;
use super::notice::{Notice, NoticeQuery};
use super::session::{Credentials, Staff};
use crate::service::staff::{add_staff, AddStaffError, FIRST_ACCOUNT};
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
    render(&page)
}

pub(super) async fn add(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<Credentials>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    let added = add_staff(&state, &staff.0.username, &form.username, form.password).await;
    let notice = match added {
        Ok(()) => Notice::StaffAdded,
        Err(AddStaffError::Taken) => Notice::UsernameTaken,
        Err(AddStaffError::NotAllowed) => return Ok(StatusCode::FORBIDDEN.into_response()),
        Err(AddStaffError::Invalid) => {
            let page = staff_page_with(Notice::StaffInvalid);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(e @ (AddStaffError::Busy(_) | AddStaffError::Hash)) => {
            return Err(DeskError::AddStaff(e))
        }
        Err(AddStaffError::Db(e)) => return Err(e.into()),
    };
    Ok(staff_page_with(notice).into_response())
}

/// Back to the staff page, with a notice.
fn staff_page_with(notice: Notice) -> Redirect {
    Redirect::to(&format!("/admin/staff?notice={}", notice.code()))
}
