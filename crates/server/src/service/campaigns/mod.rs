//! Campaigns (issue 19): an approved marketing template with an opt-out, filled for each
//! contact of an audience whose opt-in to offers is active, sent now or at a set time through
//! the outbox (its rate limits and the send-time consent check), skipping contacts over the
//! frequency cap. Links go through `/r/{token}`, one per contact, to the shop's own pages.
//! The runner goes through the audience in batches, each in one transaction with the
//! campaign's cursor, so a restart goes on where it stopped and nobody gets it twice.

use crate::clock::now_ms;
use crate::db::campaigns::{self, NewCampaign};
use crate::db::messaging::{self, NewMessage};
use crate::policy::campaign::{has_control, is_own_url, over_cap, Audience, CAP_WINDOW_MS};
use crate::policy::outbox::MessageKind;
use crate::settings::Settings;
use crate::whatsapp::templates::{CampaignParam, CampaignTemplate};
use crate::whatsapp::{manager, payload};
use crate::AppState;
use chatout_core::Catalog;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

mod run;
mod values;

pub use run::run_campaigns;
use values::values_for;

/// Contacts queued per transaction.
const BATCH: i64 = 200;
/// The longest text parameter (the Cloud API's limit per parameter is larger; a campaign
/// line is short).
const MAX_TEXT: usize = 500;

/// What staff filled in beside the template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    /// The values of the template's `text` parameters, in order.
    #[serde(default)]
    pub texts: Vec<String>,
    /// The sku of the product its `product` parameter names (and `link` leads to, unless
    /// `link` is given).
    #[serde(default)]
    pub product: Option<String>,
    /// The page its `link` parameter leads to.
    #[serde(default)]
    pub link: Option<String>,
    /// The stand-in for `name` when a contact never ordered ("there").
    #[serde(default)]
    pub name_fallback: String,
}

/// A campaign as staff asked for it.
#[derive(Debug, Clone)]
pub struct CampaignRequest {
    /// Staff's name for it.
    pub name: String,
    /// The campaign template's name.
    pub template: String,
    /// Its parameters.
    pub params: Params,
    /// Who it goes to.
    pub audience: Audience,
    /// When it goes (ms); `None` for now.
    pub at: Option<i64>,
}

/// Whether contact `contact_id` already got the shop's cap of marketing messages this week
/// (campaigns and alerts alike).
pub(crate) async fn at_cap(
    conn: &mut AnyConnection,
    state: &AppState,
    contact_id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let since = now.saturating_sub(CAP_WINDOW_MS);
    let sent = messaging::marketing_since(conn, contact_id, since).await?;
    Ok(over_cap(sent, state.settings.marketing_cap))
}

/// The shop's own hosts, which tracked links may lead to (worked out once, at start).
pub fn own_hosts(state: &AppState) -> &[String] {
    &state.own_hosts
}

/// The shop's own hosts: `CHATOUT_PUBLIC_URL`'s, the allowed origins', and those of the
/// catalog's product pages.
pub fn own_hosts_of(settings: &Settings, catalog: &Catalog) -> Vec<String> {
    let catalog_urls = catalog.products.iter().filter_map(|p| p.url.as_deref());
    let mut hosts: Vec<String> = settings
        .public_url
        .iter()
        .map(String::as_str)
        .chain(settings.allowed_origins.iter().map(String::as_str))
        .chain(catalog_urls)
        .filter_map(|url| reqwest::Url::parse(url).ok())
        .filter_map(|url| url.host_str().map(str::to_ascii_lowercase))
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

/// The skus of a catalog category (an audience filter).
pub fn skus_of(state: &AppState, audience: &Audience) -> Vec<String> {
    let Some(category) = &audience.category else {
        return Vec::new();
    };
    state
        .catalog
        .products
        .iter()
        .filter(|p| p.category.as_deref() == Some(category.as_str()))
        .map(|p| p.sku.as_str().to_string())
        .collect()
}

/// Where a campaign's `link` leads: the page given, else the chosen product's page.
fn link_target(state: &AppState, params: &Params) -> Option<String> {
    params
        .link
        .clone()
        .filter(|l| !l.trim().is_empty())
        .or_else(|| {
            let sku = params.product.as_deref()?;
            state.catalog.product(sku)?.url.clone()
        })
}

/// The templates campaigns may choose from: those of `WHATSAPP_TEMPLATES` (which map their
/// parameters), then those synced from WhatsApp Manager under other names.
pub async fn templates(state: &AppState) -> Result<Vec<CampaignTemplate>, sqlx::Error> {
    let mut all: Vec<CampaignTemplate> = state
        .templates()
        .map(|t| t.campaigns().to_vec())
        .unwrap_or_default();
    for (json, _) in state.db.synced_templates().await? {
        match serde_json::from_str::<CampaignTemplate>(&json) {
            Ok(synced) if !all.iter().any(|t| t.name == synced.name) => all.push(synced),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "a synced template does not read; skipped"),
        }
    }
    Ok(all)
}

