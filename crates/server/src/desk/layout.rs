//! What every desk page shares: rendering, and amounts and durations written for people.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chatout_core::{Currency, Money, MoneyStyle};

/// Renders a page; a template that fails is logged and answered with a bare 500.
pub fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// An amount in the desk's (English) style; the raw minor units if the currency is unknown.
pub fn money(minor: i64, currency: &str) -> String {
    Currency::from_code(currency)
        .and_then(|c| Money::from_minor(minor, c))
        .map(|m| MoneyStyle::for_language("en").format(m))
        .unwrap_or_else(|_| format!("{minor} {currency}"))
}

/// `3 d 4 h`, `2 h 5 min`, `12 min`, `40 s`.
pub fn duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (d, h, m) = (s / 86400, s / 3600 % 24, s / 60 % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}
