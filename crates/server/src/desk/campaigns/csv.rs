//! `/admin/campaigns.csv`: every campaign's results, then back-in-stock alerts and order
//! recovery, for a spreadsheet.

use super::OTHERS;
use crate::db::campaigns::{Results, Source};
use crate::desk::error::DeskError;
use crate::desk::export::neutralise;
use crate::desk::session::Staff;
use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `GET /admin/campaigns.csv`: one row per campaign, then back-in-stock alerts and order
/// recovery, with every result.
pub(in crate::desk) async fn csv(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<Response, DeskError> {
    let mut rows: Vec<(String, String, String, i64, i64, Results)> = Vec::new();
    for row in state.db.campaigns().await? {
        let results = state.db.results(Source::Campaign(row.id)).await?;
        let when = row
            .finished_at
            .or(row.scheduled_at)
            .map(crate::clock::rfc3339)
            .unwrap_or_default();
        let name = format!("campaign {}: {}", row.id, row.name);
        rows.push((
            name,
            row.status.as_str().into(),
            when,
            row.targeted,
            row.skipped_cap,
            results,
        ));
    }
    for (name, _, source) in OTHERS {
        let results = state.db.results(source).await?;
        rows.push((
            name.to_lowercase(),
            String::new(),
            String::new(),
            results.messages,
            0,
            results,
        ));
    }
    let currency = state.catalog.currency;
    let body = write_csv(&rows, currency)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"campaigns.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

type CsvRow = (String, String, String, i64, i64, Results);

fn write_csv(rows: &[CsvRow], currency: chatout_core::Currency) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    out.write_record([
        "what",
        "status",
        "at",
        "targeted",
        "skipped_cap",
        "messages",
        "sent",
        "delivered",
        "read",
        "failed",
        "capped",
        "cancelled",
        "replied",
        "stopped",
        "clicked",
        "orders",
        "revenue",
        "currency",
    ])?;
    for (name, status, at, targeted, skipped, r) in rows {
        let revenue = chatout_core::Money::from_minor(r.revenue, currency)
            .map(|m| m.to_decimal_string())
            .unwrap_or_default();
        let numbers = [
            *targeted,
            *skipped,
            r.messages,
            r.sent,
            r.delivered,
            r.read,
            r.failed,
            r.capped,
            r.cancelled,
            r.replied,
            r.stopped,
            r.clicked,
            r.orders,
        ]
        .map(|n| n.to_string());
        let mut record = vec![neutralise(name), status.clone(), at.clone()];
        record.extend(numbers);
        record.push(revenue);
        record.push(currency.code().to_string());
        out.write_record(&record)?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}
