//! `/admin/campaigns`: marketing campaigns (issue 19). A campaign is made from an approved
//! marketing template with an opt-out, filled in here, for an audience of contacts whose
//! opt-in to offers is active (counted before sending), now or at a time in the shop's zone;
//! a test goes to a staff number first. Each campaign's page shows its results, and
//! `/admin/campaigns.csv` has them all, with back-in-stock alerts and order recovery.

//!
//! This file is the list and the form's handlers; `form` reads the form, `campaign` is one
//! campaign's page and `csv` the download.

mod campaign;
mod csv;
mod form;

pub(super) use campaign::{cancel, detail, test};
pub(super) use csv::csv;

use super::error::DeskError;
use super::layout::{money, render, Moment};
use super::notice::{Notice, NoticeQuery};
use super::session::Staff;
use crate::db::campaigns::{CampaignRow, Results, Source};
use crate::service::campaigns;
use crate::whatsapp::templates::CampaignTemplate;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use form::{request_of, CampaignForm};
use serde::Deserialize;

/// What else the results cover beside campaigns: (label, note, source).
const OTHERS: [(&str, &str, Source); 2] = [
    (
        "Back-in-stock alerts",
        "every alert so far",
        Source::BackInStock,
    ),
    ("Order recovery", "every reminder so far", Source::Recovery),
];

/// A template as the form offers it.
struct TemplateOption {
    name: String,
    text: String,
    /// Why it cannot be chosen, if it cannot.
    unusable: Option<String>,
    selected: bool,
}

/// A product or category as a select offers it.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// A campaign in the list, with its results.
struct Listed {
    id: i64,
    name: String,
    template: String,
    audience: String,
    status: &'static str,
    /// A `<time>` element: rendered as markup, never escaped again (issue 27 item 15).
    when: Option<Moment>,
    targeted: i64,
    skipped_cap: i64,
    results: Results,
    revenue: String,
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    shop: String,
    user: Option<String>,
    csrf: String,
    notice: Option<String>,
    messaging: bool,
    /// `WHATSAPP_WABA_ID` is set: templates can be synced.
    can_sync: bool,
    /// When they were last synced.
    synced: Option<Moment>,
    templates: Vec<TemplateOption>,
    products: Vec<Choice>,
    categories: Vec<Choice>,
    form: CampaignForm,
    never_ordered: bool,
    problems: Vec<String>,
    count: Option<i64>,
    campaigns: Vec<Listed>,
    cap: u32,
    zone: String,
    /// Back-in-stock alerts and order recovery, with the same figures.
    others: Vec<Other>,
}

/// Marketing messages that are no campaign, summed.
struct Other {
    label: &'static str,
    note: &'static str,
    results: Results,
    revenue: String,
}

/// The campaigns page with `form` filled as given, what does not read in it, and the
/// audience's size when it was counted.
async fn show(
    state: &AppState,
    staff: Staff,
    form: CampaignForm,
    problems: Vec<String>,
    count: Option<i64>,
    notice: Option<Notice>,
) -> Result<Response, DeskError> {
    let all = campaigns::templates(state).await?;
    let synced_at = state
        .db
        .synced_templates()
        .await?
        .first()
        .map(|(_, at)| *at);
    let currency = state.catalog.currency.code();
    let campaigns = listed_campaigns(state, currency).await?;
    let others = other_results(state, currency).await?;
    render(&CampaignsPage {
        shop: state.catalog.shop.name.clone(),
        user: Some(staff.0.username),
        csrf: staff.0.csrf_token,
        notice: notice.map(Notice::text),
        messaging: state.messaging.is_some(),
        can_sync: state
            .messaging
            .as_deref()
            .is_some_and(|m| m.settings.waba_id.is_some()),
        synced: synced_at.map(|at| Moment::new(state, at)),
        templates: template_options(&all, &form.template),
        products: product_choices(state, &form.product),
        categories: category_choices(state, &form.category),
        never_ordered: form.never_ordered.is_some(),
        form,
        problems,
        count,
        campaigns,
        cap: state.settings.marketing_cap,
        zone: state
            .settings
            .time_zone
            .iana_name()
            .unwrap_or("UTC")
            .to_string(),
        others,
    })
}

