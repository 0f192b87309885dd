//! The payment providers' APIs (docs/CONTRACT.md section 9): a payment page per order, what the
//! provider says about it, cancelling a superseded one and refunding. Mollie and Stripe each
//! in its own file, both behind one [`Provider`] so the rest of the server does not care which.
//! Off unless their keys are set; the base URLs are configurable, so tests use local fakes
//! that speak each provider's documented wire format.

pub mod mollie;
pub mod stripe;

use crate::policy::payment::{MoneyBack, PaymentStatus};
use crate::settings::PaymentSettings;
use chatout_core::{Currency, Money};
use std::time::Duration;

/// A payment provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderName {
    /// mollie.com.
    Mollie,
    /// stripe.com.
    Stripe,
}

impl ProviderName {
    /// Both, in the order the desk offers them.
    pub const ALL: [Self; 2] = [Self::Mollie, Self::Stripe];

    /// The stored name, and what `payment:<provider>` names as actor.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mollie => "mollie",
            Self::Stripe => "stripe",
        }
    }

    /// Reads a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// As the desk writes it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Mollie => "Mollie",
            Self::Stripe => "Stripe",
        }
    }
}

/// A payment page to make.
#[derive(Debug, Clone)]
pub struct NewPayment {
    /// The order's total.
    pub amount: Money,
    /// "Zeegras Home order K7F3-9Q2M".
    pub description: String,
    /// The order's reference, kept by the provider as metadata.
    pub reference: String,
    /// Where the customer returns to (the shopper's order page).
    pub return_url: String,
    /// Where Mollie reports changes (Stripe's webhook is configured in its dashboard).
    pub webhook_url: String,
    /// The order's language (`nl`, `pt-BR`…): the provider's page speaks it where it can.
    pub locale: String,
}

/// What a provider says about a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderPayment {
    /// `tr_…` or `cs_…`.
    pub id: String,
    /// The page the customer pays on, while it is open.
    pub url: Option<String>,
    /// Where it is.
    pub status: PaymentStatus,
    /// The amount it is for, minor units.
    pub amount: i64,
    /// Its currency (ISO 4217, upper case).
    pub currency: String,
    /// The order reference in its metadata.
    pub reference: Option<String>,
    /// Stripe's payment intent, which a refund names.
    pub intent: Option<String>,
    /// What went back to the customer so far (refunds, chargebacks), where the report says:
    /// Mollie's payment always does; a Stripe session does not (its charge events do).
    pub money_back: Option<MoneyBack>,
}

