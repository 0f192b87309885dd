//! Campaigns, their audiences and results, and tracked links (`policy::campaign` has the
//! rules). The audience is read from the database at send time, a batch at a time in contact
//! order; what each contact got is in `campaign_sends`.

use super::Db;
use crate::policy::campaign::{Audience, CampaignStatus};
use crate::policy::consent::Consent;
use crate::policy::outbox::OutboxStatus;
use chatout_core::OrderStatus;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};

/// How long after a message a reply, a STOP or an order counts for it.
pub const ATTRIBUTION_MS: i64 = 7 * 24 * 3600 * 1000;

/// A campaign to store.
pub struct NewCampaign<'a> {
    /// Staff's name for it.
    pub name: &'a str,
    /// The campaign template's name.
    pub template: &'a str,
    /// Its filled parameters (JSON, see `service::campaigns::Params`).
    pub params: &'a str,
    /// Who it goes to.
    pub audience: &'a Audience,
    /// When (ms); now for "send now".
    pub scheduled_at: i64,
    /// Who made it.
    pub created_by: &'a str,
}

/// A stored campaign.
#[derive(Debug, Clone)]
pub struct CampaignRow {
    /// Row id.
    pub id: i64,
    /// Staff's name for it.
    pub name: String,
    /// Its template.
    pub template: String,
    /// Its parameters (JSON).
    pub params: String,
    /// Who it goes to.
    pub audience: Audience,
    /// Where it is.
    pub status: CampaignStatus,
    /// When it goes (ms).
    pub scheduled_at: Option<i64>,
    /// When it was done.
    pub finished_at: Option<i64>,
    /// The last contact queued (the runner goes on after it).
    pub cursor: i64,
    /// Contacts it reached in its audience.
    pub targeted: i64,
    /// Of those, skipped for the frequency cap.
    pub skipped_cap: i64,
    /// Who made it.
    pub created_by: String,
}

const CAMPAIGN_COLUMNS: &str = "id, name, template, params, audience, status, scheduled_at, \
     finished_at, cursor, targeted, skipped_cap, created_by";

fn campaign_of_row(row: &sqlx::any::AnyRow) -> Result<CampaignRow, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let audience: String = row.try_get("audience")?;
    Ok(CampaignRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        template: row.try_get("template")?,
        params: row.try_get("params")?,
        audience: serde_json::from_str(&audience)
            .map_err(|_| super::messaging::decode_error("audience", &audience))?,
        status: CampaignStatus::parse(&status)
            .ok_or_else(|| super::messaging::decode_error("status", &status))?,
        scheduled_at: row.try_get("scheduled_at")?,
        finished_at: row.try_get("finished_at")?,
        cursor: row.try_get("cursor")?,
        targeted: row.try_get("targeted")?,
        skipped_cap: row.try_get("skipped_cap")?,
        created_by: row.try_get("created_by")?,
    })
}

/// A value bound into an audience query.
enum Bind {
    Int(i64),
    Text(String),
}

/// The audience's `WHERE` (over contacts `c`) and its values, numbered from `$first`.
fn audience_filter(
    audience: &Audience,
    skus: &[String],
    now: i64,
    first: usize,
) -> (String, Vec<Bind>) {
    let mut binds = vec![Bind::Text(Consent::Active.as_str().into())];
    let mut sql = format!("c.marketing = ${first}");
    // Each value gets the next placeholder number.
    let param = |binds: &mut Vec<Bind>, value: Bind| {
        binds.push(value);
        format!("${}", first + binds.len() - 1)
    };
    if let Some(language) = &audience.language {
        let exact = param(&mut binds, Bind::Text(language.to_ascii_lowercase()));
        let prefix = param(
            &mut binds,
            Bind::Text(format!("{}-%", language.to_ascii_lowercase())),
        );
        sql.push_str(&format!(
            " AND (LOWER(c.locale) = {exact} OR LOWER(c.locale) LIKE {prefix})"
        ));
    }
    let day = 24 * 3600 * 1000_i64;
    if let Some(days) = audience.ordered_within_days {
        let since = param(&mut binds, Bind::Int(now - i64::from(days) * day));
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM orders o WHERE o.contact_id = c.id AND o.created_at >= {since})"
        ));
    }
    if let Some(days) = audience.not_ordered_within_days {
        let since = param(&mut binds, Bind::Int(now - i64::from(days) * day));
        sql.push_str(&format!(
            " AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.contact_id = c.id AND o.created_at >= {since})"
        ));
    }
    if audience.category.is_some() {
        if skus.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            let list: Vec<String> = skus
                .iter()
                .map(|sku| param(&mut binds, Bind::Text(sku.clone())))
                .collect();
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM orders o JOIN order_lines l ON l.order_id = o.id \
                 WHERE o.contact_id = c.id AND l.sku IN ({}))",
                list.join(", ")
            ));
        }
    }
    if audience.never_ordered {
        sql.push_str(" AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.contact_id = c.id)");
    }
    (sql, binds)
}

