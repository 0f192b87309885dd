//! The campaign runner: each due campaign goes through its audience in batches, each batch
//! in one transaction with the campaign's cursor, so a restart goes on where it stopped and
//! nobody gets it twice.

use super::{at_cap, skus_of, templates, values_for, Params, BATCH};
use crate::clock::now_ms;
use crate::db::campaigns::{self, AudienceContact, CampaignRow};
use crate::db::messaging::{self, NewMessage};
use crate::policy::outbox::MessageKind;
use crate::whatsapp::payload;
use crate::whatsapp::templates::CampaignTemplate;
use crate::AppState;
use sqlx::AnyConnection;

/// Queues every due campaign's next batches; returns how many messages it queued.
#[tracing::instrument(skip_all)]
pub async fn run_campaigns(state: &AppState) -> Result<u64, sqlx::Error> {
    if state.messaging.is_none() {
        return Ok(0);
    }
    let due = state.db.due_campaigns(now_ms()).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let templates = templates(state).await?;
    let mut queued = 0;
    for campaign in &due {
        let Some(template) = templates.iter().find(|t| t.name == campaign.template) else {
            tracing::error!(campaign = campaign.id, template = %campaign.template,
                "a campaign's template is no longer configured; it waits");
            continue;
        };
        let run = Run {
            state,
            campaign,
            template,
            params: serde_json::from_str(&campaign.params).unwrap_or_default(),
            skus: skus_of(state, &campaign.audience),
            source: format!("campaign:{}", campaign.id),
        };
        queued += run.batches().await?;
    }
    Ok(queued)
}

/// One due campaign, with what each of its messages is filled from.
struct Run<'a> {
    state: &'a AppState,
    campaign: &'a CampaignRow,
    template: &'a CampaignTemplate,
    params: Params,
    /// The skus of the audience's category.
    skus: Vec<String>,
    /// Its tracked links' source (`campaign:12`).
    source: String,
}

/// What one batch did.
struct Batch {
    /// Contacts it went through.
    targeted: i64,
    /// Of those, skipped for the frequency cap.
    skipped: i64,
    /// Messages queued.
    queued: u64,
}

impl Run<'_> {
    /// Queues the campaign's batches from its cursor on until its audience is done or
    /// another server took a batch; returns how many messages it queued.
    #[tracing::instrument(skip_all, fields(campaign = self.campaign.id))]
    async fn batches(&self) -> Result<u64, sqlx::Error> {
        let (state, campaign) = (self.state, self.campaign);
        let mut queued = 0;
        let mut cursor = campaign.cursor;
        loop {
            let now = now_ms();
            let mut tx = state.db.begin().await?;
            let page = campaigns::audience_page(
                &mut tx,
                &campaign.audience,
                &self.skus,
                now,
                cursor,
                BATCH,
            )
            .await?;
            let batch = self.queue_batch(&mut tx, &page, now).await?;
            let to = page.last().map_or(cursor, |c| c.id);
            let done = batch.targeted < BATCH;
            let counts = (batch.targeted, batch.skipped);
            if !campaigns::advance(&mut tx, campaign.id, (cursor, to), counts, done, now).await? {
                // Another server took this batch.
                break;
            }
            tx.commit().await?;
            queued += batch.queued;
            if batch.queued > 0 {
                state.wake_outbox();
            }
            cursor = to;
            if done {
                break;
            }
        }
        Ok(queued)
    }

    /// Queues the campaign's message for each contact of `page` under the frequency cap,
    /// recording what each one got.
    async fn queue_batch(
        &self,
        conn: &mut AnyConnection,
        page: &[AudienceContact],
        now: i64,
    ) -> Result<Batch, sqlx::Error> {
        let (campaign, template) = (self.campaign, self.template);
        let mut batch = Batch {
            targeted: i64::try_from(page.len()).unwrap_or(i64::MAX),
            skipped: 0,
            queued: 0,
        };
        for contact in page {
            let AudienceContact { id, locale, name } = contact;
            if at_cap(conn, self.state, *id, now).await? {
                let why = "over the frequency cap";
                campaigns::record_send(conn, campaign.id, *id, Err(why), now).await?;
                batch.skipped += 1;
                continue;
            }
            let (body, button) = values_for(
                conn,
                self.state,
                template,
                &self.params,
                &self.source,
                *id,
                name.as_deref(),
                now,
            )
            .await?;
            let language = template.language_for(locale.as_deref().unwrap_or("en"));
            let (payload, preview) = payload::campaign(template, &language, &body, &button);
            let message = NewMessage {
                dedupe_key: format!("campaign:{}:{id}", campaign.id),
                contact_id: *id,
                order_id: None,
                kind: MessageKind::Marketing,
                event: Some("campaign"),
                payload,
                preview,
                author: &campaign.created_by,
                failed: None,
            };
            if let Some(outbox_id) = messaging::enqueue(conn, message, now).await? {
                campaigns::record_send(conn, campaign.id, *id, Ok(outbox_id), now).await?;
                batch.queued += 1;
            }
        }
        Ok(batch)
    }
}
