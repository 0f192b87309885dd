//! Stripe Checkout: `POST /checkout/sessions` (form-encoded) makes the page, a session
//! replaced by a newer one is ended with `POST /checkout/sessions/{id}/expire`, a paid one is
//! refunded with `POST /refunds`. Payments are recorded from Stripe's signed webhook events
//! (`Stripe-Signature: t=…,v1=…`, HMAC-SHA256 of `"{t}.{body}"`, five minutes' tolerance).

use super::{idempotency_key, refund_key, short, NewPayment, ProviderError, ProviderPayment};
use crate::policy::payment::{BackReport, PaymentStatus};
use crate::settings::StripeSettings;
use chatout_core::Money;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use subtle::ConstantTimeEq;

const NAME: &str = "Stripe";

/// The API version every request names, so that a change of the account's default version
/// in Stripe's dashboard cannot change the shapes read here. (The webhook endpoint's version
/// is set where it is made; the fields read from events are the same in both.)
pub const API_VERSION: &str = "2024-06-20";

/// The languages Stripe Checkout speaks (its `locale` parameter); any other is `auto`.
const LOCALES: [&str; 41] = [
    "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi", "fil", "fr", "fr-CA",
    "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "pl", "pt", "pt-BR",
    "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh", "zh-HK", "zh-TW", "auto",
];

/// The Checkout `locale` for an order's locale (`pt-BR`, `nl`, `ar`…).
pub fn locale_of(locale: &str) -> &'static str {
    let exact = LOCALES
        .iter()
        .find(|l| l.eq_ignore_ascii_case(&locale.replace('_', "-")));
    let language = chatout_core::language_of(locale);
    exact
        .or_else(|| LOCALES.iter().find(|l| **l == language))
        .copied()
        .unwrap_or("auto")
}

/// How old a signed event may be, in seconds.
pub const TOLERANCE: i64 = 300;

/// A Stripe client.
#[derive(Debug, Clone)]
pub struct Stripe {
    http: reqwest::Client,
    base: String,
    key: String,
    /// The webhook signing secret.
    pub webhook_secret: String,
}

impl Stripe {
    /// A client for `settings`.
    pub fn new(http: reqwest::Client, settings: &StripeSettings) -> Self {
        Self {
            http,
            base: settings.api_base.clone(),
            key: settings.secret_key.clone(),
            webhook_secret: settings.webhook_secret.clone(),
        }
    }

    /// `POST /checkout/sessions`: one line for the order's total.
    pub async fn create(&self, payment: &NewPayment) -> Result<ProviderPayment, ProviderError> {
        let amount = payment.amount.minor_units().to_string();
        let currency = payment.amount.currency().code().to_ascii_lowercase();
        let form = [
            ("mode", "payment"),
            ("line_items[0][quantity]", "1"),
            ("line_items[0][price_data][currency]", currency.as_str()),
            ("line_items[0][price_data][unit_amount]", amount.as_str()),
            (
                "line_items[0][price_data][product_data][name]",
                payment.description.as_str(),
            ),
            ("success_url", payment.return_url.as_str()),
            ("cancel_url", payment.return_url.as_str()),
            ("client_reference_id", payment.reference.as_str()),
            ("metadata[reference]", payment.reference.as_str()),
            ("locale", locale_of(&payment.locale)),
        ];
        let request = self
            .http
            .post(format!("{}/checkout/sessions", self.base))
            .header("Idempotency-Key", idempotency_key())
            .form(&form);
        let session = self.send(request).await?;
        session_of(&session)
    }

