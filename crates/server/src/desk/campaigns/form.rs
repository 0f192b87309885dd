//! The campaign form: what it holds, and the campaign and audience it asks for.

use crate::clock::from_local;
use crate::policy::campaign::Audience;
use crate::service::campaigns::{CampaignRequest, Params};
use crate::whatsapp::templates::{CampaignParam, CampaignTemplate};
use crate::AppState;
use serde::Deserialize;

/// The most `text` parameters a campaign template may have for this form.
const MAX_TEXTS: usize = 3;

/// What the form holds (its values come back when it is shown again).
#[derive(Debug, Default, Deserialize)]
pub(in crate::desk) struct CampaignForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) template: String,
    #[serde(default)]
    pub(super) text1: String,
    #[serde(default)]
    pub(super) text2: String,
    #[serde(default)]
    pub(super) text3: String,
    #[serde(default)]
    pub(super) product: String,
    #[serde(default)]
    pub(super) link: String,
    #[serde(default)]
    pub(super) name_fallback: String,
    #[serde(default)]
    pub(super) language: String,
    #[serde(default)]
    pub(super) ordered_within: String,
    #[serde(default)]
    pub(super) not_ordered_within: String,
    #[serde(default)]
    pub(super) category: String,
    #[serde(default)]
    pub(super) never_ordered: Option<String>,
    /// `<input type=datetime-local>` in the shop's zone; empty for now.
    #[serde(default)]
    pub(super) at: String,
    /// `count` (show the audience's size) or `create`.
    #[serde(default)]
    pub(super) action: String,
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
pub(super) fn request_of(
    state: &AppState,
    form: &CampaignForm,
    templates: &[CampaignTemplate],
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
