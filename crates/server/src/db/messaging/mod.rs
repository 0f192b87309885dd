//! WhatsApp messaging in the database: contacts with their consent and customer-service
//! window, inbound messages (once each) and the outbox the worker sends from.
//!
//! Every message is decided and queued in the same transaction as what caused it (a status
//! change, a keyword, a reply), so nothing decided is lost and nothing is queued twice: each
//! row has a `dedupe_key` (`order:42:confirmed`, `ack:wamid.…`, `reply:<random>`).

mod answers;
mod consent;
mod contacts;
mod conversation;
mod identity;
mod inbound;
mod inbox;
mod lapse;
mod links;
mod outbox;
mod proof;

pub use answers::{answered_order, insert_answer, AnswerRow, AnsweredOrder, NewAnswer};
pub(crate) use consent::{checkout_opt_in, web_opt_in, WebOptIn};
pub use consent::{insert_consent_event, store_consent, ConsentEvent, ConsentRecord, Purpose};
pub use contacts::{
    close_window, contact_by_id, contact_of_phone, find_or_create_contact, order_contact,
    wa_id_of_phone, Contact, ContactOrder,
};
pub use conversation::ConversationItem;
pub use identity::{note_profile, reidentify};
pub use inbound::{
    apply_status, cancel_queued, cancel_queued_marketing, insert_inbound, open_window,
    InboundMessage, StatusReport,
};
pub use inbox::{note_reply, settle_if_only, Conversion, InboxRow, Response, CONVERSION_WINDOW_MS};
pub use lapse::{end_alerts_pending_since, proven_by};
pub use links::{link_order, named_order, warn_link, LinkWarningRow};
pub use outbox::{
    claim_reminder, due_reminders, end_message, enqueue, marketing_since, message_facts,
    order_templates_since, DueMessage, MessageFacts, NewMessage,
};
pub use proof::proven_name;

use crate::policy::outbox::MessageKind;
use sqlx::Row;

/// An outbox row's kind; a name the server does not know is a decode error.
fn kind_of_row(row: &sqlx::any::AnyRow, column: &str) -> Result<MessageKind, sqlx::Error> {
    let name: String = row.try_get(column)?;
    MessageKind::parse(&name).ok_or_else(|| decode_error(column, &name))
}

/// A stored value this server does not know: a corrupt row, never silently a default.
pub(crate) fn decode_error(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.into(),
        source: format!("unknown value '{value}'").into(),
    }
}
