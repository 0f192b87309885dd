//! What every desk page shares: rendering, and amounts and durations written for people.

use super::error::DeskError;
use crate::clock::{for_people, now_ms, rfc3339, UnixMillis};
use crate::AppState;
use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use chatout_core::{Currency, Money, MoneyStyle};

/// Renders a page; a template that fails becomes [`DeskError::Template`].
pub fn render(page: &impl Template) -> Result<Response, DeskError> {
    Ok(html(page)?.into_response())
}

/// A page's HTML.
pub fn html(page: &impl Template) -> Result<Html<String>, askama::Error> {
    page.render().map(Html)
}

/// A moment on a desk page: as people read it in the shop's time zone ("today 14:05"),
/// with the exact UTC time on hover and for machines.
#[derive(Debug, Clone)]
pub struct Moment {
    short: String,
    exact: String,
}

impl Moment {
    /// `at`, for `state`'s shop.
    pub fn new(state: &AppState, at: UnixMillis) -> Self {
        Self {
            short: when(state, at),
            exact: rfc3339(at),
        }
    }
}

impl std::fmt::Display for Moment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Both parts are made here of digits, letters, spaces and `:-.TZ`: nothing to escape.
        write!(
            f,
            "<time datetime=\"{0}\" title=\"{0}\">{1}</time>",
            self.exact, self.short
        )
    }
}

impl askama::filters::HtmlSafe for Moment {}

/// `at` as people read it in the shop's time zone, for a sentence.
pub fn when(state: &AppState, at: UnixMillis) -> String {
    for_people(at, &state.settings.time_zone, now_ms())
}

/// The day `at` falls on in the shop's time zone (`2026-12-03`).
pub fn day(state: &AppState, at: UnixMillis) -> String {
    jiff::Timestamp::from_millisecond(at)
        .map(|t| {
            t.to_zoned(state.settings.time_zone.clone())
                .date()
                .to_string()
        })
        .unwrap_or_default()
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
