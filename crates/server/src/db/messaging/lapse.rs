//! Web opt-ins and their proof (CONTRACT.md section 10): which pending opt-ins a message's
//! references prove, and the pending opt-ins whose message never came, lapsed after
//! `CHATOUT_OPT_IN_PENDING` with a line in the consent history.

use super::super::Db;
use super::contacts::{insert_consent_event, store_consent, ConsentRecord, Contact, Purpose};
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

/// Lapses `contact`'s pending opt-ins older than `pending_for` ms (`Consent::lapsed`), each
/// with a line in its history; returns the contact as it stands after.
pub async fn lapse_contact(
    conn: &mut AnyConnection,
    mut contact: Contact,
    now: UnixMillis,
    pending_for: i64,
) -> Result<Contact, sqlx::Error> {
    let text = format!(
        "no message with the request's reference arrived within {} h",
        pending_for / 3_600_000
    );
    for purpose in [Purpose::OrderUpdates, Purpose::Marketing] {
        let state = match purpose {
            Purpose::OrderUpdates => &mut contact.consent,
            Purpose::Marketing => &mut contact.marketing,
        };
        let after = state.lapsed(now, pending_for);
        if after == *state {
            continue;
        }
        *state = after;
        store_consent(conn, contact.id, purpose, after, now).await?;
        let record = ConsentRecord {
            purpose,
            opted_in: false,
            source: "lapsed",
            text: &text,
            page: None,
            order_id: None,
        };
        insert_consent_event(conn, contact.id, &record, now).await?;
    }
    Ok(contact)
}

impl Db {
    /// Lapses every pending opt-in older than `pending_for` ms, and ends the back-in-stock
    /// requests whose message never came in that time; returns how many opt-ins lapsed.
    pub async fn lapse_pending(
        &self,
        now: UnixMillis,
        pending_for: i64,
    ) -> Result<u64, sqlx::Error> {
        let cutoff = now.saturating_sub(pending_for);
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM contacts WHERE (consent = $1 AND consent_pending_since <= $2) \
             OR (marketing = $1 AND marketing_pending_since <= $2) ORDER BY id LIMIT 500",
        )
        .bind(Consent::Pending { since: 0 }.as_str())
        .bind(cutoff)
        .fetch_all(&self.read)
        .await?;
        let alerts_due: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM stock_alerts WHERE status = $1 AND created_at <= $2",
        )
        .bind(AlertStatus::Pending.as_str())
        .bind(cutoff)
        .fetch_one(&self.read)
        .await?;
        if ids.is_empty() && alerts_due == 0 {
            // Nothing to lapse: no write (this runs on every housekeeping round).
            return Ok(0);
        }
        let mut lapsed = 0;
        let mut tx = self.write.begin().await?;
        for id in ids {
            let Some(contact) = super::contacts::contact_by_id(&mut tx, id).await? else {
                continue;
            };
            let before = (contact.consent, contact.marketing);
            let after = lapse_contact(&mut tx, contact, now, pending_for).await?;
            lapsed += u64::from(before.0 != after.consent) + u64::from(before.1 != after.marketing);
        }
        sqlx::query(
            "UPDATE stock_alerts SET status = $1, ended_at = $2, end_reason = $3 \
             WHERE status = $4 AND created_at <= $5",
        )
        .bind(AlertStatus::Ended.as_str())
        .bind(now)
        .bind("the opt-in lapsed: its message never came from the number")
        .bind(AlertStatus::Pending.as_str())
        .bind(cutoff)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(lapsed)
    }
}
