//! WhatsApp messaging in the database: contacts with their consent and customer-service
//! window, inbound messages (once each) and the outbox the worker sends from.
//!
//! Every message is decided and queued in the same transaction as what caused it (a status
//! change, a keyword, a reply), so nothing decided is lost and nothing is queued twice: each
//! row has a `dedupe_key` (`order:42:confirmed`, `ack:wamid.…`, `reply:<random>`).

use super::{now_ms, Db};
use crate::policy::consent::{Consent, Refusal};
use crate::policy::inbound::{on_inbound, ConsentChange};
use crate::policy::outbox::{MessageKind, OutboxStatus};
use crate::whatsapp::client::WINDOW_CLOSED;
use crate::whatsapp::payload::{self, OrderFacts};
use crate::whatsapp::templates::{Event, Templates};
use crate::whatsapp::webhook::{Inbound, StatusUpdate};
use serde_json::Value;
use sqlx::{AnyConnection, Row};

pub use crate::policy::inbound::WINDOW_MS;

/// A contact as the worker and the desk see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Row id.
    pub id: i64,
    /// Phone (`wa_id`), when known.
    pub wa_id: Option<String>,
    /// Business-scoped user id, when known.
    pub user_id: Option<String>,
    /// Where the contact's consent stands.
    pub consent: Consent,
    /// The language of the contact's last order.
    pub locale: Option<String>,
    /// Until when free-form messages are allowed (ms; 0 = closed).
    pub window_until: i64,
}

/// One change of a contact's consent, for the desk.
#[derive(Debug, Clone)]
pub struct ConsentEvent {
    /// In or out.
    pub opted_in: bool,
    /// `checkout` (a web opt-in, pending until the number writes), `checkout_after_stop`
    /// (recorded, not applied), `message` (the number wrote, making it active) or `keyword`.
    pub source: String,
    /// The opt-in text shown, or the keyword sent.
    pub text: String,
    /// The page of the checkout.
    pub page: Option<String>,
    /// When (ms).
    pub at: i64,
}

/// One message in a conversation, for the desk.
#[derive(Debug, Clone)]
pub struct ConversationItem {
    /// The outbox row of a message the shop sent; `None` for the contact's messages.
    pub outbox_id: Option<i64>,
    /// Sent by the shop (true) or the contact.
    pub outbound: bool,
    /// The text (for templates, the template and its parameters).
    pub text: String,
    /// Outbound: where it is; `None` for the contact's messages.
    pub status: Option<OutboxStatus>,
    /// Outbound: what it is; `None` for the contact's messages.
    pub outbound_kind: Option<MessageKind>,
    /// Inbound: the message type (`text`, `image`…); empty for outbound ones.
    pub kind: String,
    /// Who queued it (a staff username or `system`).
    pub author: String,
    /// Why it failed or was cancelled.
    pub error: Option<String>,
    /// When (ms).
    pub at: i64,
}

/// A message the worker may send now.
#[derive(Debug, Clone)]
pub struct DueMessage {
    /// Outbox row.
    pub id: i64,
    /// What it is.
    pub kind: MessageKind,
    /// The request body without its recipient.
    pub payload: Value,
    /// Who it goes to.
    pub contact: Contact,
    /// Attempts so far (before this one).
    pub attempts: i64,
}

/// A message to queue.
struct NewMessage<'a> {
    dedupe_key: String,
    contact_id: i64,
    order_id: Option<i64>,
    kind: MessageKind,
    event: Option<&'a str>,
    payload: Value,
    preview: String,
    author: &'a str,
    /// A message that can be decided as failed at once (a missing parameter).
    failed: Option<String>,
}

