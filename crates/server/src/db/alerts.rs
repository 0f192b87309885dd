//! Back-in-stock subscriptions and the restocks that alert them (`policy::alert` has the
//! rules). Restocks are recorded by `db::stock` in the transaction of the stock change.

use super::Db;
use crate::policy::alert::AlertStatus;
use sqlx::{AnyConnection, Row};

/// A subscription to store.
pub struct NewAlert<'a> {
    /// `ALERT-7K3F9Q`.
    pub reference: &'a str,
    /// The unsubscribe link's token.
    pub token: &'a str,
    /// The product.
    pub sku: &'a str,
    /// The contact of the number typed.
    pub contact_id: i64,
    /// That number, digits only.
    pub wa_id: &'a str,
    /// The shopper's language.
    pub locale: &'a str,
    /// The page it was asked on.
    pub page: &'a str,
    /// The marketing opt-in text the shopper saw.
    pub consent_text: &'a str,
}

/// What a subscription request came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Its reference (the one already open for this product and number, when there is one).
    pub reference: String,
    /// Whether it already was there.
    pub existing: bool,
}

/// Stores a pending subscription, or finds the open one for the same product and number;
/// `None` when the reference or token is taken (the caller draws new ones).
pub async fn subscribe(
    conn: &mut AnyConnection,
    alert: &NewAlert<'_>,
    now: i64,
) -> Result<Option<Subscription>, sqlx::Error> {
    let inserted: Option<String> = sqlx::query_scalar(
        "INSERT INTO stock_alerts (reference, token, sku, contact_id, wa_id, locale, page, \
         consent_text, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT DO NOTHING RETURNING reference",
    )
    .bind(alert.reference)
    .bind(alert.token)
    .bind(alert.sku)
    .bind(alert.contact_id)
    .bind(alert.wa_id)
    .bind(alert.locale)
    .bind(alert.page)
    .bind(alert.consent_text)
    .bind(AlertStatus::Pending.as_str())
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(reference) = inserted {
        return Ok(Some(Subscription {
            reference,
            existing: false,
        }));
    }
    let open: Option<String> = sqlx::query_scalar(
        "SELECT reference FROM stock_alerts WHERE sku = $1 AND wa_id = $2 \
         AND status IN ($3, $4)",
    )
    .bind(alert.sku)
    .bind(alert.wa_id)
    .bind(AlertStatus::Pending.as_str())
    .bind(AlertStatus::Active.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(open.map(|reference| Subscription {
        reference,
        existing: true,
    }))
}

/// A subscription its message activated.
#[derive(Debug, Clone)]
pub struct Activated {
    /// The subscription's row.
    pub id: i64,
    /// The product.
    pub sku: String,
    /// The shopper's language.
    pub locale: String,
    /// The unsubscribe link's token.
    pub token: String,
}

/// Activates the pending subscription `reference` when its message came from its own number
/// (`wa_id`); `None` for anyone else's, an unknown one, or one active already.
pub async fn activate(
    conn: &mut AnyConnection,
    reference: &str,
    wa_id: Option<&str>,
    created_after: i64,
    now: i64,
) -> Result<Option<Activated>, sqlx::Error> {
    let Some(wa_id) = wa_id else {
        return Ok(None);
    };
    let row = sqlx::query(
        "UPDATE stock_alerts SET status = $1, activated_at = $2 \
         WHERE reference = $3 AND wa_id = $4 AND status = $5 AND created_at > $6 \
         RETURNING id, sku, locale, token",
    )
    .bind(AlertStatus::Active.as_str())
    .bind(now)
    .bind(reference)
    .bind(wa_id)
    .bind(AlertStatus::Pending.as_str())
    .bind(created_after)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(Activated {
            id: r.try_get("id")?,
            sku: r.try_get("sku")?,
            locale: r.try_get("locale")?,
            token: r.try_get("token")?,
        })
    })
    .transpose()
}

/// Ends every open subscription of a contact (STOP, the unsubscribe link); returns how many.
pub async fn end_alerts(
    conn: &mut AnyConnection,
    contact_id: i64,
    reason: &str,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let ended = sqlx::query(
        "UPDATE stock_alerts SET status = $1, ended_at = $2, end_reason = $3 \
         WHERE contact_id = $4 AND status IN ($5, $6)",
    )
    .bind(AlertStatus::Ended.as_str())
    .bind(now)
    .bind(reason)
    .bind(contact_id)
    .bind(AlertStatus::Pending.as_str())
    .bind(AlertStatus::Active.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(ended.rows_affected())
}

/// A restock nobody handled yet.
#[derive(Debug, Clone, Copy)]
pub struct Restock {
    /// Row id.
    pub id: i64,
    /// Units available after it (`None`: unlimited).
    pub units: Option<i64>,
}

/// The product of a restock, with the restock.
#[derive(Debug, Clone)]
pub struct OpenRestock {
    /// The restock.
    pub restock: Restock,
    /// Its product.
    pub sku: String,
}

/// A subscriber a restock may alert.
#[derive(Debug, Clone)]
pub struct Waiting {
    /// The subscription's row.
    pub id: i64,
    /// Its contact.
    pub contact_id: i64,
    /// Their language.
    pub locale: String,
    /// The page it was asked on (the product's link when the catalog has none).
    pub page: String,
}

/// What one restock did, for its row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestockCounts {
    /// Alerts queued.
    pub alerted: i64,
    /// Subscribers over the frequency cap (they wait for the next restock).
    pub skipped_cap: i64,
    /// Subscribers without an active marketing opt-in (ended).
    pub skipped_consent: i64,
}

