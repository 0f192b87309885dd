//! Back-in-stock (docs/CONTRACT.md section 10): which products the shop's server reports sold
//! out, and the request to hear when one is back. Without a server, the shopper asks in a
//! plain chat instead.

use super::*;
use crate::api::AlertReply;
use crate::json::{self, Json};

/// Where the shopper's request stands, for the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotifyState {
    /// Sent to the shop's server, waiting.
    pub sending: bool,
    /// WhatsApp opened with the message that makes it count.
    pub sent: bool,
    /// What is wrong with the number.
    pub phone_error: Option<String>,
    /// The opt-in was not ticked.
    pub consent_error: Option<String>,
    /// The server could not take it.
    pub problem: Option<String>,
}

impl Store {
    /// Endpoint mode: learns which products are sold out, once, in the background. A server
    /// that does not answer leaves every add button as it is.
    pub fn load_availability(&self, config: &Config) {
        let Some(endpoint) = config.endpoint.as_deref() else {
            return;
        };
        let url = api::sibling(endpoint, "availability");
        let unavailable = self.unavailable;
        leptos::task::spawn_local(async move {
            match api::unavailable(&url).await {
                Ok(skus) => unavailable.set(skus),
                Err(reason) => console_warn(&format!("availability unknown: {reason}")),
            }
        });
    }

    /// Whether the server reported `sku` sold out.
    pub fn is_unavailable(&self, sku: &str) -> bool {
        self.unavailable
            .with_untracked(|skus| skus.iter().any(|s| s == sku))
    }

    /// "Tell me when it's back" for a product: the form in endpoint mode, else a chat that
    /// asks for it.
    pub fn notify(&self, config: &Config, sku: &str, name: &str) {
        let name = name.trim();
        let name = if name.is_empty() { sku.trim() } else { name };
        if config.endpoint.is_none() {
            let message = fill(&config.labels.notify_chat, &[("product", name)]);
            self.chat(config, Some(&message), None);
            return;
        }
        if self.view.get_untracked() == View::Closed {
            events::dispatch("chatout:open", &events::empty(), false);
        }
        self.view.set(View::Notify(NotifyProduct {
            sku: sku.trim().to_string(),
            name: name.to_string(),
        }));
    }
}

/// Sends "tell me when `sku` is back" for the number `typed` (read as the checkout reads it)
/// if the opt-in was `ticked`; the form's `state` follows. A double click sends once.
pub fn request_alert(
    config: &Config,
    sku: &str,
    typed: &str,
    ticked: bool,
    state: RwSignal<NotifyState>,
) {
    if state.with_untracked(|s| s.sending || s.sent) {
        return;
    }
    let labels = &config.labels;
    let number = PhoneNumber::parse(typed.trim(), config.rules().default_country);
    let phone_error = match (typed.trim().is_empty(), &number) {
        (true, _) => Some(labels.error_required.clone()),
        (false, Err(_)) => Some(labels.error_phone.clone()),
        (false, Ok(_)) => None,
    };
    let consent_error = (!ticked).then(|| labels.error_consent.clone());
    let ready = phone_error.is_none() && consent_error.is_none();
    state.set(NotifyState {
        sending: ready,
        phone_error,
        consent_error,
        ..NotifyState::default()
    });
    let (Ok(number), true, Some(endpoint)) = (number, ready, config.endpoint.as_deref()) else {
        return;
    };
    let (_, page) = browser::page_title_and_url();
    let (phone, at) = (number.to_string(), browser::now_rfc3339());
    let body = json::to_string(&Json::object([
        ("sku", sku.into()),
        ("phone", phone.into()),
        ("locale", config.locale.as_str().into()),
        (
            "consent",
            Json::object([
                ("text", labels.marketing_checkbox.as_str().into()),
                ("at", at.into()),
            ]),
        ),
        ("page", page.into()),
    ]));
    let url = api::sibling(endpoint, "back-in-stock");
    let (phone_text, unavailable) = (labels.error_phone.clone(), labels.error_unavailable.clone());
    leptos::task::spawn_local(async move {
        let mut next = NotifyState::default();
        match api::post_alert(&url, &body).await {
            AlertReply::Subscribed(answer) => {
                browser::open_link(&answer.whatsapp_url);
                let detail = events::sent(&answer.reference, &answer.whatsapp_url);
                events::dispatch("chatout:notify", &detail, false);
                next.sent = true;
            }
            AlertReply::Refused(fields) if fields.iter().any(|f| f == "phone") => {
                next.phone_error = Some(phone_text);
            }
            AlertReply::Refused(fields) => {
                console_warn(&format!("back-in-stock request refused: {fields:?}"));
                next.problem = Some(unavailable);
            }
            AlertReply::Unavailable(reason) => {
                console_warn(&format!("back-in-stock request failed: {reason}"));
                events::error("endpoint_unavailable", &reason);
                next.problem = Some(unavailable);
            }
        }
        // The panel may have closed meanwhile.
        state.try_set(next);
    });
}
