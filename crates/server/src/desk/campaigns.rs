//! `/admin/campaigns`: marketing campaigns (issue 19). A campaign is made from an approved
//! marketing template with an opt-out, filled in here, for an audience of contacts whose
//! opt-in to offers is active (counted before sending), now or at a time in the shop's zone;
//! a test goes to a staff number first. Each campaign's page shows its results, and
//! `/admin/campaigns.csv` has them all, with back-in-stock alerts and order recovery.

use super::error::DeskError;
use super::layout::{money, render, Moment};
use super::notice::{Notice, NoticeQuery};
use super::session::Staff;
use crate::clock::{from_local, now_ms};
use crate::db::campaigns::{CampaignRow, Results, Source};
use crate::policy::campaign::Audience;
use crate::service::campaigns::{self, CampaignRequest, Params};
use crate::whatsapp::templates::CampaignParam;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
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

/// The most `text` parameters a campaign template may have for this form.
const MAX_TEXTS: usize = 3;

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

/// What the form holds (its values come back when it is shown again).
#[derive(Debug, Default, Deserialize)]
pub(super) struct CampaignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    template: String,
    #[serde(default)]
    text1: String,
    #[serde(default)]
    text2: String,
    #[serde(default)]
    text3: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    link: String,
    #[serde(default)]
    name_fallback: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    ordered_within: String,
    #[serde(default)]
    not_ordered_within: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    never_ordered: Option<String>,
    /// `<input type=datetime-local>` in the shop's zone; empty for now.
    #[serde(default)]
    at: String,
    /// `count` (show the audience's size) or `create`.
    #[serde(default)]
    action: String,
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

/// The form's numbers of days: empty is none.
fn days(text: &str, problems: &mut Vec<String>) -> Option<u32> {
    match text.trim() {
        "" => None,
        text => match text.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                problems.push(format!("'{text}' is not a number of days"));
                None
            }
        },
    }
}

/// What the form asks for, and what does not read.
fn audience_of(form: &CampaignForm, problems: &mut Vec<String>) -> Audience {
    let filled = |t: &str| Some(t.trim().to_string()).filter(|t| !t.is_empty());
    Audience {
        language: filled(&form.language).map(|l| l.to_ascii_lowercase()),
        ordered_within_days: days(&form.ordered_within, problems),
        not_ordered_within_days: days(&form.not_ordered_within, problems),
        category: filled(&form.category),
        never_ordered: form.never_ordered.is_some(),
    }
}

