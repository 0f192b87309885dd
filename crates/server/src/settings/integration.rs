//! `CHATOUT_WEBHOOK_URLS` and `CHATOUT_WEBHOOK_SECRET`: where order events are POSTed
//! (docs/CONTRACT.md section 8), and how deliveries are retried.

use super::env::{check_url, Env};
use super::variables as var;
use super::SettingsError;
use std::time::Duration;

/// The receivers of order events and how they are delivered.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Each receiver's URL (`https://crm.example/hooks/chatout`).
    pub urls: Vec<String>,
    /// The secret that signs every delivery (`Chatout-Signature`).
    pub secret: String,
    /// How long one delivery may take before it counts as failed and is retried.
    pub timeout: Duration,
    /// The first retry's delay; each further retry doubles it (with jitter), up to an hour.
    pub retry_base: Duration,
    /// How long an event is retried before it is `failed`.
    pub retry_for: Duration,
}

/// The shortest secret accepted: a receiver's check is only as strong as the secret.
const MIN_SECRET: usize = 16;

impl WebhookSettings {
    /// `None` when neither variable is set; both or neither.
    pub(super) fn from_env<F: Fn(&str) -> Option<String>>(
        env: &Env<F>,
    ) -> Result<Option<Self>, SettingsError> {
        let (urls, secret) = match (env.set(&var::WEBHOOK_URLS), env.set(&var::WEBHOOK_SECRET)) {
            (None, None) => return Ok(None),
            (Some(_), Some(secret)) => (env.list(&var::WEBHOOK_URLS), secret),
            (None, Some(_)) => {
                return Err(SettingsError::new(
                    &var::WEBHOOK_URLS,
                    "CHATOUT_WEBHOOK_SECRET is set; say where events go",
                ))
            }
            (Some(_), None) => {
                return Err(SettingsError::new(
                    &var::WEBHOOK_SECRET,
                    "every delivery is signed; set a secret the receivers share",
                ))
            }
        };
        let example = "https://crm.example/hooks/chatout";
        if urls.is_empty() {
            return Err(SettingsError::new(
                &var::WEBHOOK_URLS,
                format!("'' is not a URL like {example}"),
            ));
        }
        for url in &urls {
            check_url(&var::WEBHOOK_URLS, url, example)?;
        }
        if secret.chars().count() < MIN_SECRET {
            return Err(SettingsError::new(
                &var::WEBHOOK_SECRET,
                format!("at least {MIN_SECRET} characters"),
            ));
        }
        Ok(Some(Self {
            urls,
            secret,
            timeout: Duration::from_secs(10),
            retry_base: Duration::from_secs(10),
            retry_for: Duration::from_secs(24 * 3600),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Settings;

    #[test]
    fn webhooks_need_urls_and_a_secret_together() {
        let with = |pairs: &'static [(&'static str, &'static str)]| {
            Settings::from_lookup(move |n| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| v.to_string())
            })
        };
        assert!(with(&[]).unwrap().webhooks.is_none());
        let on = with(&[
            (
                "CHATOUT_WEBHOOK_URLS",
                "https://a.example/h, http://127.0.0.1:9/x",
            ),
            ("CHATOUT_WEBHOOK_SECRET", "a shared secret of 24 chars"),
        ])
        .unwrap()
        .webhooks
        .unwrap();
        assert_eq!(on.urls, ["https://a.example/h", "http://127.0.0.1:9/x"]);
        for (pairs, variable) in [
            (
                &[("CHATOUT_WEBHOOK_URLS", "https://a.example/h")][..],
                "CHATOUT_WEBHOOK_SECRET",
            ),
            (
                &[("CHATOUT_WEBHOOK_SECRET", "a shared secret of 24 chars")][..],
                "CHATOUT_WEBHOOK_URLS",
            ),
            (
                &[
                    ("CHATOUT_WEBHOOK_URLS", "crm.example/hooks"),
                    ("CHATOUT_WEBHOOK_SECRET", "a shared secret of 24 chars"),
                ][..],
                "CHATOUT_WEBHOOK_URLS",
            ),
            (
                &[
                    ("CHATOUT_WEBHOOK_URLS", "https://a.example/h"),
                    ("CHATOUT_WEBHOOK_SECRET", "short"),
                ][..],
                "CHATOUT_WEBHOOK_SECRET",
            ),
        ] {
            assert_eq!(with(pairs).unwrap_err().variable, variable, "{pairs:?}");
        }
        assert_eq!(with(&[]).unwrap().api_rate_limit, 600);
    }
}
