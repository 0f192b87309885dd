//! `/admin/campaigns/{id}`: one campaign, its results, a test to a staff number, and
//! calling it off before it starts.

use super::{listed, CsrfForm, Listed};
use crate::clock::now_ms;
use crate::db::campaigns::Source;
use crate::desk::error::DeskError;
use crate::desk::layout::render;
use crate::desk::notice::{Notice, NoticeQuery};
use crate::desk::session::Staff;
use crate::service::campaigns::{self, Params};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    shop: String,
    user: Option<String>,
    csrf: String,
    notice: Option<String>,
    campaign: Listed,
    text: String,
    params: String,
    created_by: String,
    can_cancel: bool,
}

/// `GET /admin/campaigns/{id}`.
pub(in crate::desk) async fn detail(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, DeskError> {
    let Some(row) = state.db.campaign(id).await? else {
        return Err(DeskError::NotFound);
    };
    let results = state.db.results(Source::Campaign(id)).await?;
    let text = state
        .templates()
        .and_then(|t| t.campaign(&row.template))
        .map(|t| t.text.clone())
        .unwrap_or_else(|| "(this template is no longer configured)".into());
    let params: Params = serde_json::from_str(&row.params).unwrap_or_default();
    let mut described = params.texts.clone();
    described.extend(params.product.iter().map(|p| format!("product {p}")));
    described.extend(params.link.iter().map(|l| format!("link {l}")));
    let can_cancel = row.status.can_cancel();
    let created_by = row.created_by.clone();
    let currency = state.catalog.currency.code();
    render(&CampaignPage {
        shop: state.catalog.shop.name.clone(),
        user: Some(staff.0.username),
        csrf: staff.0.csrf_token,
        notice: query.notice().map(Notice::text),
        campaign: listed(&state, row, results, currency),
        text,
        params: described.join(" · "),
        created_by,
        can_cancel,
    })
}

#[derive(Deserialize)]
pub(in crate::desk) struct TestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    phone: String,
}

/// `POST /admin/campaigns/{id}/test`.
pub(in crate::desk) async fn test(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<TestForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    let notice = match campaigns::test_send(&state, id, &form.phone, staff.username()).await? {
        Ok(()) => Notice::TestSent,
        Err(_) => Notice::TestInvalid,
    };
    let to = format!("/admin/campaigns/{id}?notice={}", notice.code());
    Ok(Redirect::to(&to).into_response())
}

/// `POST /admin/campaigns/{id}/cancel`.
pub(in crate::desk) async fn cancel(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    let notice = if state.db.cancel_campaign(id, now_ms()).await? {
        Notice::CampaignCancelled
    } else {
        Notice::CampaignStarted
    };
    let to = format!("/admin/campaigns/{id}?notice={}", notice.code());
    Ok(Redirect::to(&to).into_response())
}
