//! `GET /metrics`: the shop's figures in Prometheus text format, counted by the database at
//! each scrape, so every server behind a shared PostgreSQL reports the same numbers.

use crate::db::figures::Figures;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::fmt::Write;

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
    let _ = writeln!(out, "# HELP chatout_orders Orders by lifecycle status.");
    let _ = writeln!(out, "# TYPE chatout_orders gauge");
    for (status, count) in &f.by_status {
        let _ = writeln!(
            out,
            "chatout_orders{{status=\"{}\"}} {count}",
            status.as_str()
        );
    }
    let _ = writeln!(
        out,
        "# HELP chatout_orders_created_total Orders created by shoppers."
    );
    let _ = writeln!(out, "# TYPE chatout_orders_created_total counter");
    let _ = writeln!(out, "chatout_orders_created_total {}", f.created);
    let _ = writeln!(
        out,
        "# HELP chatout_orders_confirmed_total Orders staff confirmed (whatever happened later)."
    );
    let _ = writeln!(out, "# TYPE chatout_orders_confirmed_total counter");
    let _ = writeln!(out, "chatout_orders_confirmed_total {}", f.confirmed);
    let _ = writeln!(
        out,
        "# HELP chatout_conversion_ratio Confirmed or later / all orders created."
    );
    let _ = writeln!(out, "# TYPE chatout_conversion_ratio gauge");
    let _ = writeln!(out, "chatout_conversion_ratio {}", f.conversion());
    let _ = writeln!(
        out,
        "# HELP chatout_response_seconds Time from an order's creation to its confirmation."
    );
    let _ = writeln!(out, "# TYPE chatout_response_seconds histogram");
    for (bound, count) in &f.response_buckets {
        let _ = writeln!(
            out,
            "chatout_response_seconds_bucket{{le=\"{bound}\"}} {count}"
        );
    }
    let _ = writeln!(
        out,
        "chatout_response_seconds_bucket{{le=\"+Inf\"}} {}",
        f.confirmed
    );
    let _ = writeln!(
        out,
        "chatout_response_seconds_sum {}",
        f.response_sum_seconds
    );
    let _ = writeln!(out, "chatout_response_seconds_count {}", f.confirmed);
    let _ = writeln!(
        out,
        "# HELP chatout_whatsapp_messages WhatsApp messages by outbox state."
    );
    let _ = writeln!(out, "# TYPE chatout_whatsapp_messages gauge");
    for (status, count) in &f.messages {
        let _ = writeln!(
            out,
            "chatout_whatsapp_messages{{status=\"{status}\"}} {count}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP chatout_first_response_seconds From a contact's first waiting message to the first staff reply."
    );
    let _ = writeln!(out, "# TYPE chatout_first_response_seconds histogram");
    for (bound, count) in &f.first_response_buckets {
        let _ = writeln!(
            out,
            "chatout_first_response_seconds_bucket{{le=\"{bound}\"}} {count}"
        );
    }
    let _ = writeln!(
        out,
        "chatout_first_response_seconds_bucket{{le=\"+Inf\"}} {}",
        f.first_responses
    );
    let _ = writeln!(
        out,
        "chatout_first_response_seconds_sum {}",
        f.first_response_sum_seconds
    );
    let _ = writeln!(
        out,
        "chatout_first_response_seconds_count {}",
        f.first_responses
    );
    let _ = writeln!(
        out,
        "# HELP chatout_webhook_deliveries Webhook deliveries (one event to one URL) by state."
    );
    let _ = writeln!(out, "# TYPE chatout_webhook_deliveries gauge");
    for (status, count) in &f.webhooks {
        let _ = writeln!(
            out,
            "chatout_webhook_deliveries{{status=\"{status}\"}} {count}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP chatout_payments_flagged Payments whose money arrived but did not pay their \
         order (another amount, a replaced link, a second payment): look at each in the desk."
    );
    let _ = writeln!(out, "# TYPE chatout_payments_flagged gauge");
    let _ = writeln!(out, "chatout_payments_flagged {}", f.payments_flagged);
    let _ = writeln!(
        out,
        "# HELP chatout_orders_recovered Orders confirmed after a recovery reminder."
    );
    let _ = writeln!(out, "# TYPE chatout_orders_recovered gauge");
    let _ = writeln!(out, "chatout_orders_recovered {}", f.recovered);
    out
}
