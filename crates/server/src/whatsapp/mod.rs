//! The WhatsApp Business Platform (messages from the shop's number): order updates through approved templates,
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
use templates::{Templates, TemplatesError, DEFAULT_TEMPLATES};

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

/// Why messaging cannot start: its templates file.
#[derive(Debug, thiserror::Error)]
pub enum MessagingError {
    /// The file cannot be read.
    #[error("{path}: {source}")]
    Unreadable {
        /// `WHATSAPP_TEMPLATES`.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file does not say which template each event sends.
    #[error("{path}: {source}")]
    Invalid {
        /// `WHATSAPP_TEMPLATES`.
        path: String,
        /// What is wrong with it.
        source: TemplatesError,
    },
    /// The built-in example does not read (a bug in the build).
    #[error(transparent)]
    Example(#[from] TemplatesError),
}

impl Messaging {
    /// Reads the templates file (or the built-in example) and builds the client.
    pub fn new(settings: WhatsAppSettings) -> Result<Self, MessagingError> {
        let templates = match &settings.templates_path {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|source| MessagingError::Unreadable {
                        path: path.clone(),
                        source,
                    })?;
                Templates::from_json(&text).map_err(|source| MessagingError::Invalid {
                    path: path.clone(),
                    source,
                })?
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
