//! One person, one contact. A WhatsApp user may be known by phone (`wa_id`), by
//! business-scoped user id, or both; when one message shows that two contacts are the same
//! person (a BSUID-only contact meets a phone-only one, a web order's number meets its BSUID,
//! a number change lands on a number the shop knew), the later contact is merged into the
//! earlier one in the message's transaction: its orders, consent history, conversation,
//! outbox, answers, alerts and campaign sends move over, and the merged row keeps no
//! identifier (`merged_into` says where it went).

use super::consent::{store_consent, Purpose};
use super::contacts::{contact_by, contact_by_id, Contact};
use crate::clock::UnixMillis;
use sqlx::AnyConnection;

/// The tables whose `contact_id` simply moves to the contact kept.
const MOVED: [&str; 8] = [
    "consent_events",
    "inbound",
    "outbox",
    "orders",
    "link_warnings",
    "responses",
    "order_answers",
    "stock_alerts",
];

/// What a merge combines beyond consent, by name.
#[derive(sqlx::FromRow)]
struct MergedRow {
    locale: Option<String>,
    window_until: i64,
    last_inbound_at: Option<i64>,
    last_reply_at: Option<i64>,
    done_at: Option<i64>,
    assigned_to: Option<String>,
    topic: Option<String>,
    profile_name: Option<String>,
    username: Option<String>,
}

async fn merged_row(conn: &mut AnyConnection, id: i64) -> Result<MergedRow, sqlx::Error> {
    sqlx::query_as::<_, MergedRow>(
        "SELECT locale, window_until, last_inbound_at, last_reply_at, done_at, assigned_to, \
         topic, profile_name, username FROM contacts WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await
}

/// Gives contact `id` these identifiers (the current ones: a phone that changed replaces the
/// old one), first merging into it, or it into, any other contact that holds one of them.
/// Returns the contact kept.
pub async fn reidentify(
    conn: &mut AnyConnection,
    id: i64,
    wa_id: Option<&str>,
    user_id: Option<&str>,
    now: UnixMillis,
) -> Result<Contact, sqlx::Error> {
    let mut keep = id;
    for (column, value) in [("wa_id", wa_id), ("user_id", user_id)] {
        let Some(value) = value else { continue };
        if let Some(other) = contact_by(conn, column, value).await? {
            if other.id != keep {
                // The older contact stays: its id is the one links and pages already name.
                let (kept, gone) = (keep.min(other.id), keep.max(other.id));
                merge(conn, kept, gone, now).await?;
                keep = kept;
            }
        }
    }
    sqlx::query(
        "UPDATE contacts SET wa_id = COALESCE($1, wa_id), user_id = COALESCE($2, user_id), \
         updated_at = $3 WHERE id = $4",
    )
    .bind(wa_id)
    .bind(user_id)
    .bind(now)
    .bind(keep)
    .execute(&mut *conn)
    .await?;
    contact_by_id(conn, keep)
        .await?
        .ok_or_else(|| sqlx::Error::RowNotFound)
}

/// Merges contact `gone` into `kept`, in the caller's transaction.
async fn merge(
    conn: &mut AnyConnection,
    kept: i64,
    gone: i64,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    let (Some(a), Some(b)) = (
        contact_by_id(conn, kept).await?,
        contact_by_id(conn, gone).await?,
    ) else {
        return Err(sqlx::Error::RowNotFound);
    };
    let (x, y) = (merged_row(conn, kept).await?, merged_row(conn, gone).await?);
    move_rows(conn, kept, gone).await?;
    retire(conn, kept, gone, now).await?;
    combine(conn, kept, &b, x, y, now).await?;
    let consent = a.consent.merged(b.consent);
    store_consent(conn, kept, Purpose::OrderUpdates, consent, now).await?;
    let marketing = a.marketing.merged(b.marketing);
    store_consent(conn, kept, Purpose::Marketing, marketing, now).await?;
    tracing::info!(
        kept,
        merged = gone,
        "merged two contacts of one WhatsApp user"
    );
    Ok(())
}

/// Moves what belongs to contact `gone` (orders, history, conversation, outbox, answers,
/// alerts, campaign sends, tracked links) over to `kept`.
async fn move_rows(conn: &mut AnyConnection, kept: i64, gone: i64) -> Result<(), sqlx::Error> {
    for table in MOVED {
        sqlx::query(&format!(
            "UPDATE {table} SET contact_id = $1 WHERE contact_id = $2"
        ))
        .bind(kept)
        .bind(gone)
        .execute(&mut *conn)
        .await?;
    }
    // One send per campaign and one tracked link per page and contact: a duplicate stays
    // with the merged row (its link keeps working).
    sqlx::query(
        "UPDATE campaign_sends SET contact_id = $1 WHERE contact_id = $2 AND campaign_id NOT IN \
         (SELECT s.campaign_id FROM campaign_sends s WHERE s.contact_id = $1)",
    )
    .bind(kept)
    .bind(gone)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE tracked_links SET contact_id = $1 WHERE contact_id = $2 AND NOT EXISTS \
         (SELECT 1 FROM tracked_links t WHERE t.contact_id = $1 \
          AND t.source = tracked_links.source AND t.url = tracked_links.url)",
    )
    .bind(kept)
    .bind(gone)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Leaves contact `gone` without identifiers, consent or window, pointing at `kept`.
async fn retire(
    conn: &mut AnyConnection,
    kept: i64,
    gone: i64,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE contacts SET wa_id = NULL, user_id = NULL, merged_into = $1, consent = 'none', \
         consent_pending_since = NULL, marketing = 'none', marketing_pending_since = NULL, \
         window_until = 0, last_inbound_at = NULL, assigned_to = NULL, updated_at = $2 \
         WHERE id = $3",
    )
    .bind(kept)
    .bind(now)
    .bind(gone)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Gives contact `kept` the identifiers it lacked from `gone` (`b`), and of both rows (`x`
/// kept's, `y` gone's) the language, the later times and the desk's state.
async fn combine(
    conn: &mut AnyConnection,
    kept: i64,
    b: &Contact,
    x: MergedRow,
    y: MergedRow,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    let later = |p: Option<i64>, q: Option<i64>| p.max(q);
    sqlx::query(
        "UPDATE contacts SET wa_id = COALESCE(wa_id, $1), user_id = COALESCE(user_id, $2), \
         locale = $3, window_until = $4, last_inbound_at = $5, last_reply_at = $6, done_at = $7, \
         assigned_to = $8, topic = $9, profile_name = $10, username = $11, updated_at = $12 \
         WHERE id = $13",
    )
    .bind(b.wa_id.as_deref())
    .bind(b.user_id.as_deref())
    .bind(x.locale.or(y.locale))
    .bind(x.window_until.max(y.window_until))
    .bind(later(x.last_inbound_at, y.last_inbound_at))
    .bind(later(x.last_reply_at, y.last_reply_at))
    .bind(later(x.done_at, y.done_at))
    .bind(x.assigned_to.or(y.assigned_to))
    .bind(x.topic.or(y.topic))
    .bind(x.profile_name.or(y.profile_name))
    .bind(x.username.or(y.username))
    .bind(now)
    .bind(kept)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Keeps the name and username on the contact's WhatsApp profile, as last seen.
pub async fn note_profile(
    conn: &mut AnyConnection,
    id: i64,
    profile_name: Option<&str>,
    username: Option<&str>,
) -> Result<(), sqlx::Error> {
    if profile_name.is_none() && username.is_none() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE contacts SET profile_name = COALESCE($1, profile_name), \
         username = COALESCE($2, username) WHERE id = $3",
    )
    .bind(profile_name)
    .bind(username)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
