//! The server's environment (docs/CONTRACT.md section 6), read once at start.

mod env;
mod integration;
mod payments;
pub mod variables;
mod whatsapp;

pub use env::{parse_duration, parse_networks};
pub use integration::WebhookSettings;
pub use payments::{MollieSettings, PaymentSettings, StripeSettings};
pub use variables::GRAPH_API_BASE;
pub use whatsapp::WhatsAppSettings;

use env::Env;
use variables::{self as var, Variable};

use std::time::Duration;

/// A setting that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct SettingsError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// Why.
    pub reason: String,
}

/// Everything the server reads from its environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Listen address; port 0 picks a free port.
    pub addr: String,
    /// `sqlite://file.db` or `postgres://…`.
    pub database_url: String,
    /// Catalog JSON file; `None` serves the demo catalog.
    pub catalog_path: Option<String>,
    /// Origins allowed to POST orders from a browser (CORS); empty = same origin only.
    pub allowed_origins: Vec<String>,
    /// How long an order stays pending before it expires.
    pub order_ttl: Duration,
    /// The first staff account's password; generated when unset.
    pub admin_password: Option<String>,
    /// Order requests per minute from one IP address; 0 turns the limit off.
    pub rate_limit: u32,
    /// The built widget (`cargo xtask dist` output) served at `/chatout/` and `/`.
    pub widget_dir: std::path::PathBuf,
    /// The WhatsApp Business Platform (messages from the shop's number); `None` when messaging is off.
    pub whatsapp: Option<WhatsAppSettings>,
    /// The server's public base URL (`https://orders.shop.example`); when set, its scheme
    /// decides whether the desk's cookies are `Secure` and HSTS is sent.
    pub public_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How long a pending order nobody has seen yet (no staff confirmation) holds its stock.
    pub stock_hold: Duration,
    /// Most units one client address may hold at once in such orders; 0 turns the cap off.
    pub hold_limit: u32,
    /// How long a client may take to send a request's headers (and how long an idle
    /// keep-alive connection stays open).
    pub header_timeout: Duration,
    /// How long a client may take to send a request's whole body.
    pub body_timeout: Duration,
    /// Open connections at once, in all.
    pub max_connections: usize,
    /// Open connections at once from one client address (a trusted proxy is not capped).
    pub max_connections_per_client: usize,
    /// Outbound webhooks (docs/CONTRACT.md section 8); `None` when no receiver is configured.
    pub webhooks: Option<WebhookSettings>,
    /// Mollie and Stripe (docs/CONTRACT.md section 9), each off until its key is set.
    pub payments: PaymentSettings,
    /// Integration API requests per minute per token; 0 turns the limit off.
    pub api_rate_limit: u32,
    /// Marketing messages (campaigns, back-in-stock alerts) one contact gets at most in 7 days
    /// (`CHATOUT_MARKETING_CAP`, default 2); one over it is skipped and counted.
    pub marketing_cap: u32,
    /// Back-in-stock alerts per unit restocked (`CHATOUT_ALERTS_PER_UNIT`, default 3): a
    /// restock of 2 alerts the first 6 subscribers; the rest wait for the next one.
    pub alerts_per_unit: u32,
    /// The shop's time zone, in which the desk shows times (`CHATOUT_TIME_ZONE`, IANA).
    pub time_zone: jiff::tz::TimeZone,
    /// How long a web opt-in waits for the message carrying its reference before it lapses
    /// (`CHATOUT_OPT_IN_PENDING`, default 7 days).
    pub opt_in_pending: Duration,
}

