//! Opt-ins ticked on a web page (at checkout, with a back-in-stock request): they prove
//! nothing about the number, so the contact is pending until the number sends the request's
//! reference (or it lapses), and a STOP stays. Every one is recorded: it is the evidence.

use crate::db::messaging::{
    find_or_create_contact, insert_consent_event, set_contact_locale, store_consent, ConsentRecord,
    Contact, Purpose,
};
use crate::policy::consent::ConsentSource;
use sqlx::AnyConnection;

/// An opt-in ticked on a web page for number `wa_id`.
pub struct WebOptIn<'a> {
    /// The number typed, digits only.
    pub wa_id: &'a str,
    /// What it is for.
    pub purpose: Purpose,
    /// Where: at checkout, with a back-in-stock request.
    pub source: ConsentSource,
    /// The text the shopper saw.
    pub text: &'a str,
    /// The page.
    pub page: &'a str,
    /// The shopper's language.
    pub locale: &'a str,
    /// The order it came with.
    pub order_id: Option<i64>,
}

/// Applies a web opt-in inside the caller's transaction (a STOP is recorded as its
/// `…_after_stop` source, not applied). Returns the contact.
pub async fn web_opt_in(
    conn: &mut AnyConnection,
    opt_in: &WebOptIn<'_>,
    now: i64,
) -> Result<Contact, sqlx::Error> {
    let contact = find_or_create_contact(conn, Some(opt_in.wa_id), None, now).await?;
    let before = match opt_in.purpose {
        Purpose::OrderUpdates => contact.consent,
        Purpose::Marketing => contact.marketing,
    };
    let next = before.on_web_opt_in(now);
    store_consent(conn, contact.id, opt_in.purpose, next, now).await?;
    set_contact_locale(conn, contact.id, opt_in.locale).await?;
    let record = ConsentRecord {
        purpose: opt_in.purpose,
        opted_in: true,
        source: opt_in.source.of_web_opt_in(next),
        text: opt_in.text,
        page: Some(opt_in.page),
        order_id: opt_in.order_id,
    };
    insert_consent_event(conn, contact.id, &record, now).await?;
    Ok(contact)
}
