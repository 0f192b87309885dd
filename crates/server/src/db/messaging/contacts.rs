//! Contacts: who a WhatsApp user is (by phone and by business-scoped id), where their consent
//! stands, and their customer-service window (`consent` keeps how consent changed).

use super::super::Db;
use crate::policy::consent::{self, Consent, MessageKind, Refusal};
use sqlx::{AnyConnection, Row};

/// A contact as the worker and the desk see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Row id.
    pub id: i64,
    /// Phone (`wa_id`), when known.
    pub wa_id: Option<String>,
    /// Business-scoped user id, when known.
    pub user_id: Option<String>,
    /// Where the contact's consent to order updates stands.
    pub consent: Consent,
    /// Where the contact's consent to offers and news stands (its own purpose).
    pub marketing: Consent,
    /// The language of the contact's last order.
    pub locale: Option<String>,
    /// Until when free-form messages are allowed (ms; 0 = closed).
    pub window_until: i64,
}

impl Contact {
    /// Whether `kind` may go to the contact now (`policy::consent::may_receive`).
    pub fn may_receive(&self, kind: MessageKind, now: i64) -> Result<(), Refusal> {
        consent::may_receive(self.consent, self.marketing, kind, self.window_until, now)
    }
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
        marketing: marketing_of_row(row)?,
        locale: row.try_get("locale")?,
        window_until: row.try_get("window_until")?,
    })
}

/// A contact row's consent; a name the server does not know is a decode error, not "none".
pub(super) fn consent_of_row(row: &sqlx::any::AnyRow) -> Result<Consent, sqlx::Error> {
    purpose_of_row(row, "consent", "consent_pending_since")
}

/// A contact row's consent to offers and news.
pub(super) fn marketing_of_row(row: &sqlx::any::AnyRow) -> Result<Consent, sqlx::Error> {
    purpose_of_row(row, "marketing", "marketing_pending_since")
}

fn purpose_of_row(
    row: &sqlx::any::AnyRow,
    state: &str,
    since: &str,
) -> Result<Consent, sqlx::Error> {
    let name: String = row.try_get(state)?;
    let since: Option<i64> = row.try_get(since)?;
    Consent::from_stored(&name, since).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: state.into(),
        source: format!("unknown consent state '{name}'").into(),
    })
}

const CONTACT_COLUMNS: &str =
    "id, wa_id, user_id, consent, consent_pending_since, marketing, marketing_pending_since, \
     locale, window_until";

/// The contact whose `wa_id` or `user_id` (the `column`) is `value`.
pub(super) async fn contact_by(
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

/// The contact with this phone or user id; created when there is none, given the
/// identifiers it lacked (a phone that changed replaces the old one), and merged with another
/// contact that turns out to be the same person (`identity::reidentify`).
pub async fn find_or_create_contact(
    conn: &mut AnyConnection,
    wa_id: Option<&str>,
    user_id: Option<&str>,
    now: i64,
) -> Result<Contact, sqlx::Error> {
    let mut found = None;
    if let Some(wa_id) = wa_id {
        found = contact_by(conn, "wa_id", wa_id).await?;
    }
    // The number's contact has another business-scoped id: the number now belongs to
    // someone else (a recycled number). It leaves the old contact, whose orders, consent
    // and conversation stay theirs; the new person is found by their own id, or is new.
    if let (Some(contact), Some(user_id)) = (&found, user_id) {
        if contact.user_id.as_deref().is_some_and(|old| old != user_id) {
            sqlx::query("UPDATE contacts SET wa_id = NULL, updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(contact.id)
                .execute(&mut *conn)
                .await?;
            found = None;
        }
    }
    if found.is_none() {
        if let Some(user_id) = user_id {
            found = contact_by(conn, "user_id", user_id).await?;
        }
    }
    if let Some(contact) = found {
        let same = contact.wa_id.as_deref() == wa_id.or(contact.wa_id.as_deref())
            && contact.user_id.as_deref() == user_id.or(contact.user_id.as_deref());
        if same {
            return Ok(contact);
        }
        return super::identity::reidentify(conn, contact.id, wa_id, user_id, now).await;
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

/// The contact with row id `id`.
pub async fn contact_by_id(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Contact>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(contact_from_row)
    .transpose()
}

/// The contact of a phone number as given at checkout.
pub async fn contact_of_phone(
    conn: &mut AnyConnection,
    phone: &str,
) -> Result<Option<Contact>, sqlx::Error> {
    contact_by(conn, "wa_id", &wa_id_of_phone(phone)).await
}

/// An order's id and contact.
pub async fn order_contact(
    conn: &mut AnyConnection,
    reference: &str,
) -> Result<Option<(i64, Contact)>, sqlx::Error> {
    let Some(order) =
        sqlx::query("SELECT id, customer_phone, contact_id FROM orders WHERE reference = $1")
            .bind(reference)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(None);
    };
    // The contact whose message linked the order, even after a number change.
    if let Some(linked) = order.try_get::<Option<i64>, _>("contact_id")? {
        if let Some(contact) = contact_by_id(conn, linked).await? {
            return Ok(Some((order.try_get("id")?, contact)));
        }
    }
    let Some(phone) = order.try_get::<Option<String>, _>("customer_phone")? else {
        return Ok(None);
    };
    let contact = contact_of_phone(conn, &phone).await?;
    contact.map(|c| Ok((order.try_get("id")?, c))).transpose()
}

/// Closes a contact's window now (the API answered 131047 for one of its messages).
pub async fn close_window(
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

/// One of a contact's orders, for the integration API.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContactOrder {
    /// Reference.
    pub reference: String,
    /// Lifecycle status, as stored.
    pub status: String,
    /// When it was registered.
    pub created_at: i64,
}

impl Db {
    /// The contact with WhatsApp id `wa_id` (digits only) and the orders placed with that
    /// number, newest first.
    pub async fn contact_with_orders(
        &self,
        wa_id: &str,
    ) -> Result<Option<(Contact, Vec<ContactOrder>)>, sqlx::Error> {
        let mut conn = self.read.acquire().await?;
        let Some(contact) = contact_by(&mut conn, "wa_id", wa_id).await? else {
            return Ok(None);
        };
        let orders = sqlx::query_as::<_, ContactOrder>(
            "SELECT reference, status, created_at FROM orders WHERE customer_phone = $1 \
             ORDER BY id DESC LIMIT 200",
        )
        .bind(format!("+{wa_id}"))
        .fetch_all(&mut *conn)
        .await?;
        Ok(Some((contact, orders)))
    }

    /// An order's contact, if the order has a phone and the contact is known.
    pub async fn contact_of_order(&self, reference: &str) -> Result<Option<Contact>, sqlx::Error> {
        let mut conn = self.read.acquire().await?;
        Ok(order_contact(&mut conn, reference).await?.map(|(_, c)| c))
    }
}