/// The marketing templates, `selected` chosen; one without an opt-out cannot be.
fn template_options(all: &[CampaignTemplate], selected: &str) -> Vec<TemplateOption> {
    all.iter()
        .map(|t| TemplateOption {
            selected: t.name == selected,
            name: t.name.clone(),
            text: t.text.clone(),
            unusable: (!t.has_opt_out()).then(|| {
                "no opt-out line (“Reply STOP to unsubscribe” or a “Stop promotions” button)"
                    .to_string()
            }),
        })
        .collect()
}

/// The catalog's products, the one with SKU `selected` chosen.
fn product_choices(state: &AppState, selected: &str) -> Vec<Choice> {
    state
        .catalog
        .products
        .iter()
        .map(|p| Choice {
            value: p.sku.as_str().to_string(),
            label: p.name.as_str().to_string(),
            selected: p.sku.as_str() == selected,
        })
        .collect()
}

/// The catalog's categories, sorted and each once, `selected` chosen.
fn category_choices(state: &AppState, selected: &str) -> Vec<Choice> {
    let mut categories: Vec<String> = state
        .catalog
        .products
        .iter()
        .filter_map(|p| p.category.clone())
        .collect();
    categories.sort();
    categories.dedup();
    categories
        .into_iter()
        .map(|c| Choice {
            selected: c == selected,
            label: c.clone(),
            value: c,
        })
        .collect()
}

/// Every campaign with its results.
async fn listed_campaigns(state: &AppState, currency: &str) -> Result<Vec<Listed>, DeskError> {
    let mut campaigns = Vec::new();
    for row in state.db.campaigns().await? {
        let results = state.db.results(Source::Campaign(row.id)).await?;
        campaigns.push(listed(state, row, results, currency));
    }
    Ok(campaigns)
}

/// Back-in-stock alerts and order recovery, with the same figures.
async fn other_results(state: &AppState, currency: &str) -> Result<Vec<Other>, DeskError> {
    let mut others = Vec::new();
    for (label, note, source) in OTHERS {
        let results = state.db.results(source).await?;
        let revenue = money(results.revenue, currency);
        others.push(Other {
            label,
            note,
            results,
            revenue,
        });
    }
    Ok(others)
}

fn listed(state: &AppState, row: CampaignRow, results: Results, currency: &str) -> Listed {
    Listed {
        id: row.id,
        name: row.name,
        template: row.template,
        audience: row.audience.describe(),
        status: row.status.as_str(),
        when: row
            .finished_at
            .or(row.scheduled_at)
            .map(|at| Moment::new(state, at)),
        targeted: row.targeted,
        skipped_cap: row.skipped_cap,
        revenue: money(results.revenue, currency),
        results,
    }
}

/// `GET /admin/campaigns`.
pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, DeskError> {
    let form = CampaignForm {
        name_fallback: "there".into(),
        ..CampaignForm::default()
    };
    show(&state, staff, form, Vec::new(), None, query.notice()).await
}

/// `POST /admin/campaigns`: counts the audience, or makes the campaign.
pub(super) async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<CampaignForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    let templates = campaigns::templates(&state).await?;
    let (request, mut problems) = request_of(&state, &form, &templates);
    if form.action != "create" {
        problems.extend(request.audience.problems());
        let count = if problems.is_empty() {
            Some(campaigns::count(&state, &request.audience).await?)
        } else {
            None
        };
        return show(&state, staff, form, problems, count, None).await;
    }
    if problems.is_empty() {
        match campaigns::create(&state, &request, staff.username()).await? {
            Ok(id) => {
                let to = format!(
                    "/admin/campaigns/{id}?notice={}",
                    Notice::CampaignCreated.code()
                );
                return Ok(Redirect::to(&to).into_response());
            }
            Err(found) => problems = found,
        }
    }
    show(&state, staff, form, problems, None, None).await
}

/// `POST /admin/campaigns/sync`: reads the approved marketing templates from WhatsApp
/// Manager.
pub(super) async fn sync(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<CsrfForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    let notice = match campaigns::sync(&state).await {
        Ok(_) => Notice::TemplatesSynced,
        Err(campaigns::SyncError::Db(e)) => return Err(e.into()),
        Err(why) => {
            tracing::warn!(reason = %why, "syncing templates from WhatsApp Manager failed");
            Notice::TemplatesNotSynced
        }
    };
    let to = format!("/admin/campaigns?notice={}", notice.code());
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}