impl Db {
    /// Per sku, the subscriptions waiting for a restock (active) and those whose message has
    /// not arrived yet (pending).
    pub async fn waiting_alerts(
        &self,
    ) -> Result<std::collections::BTreeMap<String, (i64, i64)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT sku, CAST(SUM(CASE WHEN status = $1 THEN 1 ELSE 0 END) AS BIGINT) AS active, \
             CAST(SUM(CASE WHEN status = $2 THEN 1 ELSE 0 END) AS BIGINT) AS pending \
             FROM stock_alerts WHERE status IN ($1, $2) GROUP BY sku",
        )
        .bind(AlertStatus::Active.as_str())
        .bind(AlertStatus::Pending.as_str())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("sku")?,
                    (r.try_get("active")?, r.try_get("pending")?),
                ))
            })
            .collect()
    }

    /// Restocks not handled yet, oldest first.
    pub async fn open_restocks(&self) -> Result<Vec<OpenRestock>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, sku, units FROM restocks WHERE handled_at IS NULL ORDER BY id LIMIT 100",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OpenRestock {
                    restock: Restock {
                        id: r.try_get("id")?,
                        units: r.try_get("units")?,
                    },
                    sku: r.try_get("sku")?,
                })
            })
            .collect()
    }
}

/// Takes restock `id` for handling; false when another server did.
pub async fn claim_restock(
    conn: &mut AnyConnection,
    id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let claimed =
        sqlx::query("UPDATE restocks SET handled_at = $1 WHERE id = $2 AND handled_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Records what a restock did.
pub async fn count_restock(
    conn: &mut AnyConnection,
    id: i64,
    counts: RestockCounts,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE restocks SET alerted = $1, skipped_cap = $2, skipped_consent = $3 WHERE id = $4",
    )
    .bind(counts.alerted)
    .bind(counts.skipped_cap)
    .bind(counts.skipped_consent)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The active subscriptions of `sku`, in the order they were asked for.
pub async fn waiting_for(conn: &mut AnyConnection, sku: &str) -> Result<Vec<Waiting>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, contact_id, locale, page FROM stock_alerts WHERE sku = $1 AND status = $2 \
         ORDER BY id",
    )
    .bind(sku)
    .bind(AlertStatus::Active.as_str())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Waiting {
                id: r.try_get("id")?,
                contact_id: r.try_get("contact_id")?,
                locale: r.try_get("locale")?,
                page: r.try_get("page")?,
            })
        })
        .collect()
}

/// Ends subscription `id`: alerted by outbox row `outbox_id`, or ended for `reason`.
pub async fn close_alert(
    conn: &mut AnyConnection,
    id: i64,
    outcome: Result<i64, &str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (status, outbox_id, reason) = match outcome {
        Ok(outbox_id) => (AlertStatus::Alerted, Some(outbox_id), None),
        Err(reason) => (AlertStatus::Ended, None, Some(reason)),
    };
    sqlx::query(
        "UPDATE stock_alerts SET status = $1, outbox_id = $2, end_reason = $3, \
         alerted_at = CASE WHEN $2 IS NULL THEN NULL ELSE $4 END, ended_at = $4 WHERE id = $5",
    )
    .bind(status.as_str())
    .bind(outbox_id)
    .bind(reason)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The contact of an unsubscribe token and the language of its subscription.
pub async fn contact_of_token(
    conn: &mut AnyConnection,
    token: &str,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    let row = sqlx::query("SELECT contact_id, locale FROM stock_alerts WHERE token = $1")
        .bind(token)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| Ok((r.try_get("contact_id")?, r.try_get("locale")?)))
        .transpose()
}

/// Whether the contact still has open subscriptions.
pub async fn has_open(conn: &mut AnyConnection, contact_id: i64) -> Result<bool, sqlx::Error> {
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM stock_alerts WHERE contact_id = $1 AND status IN ($2, $3)",
    )
    .bind(contact_id)
    .bind(AlertStatus::Pending.as_str())
    .bind(AlertStatus::Active.as_str())
    .fetch_one(&mut *conn)
    .await?;
    Ok(open > 0)
}
