//! `MOLLIE_*` and `STRIPE_*`: the payment providers whose pages the customer pays on
//! (docs/CONTRACT.md section 9). Each is off until its key is set; either needs
//! `CHATOUT_PUBLIC_URL`, which the provider sends the customer back to and (Mollie) calls.

use super::env::Env;
use super::variables as var;
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
    /// Each provider off until its key is set; either needs the public URL.
    pub(super) fn from_env<F: Fn(&str) -> Option<String>>(
        env: &Env<F>,
        public_url: Option<&str>,
    ) -> Result<Self, SettingsError> {
        let mollie = match env.set(&var::MOLLIE_API_KEY) {
            None => None,
            Some(api_key) => Some(MollieSettings {
                api_key,
                api_base: env.base_url(&var::MOLLIE_API_BASE, "https://api.mollie.com/v2")?,
            }),
        };
        let stripe = match (
            env.set(&var::STRIPE_SECRET_KEY),
            env.set(&var::STRIPE_WEBHOOK_SECRET),
        ) {
            (None, None) => None,
            (Some(secret_key), Some(webhook_secret)) => Some(StripeSettings {
                secret_key,
                webhook_secret,
                api_base: env.base_url(&var::STRIPE_API_BASE, "https://api.stripe.com/v1")?,
            }),
            (Some(_), None) => {
                return Err(SettingsError::new(
                    &var::STRIPE_WEBHOOK_SECRET,
                    "Stripe's webhook is how a payment is recorded; set its signing secret \
                     (whsec_…)",
                ))
            }
            (None, Some(_)) => {
                return Err(SettingsError::new(
                    &var::STRIPE_SECRET_KEY,
                    "STRIPE_WEBHOOK_SECRET is set; set the API key too",
                ))
            }
        };
        if (mollie.is_some() || stripe.is_some()) && public_url.is_none() {
            return Err(SettingsError::new(
                &var::PUBLIC_URL,
                "payments send the customer back to this server, and Mollie calls it: set its \
                 public base URL",
            ));
        }
        Ok(Self { mollie, stripe })
    }
}
