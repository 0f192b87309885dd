//! Orders linked to the contact whose message named them, and the messages that named an
//! order without linking it (for staff to look at).

use super::super::Db;
use crate::clock::UnixMillis;
use crate::db::orders::parse_status;
use crate::policy::link::{LinkWarning, NamedOrder};
use chatout_core::OrderStatus;
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
struct NamedRow {
    id: i64,
    status: String,
    contact_id: Option<i64>,
}

/// The order with `reference`: its row id and what linking needs.
pub async fn named_order(
    conn: &mut AnyConnection,
    reference: &str,
) -> Result<Option<(i64, NamedOrder)>, sqlx::Error> {
    let row = sqlx::query_as::<_, NamedRow>(
        "SELECT id, status, contact_id FROM orders WHERE reference = $1",
    )
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok((
            r.id,
            NamedOrder {
                status: parse_status(r.status)?,
                contact_id: r.contact_id,
            },
        ))
    })
    .transpose()
}

/// Links order `order_id` to `contact_id`, received now, unless it is linked already; a
/// pending order still holding its stock then holds it until it expires (a real shopper
/// wrote). Returns whether it linked.
pub async fn link_order(
    conn: &mut AnyConnection,
    order_id: i64,
    contact_id: i64,
    now: UnixMillis,
) -> Result<bool, sqlx::Error> {
    let linked = sqlx::query(
        "UPDATE orders SET contact_id = $1, received_at = $2, updated_at = $2 \
         WHERE id = $3 AND contact_id IS NULL",
    )
    .bind(contact_id)
    .bind(now)
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    if linked.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE orders SET hold_until = expires_at WHERE id = $1 AND status = $2 \
         AND stock_held = 1 AND hold_until IS NOT NULL",
    )
    .bind(order_id)
    .bind(OrderStatus::Pending.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Notes that message `wamid` from `contact_id` named `reference` and was not linked.
pub async fn warn_link(
    conn: &mut AnyConnection,
    contact_id: i64,
    wamid: &str,
    reference: &str,
    warning: LinkWarning,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO link_warnings (contact_id, wamid, reference, reason, at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (wamid, reference) DO NOTHING",
    )
    .bind(contact_id)
    .bind(wamid)
    .bind(reference)
    .bind(warning.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A message that named an order without linking it.
#[derive(Debug, Clone)]
pub struct LinkWarningRow {
    /// The reference named.
    pub reference: String,
    /// Why it was not linked.
    pub warning: LinkWarning,
    /// Who wrote it.
    pub wa_id: Option<String>,
    /// What they wrote (`None` if that message is no longer stored).
    pub text: Option<String>,
    /// When it arrived.
    pub at: UnixMillis,
}

#[derive(sqlx::FromRow)]
struct WarningColumns {
    reference: String,
    reason: String,
    wa_id: Option<String>,
    text: Option<String>,
    at: i64,
}

impl Db {
    /// The latest messages that named an order without linking it, newest first; only those
    /// naming `reference` when given.
    pub async fn link_warnings(
        &self,
        reference: Option<&str>,
    ) -> Result<Vec<LinkWarningRow>, sqlx::Error> {
        let rows = sqlx::query_as::<_, WarningColumns>(
            "SELECT w.reference, w.reason, c.wa_id, i.body AS text, w.at FROM link_warnings w \
             JOIN contacts c ON c.id = w.contact_id LEFT JOIN inbound i ON i.wamid = w.wamid \
             WHERE ($1 = '' OR w.reference = $1) ORDER BY w.id DESC LIMIT 50",
        )
        .bind(reference.unwrap_or(""))
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|r| {
                let warning =
                    LinkWarning::parse(&r.reason).ok_or_else(|| sqlx::Error::ColumnDecode {
                        index: "reason".into(),
                        source: format!("unknown link warning '{}'", r.reason).into(),
                    })?;
                Ok(LinkWarningRow {
                    reference: r.reference,
                    warning,
                    wa_id: r.wa_id,
                    text: r.text,
                    at: r.at,
                })
            })
            .collect()
    }
}
