//! Campaigns, their audiences and results, and tracked links (`policy::campaign` has the
//! rules). The audience is read from the database at send time, a batch at a time in contact
//! order; what each contact got is in `campaign_sends`.

mod audience;
mod results;

pub use audience::{audience_page, AudienceContact};
pub use results::{Results, Source, ATTRIBUTION_MS};

use super::Db;
use crate::policy::campaign::{Audience, CampaignStatus};
use sqlx::{AnyConnection, Row};

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