fn bind_all<'q>(
    mut query: Query<'q, Any, AnyArguments<'q>>,
    binds: Vec<Bind>,
) -> Query<'q, Any, AnyArguments<'q>> {
    for bind in binds {
        query = match bind {
            Bind::Int(n) => query.bind(n),
            Bind::Text(t) => query.bind(t),
        };
    }
    query
}

/// A contact of an audience, as a campaign message needs them.
#[derive(Debug, Clone)]
pub struct AudienceContact {
    /// Row id.
    pub id: i64,
    /// Their language.
    pub locale: Option<String>,
    /// The name on their last order, if they ordered.
    pub name: Option<String>,
}

impl Db {
    /// Stores a campaign, scheduled; returns its id.
    pub async fn insert_campaign(
        &self,
        campaign: &NewCampaign<'_>,
        now: i64,
    ) -> Result<i64, sqlx::Error> {
        let audience = serde_json::to_string(campaign.audience).unwrap_or_else(|_| "{}".into());
        sqlx::query_scalar(
            "INSERT INTO campaigns (name, template, params, audience, status, scheduled_at, \
             created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             RETURNING id",
        )
        .bind(campaign.name)
        .bind(campaign.template)
        .bind(campaign.params)
        .bind(audience)
        .bind(CampaignStatus::Scheduled.as_str())
        .bind(campaign.scheduled_at)
        .bind(campaign.created_by)
        .bind(now)
        .fetch_one(&self.write)
        .await
    }

    /// Every campaign, newest first.
    pub async fn campaigns(&self) -> Result<Vec<CampaignRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns ORDER BY id DESC LIMIT 200"
        ))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(campaign_of_row).collect()
    }

    /// Campaign `id`.
    pub async fn campaign(&self, id: i64) -> Result<Option<CampaignRow>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(campaign_of_row).transpose()
    }

    /// Calls off a scheduled campaign; false when it started already.
    pub async fn cancel_campaign(&self, id: i64, now: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE campaigns SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
        )
        .bind(CampaignStatus::Cancelled.as_str())
        .bind(now)
        .bind(id)
        .bind(CampaignStatus::Scheduled.as_str())
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many contacts the audience has now (`skus`: the catalog's skus of its category).
    pub async fn audience_count(
        &self,
        audience: &Audience,
        skus: &[String],
        now: i64,
    ) -> Result<i64, sqlx::Error> {
        let (filter, binds) = audience_filter(audience, skus, now, 1);
        let sql = format!("SELECT COUNT(*) AS n FROM contacts c WHERE {filter}");
        let row = bind_all(sqlx::query(&sql), binds)
            .fetch_one(&self.read)
            .await?;
        row.try_get("n")
    }

    /// Scheduled campaigns whose time came become `sending`; returns every campaign that is
    /// sending now (those a stopped server left too).
    pub async fn due_campaigns(&self, now: i64) -> Result<Vec<CampaignRow>, sqlx::Error> {
        sqlx::query(
            "UPDATE campaigns SET status = $1, started_at = $2, updated_at = $2 \
             WHERE status = $3 AND scheduled_at <= $2",
        )
        .bind(CampaignStatus::Sending.as_str())
        .bind(now)
        .bind(CampaignStatus::Scheduled.as_str())
        .execute(&self.write)
        .await?;
        let rows = sqlx::query(&format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE status = $1 ORDER BY id"
        ))
        .bind(CampaignStatus::Sending.as_str())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(campaign_of_row).collect()
    }
}

/// The next `limit` contacts of the audience after contact `after`, in contact order.
pub async fn audience_page(
    conn: &mut AnyConnection,
    audience: &Audience,
    skus: &[String],
    now: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<AudienceContact>, sqlx::Error> {
    let (filter, binds) = audience_filter(audience, skus, now, 3);
    let sql = format!(
        "SELECT c.id, c.locale, (SELECT o.customer_name FROM orders o WHERE o.contact_id = c.id \
         ORDER BY o.id DESC LIMIT 1) AS name FROM contacts c WHERE c.id > $1 AND {filter} \
         ORDER BY c.id LIMIT $2"
    );
    let rows = bind_all(sqlx::query(&sql).bind(after).bind(limit), binds)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(AudienceContact {
                id: r.try_get("id")?,
                locale: r.try_get("locale")?,
                name: r.try_get("name")?,
            })
        })
        .collect()
}

