//! Stripe Checkout: `POST /checkout/sessions` (form-encoded) makes the page, a session
//! replaced by a newer one is ended with `POST /checkout/sessions/{id}/expire`, a paid one is
//! refunded with `POST /refunds`. Payments are recorded from Stripe's signed webhook events
//! (`Stripe-Signature: t=…,v1=…`, HMAC-SHA256 of `"{t}.{body}"`, five minutes' tolerance).

use super::{short, NewPayment, ProviderError, ProviderPayment};
use crate::policy::payment::PaymentStatus;
use crate::settings::StripeSettings;
use chatout_core::Money;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

const NAME: &str = "Stripe";

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
        ];
        let request = self
            .http
            .post(format!("{}/checkout/sessions", self.base))
            .form(&form);
        let session = self.send(request).await?;
        session_of(&session)
    }

    /// `POST /checkout/sessions/{id}/expire`; a session Stripe no longer lets expire is left.
    pub async fn expire(&self, id: &str) -> Result<(), ProviderError> {
        let request = self.http.post(format!(
            "{}/checkout/sessions/{}/expire",
            self.base,
            percent_encoding::utf8_percent_encode(id, super::ID)
        ));
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
        let amount = amount.minor_units().to_string();
        let form = [("payment_intent", intent), ("amount", amount.as_str())];
        let request = self.http.post(format!("{}/refunds", self.base)).form(&form);
        let answer = self.send(request).await?;
        answer["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ProviderError::Unreadable(NAME, "a refund without an id".into()))
    }

    /// Sends with the key; Stripe's errors are `{"error":{"type":…,"message":…}}`.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value, ProviderError> {
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

/// Checks `header` (`t=…,v1=…[,v1=…]`) over `body` with `secret`, at `now` (Unix seconds).
/// The comparison is constant-time.
pub fn verify(
    secret: &str,
    body: &[u8],
    header: Option<&str>,
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Missing)?;
    if signatures.is_empty() {
        return Err(SignatureError::Missing);
    }
    let matches = signatures.iter().any(|signature| {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return false;
        };
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(signature).is_ok()
    });
    if !matches {
        return Err(SignatureError::Mismatch);
    }
    if (now - timestamp).abs() > TOLERANCE {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

/// The `Stripe-Signature` of a body at `t` (for tests and the fake).
pub fn sign(secret: &str, body: &[u8], t: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// A webhook event that concerns a payment: its id and the session as it now is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// `evt_…`: a repeat of the same event changes nothing.
    pub id: String,
    /// The session.
    pub payment: ProviderPayment,
}

/// Reads a (verified) event body: `None` for event types that are not about a Checkout
/// Session's payment; an error for a body that is not an event.
pub fn event(body: &[u8]) -> Result<Option<Event>, String> {
    let event: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let id = event["id"].as_str().ok_or("an event without an id")?;
    let kind = event["type"].as_str().ok_or("an event without a type")?;
    let session = &event["data"]["object"];
    let mut payment = match kind {
        "checkout.session.completed"
        | "checkout.session.async_payment_succeeded"
        | "checkout.session.async_payment_failed"
        | "checkout.session.expired" => session_of(session).map_err(|e| e.to_string())?,
        _ => return Ok(None),
    };
    if kind == "checkout.session.async_payment_failed" {
        payment.status = PaymentStatus::Failed;
    }
    Ok(Some(Event {
        id: id.to_string(),
        payment,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_hold_for_the_exact_body_within_five_minutes() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign("whsec_test", body, 1_800_000_000);
        assert_eq!(
            verify("whsec_test", body, Some(&header), 1_800_000_100),
            Ok(())
        );
        assert_eq!(
            verify("whsec_test", b"{}", Some(&header), 1_800_000_100),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("whsec_other", body, Some(&header), 1_800_000_100),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("whsec_test", body, Some(&header), 1_800_000_301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify("whsec_test", body, None, 0),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify("whsec_test", body, Some("t=1,v0=ab"), 1),
            Err(SignatureError::Missing)
        );
        // Several v1 signatures (a secret being rolled): any one matching will do.
        let two = format!("{header},v1=00ff");
        assert_eq!(
            verify("whsec_test", body, Some(&two), 1_800_000_000),
            Ok(())
        );
    }

    #[test]
    fn events_about_sessions_are_read_and_others_left() {
        let completed = br#"{"id":"evt_1","type":"checkout.session.completed","data":{"object":
          {"id":"cs_1","object":"checkout.session","amount_total":2985,"currency":"eur",
           "status":"complete","payment_status":"paid","payment_intent":"pi_1",
           "metadata":{"reference":"K7F3-9Q2M"},"url":null}}}"#;
        let e = event(completed).unwrap().unwrap();
        assert_eq!(e.id, "evt_1");
        assert_eq!(e.payment.status, PaymentStatus::Paid);
        assert_eq!(
            (e.payment.amount, e.payment.currency.as_str()),
            (2985, "EUR")
        );
        assert_eq!(e.payment.intent.as_deref(), Some("pi_1"));
        assert_eq!(e.payment.reference.as_deref(), Some("K7F3-9Q2M"));
        let failed = String::from_utf8_lossy(completed)
            .replace(
                "checkout.session.completed",
                "checkout.session.async_payment_failed",
            )
            .replace("\"paid\"", "\"unpaid\"");
        assert_eq!(
            event(failed.as_bytes()).unwrap().unwrap().payment.status,
            PaymentStatus::Failed
        );
        assert_eq!(
            event(br#"{"id":"evt_2","type":"charge.refunded","data":{}}"#),
            Ok(None)
        );
        assert!(event(b"{").is_err());
        assert!(event(
            br#"{"id":"evt_3","type":"checkout.session.completed","data":{"object":{}}}"#
        )
        .is_err());
    }
}