/// Why staff could not reply.
#[derive(Debug, thiserror::Error)]
pub enum ReplyError {
    /// The order has no contact (no phone).
    #[error("this order has no WhatsApp contact")]
    NoContact,
    /// The contact said STOP.
    #[error("the customer replied STOP")]
    NoConsent,
    /// More than 24 hours since the customer last wrote.
    #[error("the customer has not written in the last 24 hours")]
    WindowClosed,
    /// Empty or too long.
    #[error("a reply has 1 to 4096 characters")]
    BadText,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The contact behind a phone number as stored on orders (`+31612345678`).
pub fn wa_id_of_phone(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

fn contact_from_row(row: &sqlx::any::AnyRow) -> Result<Contact, sqlx::Error> {
    Ok(Contact {
        id: row.try_get("id")?,
        wa_id: row.try_get("wa_id")?,
        user_id: row.try_get("user_id")?,
        consent: consent_of_row(row)?,
        locale: row.try_get("locale")?,
        window_until: row.try_get("window_until")?,
    })
}

/// A contact row's consent; a name the server does not know is a decode error, not "none".
fn consent_of_row(row: &sqlx::any::AnyRow) -> Result<Consent, sqlx::Error> {
    let name: String = row.try_get("consent")?;
    let since: Option<i64> = row.try_get("consent_pending_since")?;
    Consent::from_stored(&name, since).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: "consent".into(),
        source: format!("unknown consent state '{name}'").into(),
    })
}

const CONTACT_COLUMNS: &str =
    "id, wa_id, user_id, consent, consent_pending_since, locale, window_until";

/// The contact whose `wa_id` or `user_id` (the `column`) is `value`.
async fn contact_by(
    conn: &mut AnyConnection,
    column: &'static str,
    value: &str,
) -> Result<Option<Contact>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {CONTACT_COLUMNS} FROM contacts WHERE {column} = $1"
    ))
    .bind(value)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(contact_from_row)
    .transpose()
}

/// The contact with this phone or user id; created when there is none, completed with the
/// identifier it lacked.
async fn find_or_create_contact(
    conn: &mut AnyConnection,
    wa_id: Option<&str>,
    user_id: Option<&str>,
    now: i64,
) -> Result<Contact, sqlx::Error> {
    let mut found = None;
    if let Some(wa_id) = wa_id {
        found = contact_by(conn, "wa_id", wa_id).await?;
    }
    if found.is_none() {
        if let Some(user_id) = user_id {
            found = contact_by(conn, "user_id", user_id).await?;
        }
    }
    if let Some(mut contact) = found {
        let add_wa = contact.wa_id.is_none() && wa_id.is_some();
        let add_user = contact.user_id.is_none() && user_id.is_some();
        if add_wa || add_user {
            sqlx::query(
                "UPDATE contacts SET wa_id = COALESCE(wa_id, $1), user_id = COALESCE(user_id, $2), \
                 updated_at = $3 WHERE id = $4",
            )
            .bind(wa_id)
            .bind(user_id)
            .bind(now)
            .bind(contact.id)
            .execute(&mut *conn)
            .await?;
            contact.wa_id = contact.wa_id.or(wa_id.map(str::to_string));
            contact.user_id = contact.user_id.or(user_id.map(str::to_string));
        }
        return Ok(contact);
    }
    let row = sqlx::query(&format!(
        "INSERT INTO contacts (wa_id, user_id, created_at, updated_at) VALUES ($1, $2, $3, $3) \
         RETURNING {CONTACT_COLUMNS}"
    ))
    .bind(wa_id)
    .bind(user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    contact_from_row(&row)
}

/// One line of a contact's consent history.
struct ConsentRecord<'a> {
    opted_in: bool,
    /// See [`ConsentEvent::source`].
    source: &'static str,
    text: &'a str,
    page: Option<&'a str>,
    order_id: Option<i64>,
}

