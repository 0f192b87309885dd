//! Mollie's Payments API v2: `POST /payments` makes the page, `GET /payments/{id}` is the
//! only thing trusted about it (the webhook carries just the id), `DELETE /payments/{id}`
//! cancels a replaced one while Mollie allows it, `POST /payments/{id}/refunds` refunds.
//! Amounts are `{"currency":"EUR","value":"12.50"}` strings with the currency's decimals.

use super::{
    idempotency_key, minor_of, refund_key, short, NewPayment, ProviderError, ProviderPayment,
};
use crate::policy::payment::{MoneyBack, PaymentStatus};
use crate::settings::MollieSettings;
use chatout_core::Money;
use serde::Deserialize;
use serde_json::{json, Value};

const NAME: &str = "Mollie";

/// The locales Mollie's payment pages speak (its `locale` parameter).
const LOCALES: [&str; 22] = [
    "en_US", "en_GB", "nl_NL", "nl_BE", "de_DE", "de_AT", "de_CH", "fr_FR", "fr_BE", "es_ES",
    "ca_ES", "pt_PT", "it_IT", "nb_NO", "sv_SE", "fi_FI", "da_DK", "is_IS", "hu_HU", "pl_PL",
    "lv_LV", "lt_LT",
];

/// Mollie's `locale` for an order's locale (`nl-BE`, `de`, `pt-BR`…): the exact one, else the
/// first of its language; `None` for a language Mollie does not speak (it then picks one
/// from the browser).
pub fn locale_of(locale: &str) -> Option<&'static str> {
    let wanted = locale.replace('-', "_");
    let language = chatout_core::language_of(locale);
    LOCALES
        .iter()
        .find(|l| l.eq_ignore_ascii_case(&wanted))
        .or_else(|| {
            LOCALES
                .iter()
                .find(|l| l.split('_').next() == Some(&language))
        })
        .copied()
}

/// A Mollie client.
#[derive(Debug, Clone)]
pub struct Mollie {
    http: reqwest::Client,
    base: String,
    key: String,
}

#[derive(Deserialize)]
struct Amount {
    currency: String,
    value: String,
}

#[derive(Deserialize)]
struct Link {
    href: String,
}

#[derive(Deserialize, Default)]
struct Links {
    #[serde(default)]
    checkout: Option<Link>,
}

#[derive(Deserialize)]
struct Payment {
    id: String,
    status: String,
    amount: Amount,
    #[serde(default)]
    metadata: Option<Value>,
    #[serde(default, rename = "_links")]
    links: Links,
    #[serde(default, rename = "amountRefunded")]
    amount_refunded: Option<Amount>,
    #[serde(default, rename = "amountChargedBack")]
    amount_charged_back: Option<Amount>,
}

/// What Mollie's `status` means here.
fn status_of(status: &str) -> Option<PaymentStatus> {
    Some(match status {
        "open" | "pending" | "authorized" => PaymentStatus::Open,
        "paid" => PaymentStatus::Paid,
        "failed" => PaymentStatus::Failed,
        "expired" => PaymentStatus::Expired,
        "canceled" => PaymentStatus::Canceled,
        _ => return None,
    })
}

impl Mollie {
    /// A client for `settings`.
    pub fn new(http: reqwest::Client, settings: &MollieSettings) -> Self {
        Self {
            http,
            base: settings.api_base.clone(),
            key: settings.api_key.clone(),
        }
    }

    /// `POST /payments`.
    pub async fn create(&self, payment: &NewPayment) -> Result<ProviderPayment, ProviderError> {
        let mut body = json!({
            "amount": {
                "currency": payment.amount.currency().code(),
                "value": payment.amount.to_decimal_string(),
            },
            "description": payment.description,
            "redirectUrl": payment.return_url,
            "webhookUrl": payment.webhook_url,
            "metadata": {"reference": payment.reference},
        });
        if let Some(locale) = locale_of(&payment.locale) {
            body["locale"] = json!(locale);
        }
        let request = self
            .http
            .post(format!("{}/payments", self.base))
            .header("Idempotency-Key", idempotency_key())
            .json(&body);
        self.payment(request).await
    }

    /// `GET /payments/{id}`: the payment as Mollie has it.
    pub async fn fetch(&self, id: &str) -> Result<ProviderPayment, ProviderError> {
        let request = self
            .http
            .get(format!("{}/payments/{}", self.base, path(id)));
        self.payment(request).await
    }

    /// `DELETE /payments/{id}`; a payment Mollie no longer lets cancel is left as it is.
    pub async fn cancel(&self, id: &str) -> Result<(), ProviderError> {
        let request = self
            .http
            .delete(format!("{}/payments/{}", self.base, path(id)));
        match self.send(request).await {
            Ok(_) | Err(ProviderError::Refused(..)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `POST /payments/{id}/refunds` for `amount`; the refund's id.
    pub async fn refund(&self, id: &str, amount: Money) -> Result<String, ProviderError> {
        let body = json!({"amount": {
            "currency": amount.currency().code(),
            "value": amount.to_decimal_string(),
        }});
        let request = self
            .http
            .post(format!("{}/payments/{}/refunds", self.base, path(id)))
            .header("Idempotency-Key", refund_key(id, amount))
            .json(&body);
        let answer = self.send(request).await?;
        answer["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ProviderError::Unreadable(NAME, "a refund without an id".into()))
    }

    async fn payment(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<ProviderPayment, ProviderError> {
        let answer = self.send(request).await?;
        let payment: Payment = serde_json::from_value(answer)
            .map_err(|e| ProviderError::Unreadable(NAME, e.to_string()))?;
        let status = status_of(&payment.status).ok_or_else(|| {
            ProviderError::Unreadable(NAME, format!("status '{}'", short(&payment.status)))
        })?;
        let amount =
            minor_of(&payment.amount.value, &payment.amount.currency).ok_or_else(|| {
                ProviderError::Unreadable(
                    NAME,
                    format!("amount '{}'", short(&payment.amount.value)),
                )
            })?;
        let back = |amount: &Option<Amount>, what: &str| match amount {
            None => Ok(0),
            Some(a) => minor_of(&a.value, &a.currency).ok_or_else(|| {
                ProviderError::Unreadable(NAME, format!("{what} '{}'", short(&a.value)))
            }),
        };
        let money_back = MoneyBack {
            refunded: back(&payment.amount_refunded, "amountRefunded")?,
            charged_back: back(&payment.amount_charged_back, "amountChargedBack")?,
        };
        Ok(ProviderPayment {
            id: payment.id,
            url: payment.links.checkout.map(|l| l.href),
            status,
            amount,
            currency: payment.amount.currency.to_ascii_uppercase(),
            reference: payment
                .metadata
                .as_ref()
                .and_then(|m| m.get("reference"))
                .and_then(Value::as_str)
                .map(str::to_string),
            intent: None,
            money_back: Some(money_back),
        })
    }

    /// Sends with the key; Mollie's errors are `{"status":422,"title":…,"detail":…}`.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value, ProviderError> {
        super::send(NAME, request, &self.key, |v| v["detail"].as_str()).await
    }
}

/// An id as a path segment: Mollie's ids are `tr_` and letters and digits; anything else is
/// sent encoded, never as path syntax.
fn path(id: &str) -> String {
    percent_encoding::utf8_percent_encode(id, super::ID).to_string()
}