/// Why templates could not be synced from WhatsApp Manager.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Messaging is not configured.
    #[error("messaging is off")]
    MessagingOff,
    /// `WHATSAPP_WABA_ID` is not set, so there is no account to read from.
    #[error("WHATSAPP_WABA_ID is not set")]
    NoAccount,
    /// WhatsApp Manager could not be read.
    #[error("WhatsApp Manager: {0}")]
    Manager(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The database failed.
    #[error("the database failed")]
    Db(#[from] sqlx::Error),
}

/// Reads the approved marketing templates from WhatsApp Manager (`WHATSAPP_WABA_ID`) and keeps
/// them for campaigns, replacing the last sync in one transaction; returns how many.
#[tracing::instrument(skip_all)]
pub async fn sync(state: &AppState) -> Result<usize, SyncError> {
    let messaging = state.messaging.as_deref().ok_or(SyncError::MessagingOff)?;
    let settings = &messaging.settings;
    let waba_id = settings.waba_id.as_deref().ok_or(SyncError::NoAccount)?;
    let templates = manager::approved_marketing(
        &settings.api_base,
        waba_id,
        &settings.token,
        settings.request_timeout,
    )
    .await
    .map_err(|e| SyncError::Manager(e.into()))?;
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    campaigns::clear_synced(&mut tx).await?;
    for template in &templates {
        let json = serde_json::to_string(template).unwrap_or_default();
        campaigns::insert_synced(&mut tx, &template.name, &json, now).await?;
    }
    tx.commit().await?;
    Ok(templates.len())
}

/// What is wrong with a campaign request, in words (none: it can be made), given the
/// templates there are.
pub fn problems(
    state: &AppState,
    request: &CampaignRequest,
    templates: &[CampaignTemplate],
) -> Vec<String> {
    let mut problems = request.audience.problems();
    if request.name.trim().is_empty() || request.name.chars().count() > 100 {
        problems.push("give the campaign a name (1 to 100 characters)".into());
    }
    let Some(template) = templates.iter().find(|t| t.name == request.template) else {
        problems.push("choose one of the campaign templates".into());
        return problems;
    };
    if !template.has_opt_out() {
        problems.push(format!(
            "{} has no opt-out (“Reply STOP to unsubscribe” or a “Stop promotions” button), \
             so it cannot be used for a campaign",
            template.name
        ));
    }
    let params = &request.params;
    let needs = |p: CampaignParam| template.body.contains(&p) || template.button.contains(&p);
    let texts = template
        .body
        .iter()
        .filter(|p| **p == CampaignParam::Text)
        .count();
    if params.texts.len() != texts
        || params
            .texts
            .iter()
            .any(|t| t.trim().is_empty() || t.chars().count() > MAX_TEXT)
    {
        problems.push(format!(
            "fill in each of the template's {texts} text(s), 1 to {MAX_TEXT} characters"
        ));
    }
    let product = params
        .product
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|sku| state.catalog.product(sku));
    match (needs(CampaignParam::Product), product) {
        (true, None) => problems.push("choose the product the template names".into()),
        (_, Some(None)) => problems.push("that product is not in the catalog".into()),
        _ => {}
    }
    if needs(CampaignParam::Link) || needs(CampaignParam::LinkToken) {
        if state.settings.public_url.is_none() {
            problems.push("tracked links need CHATOUT_PUBLIC_URL".into());
        }
        match link_target(state, params) {
            None => problems.push("give the page the link leads to".into()),
            Some(url) if has_control(&url) => problems.push(
                "the link holds a line break or another control character: paste the page's \
                 address on one line"
                    .into(),
            ),
            Some(url) if !is_own_url(&url, own_hosts(state)) => problems.push(format!(
                "{url} is not a page of this shop: links may lead only to {}",
                own_hosts(state).join(", ")
            )),
            Some(_) => {}
        }
    }
    if needs(CampaignParam::Name)
        && (params.name_fallback.trim().is_empty() || params.name_fallback.chars().count() > 60)
    {
        problems.push("say what to write for a contact without a name (like “there”)".into());
    }
    if let Some(category) = &request.audience.category {
        if skus_of(state, &request.audience).is_empty() {
            problems.push(format!("no product is in the category “{category}”"));
        }
    }
    problems
}