impl Settings {
    /// Reads the settings through `get` (the process environment in production).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let env = Env::new(get);
        let public_url = public_url(&env)?;
        let (max_connections, max_connections_per_client) = connection_caps(&env)?;
        Ok(Self {
            addr: env.text(&var::ADDR).unwrap_or_default(),
            database_url: env.text(&var::DATABASE_URL).unwrap_or_default(),
            catalog_path: env.text(&var::CATALOG),
            allowed_origins: allowed_origins(&env)?,
            order_ttl: env.duration(&var::ORDER_TTL)?,
            admin_password: admin_password(&env)?,
            rate_limit: env.count(&var::RATE_LIMIT, "order requests per minute; 0 = off")?,
            widget_dir: env.text(&var::WIDGET_DIR).unwrap_or_default().into(),
            whatsapp: WhatsAppSettings::from_env(&env)?,
            payments: PaymentSettings::from_env(&env, public_url.as_deref())?,
            public_url,
            trusted_proxies: trusted_proxies(&env)?,
            stock_hold: env.duration(&var::STOCK_HOLD)?,
            hold_limit: env.count(&var::HOLD_LIMIT, "units; 0 = no cap")?,
            header_timeout: env.duration(&var::HEADER_TIMEOUT)?,
            body_timeout: env.duration(&var::BODY_TIMEOUT)?,
            max_connections,
            max_connections_per_client,
            webhooks: WebhookSettings::from_env(&env)?,
            api_rate_limit: env.count(&var::API_RATE_LIMIT, "requests per minute; 0 = off")?,
            marketing_cap: env.positive(
                &var::MARKETING_CAP,
                "marketing messages per contact per 7 days",
            )?,
            alerts_per_unit: env.positive(
                &var::ALERTS_PER_UNIT,
                "back-in-stock alerts per unit restocked",
            )?,
            time_zone: time_zone(&env)?,
            opt_in_pending: env.duration(&var::OPT_IN_PENDING)?,
        })
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Settings::opt_in_pending`] in milliseconds.
    pub fn opt_in_pending_ms(&self) -> i64 {
        i64::try_from(self.opt_in_pending.as_millis()).unwrap_or(i64::MAX)
    }
}

impl SettingsError {
    fn new(variable: &Variable, reason: impl Into<String>) -> Self {
        Self {
            variable: variable.name,
            reason: reason.into(),
        }
    }
}

/// Origins without a trailing `/`, each `http(s)://`.
fn allowed_origins<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<Vec<String>, SettingsError> {
    let origins: Vec<String> = env
        .list(&var::ALLOWED_ORIGINS)
        .into_iter()
        .map(|origin| origin.trim_end_matches('/').to_string())
        .filter(|origin| !origin.is_empty())
        .collect();
    match origins
        .iter()
        .find(|o| !(o.starts_with("http://") || o.starts_with("https://")))
    {
        Some(bad) => Err(SettingsError::new(
            &var::ALLOWED_ORIGINS,
            format!("'{bad}' is not an origin like https://shop.example"),
        )),
        None => Ok(origins),
    }
}

fn public_url<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<Option<String>, SettingsError> {
    env.text(&var::PUBLIC_URL)
        .map(|url| env::check_base_url(&var::PUBLIC_URL, &url, "https://orders.shop.example"))
        .transpose()
}

fn trusted_proxies<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<Vec<ipnet::IpNet>, SettingsError> {
    let Some(list) = env.text(&var::TRUSTED_PROXIES) else {
        return Ok(Vec::new());
    };
    parse_networks(&list).map_err(|bad| {
        SettingsError::new(
            &var::TRUSTED_PROXIES,
            format!("'{bad}' is not an address or CIDR like 10.0.0.0/8 or ::1"),
        )
    })
}

/// The same length rule as every desk account's password.
fn admin_password<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<Option<String>, SettingsError> {
    let password = env.text(&var::ADMIN_PASSWORD);
    match &password {
        Some(p) if p.chars().count() < crate::auth::MIN_PASSWORD => Err(SettingsError::new(
            &var::ADMIN_PASSWORD,
            format!(
                "at least {} characters, like every desk account's password",
                crate::auth::MIN_PASSWORD
            ),
        )),
        _ => Ok(password),
    }
}

fn connection_caps<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<(usize, usize), SettingsError> {
    let all = env.positive(&var::MAX_CONNECTIONS, "open connections at once")?;
    let per_client = env.positive(
        &var::MAX_CONNECTIONS_PER_CLIENT,
        "open connections at once from one address",
    )?;
    Ok((all as usize, per_client as usize))
}

fn time_zone<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<jiff::tz::TimeZone, SettingsError> {
    let name = env.text(&var::TIME_ZONE).unwrap_or_default();
    crate::clock::zone(&name).ok_or_else(|| {
        SettingsError::new(
            &var::TIME_ZONE,
            format!("'{name}' is not a time zone like Europe/Amsterdam"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_shop_owner_writes_them() {
        assert_eq!(parse_duration("48h"), Some(Duration::from_secs(172_800)));
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_duration("0h"), None);
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("1w"), None);
    }

    #[test]
    fn defaults_and_errors_name_the_variable() {
        let settings = Settings::from_lookup(|_| None).unwrap();
        assert_eq!(settings.addr, "127.0.0.1:8080");
        assert_eq!(settings.database_url, "sqlite://chatout.db");
        assert_eq!(settings.order_ttl, Duration::from_secs(48 * 3600));
        assert_eq!(settings.opt_in_pending, Duration::from_secs(7 * 86_400));
        let week = Settings::from_lookup(|n| (n == "CHATOUT_OPT_IN_PENDING").then(|| "3d".into()));
        assert_eq!(
            week.unwrap().opt_in_pending,
            Duration::from_secs(3 * 86_400)
        );
        let err = Settings::from_lookup(|n| (n == "CHATOUT_ORDER_TTL").then(|| "soon".into()))
            .unwrap_err();
        assert_eq!(err.variable, "CHATOUT_ORDER_TTL");
        let err = Settings::from_lookup(|n| {
            (n == "CHATOUT_ALLOWED_ORIGINS").then(|| "shop.example".into())
        })
        .unwrap_err();
        assert_eq!(err.variable, "CHATOUT_ALLOWED_ORIGINS");
        assert_eq!(settings.rate_limit, 30);
        let err = Settings::from_lookup(|n| (n == "CHATOUT_RATE_LIMIT").then(|| "lots".into()))
            .unwrap_err();
        assert_eq!(err.variable, "CHATOUT_RATE_LIMIT");
        for (variable, bad) in [
            ("CHATOUT_TRUSTED_PROXIES", "10.0.0.0/8, nginx"),
            ("CHATOUT_PUBLIC_URL", "orders.shop.example"),
            ("CHATOUT_STOCK_HOLD", "a while"),
            ("CHATOUT_HOLD_LIMIT", "-1"),
            ("CHATOUT_HEADER_TIMEOUT", "0s"),
            ("CHATOUT_MAX_CONNECTIONS", "0"),
            ("CHATOUT_TIME_ZONE", "Europe/Atlantis"),
            ("CHATOUT_OPT_IN_PENDING", "a week"),
        ] {
            let err = Settings::from_lookup(|n| (n == variable).then(|| bad.into())).unwrap_err();
            assert_eq!(err.variable, variable, "{bad}");
        }
    }

    /// Regression: a 5-character admin password was accepted, while desk accounts need 12.
    #[test]
    fn the_admin_password_needs_the_same_length_as_every_account() {
        let short = |n: &str| (n == "CHATOUT_ADMIN_PASSWORD").then(|| "admin".to_string());
        let err = Settings::from_lookup(short).unwrap_err();
        assert_eq!(err.variable, "CHATOUT_ADMIN_PASSWORD");
        let long = |n: &str| (n == "CHATOUT_ADMIN_PASSWORD").then(|| "twelve chars".to_string());
        assert!(Settings::from_lookup(long).is_ok());
    }

    #[test]
    fn trusted_proxies_read_as_addresses_and_networks() {
        let proxies = parse_networks("127.0.0.1, 10.0.0.0/8,::1").unwrap();
        assert_eq!(proxies.len(), 3);
        assert!(proxies[1].contains(&"10.1.2.3".parse::<std::net::IpAddr>().unwrap()));
        assert_eq!(
            parse_networks("10.0.0.0/33"),
            Err("10.0.0.0/33".to_string())
        );
    }
}
