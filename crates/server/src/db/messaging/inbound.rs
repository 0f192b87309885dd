//! What the Cloud API's webhooks bring in: messages from contacts (stored once, acted on as
//! `policy::inbound` decides) and status reports of what the shop sent (only ever forward).

use super::super::{now_ms, Db};
use super::contacts::{
    close_window, find_or_create_contact, insert_consent_event, store_consent, ConsentRecord,
};
use super::outbox::{enqueue, NewMessage};
use crate::policy::inbound::{on_inbound, ConsentChange};
use crate::policy::outbox::{MessageKind, OutboxStatus};
use crate::whatsapp::client::WINDOW_CLOSED;
use crate::whatsapp::payload::{self, outbox_id_of_callback};
use crate::whatsapp::webhook::{Inbound, StatusUpdate};
use sqlx::Row;

impl Db {
    /// Records an inbound message once: opens the contact's window and acts on STOP/START.
    /// Returns whether it queued a message (the keyword's acknowledgement).
    pub async fn record_inbound(&self, message: &Inbound) -> Result<bool, sqlx::Error> {
        let now = now_ms();
        let mut tx = self.write.begin().await?;
        let contact = find_or_create_contact(
            &mut tx,
            message.wa_id.as_deref(),
            message.user_id.as_deref(),
            now,
        )
        .await?;
        let effects = on_inbound(
            contact.consent,
            contact.locale.as_deref(),
            &message.text,
            message.timestamp,
            now,
        );
        let inserted = sqlx::query(
            "INSERT INTO inbound (wamid, contact_id, kind, body, sent_at, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (wamid) DO NOTHING RETURNING id",
        )
        .bind(&message.id)
        .bind(contact.id)
        .bind(&message.kind)
        .bind(&message.text)
        .bind(effects.sent_at)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if inserted.is_none() {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "UPDATE contacts SET window_until = CASE WHEN window_until > $1 THEN window_until \
             ELSE $1 END, last_inbound_at = $2, updated_at = $2 WHERE id = $3",
        )
        .bind(effects.window_until)
        .bind(now)
        .bind(contact.id)
        .execute(&mut *tx)
        .await?;
        if let Some((consent, change)) = effects.consent {
            store_consent(&mut tx, contact.id, consent, now).await?;
            let (opted_in, source) = match change {
                ConsentChange::Wrote => (true, "message"),
                ConsentChange::Keyword(start) => (start, "keyword"),
            };
            let record = ConsentRecord {
                opted_in,
                source,
                text: &message.text,
                page: None,
                order_id: None,
            };
            insert_consent_event(&mut tx, contact.id, &record, now).await?;
        }
        if let Some(text) = effects.acknowledgement {
            enqueue(
                &mut tx,
                NewMessage {
                    dedupe_key: format!("ack:{}", message.id),
                    contact_id: contact.id,
                    order_id: None,
                    kind: MessageKind::Ack,
                    event: None,
                    payload: payload::text(text),
                    preview: text.to_string(),
                    author: "system",
                    failed: None,
                },
                now,
            )
            .await?;
        }
        if effects.cancel_queued {
            // Revoking cancels what was waiting: nothing more goes out.
            sqlx::query(
                "UPDATE outbox SET status = $1, error_detail = $2, updated_at = $3 \
                 WHERE contact_id = $4 AND status = $5 AND kind <> $6",
            )
            .bind(OutboxStatus::Cancelled.as_str())
            .bind("the customer opted out (STOP)")
            .bind(now)
            .bind(contact.id)
            .bind(OutboxStatus::Queued.as_str())
            .bind(MessageKind::Ack.as_str())
            .execute(&mut *tx)
            .await?;
        }
        let acknowledged = effects.acknowledgement.is_some();
        tx.commit().await?;
        Ok(acknowledged)
    }

    /// Applies a status webhook: finds the row by message id (or by the callback data when
    /// the send's answer is not stored yet) and moves it forward only. Returns whether a row
    /// changed.
    pub async fn apply_status(&self, update: &StatusUpdate) -> Result<bool, sqlx::Error> {
        let now = now_ms();
        let earlier = OutboxStatus::sql_list(&OutboxStatus::before(update.delivery.status()));
        let error_code = update.error.as_ref().map(|e| e.code);
        let error_detail = update.error.as_ref().map(|e| e.detail.clone());
        let outbox_id = update.callback.as_deref().and_then(outbox_id_of_callback);
        let mut tx = self.write.begin().await?;
        let moved = sqlx::query(&format!(
            "UPDATE outbox SET status = $1, updated_at = $2, wamid = COALESCE(wamid, $3), \
             error_code = COALESCE($4, error_code), error_detail = COALESCE($5, error_detail) \
             WHERE (wamid = $3 OR (id = $6 AND wamid IS NULL)) AND status IN ({earlier}) \
             RETURNING contact_id"
        ))
        .bind(update.delivery.status().as_str())
        .bind(now)
        .bind(&update.wamid)
        .bind(error_code)
        .bind(error_detail)
        .bind(outbox_id)
        .fetch_optional(&mut *tx)
        .await?;
        let contact_id = moved.map(|row| row.try_get::<i64, _>(0)).transpose()?;
        if let (Some(contact_id), Some(WINDOW_CLOSED)) = (contact_id, error_code) {
            close_window(&mut tx, contact_id, now).await?;
        }
        tx.commit().await?;
        Ok(contact_id.is_some())
    }
}
