//! Web opt-ins and their proof (docs/CONTRACT.md section 10): which pending opt-ins a message's
//! references prove, and the pending opt-ins and back-in-stock requests whose message never
//! came (`service::housekeeping` lapses them).

use super::super::Db;
use super::consent::Purpose;
use super::contacts::Contact;
use crate::clock::UnixMillis;
use crate::policy::alert::AlertStatus;
use crate::policy::consent::Consent;
use crate::policy::inbound::Proof;
use sqlx::AnyConnection;

/// Which of `contact`'s web opt-ins made after `since` (ms) the message proves: it names the
/// order of a checkout opt-in recorded for this contact (`orders`), or the `ALERT-…` code of
/// its pending back-in-stock request from this number (`alerts`).
pub async fn proven_by(
    conn: &mut AnyConnection,
    contact: &Contact,
    orders: &[String],
    alerts: &[String],
    since: UnixMillis,
) -> Result<Proof, sqlx::Error> {
    let mut proof = Proof::default();
    for reference in orders {
        let purposes: Vec<String> = sqlx::query_scalar(
            "SELECT e.purpose FROM consent_events e JOIN orders o ON o.id = e.order_id \
             WHERE o.reference = $1 AND e.contact_id = $2 AND e.opted_in = 1 \
             AND e.source = 'checkout' AND e.at > $3",
        )
        .bind(reference)
        .bind(contact.id)
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
        for purpose in purposes {
            proof.order_updates |= purpose == Purpose::OrderUpdates.as_str();
            proof.marketing |= purpose == Purpose::Marketing.as_str();
        }
    }
    let Some(wa_id) = contact.wa_id.as_deref() else {
        return Ok(proof);
    };
    for reference in alerts {
        let pending: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM stock_alerts WHERE reference = $1 AND wa_id = $2 \
             AND status = $3 AND created_at > $4",
        )
        .bind(reference)
        .bind(wa_id)
        .bind(AlertStatus::Pending.as_str())
        .bind(since)
        .fetch_one(&mut *conn)
        .await?;
        proof.marketing |= pending > 0;
    }
    Ok(proof)
}

impl Db {
    /// Contacts with an opt-in pending since `cutoff` (ms) or before, a batch at a time.
    pub async fn contacts_pending_since(
        &self,
        cutoff: UnixMillis,
    ) -> Result<Vec<i64>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT id FROM contacts WHERE (consent = $1 AND consent_pending_since <= $2) \
             OR (marketing = $1 AND marketing_pending_since <= $2) ORDER BY id LIMIT 500",
        )
        .bind(Consent::Pending { since: 0 }.as_str())
        .bind(cutoff)
        .fetch_all(&self.read)
        .await
    }

    /// How many back-in-stock requests are pending since `cutoff` (ms) or before.
    pub async fn alerts_pending_since(&self, cutoff: UnixMillis) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM stock_alerts WHERE status = $1 AND created_at <= $2",
        )
        .bind(AlertStatus::Pending.as_str())
        .bind(cutoff)
        .fetch_one(&self.read)
        .await
    }
}

/// Ends the back-in-stock requests pending since `cutoff` (ms) or before, saying why.
pub async fn end_alerts_pending_since(
    conn: &mut AnyConnection,
    cutoff: UnixMillis,
    reason: &str,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE stock_alerts SET status = $1, ended_at = $2, end_reason = $3 \
         WHERE status = $4 AND created_at <= $5",
    )
    .bind(AlertStatus::Ended.as_str())
    .bind(now)
    .bind(reason)
    .bind(AlertStatus::Pending.as_str())
    .bind(cutoff)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
