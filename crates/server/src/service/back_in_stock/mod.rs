//! Back-in-stock alerts (docs/CONTRACT.md section 10): a shopper asks on the web, the
//! subscription waits until their message (carrying its reference) arrives from that number,
//! and a restock of the product sends the `back_in_stock` template once, in arrival order, up
//! to `CHATOUT_ALERTS_PER_UNIT` per unit, to subscribers whose marketing opt-in is active and
//! who are under the frequency cap. STOP and the unsubscribe link end them all.

use super::opt_in::{web_opt_in, WebOptIn};
use super::place_order::{client_time, issue, FieldIssue};
use crate::clock::now_ms;
use crate::db::alerts::{self, NewAlert, Subscription};
use crate::db::messaging::{self, Contact, NewMessage, Purpose};
use crate::db::Db;
use crate::policy::alert::new_reference;
use crate::policy::consent::{Consent, ConsentSource};
use crate::policy::outbox::MessageKind;
use crate::whatsapp::payload;
use crate::whatsapp::templates::Event;
use crate::whatsapp::texts::chat_texts;
use crate::AppState;
use chatout_core::{fill, whatsapp_url, Catalog, CatalogProduct, PhoneNumber};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

mod send;

pub use send::send_alerts;

/// The opt-in text the shopper saw, and their clock's time of it.
#[derive(Debug, Deserialize)]
pub struct OptInText {
    /// What the form said.
    pub text: String,
    /// When, by the shopper's clock (RFC 3339).
    #[serde(default)]
    pub at: Option<String>,
}

/// `POST /api/back-in-stock`'s body.
#[derive(Debug, Deserialize)]
pub struct AlertRequest {
    /// The product.
    pub sku: String,
    /// The shopper's WhatsApp number, as typed.
    pub phone: String,
    /// The shopper's language.
    #[serde(default)]
    pub locale: String,
    /// The marketing opt-in the form showed.
    pub consent: Option<OptInText>,
    /// The page it was asked on.
    #[serde(default)]
    pub page: String,
}

/// The `202` body: what the widget opens WhatsApp with.
#[derive(Debug, Serialize)]
pub struct Subscribed {
    /// `ALERT-7K3F9Q`.
    pub reference: String,
    /// The message that activates the subscription when it arrives from that number.
    pub message: String,
    /// `https://wa.me/<shop>?text=<message>`.
    pub whatsapp_url: String,
}

/// Why no subscription was made.
#[derive(Debug, thiserror::Error)]
pub enum SubscribeError {
    /// The request is wrong, field by field.
    #[error("invalid fields")]
    Invalid(Vec<FieldIssue>),
    /// The shop sends no back-in-stock alerts (no messaging, or no `back_in_stock` template).
    #[error("back-in-stock alerts are off")]
    Off,
    /// The database failed.
    #[error("the database failed")]
    Db(#[from] sqlx::Error),
}

/// A subscription request that reads: the product, the number (digits) and what the
/// shopper agreed to, where.
struct ValidRequest<'a> {
    product: &'a CatalogProduct,
    wa_id: String,
    consent_text: String,
    locale: String,
    page: String,
}

/// Stores a pending subscription (or finds the open one for this product and number) and
/// records the marketing opt-in, pending until the number sends the request's `ALERT-…` code.
#[tracing::instrument(skip_all, fields(sku = %request.sku))]
pub async fn subscribe(
    state: &AppState,
    request: &AlertRequest,
) -> Result<Subscribed, SubscribeError> {
    let has_template = state
        .templates()
        .is_some_and(|t| t.get(Event::BackInStock).is_some());
    if !has_template {
        return Err(SubscribeError::Off);
    }
    let valid = validate(&state.catalog, request)?;
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    let opt_in = WebOptIn {
        wa_id: &valid.wa_id,
        purpose: Purpose::Marketing,
        source: ConsentSource::BackInStock,
        text: &valid.consent_text,
        page: &valid.page,
        locale: &valid.locale,
        order_id: None,
    };
    let contact = web_opt_in(&mut tx, &opt_in, now).await?;
    let subscription = store_subscription(&mut tx, &valid, contact.id, now).await?;
    tx.commit().await?;
    let message = fill(
        chat_texts(&valid.locale).alert_request,
        &[
            ("product", valid.product.name.as_str()),
            ("reference", &subscription.reference),
        ],
    );
    Ok(Subscribed {
        whatsapp_url: whatsapp_url(&state.catalog.shop.phone, &message),
        reference: subscription.reference,
        message,
    })
}

