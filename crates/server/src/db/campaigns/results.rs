//! What a campaign (or the back-in-stock alerts, or order recovery) came to.

use super::super::Db;
use crate::policy::outbox::OutboxStatus;
use chatout_core::OrderStatus;

/// How long after a message a reply, a STOP or an order counts for it.
pub const ATTRIBUTION_MS: i64 = 7 * 24 * 3600 * 1000;

/// Which messages a set of results is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// One campaign's.
    Campaign(i64),
    /// Every back-in-stock alert.
    BackInStock,
    /// Every order-recovery reminder.
    Recovery,
}

impl Source {
    /// The `sends(contact_id, outbox_id, at)` it is, and the tracked links' source name.
    fn sends(self) -> (String, String) {
        match self {
            Self::Campaign(id) => (
                format!(
                    "SELECT contact_id, outbox_id, at FROM campaign_sends \
                     WHERE campaign_id = {id} AND outbox_id IS NOT NULL"
                ),
                format!("campaign:{id}"),
            ),
            Self::BackInStock => (
                "SELECT contact_id, outbox_id, alerted_at AS at FROM stock_alerts \
                 WHERE outbox_id IS NOT NULL"
                    .into(),
                "alerts".into(),
            ),
            Self::Recovery => (
                "SELECT contact_id, id AS outbox_id, created_at AS at FROM outbox \
                 WHERE event = 'pending_reminder'"
                    .into(),
                "recovery".into(),
            ),
        }
    }
}

/// What a campaign (or the alerts, or recovery) came to: each message by how far it got, and
/// what the contacts did within 7 days of theirs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Results {
    /// Messages queued.
    pub messages: i64,
    /// Accepted by WhatsApp (sent, delivered or read).
    pub sent: i64,
    /// On the phone (delivered or read).
    pub delivered: i64,
    /// Opened (`read_` in SQL, where `read` is a keyword).
    #[sqlx(rename = "read_")]
    pub read: i64,
    /// Refused.
    pub failed: i64,
    /// Held back by Meta's marketing limit (131049).
    pub capped: i64,
    /// Not sent after all (the opt-in was withdrawn before its turn).
    pub cancelled: i64,
    /// Contacts who wrote to the shop after theirs.
    pub replied: i64,
    /// Contacts who stopped offers after theirs.
    pub stopped: i64,
    /// Contacts who clicked a tracked link in theirs.
    pub clicked: i64,
    /// Orders placed after theirs.
    pub orders: i64,
    /// What those orders came to (not cancelled or expired), minor units.
    pub revenue: i64,
}

impl Db {
    /// The results of `source`.
    pub async fn results(&self, source: Source) -> Result<Results, sqlx::Error> {
        let (sends, links) = source.sends();
        use OutboxStatus::*;
        // Messages that got at least as far as one of `statuses`.
        let by_status = |statuses: &[OutboxStatus], alias: &str| {
            format!(
                "CAST(COALESCE(SUM(CASE WHEN o.status IN ({}) THEN 1 ELSE 0 END), 0) AS BIGINT) \
                 AS {alias}",
                OutboxStatus::sql_list(statuses)
            )
        };
        let window = ATTRIBUTION_MS;
        // Contacts who did `what` (rows of `table` as `x`, at `x.{at}`, from the message's
        // time on as `from` says) within the window after their message.
        let contacts_who = |table: &str, at: &str, from: &str, what: &str, alias: &str| {
            format!(
                "(SELECT CAST(COUNT(DISTINCT s.contact_id) AS BIGINT) FROM sends s WHERE EXISTS \
                 (SELECT 1 FROM {table} x WHERE x.contact_id = s.contact_id {what} \
                 AND x.{at} {from} s.at AND x.{at} <= s.at + {window})) AS {alias}"
            )
        };
        // An order placed within the window after a message to its contact.
        let attributed = format!(
            "EXISTS (SELECT 1 FROM sends s WHERE s.contact_id = r.contact_id \
             AND r.created_at > s.at AND r.created_at <= s.at + {window})"
        );
        let lost = [OrderStatus::Cancelled, OrderStatus::Expired]
            .map(|s| format!("'{}'", s.as_str()))
            .join(", ");
        let columns = [
            "CAST(COUNT(*) AS BIGINT) AS messages".to_string(),
            by_status(&[Sent, Delivered, Read], "sent"),
            by_status(&[Delivered, Read], "delivered"),
            by_status(&[Read], "read_"),
            by_status(&[Failed], "failed"),
            by_status(&[Capped], "capped"),
            by_status(&[Cancelled], "cancelled"),
            contacts_who("inbound", "received_at", ">", "", "replied"),
            contacts_who(
                "consent_events",
                "at",
                ">=",
                "AND x.purpose = 'marketing' AND x.opted_in = 0",
                "stopped",
            ),
            format!(
                "(SELECT CAST(COUNT(DISTINCT t.contact_id) AS BIGINT) FROM tracked_links t \
                 WHERE t.source = '{links}' AND t.clicks > 0) AS clicked"
            ),
            format!("(SELECT CAST(COUNT(*) AS BIGINT) FROM orders r WHERE {attributed}) AS orders"),
            format!(
                "(SELECT CAST(COALESCE(SUM(r.subtotal + r.shipping - r.discount), 0) AS BIGINT) \
                 FROM orders r WHERE r.status NOT IN ({lost}) AND {attributed}) AS revenue"
            ),
        ];
        let sql = format!(
            "WITH sends AS ({sends}) SELECT {} FROM sends s JOIN outbox o ON o.id = s.outbox_id",
            columns.join(", ")
        );
        sqlx::query_as::<_, Results>(&sql)
            .fetch_one(&self.read)
            .await
    }
}
