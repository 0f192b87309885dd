//! Moving an order along its lifecycle for someone (staff, later the integration API): the
//! tracking link a shipping update needs, the move itself with its stock and its WhatsApp
//! update, in one transaction.

use super::lifecycle::transition;
use super::notify::{queue_event, Shop};
use super::payments::{default_provider, end_replaced, make_page, record_rest_by_hand, store_page};
use crate::clock::now_ms;
use crate::db::messaging::Contact;
use crate::db::orders::{Step, TransitionError};
use crate::db::payments::{self, Payable};
use crate::db::webhooks;
use crate::db::Db;
use crate::payments::{ProviderName, ProviderPayment};
use crate::policy::consent::Consent;
use crate::policy::webhook::EventType;
use crate::whatsapp::templates::{Event, Param, Template};
use crate::AppState;
use chatout_core::OrderStatus;
use std::collections::BTreeMap;

/// Why an order did not move.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// No order has that reference.
    #[error("no such order")]
    NotFound,
    /// The lifecycle does not allow it from where the order is.
    #[error("an order that is {} cannot become {}", from.as_str(), to.as_str())]
    Illegal {
        /// Where the order is.
        from: OrderStatus,
        /// Where it was asked to go.
        to: OrderStatus,
    },
    /// Its hold lapsed and its products are no longer all in stock: units left per sku.
    #[error("not enough stock left")]
    OutOfStock(BTreeMap<String, i64>),
    /// The customer's shipping update needs the tracking link, and none was given.
    #[error("the shipping update needs a tracking link")]
    TrackingRequired,
    /// The tracking link is not a web address.
    #[error("the tracking link must start with https:// or http://")]
    BadTracking,
    /// The payment page an order paid by link needs could not be made: nothing changed.
    #[error("the payment link could not be made: {0}")]
    Payment(String),
    /// The database failed.
    #[error("the database failed")]
    Db(#[from] sqlx::Error),
}

/// Takes `step` for order `reference`: its tracking link is kept only when fulfilling, and
/// is required then if the customer's shipping update names it. Returns the status it left.
#[tracing::instrument(skip_all, fields(reference = %reference))]
pub async fn change_status(
    state: &AppState,
    reference: &str,
    step: Step<'_>,
) -> Result<OrderStatus, StatusError> {
    let to = step.to;
    let tracking = step
        .tracking_url
        .map(str::trim)
        .filter(|t| to == OrderStatus::Fulfilled && !t.is_empty());
    match tracking {
        None if to == OrderStatus::Fulfilled && tracking_required(state, reference).await? => {
            return Err(StatusError::TrackingRequired)
        }
        Some(url) if !url_like(url) => return Err(StatusError::BadTracking),
        _ => {}
    }
    let note = step.note.map(str::trim).filter(|n| !n.is_empty());
    let page = match to {
        OrderStatus::Confirmed => page_to_confirm(state, reference).await?,
        _ => None,
    };
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    let step = Step {
        tracking_url: tracking,
        note,
        ..step
    };
    let moved = transition(&mut tx, reference, &step, now).await?;
    if to == OrderStatus::Paid {
        record_rest_by_hand(&mut tx, moved.id, step.actor, now).await?;
    }
    let mut replaced = Vec::new();
    if let Some((order, provider, page)) = &page {
        replaced = store_page(&mut tx, order, *provider, page, step.actor, now).await?;
    }
    webhooks::queue_event(
        &mut tx,
        moved.id,
        EventType::of_status(to),
        state.webhook_urls(),
        now,
    )
    .await?;
    // With messaging on, the step's WhatsApp update is queued with the step itself.
    if let (Some(shop), Some(event)) = (Shop::of(state), Event::of_status(to)) {
        queue_event(&mut tx, moved.id, event, shop, now).await?;
    }
    tx.commit().await?;
    state.wake_webhooks();
    state.wake_outbox();
    end_replaced(state, replaced).await;
    Ok(moved.from)
}

/// Moves order `reference` to `to` for `actor` in a transaction of its own, with its stock
/// and its history line but no message or webhook; returns the status it left.
#[tracing::instrument(skip_all, fields(reference = %reference))]
pub async fn transition_alone(
    db: &Db,
    reference: &str,
    to: OrderStatus,
    actor: &str,
    tracking_url: Option<&str>,
) -> Result<OrderStatus, TransitionError> {
    let mut tx = db.begin().await?;
    let step = Step {
        tracking_url,
        ..Step::by(actor, to)
    };
    let moved = transition(&mut tx, reference, &step, now_ms()).await?;
    tx.commit().await?;
    Ok(moved.from)
}

/// Confirming an order the shopper pays by link makes its payment page first, so the
/// confirmation carries it; a provider that fails leaves the order as it was.
async fn page_to_confirm(
    state: &AppState,
    reference: &str,
) -> Result<Option<(Payable, ProviderName, ProviderPayment)>, StatusError> {
    let Some(provider) = default_provider(state) else {
        return Ok(None);
    };
    let order = {
        let mut conn = state.db.read.acquire().await?;
        payments::payable(&mut conn, reference).await?
    };
    match order {
        Some(order)
            if order.payment == PAYMENT_LINK && order.status.can_become(OrderStatus::Confirmed) =>
        {
            let page = make_page(state, &order, provider)
                .await
                .map_err(|e| StatusError::Payment(e.to_string()))?;
            Ok(Some((order, provider, page)))
        }
        _ => Ok(None),
    }
}

impl From<TransitionError> for StatusError {
    fn from(e: TransitionError) -> Self {
        match e {
            TransitionError::NotFound => Self::NotFound,
            TransitionError::Illegal { from, to } => Self::Illegal { from, to },
            TransitionError::OutOfStock(short) => Self::OutOfStock(short),
            TransitionError::Db(e) => Self::Db(e),
        }
    }
}

/// The payment preference of orders paid on a payment page.
pub const PAYMENT_LINK: &str = "payment_link";

/// A link a customer may be sent: a web address, at most 2,000 characters, no spaces.
fn url_like(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 2000
        && !url.chars().any(char::is_whitespace)
}

/// Whether the fulfilled template of a customer whose opt-in is active needs a tracking link.
pub fn needs_tracking(state: &AppState, contact: Option<&Contact>) -> bool {
    let template = state.templates().and_then(|t| t.get(Event::Fulfilled));
    let wants = |t: &Template| {
        t.body.contains(&Param::TrackingLink) || t.button.contains(&Param::TrackingLink)
    };
    contact.is_some_and(|c| c.consent == Consent::Active) && template.is_some_and(wants)
}

/// [`needs_tracking`] for an order.
async fn tracking_required(state: &AppState, reference: &str) -> Result<bool, sqlx::Error> {
    let contact = state.db.contact_of_order(reference).await?;
    Ok(needs_tracking(state, contact.as_ref()))
}
