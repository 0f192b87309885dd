//! Housekeeping of messaging: web opt-ins whose message never came lapse after
//! `CHATOUT_OPT_IN_PENDING`, each with a line in the consent history, and the back-in-stock
//! requests waiting for such a message end.

use crate::clock::UnixMillis;
use crate::db::messaging::{self, ConsentRecord, Contact, Purpose};
use crate::db::Db;
use crate::policy::consent::ConsentSource;
use sqlx::AnyConnection;

/// Why a back-in-stock request ends when its opt-in lapses.
const ALERT_LAPSED: &str = "the opt-in lapsed: its message never came from the number";

/// Lapses every pending opt-in older than `pending_for` ms, and ends the back-in-stock
/// requests whose message never came in that time, in one transaction; returns how many
/// opt-ins lapsed.
#[tracing::instrument(skip_all)]
pub async fn lapse_pending(db: &Db, now: UnixMillis, pending_for: i64) -> Result<u64, sqlx::Error> {
    let cutoff = now.saturating_sub(pending_for);
    let ids = db.contacts_pending_since(cutoff).await?;
    let alerts_due = db.alerts_pending_since(cutoff).await?;
    if ids.is_empty() && alerts_due == 0 {
        // Nothing to lapse: no write (this runs on every housekeeping round).
        return Ok(0);
    }
    let mut lapsed = 0;
    let mut tx = db.begin().await?;
    for id in ids {
        let Some(contact) = messaging::contact_by_id(&mut tx, id).await? else {
            continue;
        };
        let before = (contact.consent, contact.marketing);
        let after = lapse_contact(&mut tx, contact, now, pending_for).await?;
        lapsed += u64::from(before.0 != after.consent) + u64::from(before.1 != after.marketing);
    }
    messaging::end_alerts_pending_since(&mut tx, cutoff, ALERT_LAPSED, now).await?;
    tx.commit().await?;
    Ok(lapsed)
}

/// Lapses `contact`'s pending opt-ins older than `pending_for` ms (`Consent::lapsed`), each
/// with a line in its history; returns the contact as it stands after.
pub(crate) async fn lapse_contact(
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
        messaging::store_consent(conn, contact.id, purpose, after, now).await?;
        let record = ConsentRecord {
            purpose,
            opted_in: false,
            source: ConsentSource::Lapsed,
            text: &text,
            page: None,
            order_id: None,
        };
        messaging::insert_consent_event(conn, contact.id, &record, now).await?;
    }
    Ok(contact)
}
