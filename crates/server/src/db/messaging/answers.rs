//! Customers' answers with a button, stored once per message with what they did, for the
//! order page and the conversation.

use super::super::Db;
use super::decode_error;
use crate::clock::UnixMillis;
use crate::db::orders::parse_status;
use crate::policy::answer::{Action, Outcome};
use chatout_core::OrderStatus;
use sqlx::AnyConnection;

/// What an answer needs to know of the order its button names.
#[derive(Debug, Clone)]
pub struct AnsweredOrder {
    /// Row id.
    pub id: i64,
    /// Where it is.
    pub status: OrderStatus,
    /// The contact it is linked to, if any.
    pub contact_id: Option<i64>,
    /// The phone given at checkout (`+31…`), if any.
    pub customer_phone: Option<String>,
    /// The order's language.
    pub locale: String,
}

#[derive(sqlx::FromRow)]
struct AnsweredRow {
    id: i64,
    status: String,
    contact_id: Option<i64>,
    customer_phone: Option<String>,
    locale: String,
}

/// The order with `reference`, as an answer sees it.
pub async fn answered_order(
    conn: &mut AnyConnection,
    reference: &str,
) -> Result<Option<AnsweredOrder>, sqlx::Error> {
    let row = sqlx::query_as::<_, AnsweredRow>(
        "SELECT id, status, contact_id, customer_phone, locale FROM orders WHERE reference = $1",
    )
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(AnsweredOrder {
            id: r.id,
            status: parse_status(r.status)?,
            contact_id: r.contact_id,
            customer_phone: r.customer_phone,
            locale: r.locale,
        })
    })
    .transpose()
}

/// One answer to store.
#[derive(Debug, Clone, Copy)]
pub struct NewAnswer<'a> {
    /// The order its button named.
    pub order_id: i64,
    /// Who tapped.
    pub contact_id: i64,
    /// The message that carried it.
    pub wamid: &'a str,
    /// What the button asks for.
    pub action: Action,
    /// The title the customer saw.
    pub title: &'a str,
    /// What it did.
    pub outcome: Outcome,
}

/// Stores an answer; false when that message's answer was stored before.
pub async fn insert_answer(
    conn: &mut AnyConnection,
    answer: NewAnswer<'_>,
    now: UnixMillis,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO order_answers (order_id, contact_id, wamid, action, title, outcome, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (wamid) DO NOTHING",
    )
    .bind(answer.order_id)
    .bind(answer.contact_id)
    .bind(answer.wamid)
    .bind(answer.action.as_str())
    .bind(answer.title)
    .bind(answer.outcome.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// A stored answer, for the desk.
#[derive(Debug, Clone)]
pub struct AnswerRow {
    /// The order its button named.
    pub reference: String,
    /// Who tapped (phone), when known.
    pub wa_id: Option<String>,
    /// What the button asked for.
    pub action: Action,
    /// The title the customer saw.
    pub title: String,
    /// What it did.
    pub outcome: Outcome,
    /// When it arrived.
    pub at: UnixMillis,
}

#[derive(sqlx::FromRow)]
struct AnswerColumns {
    reference: String,
    wa_id: Option<String>,
    action: String,
    title: String,
    outcome: String,
    at: i64,
}

impl Db {
    /// The answers naming order `reference` (`Some`) or tapped by contact `contact_id`,
    /// newest first, at most 50.
    pub async fn answers(
        &self,
        reference: Option<&str>,
        contact_id: Option<i64>,
    ) -> Result<Vec<AnswerRow>, sqlx::Error> {
        let rows = sqlx::query_as::<_, AnswerColumns>(
            "SELECT o.reference, c.wa_id, a.action, a.title, a.outcome, a.at \
             FROM order_answers a JOIN orders o ON o.id = a.order_id \
             JOIN contacts c ON c.id = a.contact_id \
             WHERE ($1 = '' OR o.reference = $1) AND ($2 = 0 OR a.contact_id = $2) \
             ORDER BY a.id DESC LIMIT 50",
        )
        .bind(reference.unwrap_or(""))
        .bind(contact_id.unwrap_or(0))
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(AnswerRow {
                    action: Action::parse(&r.action)
                        .ok_or_else(|| decode_error("action", &r.action))?,
                    outcome: Outcome::parse(&r.outcome)
                        .ok_or_else(|| decode_error("outcome", &r.outcome))?,
                    reference: r.reference,
                    wa_id: r.wa_id,
                    title: r.title,
                    at: r.at,
                })
            })
            .collect()
    }
}
