//! `GET /metrics`: the shop's figures in Prometheus text format, counted by the database at
//! each scrape, so every server behind a shared PostgreSQL reports the same numbers.

use crate::db::figures::Figures;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::fmt::{Display, Write};

/// Handles `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> Response {
    match state.db.figures().await {
        Ok(figures) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            exposition(&figures),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "metrics query failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// The figures as Prometheus exposition text.
pub fn exposition(f: &Figures) -> String {
    let mut out = String::with_capacity(1024);
    let orders = f.by_status.iter().map(|(s, count)| (s.as_str(), *count));
    by_status(
        &mut out,
        "chatout_orders",
        "Orders by lifecycle status.",
        orders,
    );
    let created = "chatout_orders_created_total";
    one(
        &mut out,
        created,
        "counter",
        "Orders created by shoppers.",
        f.created,
    );
    one(
        &mut out,
        "chatout_orders_confirmed_total",
        "counter",
        "Orders staff confirmed (whatever happened later).",
        f.confirmed,
    );
    one(
        &mut out,
        "chatout_conversion_ratio",
        "gauge",
        "Confirmed or later / all orders created.",
        f.conversion(),
    );
    histogram(
        &mut out,
        "chatout_response_seconds",
        "Time from an order's creation to its confirmation.",
        &f.response_buckets,
        (f.confirmed, f.response_sum_seconds),
    );
    let messages = f.messages.iter().copied();
    let help = "WhatsApp messages by outbox state.";
    by_status(&mut out, "chatout_whatsapp_messages", help, messages);
    histogram(
        &mut out,
        "chatout_first_response_seconds",
        "From a contact's first waiting message to the first staff reply.",
        &f.first_response_buckets,
        (f.first_responses, f.first_response_sum_seconds),
    );
    by_status(
        &mut out,
        "chatout_webhook_deliveries",
        "Webhook deliveries (one event to one URL) by state.",
        f.webhooks.iter().copied(),
    );
    one(
        &mut out,
        "chatout_payments_flagged",
        "gauge",
        "Payments whose money arrived but did not pay their order (another amount, a replaced \
         link, a second payment): look at each in the desk.",
        f.payments_flagged,
    );
    one(
        &mut out,
        "chatout_orders_recovered",
        "gauge",
        "Orders confirmed after a recovery reminder.",
        f.recovered,
    );
    out
}

/// A metric's `# HELP` and `# TYPE` lines.
fn describe(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A metric of one value.
fn one(out: &mut String, name: &str, kind: &str, help: &str, value: impl Display) {
    describe(out, name, kind, help);
    let _ = writeln!(out, "{name} {value}");
}

/// A gauge per status.
fn by_status<'a>(
    out: &mut String,
    name: &str,
    help: &str,
    counts: impl Iterator<Item = (&'a str, i64)>,
) {
    describe(out, name, "gauge", help);
    for (status, count) in counts {
        let _ = writeln!(out, "{name}{{status=\"{status}\"}} {count}");
    }
}

/// A histogram of seconds: its buckets (each counting all at or under its bound), then
/// `+Inf`, the sum and the count.
fn histogram(out: &mut String, name: &str, help: &str, buckets: &[(u64, i64)], all: (i64, f64)) {
    let (count, sum) = all;
    describe(out, name, "histogram", help);
    for (bound, within) in buckets {
        let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {within}");
    }
    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
    let _ = writeln!(out, "{name}_sum {sum}");
    let _ = writeln!(out, "{name}_count {count}");
}