/// Makes a campaign (scheduled for `request.at`, or now); its id, or what is wrong.
#[tracing::instrument(skip_all, fields(campaign = %request.name))]
pub async fn create(
    state: &AppState,
    request: &CampaignRequest,
    author: &str,
) -> Result<Result<i64, Vec<String>>, sqlx::Error> {
    let templates = templates(state).await?;
    let problems = problems(state, request, &templates);
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let now = now_ms();
    let params = serde_json::to_string(&request.params).unwrap_or_default();
    let campaign = NewCampaign {
        name: request.name.trim(),
        template: &request.template,
        params: &params,
        audience: &request.audience,
        scheduled_at: request.at.unwrap_or(now),
        created_by: author,
    };
    let id = state.db.insert_campaign(&campaign, now).await?;
    Ok(Ok(id))
}

/// How many contacts `audience` has now.
pub async fn count(state: &AppState, audience: &Audience) -> Result<i64, sqlx::Error> {
    let skus = skus_of(state, audience);
    state.db.audience_count(audience, &skus, now_ms()).await
}

/// Queues campaign `id`'s message, filled as for a contact without a name, to `phone` (a
/// staff member's own number): a test before sending. Returns whether it was queued.
#[tracing::instrument(skip_all, fields(campaign = id))]
pub async fn test_send(
    state: &AppState,
    id: i64,
    phone: &str,
    author: &str,
) -> Result<Result<(), String>, sqlx::Error> {
    let Some(campaign) = state.db.campaign(id).await? else {
        return Ok(Err("no such campaign".into()));
    };
    let templates = templates(state).await?;
    let Some(template) = templates.iter().find(|t| t.name == campaign.template) else {
        return Ok(Err("its template is no longer configured".into()));
    };
    let rules = state.catalog.shop.rules();
    let Ok(number) = chatout_core::PhoneNumber::parse(phone.trim(), rules.default_country) else {
        return Ok(Err(
            "that is not a phone number with a country code, like +31 6 1234 5678".into(),
        ));
    };
    let params: Params = serde_json::from_str(&campaign.params).unwrap_or_default();
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    let contact =
        messaging::find_or_create_contact(&mut tx, Some(number.digits()), None, now).await?;
    let source = format!("test:{id}");
    let (body, button) = values_for(
        &mut tx, state, template, &params, &source, contact.id, None, now,
    )
    .await?;
    let language = template.language_for(contact.locale.as_deref().unwrap_or("en"));
    let (payload, preview) = payload::campaign(template, &language, &body, &button);
    let message = NewMessage {
        dedupe_key: format!(
            "campaign-test:{id}:{}",
            hex::encode(rand::random::<[u8; 8]>())
        ),
        contact_id: contact.id,
        order_id: None,
        kind: MessageKind::Test,
        event: Some("campaign_test"),
        payload,
        preview,
        author,
        failed: None,
    };
    messaging::enqueue(&mut tx, message, now).await?;
    tx.commit().await?;
    state.wake_outbox();
    Ok(Ok(()))
}
