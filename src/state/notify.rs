//! Back-in-stock (CONTRACT.md section 10): which products the shop's server reports sold
//! out, and the request to hear when one is back. Without a server, the shopper asks in a
//! plain chat instead.

use super::*;

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
            events::dispatch("chatout:open", &events::Empty {}, false);
        }
        self.view.set(View::Notify(NotifyProduct {
            sku: sku.trim().to_string(),
            name: name.to_string(),
        }));
    }
}
