//! What the server's benches share: counts from the environment, and a server on a fresh
//! SQLite file with messaging pointed at the local fake Cloud API at the real limits.

use chatout_server::settings::WhatsAppSettings;
use chatout_server::Settings;
use std::path::Path;
use std::time::Duration;

/// `name` from the environment as a count, else `default`.
pub fn count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A server on any free port with its database in `dir`, the rate limit off and messaging
/// sending to `api_base` (80 messages/s, 6 s between two to one contact), webhooks signed
/// with `secret`.
pub fn messaging_settings(
    dir: &Path,
    api_base: &str,
    phone: &str,
    token: &str,
    secret: &str,
) -> Settings {
    let mut settings = Settings::from_lookup(|_| None).unwrap();
    settings.addr = "127.0.0.1:0".into();
    settings.database_url = format!("sqlite://{}", dir.join("bench.db").display());
    settings.rate_limit = 0;
    settings.admin_password = Some("bench password".into());
    settings.whatsapp = Some(WhatsAppSettings {
        api_base: api_base.into(),
        phone_number_id: phone.into(),
        token: token.into(),
        app_secret: secret.into(),
        verify_token: "v".into(),
        templates_path: None,
        waba_id: None,
        per_second: 80,
        contact_gap: Duration::from_secs(6),
        retry_base: Duration::from_secs(2),
        max_attempts: 8,
        request_timeout: Duration::from_secs(30),
    });
    settings
}
