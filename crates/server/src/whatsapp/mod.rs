//! The WhatsApp Business Platform (Option 4): order updates through approved templates,
//! replies inside the 24-hour customer-service window, consent (STOP/START) and signed
//! webhooks. Off unless the `WHATSAPP_*` variables are set.

pub mod client;
pub mod content;
pub mod manager;
pub mod payload;
pub mod templates;
pub mod texts;
pub mod webhook;
pub mod worker;

use crate::settings::WhatsAppSettings;
use client::Client;
use templates::{Templates, DEFAULT_TEMPLATES};

/// Everything messaging needs at run time.
#[derive(Debug)]
pub struct Messaging {
    /// The settings it was built from.
    pub settings: WhatsAppSettings,
    /// Which template each order event sends.
    pub templates: Templates,
    /// The Cloud API client.
    pub client: Client,
    /// Wakes the worker when a message is queued.
    pub wake: tokio::sync::Notify,
}

impl Messaging {
    /// Reads the templates file (or the built-in example) and builds the client.
    pub fn new(settings: WhatsAppSettings) -> Result<Self, String> {
        let templates = match &settings.templates_path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
                Templates::from_json(&text).map_err(|e| format!("{path}: {e}"))?
            }
            None => Templates::from_json(DEFAULT_TEMPLATES)?,
        };
        let client = Client::new(
            &settings.api_base,
            &settings.phone_number_id,
            &settings.token,
            settings.request_timeout,
        );
        Ok(Self {
            settings,
            templates,
            client,
            wake: tokio::sync::Notify::new(),
        })
    }
}
