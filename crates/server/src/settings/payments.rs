//! `MOLLIE_*` and `STRIPE_*`: the payment providers whose pages the customer pays on
//! (CONTRACT.md section 9). Each is off until its key is set; either needs
//! `CHATOUT_PUBLIC_URL`, which the provider sends the customer back to and (Mollie) calls.

use super::SettingsError;

/// Mollie's API.
#[derive(Debug, Clone)]
pub struct MollieSettings {
    /// `live_…` or `test_…`.
    pub api_key: String,
    /// `https://api.mollie.com/v2` (a local fake in tests).
    pub api_base: String,
}

/// Stripe's API.
#[derive(Debug, Clone)]
pub struct StripeSettings {
    /// `sk_live_…` or `sk_test_…`.
    pub secret_key: String,
    /// `whsec_…`: what `Stripe-Signature` is checked with.
    pub webhook_secret: String,
    /// `https://api.stripe.com/v1` (a local fake in tests).
    pub api_base: String,
}

/// The configured providers.
#[derive(Debug, Clone, Default)]
pub struct PaymentSettings {
    /// Mollie, if `MOLLIE_API_KEY` is set.
    pub mollie: Option<MollieSettings>,
    /// Stripe, if `STRIPE_SECRET_KEY` is set.
    pub stripe: Option<StripeSettings>,
}

impl PaymentSettings {
    /// Reads the variables; `public_url` is `CHATOUT_PUBLIC_URL`.
    pub(super) fn from_value(
        value: impl Fn(&str) -> Option<String>,
        public_url: Option<&str>,
    ) -> Result<Self, SettingsError> {
        let base = |variable: &'static str, default: &str| -> Result<String, SettingsError> {
            let url = value(variable).unwrap_or_else(|| default.to_string());
            let url = url.trim_end_matches('/').to_string();
            if url.starts_with("https://") || url.starts_with("http://") {
                Ok(url)
            } else {
                Err(SettingsError {
                    variable,
                    reason: format!("'{url}' is not a URL"),
                })
            }
        };
        let mollie = match value("MOLLIE_API_KEY") {
            None => None,
            Some(api_key) => Some(MollieSettings {
                api_key,
                api_base: base("MOLLIE_API_BASE", "https://api.mollie.com/v2")?,
            }),
        };
        let stripe = match (value("STRIPE_SECRET_KEY"), value("STRIPE_WEBHOOK_SECRET")) {
            (None, None) => None,
            (Some(secret_key), Some(webhook_secret)) => Some(StripeSettings {
                secret_key,
                webhook_secret,
                api_base: base("STRIPE_API_BASE", "https://api.stripe.com/v1")?,
            }),
            (Some(_), None) => {
                return Err(SettingsError {
                    variable: "STRIPE_WEBHOOK_SECRET",
                    reason: "Stripe's webhook is how a payment is recorded; set its signing \
                             secret (whsec_…)"
                        .into(),
                })
            }
            (None, Some(_)) => {
                return Err(SettingsError {
                    variable: "STRIPE_SECRET_KEY",
                    reason: "STRIPE_WEBHOOK_SECRET is set; set the API key too".into(),
                })
            }
        };
        if (mollie.is_some() || stripe.is_some()) && public_url.is_none() {
            return Err(SettingsError {
                variable: "CHATOUT_PUBLIC_URL",
                reason: "payments send the customer back to this server, and Mollie calls it: \
                         set its public base URL"
                    .into(),
            });
        }
        Ok(Self { mollie, stripe })
    }
}