/// Why a provider call did not work.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ProviderError {
    /// No answer, or a 5xx: try again later.
    #[error("{0} did not answer: {1}")]
    Down(&'static str, String),
    /// The provider refused the request (4xx), in its words.
    #[error("{0} refused: {1}")]
    Refused(&'static str, String),
    /// An answer that does not read as the provider's documented format.
    #[error("{0} answered something unexpected: {1}")]
    Unreadable(&'static str, String),
}

/// The configured providers' clients.
#[derive(Debug, Clone, Default)]
pub struct Payments {
    /// Mollie, if configured.
    pub mollie: Option<mollie::Mollie>,
    /// Stripe, if configured.
    pub stripe: Option<stripe::Stripe>,
}

impl Payments {
    /// Clients for the configured providers.
    pub fn new(settings: &PaymentSettings) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Self {
            mollie: settings
                .mollie
                .as_ref()
                .map(|s| mollie::Mollie::new(http.clone(), s)),
            stripe: settings
                .stripe
                .as_ref()
                .map(|s| stripe::Stripe::new(http.clone(), s)),
        }
    }

    /// The configured providers, Mollie first.
    pub fn configured(&self) -> Vec<ProviderName> {
        let mut names = Vec::new();
        if self.mollie.is_some() {
            names.push(ProviderName::Mollie);
        }
        if self.stripe.is_some() {
            names.push(ProviderName::Stripe);
        }
        names
    }

    /// Makes a payment page with `provider`.
    pub async fn create(
        &self,
        provider: ProviderName,
        payment: &NewPayment,
    ) -> Result<ProviderPayment, ProviderError> {
        match provider {
            ProviderName::Mollie => self.mollie()?.create(payment).await,
            ProviderName::Stripe => self.stripe()?.create(payment).await,
        }
    }

    /// Ends a payment page that a newer one replaced, where the provider allows it. A page
    /// that can no longer be ended (paid, expired) is left; it can no longer mark the order
    /// paid either way.
    pub async fn cancel(&self, provider: ProviderName, id: &str) -> Result<(), ProviderError> {
        match provider {
            ProviderName::Mollie => self.mollie()?.cancel(id).await,
            ProviderName::Stripe => self.stripe()?.expire(id).await,
        }
    }

    /// Refunds `amount` of a paid payment; returns the refund's id.
    pub async fn refund(
        &self,
        provider: ProviderName,
        payment: &ProviderPayment,
        amount: Money,
    ) -> Result<String, ProviderError> {
        match provider {
            ProviderName::Mollie => self.mollie()?.refund(&payment.id, amount).await,
            ProviderName::Stripe => self.stripe()?.refund(payment, amount).await,
        }
    }

    fn mollie(&self) -> Result<&mollie::Mollie, ProviderError> {
        self.mollie
            .as_ref()
            .ok_or_else(|| ProviderError::Refused("Mollie", "not configured".into()))
    }

    fn stripe(&self) -> Result<&stripe::Stripe, ProviderError> {
        self.stripe
            .as_ref()
            .ok_or_else(|| ProviderError::Refused("Stripe", "not configured".into()))
    }
}

/// What a provider's id is written as in a path: its letters, digits, `_` and `-` as they
/// are, anything else encoded (never path syntax).
const ID: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'_').remove(b'-');

/// An amount in minor units from a provider's decimal string (`"12.50"`, JPY `"1500"`).
pub fn minor_of(value: &str, currency: &str) -> Option<i64> {
    let currency = Currency::from_code(currency).ok()?;
    Money::parse_major(value, currency)
        .ok()
        .map(|m| m.minor_units())
}

/// A fresh `Idempotency-Key` for a POST (both providers' libraries send one on every POST):
/// a request retried with it is carried out once.
pub fn idempotency_key() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// The `Idempotency-Key` of a refund: the same for the same payment and amount, so that a
/// refund asked for twice (a retry, a double click that got past the claim) is made once.
pub fn refund_key(payment_id: &str, amount: Money) -> String {
    format!("chatout-refund-{payment_id}-{}", amount.minor_units())
}

/// Sends `request` with `key` as bearer token to provider `name`: a 2xx answer's JSON (null
/// for an empty one); `detail` reads the provider's error body for a 4xx.
async fn send(
    name: &'static str,
    request: reqwest::RequestBuilder,
    key: &str,
    detail: fn(&serde_json::Value) -> Option<&str>,
) -> Result<serde_json::Value, ProviderError> {
    let response = request
        .bearer_auth(key)
        .send()
        .await
        .map_err(|e| ProviderError::Down(name, e.to_string()))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| ProviderError::Down(name, e.to_string()))?;
    if status.is_server_error() {
        return Err(ProviderError::Down(name, format!("HTTP {status}")));
    }
    if !status.is_success() {
        let said = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| detail(&v).map(str::to_string))
            .unwrap_or_else(|| format!("HTTP {status}"));
        return Err(ProviderError::Refused(name, short(&said)));
    }
    if text.trim().is_empty() {
        return Ok(serde_json::Value::Null);
    }
    serde_json::from_str(&text).map_err(|e| ProviderError::Unreadable(name, e.to_string()))
}

/// The error text of an answer's body, shortened for the desk.
fn short(text: &str) -> String {
    text.chars().take(300).collect()
}
