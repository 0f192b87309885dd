//! Consent in the database: where a contact's consent to each purpose stands, the history of
//! how it changed (the evidence), and opt-ins ticked on the web.

use super::super::Db;
use crate::policy::consent::{Consent, ConsentSource};
use sqlx::AnyConnection;

/// One change of a contact's consent, for the desk.
#[derive(Debug, Clone)]
pub struct ConsentEvent {
    /// It is about offers and news (else order updates).
    pub marketing: bool,
    /// In or out.
    pub opted_in: bool,
    /// Where it came from.
    pub source: ConsentSource,
    /// The opt-in text shown, or the keyword sent.
    pub text: String,
    /// The page of the checkout.
    pub page: Option<String>,
    /// When (ms).
    pub at: i64,
}

/// What a consent is for (docs/CONTRACT.md section 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Order updates: templates for the customer's own orders.
    OrderUpdates,
    /// Offers and news: campaigns, back-in-stock alerts.
    Marketing,
}

impl Purpose {
    /// The stored name, as the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrderUpdates => "order_updates",
            Self::Marketing => "marketing",
        }
    }
}

/// One line of a contact's consent history.
pub struct ConsentRecord<'a> {
    /// Which consent it changes.
    pub purpose: Purpose,
    /// In or out.
    pub opted_in: bool,
    /// Where it came from.
    pub source: ConsentSource,
    /// The opt-in text shown, or the keyword sent.
    pub text: &'a str,
    /// The page of a checkout opt-in.
    pub page: Option<&'a str>,
    /// The order of a checkout opt-in.
    pub order_id: Option<i64>,
}

/// Adds a line to a contact's consent history.
pub async fn insert_consent_event(
    conn: &mut AnyConnection,
    contact_id: i64,
    record: &ConsentRecord<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO consent_events (contact_id, opted_in, source, text, page, order_id, at, \
         purpose) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(contact_id)
    .bind(i64::from(record.opted_in))
    .bind(record.source.as_str())
    .bind(record.text)
    .bind(record.page)
    .bind(record.order_id)
    .bind(now)
    .bind(record.purpose.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Stores a contact's consent to `purpose` as decided by [`Consent`]'s rules.
pub async fn store_consent(
    conn: &mut AnyConnection,
    contact_id: i64,
    purpose: Purpose,
    consent: Consent,
    now: i64,
) -> Result<(), sqlx::Error> {
    let sql = match purpose {
        Purpose::OrderUpdates => {
            "UPDATE contacts SET consent = $1, consent_pending_since = $2, updated_at = $3 \
             WHERE id = $4"
        }
        Purpose::Marketing => {
            "UPDATE contacts SET marketing = $1, marketing_pending_since = $2, updated_at = $3 \
             WHERE id = $4"
        }
    };
    sqlx::query(sql)
        .bind(consent.as_str())
        .bind(consent.pending_since())
        .bind(now)
        .bind(contact_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Sets the language a contact is written to in.
pub async fn set_contact_locale(
    conn: &mut AnyConnection,
    contact_id: i64,
    locale: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE contacts SET locale = $1 WHERE id = $2")
        .bind(locale)
        .bind(contact_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// One line of consent history, by name.
#[derive(sqlx::FromRow)]
struct ConsentRow {
    purpose: String,
    opted_in: i64,
    source: String,
    text: String,
    page: Option<String>,
    at: i64,
}

impl Db {
    /// A contact's consent history, newest first.
    pub async fn consent_history(&self, contact_id: i64) -> Result<Vec<ConsentEvent>, sqlx::Error> {
        let rows = sqlx::query_as::<_, ConsentRow>(
            "SELECT purpose, opted_in, source, text, page, at FROM consent_events \
             WHERE contact_id = $1 \
             ORDER BY at DESC, id DESC LIMIT 50",
        )
        .bind(contact_id)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(ConsentEvent {
                    marketing: row.purpose == Purpose::Marketing.as_str(),
                    opted_in: row.opted_in != 0,
                    source: ConsentSource::parse(&row.source)
                        .ok_or_else(|| super::decode_error("source", &row.source))?,
                    text: row.text,
                    page: row.page,
                    at: row.at,
                })
            })
            .collect()
    }
}