async fn insert_consent_event(
    conn: &mut AnyConnection,
    contact_id: i64,
    record: &ConsentRecord<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO consent_events (contact_id, opted_in, source, text, page, order_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(contact_id)
    .bind(i64::from(record.opted_in))
    .bind(record.source)
    .bind(record.text)
    .bind(record.page)
    .bind(record.order_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Stores a contact's consent as decided by [`Consent`]'s rules.
async fn store_consent(
    conn: &mut AnyConnection,
    contact_id: i64,
    consent: Consent,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE contacts SET consent = $1, consent_pending_since = $2, updated_at = $3 \
         WHERE id = $4",
    )
    .bind(consent.as_str())
    .bind(consent.pending_since())
    .bind(now)
    .bind(contact_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Queues a message unless its dedupe key is taken; returns the new row's id.
async fn enqueue(
    conn: &mut AnyConnection,
    message: NewMessage<'_>,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let status = if message.failed.is_some() {
        OutboxStatus::Failed
    } else {
        OutboxStatus::Queued
    };
    let row = sqlx::query(
        "INSERT INTO outbox (dedupe_key, contact_id, order_id, kind, event, payload, preview, \
         author, status, next_attempt_at, error_detail, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $10) \
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(message.dedupe_key)
    .bind(message.contact_id)
    .bind(message.order_id)
    .bind(message.kind.as_str())
    .bind(message.event)
    .bind(message.payload.to_string())
    .bind(message.preview)
    .bind(message.author)
    .bind(status.as_str())
    .bind(now)
    .bind(message.failed)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| r.try_get(0)).transpose()
}

/// At checkout, inside the order's transaction: the opt-in ticked on the web, with the text
/// the shopper saw and the page. It proves nothing about the number, so it leaves the contact
/// pending until the number writes to the shop, and never overrides a STOP.
pub(crate) async fn checkout_opt_in(
    conn: &mut AnyConnection,
    phone: &str,
    order_id: i64,
    text: &str,
    page: &str,
    locale: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let wa_id = wa_id_of_phone(phone);
    if wa_id.is_empty() {
        return Ok(());
    }
    let contact = find_or_create_contact(conn, Some(&wa_id), None, now).await?;
    let next = contact.consent.on_web_opt_in(now);
    store_consent(conn, contact.id, next, now).await?;
    sqlx::query("UPDATE contacts SET locale = $1 WHERE id = $2")
        .bind(locale)
        .bind(contact.id)
        .execute(&mut *conn)
        .await?;
    // Every checkout opt-in is recorded, applied or not: it is the evidence.
    let record = ConsentRecord {
        opted_in: true,
        source: if next == Consent::Stopped {
            "checkout_after_stop"
        } else {
            "checkout"
        },
        text,
        page: Some(page),
        order_id: Some(order_id),
    };
    insert_consent_event(conn, contact.id, &record, now).await
}

/// Inside a status change's transaction: queues the event's template for an opted-in
/// customer. A template parameter the order cannot fill queues a visible failure instead.
pub(crate) async fn enqueue_event(
    conn: &mut AnyConnection,
    order_id: i64,
    event: Event,
    templates: &Templates,
    now: i64,
) -> Result<(), sqlx::Error> {
    let Some(template) = templates.get(event) else {
        return Ok(());
    };
    let Some(order) = sqlx::query_as::<_, FactsRow>(
        "SELECT reference, customer_name, customer_phone, currency, subtotal, locale, \
         tracking_url FROM orders WHERE id = $1",
    )
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(());
    };
    let Some(phone) = order.customer_phone.as_deref() else {
        return Ok(());
    };
    let Some(contact) = contact_by(conn, "wa_id", &wa_id_of_phone(phone)).await? else {
        return Ok(());
    };
    if contact
        .consent
        .may_receive(MessageKind::Template, contact.window_until, now)
        .is_err()
    {
        return Ok(());
    }
    let facts = OrderFacts {
        reference: order.reference,
        name: order.customer_name,
        currency: order.currency,
        subtotal: order.subtotal,
        locale: order.locale,
        tracking_url: order.tracking_url,
    };
    let (payload, preview, failed) = match payload::template(template, &facts) {
        Ok((payload, preview)) => (payload, preview, None),
        Err(problem) => (
            Value::Null,
            format!("template {}", template.name),
            Some(problem),
        ),
    };
    enqueue(
        conn,
        NewMessage {
            dedupe_key: format!("order:{order_id}:{}", event.as_str()),
            contact_id: contact.id,
            order_id: Some(order_id),
            kind: MessageKind::Template,
            event: Some(event.as_str()),
            payload,
            preview,
            author: "system",
            failed,
        },
        now,
    )
    .await?;
    Ok(())
}

/// What the outbox puts in `biz_opaque_callback_data`, which status webhooks echo back.
const CALLBACK_PREFIX: &str = "chatout:";

/// The `biz_opaque_callback_data` of an outbox row.
pub fn callback_data(outbox_id: i64) -> String {
    format!("{CALLBACK_PREFIX}{outbox_id}")
}

/// The outbox row a status webhook's callback data names.
fn outbox_id_of_callback(data: &str) -> Option<i64> {
    data.strip_prefix(CALLBACK_PREFIX)?.parse().ok()
}

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

    /// Staff's free-form reply on an order, allowed only inside the contact's window.
    pub async fn enqueue_reply(
        &self,
        reference: &str,
        author: &str,
        text: &str,
        key: &str,
    ) -> Result<(), ReplyError> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 4096 {
            return Err(ReplyError::BadText);
        }
        let now = now_ms();
        let mut tx = self.write.begin().await?;
        let (order_id, contact) = order_contact(&mut tx, reference)
            .await?
            .ok_or(ReplyError::NoContact)?;
        match contact
            .consent
            .may_receive(MessageKind::Reply, contact.window_until, now)
        {
            Ok(()) => {}
            Err(Refusal::WindowClosed) => return Err(ReplyError::WindowClosed),
            Err(_) => return Err(ReplyError::NoConsent),
        }
        enqueue(
            &mut tx,
            NewMessage {
                dedupe_key: format!("reply:{key}"),
                contact_id: contact.id,
                order_id: Some(order_id),
                kind: MessageKind::Reply,
                event: None,
                payload: payload::text(text),
                preview: text.to_string(),
                author,
                failed: None,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Queues the pending reminder of orders placed at least `after_ms` ago and still
    /// pending, once each.
    pub async fn enqueue_reminders(
        &self,
        templates: &Templates,
        after_ms: i64,
    ) -> Result<u64, sqlx::Error> {
        let now = now_ms();
        let due = sqlx::query(
            "SELECT id FROM orders WHERE status = 'pending' AND reminded_at IS NULL \
             AND consent_at IS NOT NULL AND created_at <= $1 ORDER BY id LIMIT 500",
        )
        .bind(now.saturating_sub(after_ms))
        .fetch_all(&self.read)
        .await?;
        let mut queued = 0;
        for row in due {
            let id: i64 = row.try_get(0)?;
            let mut tx = self.write.begin().await?;
            let claimed = sqlx::query(
                "UPDATE orders SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL \
                 AND status = 'pending'",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 1 {
                enqueue_event(&mut tx, id, Event::PendingReminder, templates, now).await?;
                queued += 1;
            }
            tx.commit().await?;
        }
        Ok(queued)
    }

    /// Messages whose time has come, oldest first, with their contact.
    pub async fn due_messages(&self, now: i64, limit: i64) -> Result<Vec<DueMessage>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT o.id, o.kind, o.payload, o.attempts, c.id AS cid, c.wa_id, c.user_id, \
             c.consent, c.consent_pending_since, c.locale, c.window_until FROM outbox o \
             JOIN contacts c \
             ON c.id = o.contact_id WHERE o.status = $3 AND o.next_attempt_at <= $1 \
             ORDER BY o.id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .bind(OutboxStatus::Queued.as_str())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                let payload: String = row.try_get("payload")?;
                Ok(DueMessage {
                    id: row.try_get("id")?,
                    kind: kind_of_row(row, "kind")?,
                    payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
                    attempts: row.try_get("attempts")?,
                    contact: Contact {
                        id: row.try_get("cid")?,
                        wa_id: row.try_get("wa_id")?,
                        user_id: row.try_get("user_id")?,
                        consent: consent_of_row(row)?,
                        locale: row.try_get("locale")?,
                        window_until: row.try_get("window_until")?,
                    },
                })
            })
            .collect()
    }

    /// Takes a queued message for sending; false when another worker took it first.
    pub async fn claim(&self, id: i64) -> Result<bool, sqlx::Error> {
        let claimed = sqlx::query(
            "UPDATE outbox SET status = $3, attempts = attempts + 1, updated_at = $1 \
             WHERE id = $2 AND status = $4",
        )
        .bind(now_ms())
        .bind(id)
        .bind(OutboxStatus::Sending.as_str())
        .bind(OutboxStatus::Queued.as_str())
        .execute(&self.write)
        .await?;
        Ok(claimed.rows_affected() == 1)
    }

    /// The API accepted the message. A status webhook may have come first; it is kept.
    pub async fn mark_accepted(&self, id: i64, wamid: &str) -> Result<(), sqlx::Error> {
        let earlier = OutboxStatus::sql_list(&OutboxStatus::before(OutboxStatus::Sent));
        sqlx::query(&format!(
            "UPDATE outbox SET wamid = COALESCE(wamid, $1), status = CASE WHEN status IN \
             ({earlier}) THEN '{}' ELSE status END, updated_at = $2 WHERE id = $3",
            OutboxStatus::Sent.as_str()
        ))
        .bind(wamid)
        .bind(now_ms())
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Puts a message back in the queue for `at`, noting why.
    pub async fn mark_retry(
        &self,
        id: i64,
        at: i64,
        code: i64,
        detail: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE outbox SET status = $6, next_attempt_at = $1, error_code = $2, \
             error_detail = $3, updated_at = $4 WHERE id = $5 AND status = $7",
        )
        .bind(at)
        .bind(code)
        .bind(detail)
        .bind(now_ms())
        .bind(id)
        .bind(OutboxStatus::Queued.as_str())
        .bind(OutboxStatus::Sending.as_str())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Ends a message: `failed` (the API refused it for good) or `cancelled` (the server
    /// stopped it: consent revoked, window closed). A 131047 also closes the window.
    pub async fn mark_ended(
        &self,
        id: i64,
        status: OutboxStatus,
        code: Option<i64>,
        detail: &str,
    ) -> Result<(), sqlx::Error> {
        let now = now_ms();
        let mut tx = self.write.begin().await?;
        let ended = sqlx::query(
            "UPDATE outbox SET status = $1, error_code = $2, error_detail = $3, updated_at = $4 \
             WHERE id = $5 AND status IN ($6, $7) RETURNING contact_id",
        )
        .bind(status.as_str())
        .bind(code)
        .bind(detail)
        .bind(now)
        .bind(id)
        .bind(OutboxStatus::Sending.as_str())
        .bind(OutboxStatus::Queued.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if let (Some(row), Some(WINDOW_CLOSED)) = (ended, code) {
            close_window(&mut tx, row.try_get(0)?, now).await?;
        }
        tx.commit().await
    }

    /// Messages left in `sending` since before `before` (a server stopped mid-request):
    /// they may or may not have gone out, so they are never resent automatically. They
    /// become `uncertain`; a status webhook naming them (by callback data) settles them.
    pub async fn settle_abandoned(&self, before: i64) -> Result<u64, sqlx::Error> {
        let settled = sqlx::query(
            "UPDATE outbox SET status = $4, error_detail = $1, updated_at = $2 \
             WHERE status = $5 AND updated_at < $3",
        )
        .bind("the server stopped while sending; it may not have arrived")
        .bind(now_ms())
        .bind(before)
        .bind(OutboxStatus::Uncertain.as_str())
        .bind(OutboxStatus::Sending.as_str())
        .execute(&self.write)
        .await?;
        Ok(settled.rows_affected())
    }

    /// Puts an uncertain or failed message back in the queue (staff's "Send again").
    pub async fn requeue(&self, reference: &str, outbox_id: i64) -> Result<bool, sqlx::Error> {
        let again: Vec<_> = OutboxStatus::ALL
            .into_iter()
            .filter(|s| s.can_send_again())
            .collect();
        let done = sqlx::query(&format!(
            "UPDATE outbox SET status = $4, next_attempt_at = $1, attempts = 0, \
             updated_at = $1 WHERE id = $2 AND status IN ({}) AND kind <> $5 \
             AND payload <> 'null' AND order_id = (SELECT id FROM orders WHERE reference = $3)",
            OutboxStatus::sql_list(&again)
        ))
        .bind(now_ms())
        .bind(outbox_id)
        .bind(reference)
        .bind(OutboxStatus::Queued.as_str())
        .bind(MessageKind::Ack.as_str())
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// An order's contact, if the order has a phone and the contact is known.
    pub async fn contact_of_order(&self, reference: &str) -> Result<Option<Contact>, sqlx::Error> {
        let mut conn = self.read.acquire().await?;
        Ok(order_contact(&mut conn, reference).await?.map(|(_, c)| c))
    }

    /// A contact's consent history, newest first.
    pub async fn consent_history(&self, contact_id: i64) -> Result<Vec<ConsentEvent>, sqlx::Error> {
        let rows = sqlx::query_as::<_, ConsentRow>(
            "SELECT opted_in, source, text, page, at FROM consent_events WHERE contact_id = $1 \
             ORDER BY at DESC, id DESC LIMIT 50",
        )
        .bind(contact_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| ConsentEvent {
                opted_in: row.opted_in != 0,
                source: row.source,
                text: row.text,
                page: row.page,
                at: row.at,
            })
            .collect())
    }

    /// A contact's messages both ways, oldest first (the last 200).
    pub async fn conversation(
        &self,
        contact_id: i64,
    ) -> Result<Vec<ConversationItem>, sqlx::Error> {
        let outbound = sqlx::query_as::<_, OutboundRow>(
            "SELECT id, preview, status, kind, author, error_code, error_detail, created_at \
             FROM outbox WHERE contact_id = $1 ORDER BY id DESC LIMIT 200",
        )
        .bind(contact_id)
        .fetch_all(&self.read)
        .await?;
        let inbound = sqlx::query_as::<_, InboundRow>(
            "SELECT body, kind, sent_at FROM inbound WHERE contact_id = $1 \
             ORDER BY sent_at DESC LIMIT 200",
        )
        .bind(contact_id)
        .fetch_all(&self.read)
        .await?;
        let mut items = Vec::with_capacity(outbound.len() + inbound.len());
        for row in outbound {
            let error = match (row.error_code, row.error_detail) {
                (Some(code), Some(detail)) if code != 0 => Some(format!("{code}: {detail}")),
                (_, detail) => detail,
            };
            let status = OutboxStatus::parse(&row.status)
                .ok_or_else(|| decode_error("status", &row.status))?;
            let kind =
                MessageKind::parse(&row.kind).ok_or_else(|| decode_error("kind", &row.kind))?;
            items.push(ConversationItem {
                outbox_id: Some(row.id),
                outbound: true,
                text: row.preview,
                status: Some(status),
                outbound_kind: Some(kind),
                kind: String::new(),
                author: row.author,
                error,
                at: row.created_at,
            });
        }
        for row in inbound {
            items.push(ConversationItem {
                outbox_id: None,
                outbound: false,
                text: row.body,
                status: None,
                outbound_kind: None,
                kind: row.kind,
                author: String::new(),
                error: None,
                at: row.sent_at,
            });
        }
        items.sort_by_key(|item| item.at);
        let skip = items.len().saturating_sub(200);
        Ok(items.into_iter().skip(skip).collect())
    }
}

/// An outbox row's kind; a name the server does not know is a decode error.
fn kind_of_row(row: &sqlx::any::AnyRow, column: &str) -> Result<MessageKind, sqlx::Error> {
    let name: String = row.try_get(column)?;
    MessageKind::parse(&name).ok_or_else(|| decode_error(column, &name))
}

/// A stored value this server does not know: a corrupt row, never silently a default.
fn decode_error(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.into(),
        source: format!("unknown value '{value}'").into(),
    }
}

/// What a template's parameters are filled from, by name.
#[derive(sqlx::FromRow)]
struct FactsRow {
    reference: String,
    customer_name: String,
    customer_phone: Option<String>,
    currency: String,
    subtotal: i64,
    locale: String,
    tracking_url: Option<String>,
}

/// One line of consent history, by name.
#[derive(sqlx::FromRow)]
struct ConsentRow {
    opted_in: i64,
    source: String,
    text: String,
    page: Option<String>,
    at: i64,
}

/// An outbound message as the desk shows it, by name.
#[derive(sqlx::FromRow)]
struct OutboundRow {
    id: i64,
    preview: String,
    status: String,
    kind: String,
    author: String,
    error_code: Option<i64>,
    error_detail: Option<String>,
    created_at: i64,
}

/// An inbound message as the desk shows it, by name.
#[derive(sqlx::FromRow)]
struct InboundRow {
    body: String,
    kind: String,
    sent_at: i64,
}

/// An order's id and contact.
async fn order_contact(
    conn: &mut AnyConnection,
    reference: &str,
) -> Result<Option<(i64, Contact)>, sqlx::Error> {
    let Some(order) = sqlx::query("SELECT id, customer_phone FROM orders WHERE reference = $1")
        .bind(reference)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let Some(phone) = order.try_get::<Option<String>, _>(1)? else {
        return Ok(None);
    };
    let contact = contact_by(conn, "wa_id", &wa_id_of_phone(&phone)).await?;
    contact.map(|c| Ok((order.try_get(0)?, c))).transpose()
}

/// Closes a contact's window now (the API answered 131047 for one of its messages).
async fn close_window(
    conn: &mut AnyConnection,
    contact_id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE contacts SET window_until = CASE WHEN window_until > $1 THEN $1 \
         ELSE window_until END, updated_at = $1 WHERE id = $2",
    )
    .bind(now)
    .bind(contact_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
