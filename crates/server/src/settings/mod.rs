//! The server's environment (CONTRACT.md section 6), read once at start.

mod integration;
mod payments;
mod whatsapp;

pub use integration::WebhookSettings;
pub use payments::{MollieSettings, PaymentSettings, StripeSettings};
pub use whatsapp::{WhatsAppSettings, GRAPH_API_BASE};

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
    /// The built widget (`trunk build --release` output) served at `/chatout/` and `/`.
    pub widget_dir: std::path::PathBuf,
    /// The WhatsApp Business Platform (Option 4); `None` when messaging is off.
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
    /// Outbound webhooks (CONTRACT.md section 8); `None` when no receiver is configured.
    pub webhooks: Option<WebhookSettings>,
    /// Mollie and Stripe (CONTRACT.md section 9), each off until its key is set.
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
        let value = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let order_ttl = match value("CHATOUT_ORDER_TTL") {
            None => Duration::from_secs(48 * 3600),
            Some(text) => parse_duration(&text).ok_or_else(|| SettingsError {
                variable: "CHATOUT_ORDER_TTL",
                reason: format!("'{text}' is not a duration like 48h, 30m or 90s"),
            })?,
        };
        let allowed_origins = value("CHATOUT_ALLOWED_ORIGINS")
            .map(|list| {
                list.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_string())
                    .filter(|o| !o.is_empty())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        if let Some(bad) = allowed_origins
            .iter()
            .find(|o| !(o.starts_with("http://") || o.starts_with("https://")))
        {
            return Err(SettingsError {
                variable: "CHATOUT_ALLOWED_ORIGINS",
                reason: format!("'{bad}' is not an origin like https://shop.example"),
            });
        }
        let rate_limit = match value("CHATOUT_RATE_LIMIT") {
            None => 30,
            Some(text) => text.parse().map_err(|_| SettingsError {
                variable: "CHATOUT_RATE_LIMIT",
                reason: format!("'{text}' is not a number of requests per minute (0 = off)"),
            })?,
        };
        let duration = |variable: &'static str, default: Duration| match value(variable) {
            None => Ok(default),
            Some(text) => parse_duration(&text).ok_or_else(|| SettingsError {
                variable,
                reason: format!("'{text}' is not a duration like 48h, 30m or 90s"),
            }),
        };
        let count = |variable: &'static str, default: u32, what: &str| match value(variable) {
            None => Ok(default),
            Some(text) => text.parse::<u32>().map_err(|_| SettingsError {
                variable,
                reason: format!("'{text}' is not a whole number ({what})"),
            }),
        };
        let public_url =
            value("CHATOUT_PUBLIC_URL").map(|url| url.trim_end_matches('/').to_string());
        if let Some(url) = &public_url {
            let host = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"))
                .unwrap_or_default();
            if host.is_empty() || host.contains(char::is_whitespace) {
                return Err(SettingsError {
                    variable: "CHATOUT_PUBLIC_URL",
                    reason: format!("'{url}' is not a base URL like https://orders.shop.example"),
                });
            }
        }
        let trusted_proxies = match value("CHATOUT_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(list) => parse_networks(&list).map_err(|bad| SettingsError {
                variable: "CHATOUT_TRUSTED_PROXIES",
                reason: format!("'{bad}' is not an address or CIDR like 10.0.0.0/8 or ::1"),
            })?,
        };
        let admin_password = value("CHATOUT_ADMIN_PASSWORD");
        if let Some(password) = &admin_password {
            if password.chars().count() < crate::auth::MIN_PASSWORD {
                return Err(SettingsError {
                    variable: "CHATOUT_ADMIN_PASSWORD",
                    reason: format!(
                        "at least {} characters, like every desk account's password",
                        crate::auth::MIN_PASSWORD
                    ),
                });
            }
        }
        let max_connections = count("CHATOUT_MAX_CONNECTIONS", 1024, "open connections at once")?;
        let max_connections_per_client = count(
            "CHATOUT_MAX_CONNECTIONS_PER_CLIENT",
            64,
            "open connections at once from one address",
        )?;
        if max_connections == 0 || max_connections_per_client == 0 {
            return Err(SettingsError {
                variable: if max_connections == 0 {
                    "CHATOUT_MAX_CONNECTIONS"
                } else {
                    "CHATOUT_MAX_CONNECTIONS_PER_CLIENT"
                },
                reason: "must be at least 1".into(),
            });
        }
        let time_zone = match value("CHATOUT_TIME_ZONE") {
            None => jiff::tz::TimeZone::UTC,
            Some(name) => crate::clock::zone(&name).ok_or_else(|| SettingsError {
                variable: "CHATOUT_TIME_ZONE",
                reason: format!("'{name}' is not a time zone like Europe/Amsterdam"),
            })?,
        };
        let marketing_cap = count(
            "CHATOUT_MARKETING_CAP",
            2,
            "marketing messages per contact per 7 days",
        )?;
        let alerts_per_unit = count(
            "CHATOUT_ALERTS_PER_UNIT",
            3,
            "back-in-stock alerts per unit restocked",
        )?;
        for (variable, n) in [
            ("CHATOUT_MARKETING_CAP", marketing_cap),
            ("CHATOUT_ALERTS_PER_UNIT", alerts_per_unit),
        ] {
            if n == 0 {
                return Err(SettingsError {
                    variable,
                    reason: "must be at least 1".into(),
                });
            }
        }
        let payments = PaymentSettings::from_value(value, public_url.as_deref())?;
        Ok(Self {
            marketing_cap,
            alerts_per_unit,
            payments,
            time_zone,
            public_url,
            trusted_proxies,
            stock_hold: duration("CHATOUT_STOCK_HOLD", Duration::from_secs(30 * 60))?,
            opt_in_pending: duration("CHATOUT_OPT_IN_PENDING", Duration::from_secs(7 * 86_400))?,
            hold_limit: count("CHATOUT_HOLD_LIMIT", 20, "units; 0 = no cap")?,
            header_timeout: duration("CHATOUT_HEADER_TIMEOUT", Duration::from_secs(10))?,
            body_timeout: duration("CHATOUT_BODY_TIMEOUT", Duration::from_secs(30))?,
            max_connections: max_connections as usize,
            max_connections_per_client: max_connections_per_client as usize,
            whatsapp: WhatsAppSettings::from_value(value)?,
            webhooks: WebhookSettings::from_value(value)?,
            api_rate_limit: count(
                "CHATOUT_API_RATE_LIMIT",
                600,
                "requests per minute; 0 = off",
            )?,
            rate_limit,
            widget_dir: value("CHATOUT_WIDGET_DIR")
                .unwrap_or_else(|| "dist".into())
                .into(),
            addr: value("CHATOUT_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into()),
            database_url: value("DATABASE_URL").unwrap_or_else(|| "sqlite://chatout.db".into()),
            catalog_path: value("CHATOUT_CATALOG"),
            allowed_origins,
            order_ttl,
            admin_password,
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

/// A comma-separated list of addresses and CIDRs; the first entry that does not read is the
/// error.
pub fn parse_networks(list: &str) -> Result<Vec<ipnet::IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            entry
                .parse::<ipnet::IpNet>()
                .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| entry.to_string())
        })
        .collect()
}

/// `48h`, `30m`, `90s`, `2d` or a plain number of seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let seconds = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return None,
    };
    (number > 0).then(|| Duration::from_secs(number.saturating_mul(seconds)))
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
