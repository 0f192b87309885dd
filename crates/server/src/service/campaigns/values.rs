//! One contact's campaign message: the template's values filled for them, with their own
//! tracked link.

use super::{link_target, Params};
use crate::db::campaigns;
use crate::whatsapp::templates::{CampaignParam, CampaignTemplate};
use crate::AppState;
use sqlx::AnyConnection;

/// One contact's message: the body and button values, with tracked links made for them.
#[allow(clippy::too_many_arguments)]
pub(super) async fn values_for(
    conn: &mut AnyConnection,
    state: &AppState,
    template: &CampaignTemplate,
    params: &Params,
    source: &str,
    contact_id: i64,
    name: Option<&str>,
    now: i64,
) -> Result<(Vec<String>, Vec<String>), sqlx::Error> {
    let mut texts = params.texts.iter();
    let product = params
        .product
        .as_deref()
        .and_then(|sku| state.catalog.product(sku))
        .map(|p| p.name.as_str().to_string());
    // One tracked link per contact, made when the template has one.
    let linked = template
        .body
        .iter()
        .chain(&template.button)
        .any(|p| matches!(p, CampaignParam::Link | CampaignParam::LinkToken));
    let token = match link_target(state, params).filter(|_| linked) {
        Some(target) => {
            let fresh = hex::encode(rand::random::<[u8; 16]>());
            campaigns::link_token(conn, source, contact_id, &target, &fresh, now).await?
        }
        None => String::new(),
    };
    let base = state.settings.public_url.clone().unwrap_or_default();
    let mut body = Vec::with_capacity(template.body.len());
    for param in &template.body {
        let value = match param {
            CampaignParam::Name => name
                .and_then(|n| n.split_whitespace().next())
                .unwrap_or(&params.name_fallback)
                .to_string(),
            CampaignParam::Text => texts.next().cloned().unwrap_or_default(),
            CampaignParam::Product => product.clone().unwrap_or_default(),
            CampaignParam::Link => format!("{base}/r/{token}"),
            CampaignParam::LinkToken => token.clone(),
        };
        body.push(value);
    }
    let mut button = Vec::with_capacity(template.button.len());
    for _ in &template.button {
        button.push(token.clone());
    }
    Ok((body, button))
}
