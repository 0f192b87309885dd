//! The shop's figures for the desk and `/metrics`, counted by the database at each read (so
//! every server on one PostgreSQL reports the same): orders by status, conversion, time to
//! confirm, first responses, the WhatsApp outbox and webhook deliveries.

use super::orders::parse_status;
use super::Db;
use crate::policy::outbox::OutboxStatus;
use chatout_core::OrderStatus;
use sqlx::Row;

/// The shop's figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Orders per status, every status listed.
    pub by_status: Vec<(OrderStatus, i64)>,
    /// All orders ever created.
    pub created: i64,
    /// Orders that reached confirmed (whatever happened later).
    pub confirmed: i64,
    /// Seconds from creation to confirmation: cumulative counts per upper bound.
    pub response_buckets: Vec<(u64, i64)>,
    /// Sum of those seconds.
    pub response_sum_seconds: f64,
    /// WhatsApp messages per outbox state, every state listed.
    pub messages: Vec<(&'static str, i64)>,
    /// Webhook deliveries per state, every state listed.
    pub webhooks: Vec<(&'static str, i64)>,
    /// Payments whose money arrived but did not pay their order (another amount, a replaced
    /// link, a second payment).
    pub payments_flagged: i64,
    /// Orders confirmed (or further) after at least one recovery reminder.
    pub recovered: i64,
    /// Waits that got a first staff reply.
    pub first_responses: i64,
    /// Per bound (seconds): first responses within it.
    pub first_response_buckets: Vec<(u64, i64)>,
    /// All first-response waits together (seconds).
    pub first_response_sum_seconds: f64,
}

impl Figures {
    /// Upper bounds of the response-time histogram, in seconds (1 min … 2 days).
    pub const BOUNDS: [u64; 10] = [60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800];

    /// Confirmed or later / created, 0 when nothing was created.
    pub fn conversion(&self) -> f64 {
        if self.created == 0 {
            0.0
        } else {
            self.confirmed as f64 / self.created as f64
        }
    }
}

impl Db {
    /// Of the spans `span` (ms) of the rows `from` (with `$1` bound to `bind`): how many, their
    /// sum (ms), and per bound of [`Figures::BOUNDS`] how many were within it (cumulative, as
    /// Prometheus wants).
    async fn histogram(
        &self,
        span: &str,
        from: &str,
        bind: Option<&str>,
    ) -> Result<(i64, i64, Vec<(u64, i64)>), sqlx::Error> {
        let buckets: String = Figures::BOUNDS
            .iter()
            .map(|b| {
                format!(
                    ", SUM(CASE WHEN {span} <= {ms} THEN 1 ELSE 0 END) AS within_{b}",
                    ms = b * 1000
                )
            })
            .collect();
        let sql = format!(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM({span}), 0) AS BIGINT) AS sum_ms{buckets} \
             FROM {from}"
        );
        let mut query = sqlx::query(&sql);
        if let Some(value) = bind {
            query = query.bind(value);
        }
        let row = query.fetch_one(&self.read).await?;
        let mut counts = Vec::with_capacity(Figures::BOUNDS.len());
        for bound in Figures::BOUNDS {
            let count: Option<i64> = row.try_get(format!("within_{bound}").as_str())?;
            counts.push((bound, count.unwrap_or(0)));
        }
        Ok((row.try_get("n")?, row.try_get("sum_ms")?, counts))
    }

    /// Orders by status, conversion and response time, counted by the database.
    pub async fn figures(&self) -> Result<Figures, sqlx::Error> {
        let counts = sqlx::query("SELECT status, COUNT(*) AS n FROM orders GROUP BY status")
            .fetch_all(&self.read)
            .await?;
        let mut by_status: Vec<(OrderStatus, i64)> =
            OrderStatus::ALL.iter().map(|s| (*s, 0)).collect();
        let mut created = 0;
        for row in &counts {
            let status = parse_status(row.try_get("status")?)?;
            let count: i64 = row.try_get("n")?;
            created += count;
            if let Some(slot) = by_status.iter_mut().find(|(s, _)| *s == status) {
                slot.1 = count;
            }
        }
        let (confirmed, sum_ms, response_buckets) = self
            .histogram(
                "e.at - o.created_at",
                "order_events e JOIN orders o ON o.id = e.order_id WHERE e.to_status = $1",
                Some(OrderStatus::Confirmed.as_str()),
            )
            .await?;
        let (answered, answered_ms, first_response_buckets) = self
            .histogram("answered_at - waited_from", "responses", None)
            .await?;
        let mut messages: Vec<(&'static str, i64)> =
            OutboxStatus::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        for row in sqlx::query("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
            .fetch_all(&self.read)
            .await?
        {
            let status: String = row.try_get("status")?;
            if let Some(slot) = messages.iter_mut().find(|(s, _)| *s == status) {
                slot.1 = row.try_get("n")?;
            }
        }
        let webhooks = self
            .delivery_counts()
            .await?
            .into_iter()
            .map(|(status, n)| (status.as_str(), n))
            .collect();
        let payments_flagged =
            sqlx::query_scalar("SELECT COUNT(*) FROM payments WHERE problem IS NOT NULL")
                .fetch_one(&self.read)
                .await?;
        let recovered = sqlx::query_scalar(
            "SELECT COUNT(*) FROM orders WHERE reminders_sent > 0 \
             AND status IN ('confirmed', 'paid', 'fulfilled')",
        )
        .fetch_one(&self.read)
        .await?;
        Ok(Figures {
            recovered,
            payments_flagged,
            first_responses: answered,
            first_response_buckets,
            first_response_sum_seconds: answered_ms as f64 / 1000.0,
            messages,
            webhooks,
            by_status,
            created,
            confirmed,
            response_buckets,
            response_sum_seconds: sum_ms as f64 / 1000.0,
        })
    }
}
