//! Validated fields: each key's text becomes its type, or an error naming the attribute.

use super::{ConfigError, Position};
use chatout_core::{DeliveryMethod, OpeningHours, PaymentPreference, PhoneNumber};

/// `phone`, required: the shop's WhatsApp number.
pub fn parse_phone(text: Option<&str>) -> Result<PhoneNumber, ConfigError> {
    let text = text.ok_or_else(|| {
        ConfigError::new(
            "phone",
            "is required: the shop's WhatsApp number, like +31 6 1234 5678",
        )
    })?;
    PhoneNumber::parse(text, None).map_err(|e| ConfigError::new("phone", e.to_string()))
}

/// `locale` when given (and then valid), else the browser's, else English.
pub fn locale_or_browsers(tag: Option<&str>, browser: Option<&str>) -> Result<String, ConfigError> {
    match tag {
        Some(tag) => parse_locale(tag).ok_or_else(|| {
            ConfigError::new(
                "locale",
                format!("'{tag}' is not a language tag like nl-NL"),
            )
        }),
        None => Ok(browser
            .and_then(parse_locale)
            .unwrap_or_else(|| "en".to_string())),
    }
}

/// `endpoint_fallback`: `true` or `false` (the default).
pub fn parse_fallback(text: Option<&str>) -> Result<bool, ConfigError> {
    match text {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(ConfigError::new(
            "endpoint_fallback",
            format!("'{other}' must be true or false"),
        )),
    }
}

/// `position`: `right` (the default) or `left`.
pub fn parse_position(text: Option<&str>) -> Result<Position, ConfigError> {
    match text.unwrap_or("right") {
        "right" => Ok(Position::Right),
        "left" => Ok(Position::Left),
        other => Err(ConfigError::new(
            "position",
            format!("'{other}' must be right or left"),
        )),
    }
}

pub fn parse_locale(tag: &str) -> Option<String> {
    let tag = tag.trim().replace('_', "-");
    let mut parts = tag.split('-');
    let language = parts.next()?;
    let ok = (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    ok.then_some(tag)
}

pub fn parse_payments(text: Option<&str>) -> Result<Vec<PaymentPreference>, ConfigError> {
    let ids: Vec<&str> = text.unwrap_or("bank_transfer").split_whitespace().collect();
    let mut payments = Vec::new();
    for id in ids {
        let payment = PaymentPreference::parse(id).ok_or_else(|| {
            ConfigError::new(
                "payment",
                format!("'{id}' is not a payment id (lowercase letters, digits, _)"),
            )
        })?;
        if !payments.contains(&payment) {
            payments.push(payment);
        }
    }
    Ok(payments)
}

pub fn parse_deliveries(text: Option<&str>) -> Result<Vec<DeliveryMethod>, ConfigError> {
    let mut methods = Vec::new();
    for id in text.unwrap_or("shipping").split_whitespace() {
        let method = DeliveryMethod::parse(id).ok_or_else(|| {
            ConfigError::new("delivery", format!("'{id}' must be shipping or pickup"))
        })?;
        if !methods.contains(&method) {
            methods.push(method);
        }
    }
    if methods.is_empty() {
        return Err(ConfigError::new(
            "delivery",
            "needs shipping, pickup or both",
        ));
    }
    Ok(methods)
}

/// Opening hours need the shop's time zone: a shopper's own clock says nothing about them.
pub fn parse_hours(
    hours: Option<&str>,
    timezone: Option<&str>,
) -> Result<Option<(OpeningHours, String)>, ConfigError> {
    let Some(hours) = hours else {
        return Ok(None);
    };
    let hours = OpeningHours::parse(hours).map_err(|e| ConfigError::new("hours", e.to_string()))?;
    let zone = timezone.ok_or_else(|| {
        ConfigError::new(
            "timezone",
            "is required with data-hours: the shop's time zone, like Europe/Amsterdam",
        )
    })?;
    // The browser checks the name itself; here only its shape (Area/City, UTC).
    let shaped = zone
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/_+-".contains(&b));
    if !shaped {
        return Err(ConfigError::new(
            "timezone",
            format!("'{zone}' is not a time zone name like Europe/Amsterdam"),
        ));
    }
    Ok(Some((hours, zone.to_string())))
}

pub fn parse_endpoint(text: &str) -> Result<String, ConfigError> {
    let ok = text.starts_with("https://") || text.starts_with("http://") || text.starts_with('/');
    if ok && !text.contains(char::is_whitespace) {
        Ok(text.to_string())
    } else {
        Err(ConfigError::new(
            "endpoint",
            format!("'{text}' must be an https:// URL or a path on this site"),
        ))
    }
}