/// The campaign the form asks for (with `templates`, to know how many texts it takes), and
/// what does not read.
fn request_of(
    state: &AppState,
    form: &CampaignForm,
    templates: &[crate::whatsapp::templates::CampaignTemplate],
) -> (CampaignRequest, Vec<String>) {
    let mut problems = Vec::new();
    let filled = |t: &str| Some(t.trim().to_string()).filter(|t| !t.is_empty());
    let audience = audience_of(form, &mut problems);
    let texts_wanted = templates
        .iter()
        .find(|t| t.name == form.template)
        .map_or(0, |t| {
            t.body.iter().filter(|p| **p == CampaignParam::Text).count()
        });
    if texts_wanted > MAX_TEXTS {
        problems.push(format!(
            "this form fills at most {MAX_TEXTS} texts; the template has {texts_wanted}"
        ));
    }
    let texts = [&form.text1, &form.text2, &form.text3]
        .into_iter()
        .take(texts_wanted)
        .map(|t| t.trim().to_string())
        .collect();
    let at = match form.at.trim() {
        "" => None,
        text => match from_local(text, &state.settings.time_zone) {
            Some(at) => Some(at),
            None => {
                problems.push(format!("'{text}' is not a date and time"));
                None
            }
        },
    };
    let request = CampaignRequest {
        name: form.name.trim().to_string(),
        template: form.template.clone(),
        params: Params {
            texts,
            product: filled(&form.product),
            link: filled(&form.link),
            name_fallback: form.name_fallback.trim().to_string(),
        },
        audience,
        at,
    };
    (request, problems)
}

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
    let templates = all
        .iter()
        .map(|t| TemplateOption {
            selected: t.name == form.template,
            name: t.name.clone(),
            text: t.text.clone(),
            unusable: (!t.has_opt_out()).then(|| {
                "no opt-out line (“Reply STOP to unsubscribe” or a “Stop promotions” button)"
                    .to_string()
            }),
        })
        .collect();
    let products = state
        .catalog
        .products
        .iter()
        .map(|p| Choice {
            value: p.sku.as_str().to_string(),
            label: p.name.as_str().to_string(),
            selected: p.sku.as_str() == form.product,
        })
        .collect();
    let mut categories: Vec<String> = state
        .catalog
        .products
        .iter()
        .filter_map(|p| p.category.clone())
        .collect();
    categories.sort();
    categories.dedup();
    let categories = categories
        .into_iter()
        .map(|c| Choice {
            selected: c == form.category,
            label: c.clone(),
            value: c,
        })
        .collect();
    let currency = state.catalog.currency.code();
    let mut campaigns = Vec::new();
    for row in state.db.campaigns().await? {
        let results = state.db.results(Source::Campaign(row.id)).await?;
        campaigns.push(listed(state, row, results, currency));
    }
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
        templates,
        products,
        categories,
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
    let notice = match campaigns::sync(&state).await? {
        Ok(_) => Notice::TemplatesSynced,
        Err(why) => {
            tracing::warn!(reason = %why, "syncing templates from WhatsApp Manager failed");
            Notice::TemplatesNotSynced
        }
    };
    let to = format!("/admin/campaigns?notice={}", notice.code());
    Ok(Redirect::to(&to).into_response())
}

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
pub(super) async fn detail(
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
pub(super) struct TestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    phone: String,
}

/// `POST /admin/campaigns/{id}/test`.
pub(super) async fn test(
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

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /admin/campaigns/{id}/cancel`.
pub(super) async fn cancel(
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

/// `GET /admin/campaigns.csv`: one row per campaign, then back-in-stock alerts and order
/// recovery, with every result.
pub(super) async fn csv(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<Response, DeskError> {
    let mut rows: Vec<(String, String, String, i64, i64, Results)> = Vec::new();
    for row in state.db.campaigns().await? {
        let results = state.db.results(Source::Campaign(row.id)).await?;
        let when = row
            .finished_at
            .or(row.scheduled_at)
            .map(crate::clock::rfc3339)
            .unwrap_or_default();
        let name = format!("campaign {}: {}", row.id, row.name);
        rows.push((
            name,
            row.status.as_str().into(),
            when,
            row.targeted,
            row.skipped_cap,
            results,
        ));
    }
    for (name, _, source) in OTHERS {
        let results = state.db.results(source).await?;
        rows.push((
            name.to_lowercase(),
            String::new(),
            String::new(),
            results.messages,
            0,
            results,
        ));
    }
    let currency = state.catalog.currency;
    let body = write_csv(&rows, currency)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"campaigns.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

type CsvRow = (String, String, String, i64, i64, Results);

fn write_csv(rows: &[CsvRow], currency: chatout_core::Currency) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    out.write_record([
        "what",
        "status",
        "at",
        "targeted",
        "skipped_cap",
        "messages",
        "sent",
        "delivered",
        "read",
        "failed",
        "capped",
        "cancelled",
        "replied",
        "stopped",
        "clicked",
        "orders",
        "revenue",
        "currency",
    ])?;
    for (name, status, at, targeted, skipped, r) in rows {
        let revenue = chatout_core::Money::from_minor(r.revenue, currency)
            .map(|m| m.to_decimal_string())
            .unwrap_or_default();
        let numbers = [
            *targeted,
            *skipped,
            r.messages,
            r.sent,
            r.delivered,
            r.read,
            r.failed,
            r.capped,
            r.cancelled,
            r.replied,
            r.stopped,
            r.clicked,
            r.orders,
        ]
        .map(|n| n.to_string());
        let mut record = vec![super::export::neutralise(name), status.clone(), at.clone()];
        record.extend(numbers);
        record.push(revenue);
        record.push(currency.code().to_string());
        out.write_record(&record)?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}
