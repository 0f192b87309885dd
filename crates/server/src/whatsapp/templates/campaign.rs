//! The marketing templates campaigns may use (`WHATSAPP_TEMPLATES`'s `campaigns`).

use super::{valid_name, Template, TemplatesError};
use serde::Deserialize;

/// A value a campaign template's parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignParam {
    /// The contact's name (their last order's), else the campaign's stand-in ("there").
    Name,
    /// A text staff type for the campaign, the same for everyone.
    Text,
    /// The name of a product staff choose.
    Product,
    /// A tracked link (`{CHATOUT_PUBLIC_URL}/r/{token}`, one per contact) to a page of the
    /// shop's staff choose (or the chosen product's page).
    Link,
    /// The same tracked link's token alone, for a URL button approved as
    /// `{CHATOUT_PUBLIC_URL}/r/{{1}}`.
    LinkToken,
}

/// An approved marketing template campaigns may use (`WHATSAPP_TEMPLATES`'s `campaigns`, or
/// synced from WhatsApp Manager).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct CampaignTemplate {
    /// The approved template's name.
    pub name: String,
    /// Its approved languages; the contact's closest is used, else the first.
    pub languages: Vec<String>,
    /// Its body as approved, with `{{1}}`… (shown in the desk; checked for an opt-out).
    pub text: String,
    /// Body parameters, in order.
    pub body: Vec<CampaignParam>,
    /// URL button parameters (button 0).
    pub button: Vec<CampaignParam>,
    /// The texts of its quick-reply buttons ("Stop promotions").
    pub quick_replies: Vec<String>,
}

impl CampaignTemplate {
    /// Whether it tells the customer how to stop (required to use it).
    pub fn has_opt_out(&self) -> bool {
        crate::policy::campaign::has_opt_out(&self.text, &self.quick_replies)
    }

    /// As an event template, for the language choice.
    fn as_template(&self) -> Template {
        Template {
            name: self.name.clone(),
            languages: self.languages.clone(),
            body: Vec::new(),
            button: Vec::new(),
            after: Vec::new(),
            quick_replies: Vec::new(),
        }
    }

    /// The approved language closest to `locale` (as [`Template::language_for`]).
    pub fn language_for(&self, locale: &str) -> String {
        self.as_template().language_for(locale).to_string()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCampaignTemplate {
    name: String,
    languages: Vec<String>,
    text: String,
    #[serde(default)]
    body: Vec<CampaignParam>,
    #[serde(default)]
    button: Vec<CampaignParam>,
    #[serde(default)]
    quick_replies: Vec<String>,
}

/// Reads `campaigns`: a list of marketing templates, each named once.
pub(super) fn campaign_templates(
    list: serde_json::Value,
) -> Result<Vec<CampaignTemplate>, TemplatesError> {
    let raw: Vec<RawCampaignTemplate> =
        serde_json::from_value(list).map_err(TemplatesError::Campaigns)?;
    let mut templates: Vec<CampaignTemplate> = Vec::new();
    for (at, raw) in raw.into_iter().enumerate() {
        let key = format!("campaigns[{at}]");
        check(&key, &raw, &templates)?;
        templates.push(CampaignTemplate {
            name: raw.name,
            languages: raw.languages,
            text: raw.text,
            body: raw.body,
            button: raw.button,
            quick_replies: raw.quick_replies,
        });
    }
    Ok(templates)
}

/// What one campaign template at `key` must be, beside those read before it.
fn check(
    key: &str,
    raw: &RawCampaignTemplate,
    before: &[CampaignTemplate],
) -> Result<(), TemplatesError> {
    let wrong = |field: &str, problem: String| super::wrong(format!("{key}.{field}"), problem);
    if !valid_name(&raw.name) {
        return Err(wrong(
            "name",
            format!(
                "'{}' is not a template name (lowercase letters, digits and _)",
                raw.name
            ),
        ));
    }
    if before.iter().any(|t| t.name == raw.name) {
        return Err(wrong("name", format!("'{}' is listed twice", raw.name)));
    }
    if raw.languages.is_empty() {
        return Err(wrong(
            "languages",
            "list at least one approved language".into(),
        ));
    }
    let placeholders = (1..=raw.body.len()).all(|n| raw.text.contains(&format!("{{{{{n}}}}}")));
    if raw.text.trim().is_empty() || !placeholders {
        return Err(wrong(
            "text",
            format!(
                "give the approved body, with {{{{1}}}} to {{{{{}}}}} for `body`",
                raw.body.len()
            ),
        ));
    }
    if raw.button.len() > 1 || raw.button.iter().any(|p| *p != CampaignParam::LinkToken) {
        return Err(wrong(
            "button",
            "a URL button takes one parameter, link_token".into(),
        ));
    }
    if raw.body.contains(&CampaignParam::LinkToken) {
        return Err(wrong(
            "body",
            "link_token is for a URL button; a body takes link".into(),
        ));
    }
    Ok(())
}
