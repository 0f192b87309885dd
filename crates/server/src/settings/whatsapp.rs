//! The `WHATSAPP_*` variables: the WhatsApp Business Platform: messages from the shop's own number.

use super::env::Env;
use super::variables::{self as var, Variable, GRAPH_API_BASE};
use super::SettingsError;
use std::time::Duration;

/// Where and how the server sends WhatsApp messages and checks its webhooks.
#[derive(Debug, Clone)]
pub struct WhatsAppSettings {
    /// The Graph API base, e.g. `https://graph.facebook.com/v23.0` (loopback in tests).
    pub api_base: String,
    /// The business phone number's id.
    pub phone_number_id: String,
    /// The access token (a system user token).
    pub token: String,
    /// The app secret, which signs webhooks (`X-Hub-Signature-256`).
    pub app_secret: String,
    /// What Meta sends back when the webhook is registered.
    pub verify_token: String,
    /// The templates JSON file; `None` uses the built-in example mapping.
    pub templates_path: Option<String>,
    /// The WhatsApp Business Account's id (`WHATSAPP_WABA_ID`): lets the desk sync the
    /// approved marketing templates from WhatsApp Manager.
    pub waba_id: Option<String>,
    /// Messages per second for the number (Cloud API default throughput: 80).
    pub per_second: u32,
    /// Least time between two messages to the same contact (the pair rate limit).
    pub contact_gap: Duration,
    /// The first retry's delay; each further retry doubles it (with jitter).
    pub retry_base: Duration,
    /// Attempts before a retryable error becomes a failure.
    pub max_attempts: u32,
    /// How long one request to the API may take.
    pub request_timeout: Duration,
}

impl WhatsAppSettings {
    /// `None` when none of the four credentials is set; an error names the first one missing
    /// when only some are.
    pub(super) fn from_env<F: Fn(&str) -> Option<String>>(
        env: &Env<F>,
    ) -> Result<Option<Self>, SettingsError> {
        const REQUIRED: [Variable; 4] = [
            var::WHATSAPP_PHONE_NUMBER_ID,
            var::WHATSAPP_TOKEN,
            var::WHATSAPP_APP_SECRET,
            var::WHATSAPP_VERIFY_TOKEN,
        ];
        let found: Vec<Option<String>> = REQUIRED.iter().map(|v| env.set(v)).collect();
        if found.iter().all(Option::is_none) {
            return Ok(None);
        }
        if let Some((missing, _)) = REQUIRED.iter().zip(&found).find(|(_, v)| v.is_none()) {
            let names: Vec<&str> = REQUIRED.iter().map(|v| v.name).collect();
            return Err(SettingsError::new(
                missing,
                format!(
                    "messaging needs all of {}; this one is unset",
                    names.join(", ")
                ),
            ));
        }
        let [phone_number_id, token, app_secret, verify_token] =
            [0, 1, 2, 3].map(|i| found[i].clone().unwrap_or_default());
        Ok(Some(Self {
            api_base: env.base_url(&var::WHATSAPP_API_BASE, GRAPH_API_BASE)?,
            phone_number_id,
            token,
            app_secret,
            verify_token,
            templates_path: env.text(&var::WHATSAPP_TEMPLATES),
            waba_id: env.text(&var::WHATSAPP_WABA_ID),
            per_second: 80,
            contact_gap: Duration::from_secs(6),
            retry_base: Duration::from_secs(2),
            max_attempts: 8,
            request_timeout: Duration::from_secs(30),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Settings;
    use super::*;

    #[test]
    fn messaging_is_off_until_every_credential_is_set() {
        assert!(Settings::from_lookup(|_| None).unwrap().whatsapp.is_none());
        let all = |n: &str| match n {
            "WHATSAPP_PHONE_NUMBER_ID" => Some("1065".to_string()),
            "WHATSAPP_TOKEN" => Some("token".into()),
            "WHATSAPP_APP_SECRET" => Some("secret".into()),
            "WHATSAPP_VERIFY_TOKEN" => Some("verify".into()),
            _ => None,
        };
        let on = Settings::from_lookup(all).unwrap().whatsapp.unwrap();
        assert_eq!(on.api_base, GRAPH_API_BASE);
        assert_eq!(
            (on.phone_number_id.as_str(), on.token.as_str()),
            ("1065", "token")
        );
        assert_eq!(
            (on.app_secret.as_str(), on.verify_token.as_str()),
            ("secret", "verify")
        );
        let err =
            Settings::from_lookup(|n| all(n).filter(|_| n != "WHATSAPP_APP_SECRET")).unwrap_err();
        assert_eq!(err.variable, "WHATSAPP_APP_SECRET");
        let err = Settings::from_lookup(|n| {
            if n == "WHATSAPP_API_BASE" {
                Some("graph.facebook.com".into())
            } else {
                all(n)
            }
        })
        .unwrap_err();
        assert_eq!(err.variable, "WHATSAPP_API_BASE");
    }
}
