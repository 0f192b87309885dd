//! `CHATOUT_WEBHOOK_URLS` and `CHATOUT_WEBHOOK_SECRET`: where order events are POSTed
//! (CONTRACT.md section 8), and how deliveries are retried.

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
    /// Reads both variables: `None` when neither is set; an error when only one is, when a
    /// URL is not `http(s)://`, or when the secret is short.
    pub(super) fn from_value(
        value: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, SettingsError> {
        let (urls, secret) = (
            value("CHATOUT_WEBHOOK_URLS"),
            value("CHATOUT_WEBHOOK_SECRET"),
        );
        let (urls, secret) = match (urls, secret) {
            (None, None) => return Ok(None),
            (Some(urls), Some(secret)) => (urls, secret),
            (None, Some(_)) => {
                return Err(SettingsError {
                    variable: "CHATOUT_WEBHOOK_URLS",
                    reason: "CHATOUT_WEBHOOK_SECRET is set; say where events go".into(),
                })
            }
            (Some(_), None) => {
                return Err(SettingsError {
                    variable: "CHATOUT_WEBHOOK_SECRET",
                    reason: "every delivery is signed; set a secret the receivers share".into(),
                })
            }
        };
        let urls: Vec<String> = urls
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .collect();
        let bad = urls.iter().find(|u| {
            let rest = u
                .strip_prefix("https://")
                .or_else(|| u.strip_prefix("http://"));
            rest.is_none_or(|r| r.is_empty() || r.contains(char::is_whitespace))
        });
        if let Some(bad) = bad.or(urls.is_empty().then_some(&String::new())) {
            return Err(SettingsError {
                variable: "CHATOUT_WEBHOOK_URLS",
                reason: format!("'{bad}' is not a URL like https://crm.example/hooks/chatout"),
            });
        }
        if secret.chars().count() < MIN_SECRET {
            return Err(SettingsError {
                variable: "CHATOUT_WEBHOOK_SECRET",
                reason: format!("at least {MIN_SECRET} characters"),
            });
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
