//! The WhatsApp Business Management API's template list, `GET {base}/{waba-id}/message_templates`:
//! the approved marketing templates, for campaigns. Each language of a template is an entry
//! of its own there; here they are one template with its languages. Only positional
//! parameters (`{{1}}`) are read; a template with named ones is left out.

use super::templates::{CampaignParam, CampaignTemplate};
use serde::Deserialize;
use std::time::Duration;

/// The most pages read (100 templates each; a WABA has at most 250 names).
const MAX_PAGES: usize = 20;

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    data: Vec<Remote>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct Paging {
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
struct Remote {
    name: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    parameter_format: Option<String>,
    #[serde(default)]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Component {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    buttons: Vec<Button>,
}

#[derive(Deserialize)]
struct Button {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    url: Option<String>,
}

/// The highest `{{n}}` in a text (0: none).
fn placeholders(text: &str) -> usize {
    (1..=20)
        .take_while(|n| text.contains(&format!("{{{{{n}}}}}")))
        .last()
        .unwrap_or(0)
}

/// The approved marketing templates among one page's entries, merged by name into `into`.
fn merge(into: &mut Vec<CampaignTemplate>, entries: Vec<Remote>) {
    for entry in entries {
        let wanted = entry.status.eq_ignore_ascii_case("APPROVED")
            && entry.category.eq_ignore_ascii_case("MARKETING")
            && !entry
                .parameter_format
                .as_deref()
                .is_some_and(|f| f.eq_ignore_ascii_case("NAMED"));
        if !wanted || entry.name.is_empty() {
            continue;
        }
        if let Some(known) = into.iter_mut().find(|t| t.name == entry.name) {
            if !known.languages.contains(&entry.language) {
                known.languages.push(entry.language);
            }
            continue;
        }
        let part = |kind: &str| {
            entry
                .components
                .iter()
                .find(|c| c.kind.eq_ignore_ascii_case(kind))
                .and_then(|c| c.text.clone())
        };
        let body = part("BODY").unwrap_or_default();
        let text = match part("FOOTER") {
            Some(footer) => format!("{body}\n{footer}"),
            None => body.clone(),
        };
        let buttons: Vec<&Button> = entry
            .components
            .iter()
            .filter(|c| c.kind.eq_ignore_ascii_case("BUTTONS"))
            .flat_map(|c| &c.buttons)
            .collect();
        let quick_replies = buttons
            .iter()
            .filter(|b| b.kind.eq_ignore_ascii_case("QUICK_REPLY"))
            .map(|b| b.text.clone())
            .collect();
        let dynamic_url = buttons.iter().any(|b| {
            b.kind.eq_ignore_ascii_case("URL")
                && b.url.as_deref().is_some_and(|u| u.contains("{{1}}"))
        });
        into.push(CampaignTemplate {
            name: entry.name,
            languages: vec![entry.language],
            text,
            body: vec![CampaignParam::Text; placeholders(&body)],
            button: if dynamic_url {
                vec![CampaignParam::LinkToken]
            } else {
                Vec::new()
            },
            quick_replies,
        });
    }
}

/// Reads every approved marketing template of WABA `waba_id`; the error says what went wrong
/// in the API's words.
pub async fn approved_marketing(
    api_base: &str,
    waba_id: &str,
    token: &str,
    timeout: Duration,
) -> Result<Vec<CampaignTemplate>, String> {
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| e.to_string())?;
    let mut url = format!(
        "{api_base}/{waba_id}/message_templates?fields=name,language,status,category,\
         parameter_format,components&limit=100"
    );
    let mut templates = Vec::new();
    for _ in 0..MAX_PAGES {
        let response = http
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| format!("no answer from WhatsApp Manager: {e}"))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            let detail = super::client::classify(status.as_u16(), &bytes);
            return Err(format!(
                "WhatsApp Manager answered HTTP {status}: {detail:?}"
            ));
        }
        let page: Page = serde_json::from_slice(&bytes)
            .map_err(|e| format!("WhatsApp Manager's answer does not read: {e}"))?;
        merge(&mut templates, page.data);
        // The next page only from the same API (the token goes with it).
        match page.paging.and_then(|p| p.next) {
            Some(next) if next.starts_with(api_base) => url = next,
            _ => break,
        }
    }
    Ok(templates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approved_marketing_templates_are_merged_by_name() {
        let page: Page = serde_json::from_str(
            r#"{"data": [
              {"name": "spring", "language": "en", "status": "APPROVED", "category": "MARKETING",
               "components": [{"type": "BODY", "text": "Spring: {{1}} off {{2}}"},
                              {"type": "FOOTER", "text": "Not interested? Tap Stop promotions"},
                              {"type": "BUTTONS", "buttons": [
                                {"type": "QUICK_REPLY", "text": "Stop promotions"},
                                {"type": "URL", "text": "Shop", "url": "https://shop.example/r/{{1}}"}]}]},
              {"name": "spring", "language": "nl", "status": "APPROVED", "category": "MARKETING",
               "components": [{"type": "BODY", "text": "Lente: {{1}} op {{2}}"}]},
              {"name": "receipt", "language": "en", "status": "APPROVED", "category": "UTILITY",
               "components": []},
              {"name": "draft", "language": "en", "status": "PENDING", "category": "MARKETING",
               "components": []},
              {"name": "named", "language": "en", "status": "APPROVED", "category": "MARKETING",
               "parameter_format": "NAMED", "components": [{"type": "BODY", "text": "{{first}}"}]}
            ], "paging": {"cursors": {"after": "x"}}}"#,
        )
        .unwrap();
        let mut templates = Vec::new();
        merge(&mut templates, page.data);
        assert_eq!(templates.len(), 1);
        let spring = &templates[0];
        assert_eq!(spring.languages, ["en", "nl"]);
        assert_eq!(spring.body, [CampaignParam::Text, CampaignParam::Text]);
        assert_eq!(spring.button, [CampaignParam::LinkToken]);
        assert_eq!(spring.quick_replies, ["Stop promotions"]);
        assert!(spring.has_opt_out());
        assert!(spring.text.ends_with("Tap Stop promotions"));
    }
}