/// Reads a subscription request against the catalog: the product, the number exactly as the
/// checkout reads it, and the opt-in text; every field that is wrong, at once.
fn validate<'a>(
    catalog: &'a Catalog,
    request: &AlertRequest,
) -> Result<ValidRequest<'a>, SubscribeError> {
    let mut errors = Vec::new();
    let product = catalog.product(request.sku.trim());
    if product.is_none() {
        errors.push(issue("sku", "unknown_sku", "this shop has no such product"));
    }
    let phone = match request.phone.trim() {
        "" => {
            errors.push(issue("phone", "required", "is required"));
            None
        }
        typed => match PhoneNumber::parse(typed, catalog.shop.rules().default_country) {
            Ok(phone) => Some(phone.digits().to_string()),
            Err(_) => {
                errors.push(issue("phone", "invalid", "is not valid"));
                None
            }
        },
    };
    let consent_text = match &request.consent {
        Some(c) if !c.text.trim().is_empty() && c.text.chars().count() <= 500 => {
            if c.at.as_deref().is_some_and(|at| client_time(at).is_none()) {
                errors.push(issue(
                    "consent.at",
                    "invalid",
                    "not an RFC 3339 time like 2026-11-21T10:00:00Z",
                ));
            }
            c.text.clone()
        }
        _ => {
            errors.push(issue(
                "consent.text",
                "required",
                "an alert needs the marketing opt-in text the shopper agreed to (1 to 500 characters)",
            ));
            String::new()
        }
    };
    let (Some(product), Some(wa_id), true) = (product, phone, errors.is_empty()) else {
        return Err(SubscribeError::Invalid(errors));
    };
    let locale = match request.locale.trim() {
        l if !l.is_empty() && l.len() <= 35 => l.to_string(),
        _ => "en".to_string(),
    };
    Ok(ValidRequest {
        product,
        wa_id,
        consent_text,
        locale,
        page: request.page.chars().take(2000).collect(),
    })
}

/// Stores the subscription under a fresh `ALERT-…` reference (or finds the open one), trying
/// another reference when one is taken.
async fn store_subscription(
    conn: &mut AnyConnection,
    valid: &ValidRequest<'_>,
    contact_id: i64,
    now: i64,
) -> Result<Subscription, SubscribeError> {
    for _ in 0..5 {
        let reference = new_reference(rand::random());
        let token = hex::encode(rand::random::<[u8; 16]>());
        let alert = NewAlert {
            reference: &reference,
            token: &token,
            sku: valid.product.sku.as_str(),
            contact_id,
            wa_id: &valid.wa_id,
            locale: &valid.locale,
            page: &valid.page,
            consent_text: &valid.consent_text,
        };
        if let Some(subscription) = alerts::subscribe(conn, &alert, now).await? {
            return Ok(subscription);
        }
    }
    Err(SubscribeError::Db(sqlx::Error::Protocol(
        "no free alert reference in 5 tries".into(),
    )))
}

/// Activates the subscriptions a contact's message names (its own number only) and queues
/// the service reply that confirms each, in the subscription's language; returns whether it
/// queued one. `marketing` is the contact's opt-in to offers after this message: one they
/// stopped (STOP) stays stopped, so the subscription ends unconfirmed instead of promising
/// an alert that could never go. Runs in the inbound message's transaction.
pub async fn activate_named(
    conn: &mut AnyConnection,
    state: &AppState,
    contact: &Contact,
    marketing: Consent,
    references: &[String],
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut queued = false;
    // A request whose message comes after `CHATOUT_OPT_IN_PENDING` has lapsed.
    let since = now.saturating_sub(state.settings.opt_in_pending_ms());
    for reference in references {
        let wa_id = contact.wa_id.as_deref();
        let Some(active) = alerts::activate(conn, reference, wa_id, since, now).await? else {
            continue;
        };
        if marketing == Consent::Stopped {
            let reason = "the customer had stopped offers (STOP)";
            alerts::close_alert(conn, active.id, Err(reason), now).await?;
            continue;
        }
        let texts = chat_texts(&active.locale);
        let name = state
            .catalog
            .product(&active.sku)
            .map_or(active.sku.as_str(), |p| p.name.as_str());
        let mut text = fill(texts.alert_confirmed, &[("product", name)]);
        if let Some(base) = state.settings.public_url.as_deref() {
            let url = format!("{base}/alerts/{}", active.token);
            text.push_str("\n\n");
            text.push_str(&fill(texts.alert_stop_link, &[("url", &url)]));
        }
        let reply = NewMessage {
            dedupe_key: format!("alert:{reference}:confirmed"),
            contact_id: contact.id,
            order_id: None,
            kind: MessageKind::Reply,
            event: None,
            payload: payload::text(&text),
            preview: text.clone(),
            author: "system",
            failed: None,
        };
        queued |= messaging::enqueue(conn, reply, now).await?.is_some();
    }
    Ok(queued)
}

/// Where an unsubscribe token stands: its language and whether alerts are still open.
pub struct TokenState {
    /// The subscription's language.
    pub locale: String,
    /// Whether any subscription of that contact is still open.
    pub open: bool,
}

/// The state behind unsubscribe token `token`; `None` for a token nobody has.
pub async fn token_state(db: &Db, token: &str) -> Result<Option<TokenState>, sqlx::Error> {
    let mut conn = db.read.acquire().await?;
    let Some((contact_id, locale)) = alerts::contact_of_token(&mut conn, token).await? else {
        return Ok(None);
    };
    let open = alerts::has_open(&mut conn, contact_id).await?;
    Ok(Some(TokenState { locale, open }))
}

/// Ends every open subscription of the contact behind unsubscribe token `token`; `None` for
/// a token nobody has, else how many it ended.
#[tracing::instrument(skip_all)]
pub async fn unsubscribe(db: &Db, token: &str) -> Result<Option<u64>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let Some((contact_id, _)) = alerts::contact_of_token(&mut tx, token).await? else {
        return Ok(None);
    };
    let reason = "unsubscribed by link";
    let ended = alerts::end_alerts(&mut tx, contact_id, reason, now_ms()).await?;
    tx.commit().await?;
    Ok(Some(ended))
}
