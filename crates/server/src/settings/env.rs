//! Reading one declared [`Variable`]: the set value (trimmed; blank counts as unset) or its
//! declared default, parsed by the one function for its kind. An error names the variable.

use super::variables::{Fallback, Variable};
use super::SettingsError;
use std::time::Duration;

/// The environment, through a lookup function (the process environment in production).
pub struct Env<F> {
    get: F,
}

impl<F: Fn(&str) -> Option<String>> Env<F> {
    /// Reads through `get`.
    pub fn new(get: F) -> Self {
        Self { get }
    }

    /// The value as set, or the declared default; `None` when neither.
    pub fn text(&self, variable: &Variable) -> Option<String> {
        self.set(variable).or(match variable.fallback {
            Fallback::Value(value) => Some(value.to_string()),
            Fallback::Absent(_) => None,
        })
    }

    /// Whether the variable was set (not blank), default aside.
    pub fn set(&self, variable: &Variable) -> Option<String> {
        (self.get)(variable.name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// The value or its default; a variable with neither is an error naming it.
    fn required(&self, variable: &Variable) -> Result<String, SettingsError> {
        self.text(variable)
            .ok_or_else(|| SettingsError::new(variable, "unset, and it has no default"))
    }

    /// `48h`, `30m`, `90s`, `2d` or seconds.
    pub fn duration(&self, variable: &Variable) -> Result<Duration, SettingsError> {
        let text = self.required(variable)?;
        parse_duration(&text).ok_or_else(|| {
            SettingsError::new(
                variable,
                format!("'{text}' is not a duration like 48h, 30m or 90s"),
            )
        })
    }

    /// A whole number; `what` says what it counts, for the error.
    pub fn count(&self, variable: &Variable, what: &str) -> Result<u32, SettingsError> {
        let text = self.required(variable)?;
        text.parse::<u32>().map_err(|_| {
            SettingsError::new(variable, format!("'{text}' is not a whole number ({what})"))
        })
    }

    /// A whole number of at least 1.
    pub fn positive(&self, variable: &Variable, what: &str) -> Result<u32, SettingsError> {
        match self.count(variable, what)? {
            0 => Err(SettingsError::new(variable, "must be at least 1")),
            n => Ok(n),
        }
    }

    /// An `http(s)://` base URL without a trailing slash; `example` shows the expected form.
    pub fn base_url(&self, variable: &Variable, example: &str) -> Result<String, SettingsError> {
        let url = self.required(variable)?;
        check_base_url(variable, &url, example)
    }

    /// A comma-separated list, entries trimmed, empty ones dropped.
    pub fn list(&self, variable: &Variable) -> Vec<String> {
        self.text(variable)
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|entry| !entry.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// An `http(s)://` URL with a host and no whitespace, its trailing `/` dropped.
pub fn check_base_url(
    variable: &Variable,
    url: &str,
    example: &str,
) -> Result<String, SettingsError> {
    let url = url.trim_end_matches('/');
    check_url(variable, url, example)?;
    Ok(url.to_string())
}

/// An `http(s)://` URL with a host and no whitespace; `example` shows the expected form.
pub fn check_url(variable: &Variable, url: &str, example: &str) -> Result<(), SettingsError> {
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(SettingsError::new(
            variable,
            format!("'{url}' is not a URL like {example}"),
        ));
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::super::variables::ALL;
    use super::*;

    /// Every declared default reads as its kind: a typo in the table fails here, not at a
    /// shop's first start.
    #[test]
    fn every_declared_default_reads() {
        let env = Env::new(|_| None);
        for variable in ALL {
            if let Fallback::Value(value) = variable.fallback {
                assert_eq!(
                    env.text(variable).as_deref(),
                    Some(value),
                    "{}",
                    variable.name
                );
            }
        }
        let settings = super::super::Settings::from_lookup(|_| None);
        assert!(settings.is_ok(), "{settings:?}");
    }

    #[test]
    fn a_blank_value_counts_as_unset() {
        let env = Env::new(|_| Some("  ".to_string()));
        let ttl = super::super::variables::ORDER_TTL;
        assert_eq!(env.duration(&ttl).unwrap(), Duration::from_secs(48 * 3600));
    }
}
