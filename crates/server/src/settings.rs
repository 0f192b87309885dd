//! The server's environment (CONTRACT.md section 6), read once at start.

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
}

/// Where and how the server sends WhatsApp messages and checks its webhooks.
#[derive(Debug, Clone)]
pub struct WhatsAppSettings {
    /// The Graph API base, e.g. `https://graph.facebook.com/v23.0` (loopback in tests).
    pub api_base: String,
    /// The business phone number's id.
    pub phone_number_id: String,
    /// The access token (a system user token).
    pub token: String,
    /// The app secret, which signs webhooks (`X-Hub-Signature-256`).
    pub app_secret: String,
    /// What Meta sends back when the webhook is registered.
    pub verify_token: String,
    /// The templates JSON file; `None` uses the built-in example mapping.
    pub templates_path: Option<String>,
    /// Messages per second for the number (Cloud API default throughput: 80).
    pub per_second: u32,
    /// Least time between two messages to the same contact (the pair rate limit).
    pub contact_gap: Duration,
    /// The first retry's delay; each further retry doubles it (with jitter).
    pub retry_base: Duration,
    /// Attempts before a retryable error becomes a failure.
    pub max_attempts: u32,
    /// How long one request to the API may take.
    pub request_timeout: Duration,
}

/// The Graph API version messaging uses unless `WHATSAPP_API_BASE` says otherwise.
pub const GRAPH_API_BASE: &str = "https://graph.facebook.com/v23.0";

impl WhatsAppSettings {
    /// Reads the `WHATSAPP_*` variables: `None` when none of the credentials is set; an error
    /// naming the first missing one when only some are.
    fn from_value(value: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, SettingsError> {
        const REQUIRED: [&str; 4] = [
            "WHATSAPP_PHONE_NUMBER_ID",
            "WHATSAPP_TOKEN",
            "WHATSAPP_APP_SECRET",
            "WHATSAPP_VERIFY_TOKEN",
        ];
        let found: Vec<Option<String>> = REQUIRED.iter().map(|name| value(name)).collect();
        if found.iter().all(Option::is_none) {
            return Ok(None);
        }
        if let Some(missing) = REQUIRED.iter().zip(&found).find(|(_, v)| v.is_none()) {
            return Err(SettingsError {
                variable: missing.0,
                reason: format!(
                    "messaging needs all of {}; this one is unset",
                    REQUIRED.join(", ")
                ),
            });
        }
        let mut found = found.into_iter().flatten();
        let mut next = || found.next().unwrap_or_default();
        let api_base = value("WHATSAPP_API_BASE")
            .unwrap_or_else(|| GRAPH_API_BASE.into())
            .trim_end_matches('/')
            .to_string();
        if !(api_base.starts_with("https://") || api_base.starts_with("http://")) {
            return Err(SettingsError {
                variable: "WHATSAPP_API_BASE",
                reason: format!("'{api_base}' is not a URL like {GRAPH_API_BASE}"),
            });
        }
        Ok(Some(Self {
            api_base,
            phone_number_id: next(),
            token: next(),
            app_secret: next(),
            verify_token: next(),
            templates_path: value("WHATSAPP_TEMPLATES"),
            per_second: 80,
            contact_gap: Duration::from_secs(6),
            retry_base: Duration::from_secs(2),
            max_attempts: 8,
            request_timeout: Duration::from_secs(30),
        }))
    }
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
        Ok(Self {
            public_url,
            trusted_proxies,
            stock_hold: duration("CHATOUT_STOCK_HOLD", Duration::from_secs(30 * 60))?,
            hold_limit: count("CHATOUT_HOLD_LIMIT", 20, "units; 0 = no cap")?,
            header_timeout: duration("CHATOUT_HEADER_TIMEOUT", Duration::from_secs(10))?,
            body_timeout: duration("CHATOUT_BODY_TIMEOUT", Duration::from_secs(30))?,
            max_connections: max_connections as usize,
            max_connections_per_client: max_connections_per_client as usize,
            whatsapp: WhatsAppSettings::from_value(value)?,
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

    #[test]
    fn messaging_is_off_until_every_credential_is_set() {
        assert!(Settings::from_lookup(|_| None).unwrap().whatsapp.is_none());
        let all = |n: &str| match n {
            "WHATSAPP_PHONE_NUMBER_ID" => Some("1065".to_string()),
            "WHATSAPP_TOKEN" => Some("token".into()),
            "WHATSAPP_APP_SECRET" => Some("secret".into()),
            "WHATSAPP_VERIFY_TOKEN" => Some("verify".into()),
            _ => None,
        };
        let on = Settings::from_lookup(all).unwrap().whatsapp.unwrap();
        assert_eq!(on.api_base, GRAPH_API_BASE);
        assert_eq!(
            (on.phone_number_id.as_str(), on.token.as_str()),
            ("1065", "token")
        );
        assert_eq!(
            (on.app_secret.as_str(), on.verify_token.as_str()),
            ("secret", "verify")
        );
        let err =
            Settings::from_lookup(|n| all(n).filter(|_| n != "WHATSAPP_APP_SECRET")).unwrap_err();
        assert_eq!(err.variable, "WHATSAPP_APP_SECRET");
        let err = Settings::from_lookup(|n| {
            if n == "WHATSAPP_API_BASE" {
                Some("graph.facebook.com".into())
            } else {
                all(n)
            }
        })
        .unwrap_err();
        assert_eq!(err.variable, "WHATSAPP_API_BASE");
    }
}