    /// `POST /checkout/sessions/{id}/expire`; a session Stripe no longer lets expire is left.
    pub async fn expire(&self, id: &str) -> Result<(), ProviderError> {
        let request = self
            .http
            .post(format!(
                "{}/checkout/sessions/{}/expire",
                self.base,
                percent_encoding::utf8_percent_encode(id, super::ID)
            ))
            .header("Idempotency-Key", idempotency_key());
        match self.send(request).await {
            Ok(_) | Err(ProviderError::Refused(..)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `POST /refunds` of the session's payment intent, for `amount`; the refund's id.
    pub async fn refund(
        &self,
        payment: &ProviderPayment,
        amount: Money,
    ) -> Result<String, ProviderError> {
        let intent = payment.intent.as_deref().ok_or_else(|| {
            ProviderError::Refused(NAME, "the session has no payment to refund".into())
        })?;
        let key = refund_key(&payment.id, amount);
        let amount = amount.minor_units().to_string();
        let form = [("payment_intent", intent), ("amount", amount.as_str())];
        let request = self
            .http
            .post(format!("{}/refunds", self.base))
            .header("Idempotency-Key", key)
            .form(&form);
        let answer = self.send(request).await?;
        answer["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ProviderError::Unreadable(NAME, "a refund without an id".into()))
    }

    /// Sends with the key and the pinned version; Stripe's errors are
    /// `{"error":{"type":…,"message":…}}`.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value, ProviderError> {
        let request = request.header("Stripe-Version", API_VERSION);
        super::send(NAME, request, &self.key, |v| v["error"]["message"].as_str()).await
    }
}

/// A Checkout Session object as a payment.
pub fn session_of(session: &Value) -> Result<ProviderPayment, ProviderError> {
    let unreadable = |what: &str| ProviderError::Unreadable(NAME, format!("no {what}"));
    let id = session["id"].as_str().ok_or_else(|| unreadable("id"))?;
    let amount = session["amount_total"]
        .as_i64()
        .ok_or_else(|| unreadable("amount_total"))?;
    let currency = session["currency"]
        .as_str()
        .ok_or_else(|| unreadable("currency"))?;
    let status = match (
        session["status"].as_str(),
        session["payment_status"].as_str(),
    ) {
        (_, Some("paid")) => PaymentStatus::Paid,
        (Some("expired"), _) => PaymentStatus::Expired,
        (Some("open" | "complete"), _) => PaymentStatus::Open,
        (other, _) => {
            return Err(ProviderError::Unreadable(
                NAME,
                format!("status {}", short(other.unwrap_or("missing"))),
            ))
        }
    };
    Ok(ProviderPayment {
        id: id.to_string(),
        url: session["url"].as_str().map(str::to_string),
        status,
        amount,
        currency: currency.to_ascii_uppercase(),
        reference: session["metadata"]["reference"]
            .as_str()
            .map(str::to_string),
        intent: session["payment_intent"].as_str().map(str::to_string),
        money_back: None,
    })
}

/// Why a webhook delivery is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `Stripe-Signature`, or not `t=…,v1=…`.
    #[error("no readable Stripe-Signature header")]
    Missing,
    /// No `v1` signature matches the body under the secret.
    #[error("the signature does not match")]
    Mismatch,
    /// Signed more than five minutes from now: a replay.
    #[error("the signature is too old")]
    Stale,
}

/// Signatures looked at in one header: Stripe sends one per active secret (two while a
/// secret is rolled); more is not Stripe.
pub const MAX_SIGNATURES: usize = 4;
/// Longest `Stripe-Signature` read; Stripe's is about 150 bytes.
const MAX_HEADER: usize = 1024;

/// Checks `header` (`t=…,v1=…[,v1=…]`) over `body` with `secret`, at `now` (Unix seconds).
/// Cheap checks first, so that a stranger's request costs no more than one HMAC: the header's
/// size, the timestamp, at most [`MAX_SIGNATURES`] well-formed 32-byte signatures; then the
/// HMAC, computed once and compared in constant time with each.
pub fn verify(
    secret: &str,
    body: &[u8],
    header: Option<&str>,
    now: i64,
) -> Result<(), SignatureError> {
    let header = header
        .filter(|h| h.len() <= MAX_HEADER)
        .ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures: Vec<[u8; 32]> = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) if signatures.len() < MAX_SIGNATURES => {
                let mut signature = [0u8; 32];
                if hex::decode_to_slice(v, &mut signature).is_ok() {
                    signatures.push(signature);
                }
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Missing)?;
    if signatures.is_empty() {
        return Err(SignatureError::Missing);
    }
    if now.abs_diff(timestamp) > TOLERANCE.unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return Err(SignatureError::Mismatch);
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = mac.finalize().into_bytes();
    let matches = signatures.iter().fold(subtle::Choice::from(0), |any, s| {
        any | s.ct_eq(&expected[..])
    });
    if bool::from(matches) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The `Stripe-Signature` of a body at `t` (for tests and the fake).
pub fn sign(secret: &str, body: &[u8], t: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// A webhook event that concerns a payment this server may have made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// `evt_…`: a repeat of the same event changes nothing.
    pub id: String,
    /// What it says.
    pub news: News,
}

/// What an event says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum News {
    /// A Checkout Session as it now is.
    Session(ProviderPayment),
    /// A session reported without what a payment needs (no `amount_total`, an unknown
    /// status): nothing changes, and staff are told. Retrying would not make it readable.
    Unreadable {
        /// `cs_…`.
        session: String,
        /// What was missing.
        why: String,
    },
    /// Money went back on the charge of payment intent `intent`: refunds made anywhere
    /// (`charge.refunded`, in all) or a dispute (`charge.dispute.*`).
    MoneyBack {
        /// `pi_…`: how the server knows the payment.
        intent: String,
        /// What the event says went back.
        report: BackReport,
    },
}

/// Reads a (verified) event body: `None` for event types that are not about a payment; an
/// error for a body that is not an event at all.
pub fn event(body: &[u8]) -> Result<Option<Event>, String> {
    let event: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let id = event["id"].as_str().ok_or("an event without an id")?;
    let kind = event["type"].as_str().ok_or("an event without a type")?;
    let object = &event["data"]["object"];
    let news = match kind {
        "checkout.session.completed"
        | "checkout.session.async_payment_succeeded"
        | "checkout.session.async_payment_failed"
        | "checkout.session.expired" => match session_of(object) {
            Ok(mut payment) => {
                if kind == "checkout.session.async_payment_failed" {
                    payment.status = PaymentStatus::Failed;
                }
                News::Session(payment)
            }
            Err(e) => News::Unreadable {
                session: object["id"]
                    .as_str()
                    .ok_or("a session event without a session id")?
                    .to_string(),
                why: e.to_string(),
            },
        },
        "charge.refunded" => {
            let Some(intent) = intent_of(object) else {
                return Ok(None);
            };
            News::MoneyBack {
                intent,
                report: BackReport {
                    refunded: object["amount_refunded"].as_i64(),
                    charged_back: None,
                },
            }
        }
        "charge.dispute.created"
        | "charge.dispute.funds_withdrawn"
        | "charge.dispute.funds_reinstated"
        | "charge.dispute.closed" => {
            let (Some(intent), Some(amount)) = (intent_of(object), object["amount"].as_i64())
            else {
                return Ok(None);
            };
            // An inquiry (`warning_…`) takes no money; a won dispute gives it back.
            let taken = match object["status"].as_str() {
                Some("needs_response" | "under_review" | "lost") => {
                    kind != "charge.dispute.funds_reinstated"
                }
                _ => false,
            };
            News::MoneyBack {
                intent,
                report: BackReport {
                    refunded: None,
                    charged_back: Some(if taken { amount } else { 0 }),
                },
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(Event {
        id: id.to_string(),
        news,
    }))
}

/// The payment intent a charge or dispute object names (Checkout's payments all have one;
/// a charge without one was not made through this server).
fn intent_of(object: &Value) -> Option<String> {
    object["payment_intent"]
        .as_str()
        .filter(|i| !i.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
#[path = "stripe_tests.rs"]
mod tests;
