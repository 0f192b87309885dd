//! A contact's conversation as the desk shows it: both ways, oldest first, each outbound
//! message with its state.

use super::super::Db;
use super::decode_error;
use crate::policy::outbox::{MessageKind, OutboxStatus};

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
    /// Inbound: the text of the message a reaction, an edit or a deletion is about (either
    /// way), or its id when the shop does not have it.
    pub about: Option<String>,
}

impl Db {
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
            "SELECT i.body, i.kind, i.sent_at, i.refers_to, \
             (SELECT r.body FROM inbound r WHERE r.wamid = i.refers_to) AS refers_in, \
             (SELECT o.preview FROM outbox o WHERE o.wamid = i.refers_to) AS refers_out \
             FROM inbound i WHERE i.contact_id = $1 ORDER BY i.sent_at DESC LIMIT 200",
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
                about: None,
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
                about: row.refers_in.or(row.refers_out).or(row.refers_to),
            });
        }
        items.sort_by_key(|item| item.at);
        let skip = items.len().saturating_sub(200);
        Ok(items.into_iter().skip(skip).collect())
    }
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
    refers_to: Option<String>,
    refers_in: Option<String>,
    refers_out: Option<String>,
}
