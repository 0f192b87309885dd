//! `chatout-server`: the shop's order desk behind the widget's endpoint mode: orders registered before WhatsApp opens.
//!
//! Orders arrive as pending, priced from the shop's catalog with `chatout-core` (the same code
//! that writes the widget's message), are stored once per `Idempotency-Key`, hold stock, and
//! expire when forgotten.

pub mod auth;
pub mod cli;
pub mod client;
pub mod clock;
pub mod db;
pub mod desk;
mod layers;
pub mod lease;
pub mod limit;
pub mod outbound;
pub mod payments;
pub mod policy;
pub mod routes;
pub mod serve;
pub mod service;
pub mod settings;
pub mod startup;
pub mod whatsapp;

use chatout_core::Catalog;
use db::Db;
pub use settings::{Settings, SettingsError};
pub use startup::{Application, StartError};
use std::sync::Arc;

/// The demo store's catalog, served when `CHATOUT_CATALOG` is unset.
pub const DEMO_CATALOG: &str = include_str!("../../../demo/catalog.json");

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The catalog orders are priced from.
    pub catalog: Arc<Catalog>,
    /// The environment.
    pub settings: Arc<Settings>,
    /// Per-IP limits of order requests.
    pub order_limit: limit::Limit,
    /// Per-IP limits of desk sign-in attempts.
    pub sign_in_limit: limit::Limit,
    /// Per-IP limits of the payment providers' webhooks (open to anyone).
    pub provider_webhook_limit: limit::Limit,
    /// Request bodies in flight, all routes together.
    pub body_budget: limit::BodyBudget,
    /// Integration API requests per token.
    pub api_limit: limit::Limit<i64>,
    /// Wrong passwords per desk account.
    pub account_limit: limit::AccountLimit,
    /// Password checks, a few at a time.
    pub password_checks: auth::PasswordChecks,
    /// The key that signs the sign-in form's token (kept in the database, so every server
    /// on it and every restart accept the same forms).
    pub login_key: Arc<Vec<u8>>,
    /// WhatsApp messaging, when configured.
    pub messaging: Option<Arc<whatsapp::Messaging>>,
    /// Wakes the webhook sender when an event is queued.
    pub webhook_wake: Arc<tokio::sync::Notify>,
    /// The payment providers, as configured.
    pub payments: Arc<payments::Payments>,
    /// The hosts tracked links may lead to (`service::campaigns::own_hosts_of`).
    pub own_hosts: Arc<Vec<String>>,
}

impl AppState {
    /// The templates order steps send, when messaging is on.
    pub fn templates(&self) -> Option<&whatsapp::templates::Templates> {
        self.messaging.as_deref().map(|m| &m.templates)
    }

    /// Where order events are POSTed (none when webhooks are off).
    pub fn webhook_urls(&self) -> &[String] {
        self.settings
            .webhooks
            .as_ref()
            .map_or(&[], |w| w.urls.as_slice())
    }

    /// Tells the webhook sender an event is waiting.
    pub fn wake_webhooks(&self) {
        self.webhook_wake.notify_one();
    }

    /// Tells the outbox worker a message is waiting.
    pub fn wake_outbox(&self) {
        if let Some(messaging) = &self.messaging {
            messaging.wake.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    /// The demo page's widget and the server write the same shipping line: the page's
    /// `data-shipping-note` is the demo catalog's `shipping_note`.
    #[test]
    fn the_demo_page_and_the_demo_catalog_agree_on_shipping() {
        let page = include_str!("../../../index.html");
        let start = page
            .find("data-shipping-note=\"")
            .expect("the demo page has one")
            + 20;
        let note = &page[start..start + page[start..].find('"').unwrap()];
        let catalog = chatout_core::Catalog::from_json(super::DEMO_CATALOG).unwrap();
        assert_eq!(catalog.shop.shipping_note.as_deref(), Some(note));
    }
}