/// Moves campaign `id`'s cursor from `from` to `to` and adds the batch's counts; false when
/// another server did this batch (the caller rolls back).
pub async fn advance(
    conn: &mut AnyConnection,
    id: i64,
    (from, to): (i64, i64),
    (targeted, skipped_cap): (i64, i64),
    done: bool,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let status = if done {
        CampaignStatus::Sent
    } else {
        CampaignStatus::Sending
    };
    let moved = sqlx::query(
        "UPDATE campaigns SET cursor = $1, targeted = targeted + $2, \
         skipped_cap = skipped_cap + $3, status = $4, updated_at = $5, \
         finished_at = CASE WHEN $6 = 1 THEN $5 ELSE finished_at END \
         WHERE id = $7 AND cursor = $8 AND status = $9",
    )
    .bind(to)
    .bind(targeted)
    .bind(skipped_cap)
    .bind(status.as_str())
    .bind(now)
    .bind(i64::from(done))
    .bind(id)
    .bind(from)
    .bind(CampaignStatus::Sending.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(moved.rows_affected() == 1)
}

/// Records what campaign `campaign_id` did for a contact: the message queued, or why none.
pub async fn record_send(
    conn: &mut AnyConnection,
    campaign_id: i64,
    contact_id: i64,
    outcome: Result<i64, &str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (outbox_id, skipped) = match outcome {
        Ok(id) => (Some(id), None),
        Err(why) => (None, Some(why)),
    };
    sqlx::query(
        "INSERT INTO campaign_sends (campaign_id, contact_id, outbox_id, skipped, at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(campaign_id)
    .bind(contact_id)
    .bind(outbox_id)
    .bind(skipped)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The token of the tracked link to `url` for a contact from `source` (`campaign:12`,
/// `alerts`), made once; `token` is used when there is none yet.
pub async fn link_token(
    conn: &mut AnyConnection,
    source: &str,
    contact_id: i64,
    url: &str,
    token: &str,
    now: i64,
) -> Result<String, sqlx::Error> {
    sqlx::query(
        "INSERT INTO tracked_links (token, source, contact_id, url, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(token)
    .bind(source)
    .bind(contact_id)
    .bind(url)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar(
        "SELECT token FROM tracked_links WHERE source = $1 AND contact_id = $2 AND url = $3",
    )
    .bind(source)
    .bind(contact_id)
    .bind(url)
    .fetch_one(&mut *conn)
    .await
}

impl Db {
    /// Counts a click on a tracked link; its address, or `None` for a token nobody has.
    pub async fn click(&self, token: &str, now: i64) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar(
            "UPDATE tracked_links SET clicks = clicks + 1, \
             first_click_at = COALESCE(first_click_at, $1) WHERE token = $2 RETURNING url",
        )
        .bind(now)
        .bind(token)
        .fetch_optional(&self.write)
        .await
    }
}

/// Forgets every template synced from WhatsApp Manager (before a new sync stores its own).
pub async fn clear_synced(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM synced_templates")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Stores a template synced from WhatsApp Manager (its name and JSON).
pub async fn insert_synced(
    conn: &mut AnyConnection,
    name: &str,
    template: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO synced_templates (name, template, synced_at) VALUES ($1, $2, $3)")
        .bind(name)
        .bind(template)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Db {
    /// The synced templates (JSON) and when they were synced.
    pub async fn synced_templates(&self) -> Result<Vec<(String, i64)>, sqlx::Error> {
        let rows = sqlx::query("SELECT template, synced_at FROM synced_templates ORDER BY name")
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("template")?, r.try_get("synced_at")?)))
            .collect()
    }
}

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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Results {
    /// Messages queued.
    pub messages: i64,
    /// Accepted by WhatsApp (sent, delivered or read).
    pub sent: i64,
    /// On the phone (delivered or read).
    pub delivered: i64,
    /// Opened.
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
        let row = sqlx::query(&sql).fetch_one(&self.read).await?;
        Ok(Results {
            messages: row.try_get("messages")?,
            sent: row.try_get("sent")?,
            delivered: row.try_get("delivered")?,
            read: row.try_get("read_")?,
            failed: row.try_get("failed")?,
            capped: row.try_get("capped")?,
            cancelled: row.try_get("cancelled")?,
            replied: row.try_get("replied")?,
            stopped: row.try_get("stopped")?,
            clicked: row.try_get("clicked")?,
            orders: row.try_get("orders")?,
            revenue: row.try_get("revenue")?,
        })
    }
}
