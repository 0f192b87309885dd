//! Getting an order paid (docs/CONTRACT.md section 9): a payment page at Mollie or Stripe for the
//! order's total, a payment recorded by hand (bank transfer, cash; partial payments shown as
//! such), and a refund of a cancelled order's payment, never twice. Provider calls happen
//! outside database transactions; what they made is stored in one, so a provider that is
//! down leaves nothing half-stored.

use super::lifecycle::transition;
use super::notify::{queue_event, Shop};
use crate::clock::now_ms;
use crate::db::orders::{Step, TransitionError};
use crate::db::payments::{
    self, claim_refund, insert_page, insert_payment, settle_refund, NewPaymentRow, Payable,
    Replaced,
};
use crate::db::webhooks;
use crate::payments::{NewPayment, ProviderError, ProviderName, ProviderPayment};
use crate::policy::payment::{summarise, PaymentStatus};
use crate::policy::webhook::EventType;
use crate::whatsapp::templates::Event;
use crate::AppState;
use chatout_core::{Money, OrderStatus};

/// Why a payment step did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PayError {
    /// No order has that reference.
    #[error("no such order")]
    NotFound,
    /// Only a confirmed order is paid.
    #[error("an order that is {} is not waiting for payment", .0.as_str())]
    NotPayable(OrderStatus),
    /// That provider is not configured.
    #[error("{0} is not configured")]
    NoProvider(&'static str),
    /// The provider failed or refused; nothing was stored.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// Nothing was paid through a provider, or it was refunded already.
    #[error("there is no payment to refund")]
    NothingToRefund,
    /// An amount below one minor unit or above the order's total.
    #[error("the amount is not valid")]
    BadAmount,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The provider a shop's automatic links use: Mollie when configured, else Stripe.
pub fn default_provider(state: &AppState) -> Option<ProviderName> {
    state.payments.configured().first().copied()
}

/// Makes a payment page at `provider` for `order`'s total (the provider call; nothing is
/// stored).
pub async fn make_page(
    state: &AppState,
    order: &Payable,
    provider: ProviderName,
) -> Result<ProviderPayment, PayError> {
    if !state.payments.configured().contains(&provider) {
        return Err(PayError::NoProvider(provider.label()));
    }
    let base = state.settings.public_url.as_deref().unwrap_or_default();
    let page = NewPayment {
        amount: order.totals.total,
        description: format!("{} order {}", state.catalog.shop.name, order.reference),
        reference: order.reference.clone(),
        return_url: format!("{base}/orders/{}", order.access_token),
        webhook_url: format!("{base}/webhooks/mollie"),
        locale: order.locale.clone(),
    };
    Ok(state.payments.create(provider, &page).await?)
}

/// Stores `page` as `order`'s current payment page, inside the caller's transaction;
/// returns the pages it replaced, to end at their providers after the commit.
pub async fn store_page(
    conn: &mut sqlx::AnyConnection,
    order: &Payable,
    provider: ProviderName,
    page: &ProviderPayment,
    actor: &str,
    now: i64,
) -> Result<Vec<Replaced>, sqlx::Error> {
    let row = NewPaymentRow {
        order_id: order.id,
        provider: provider.as_str(),
        provider_id: Some(&page.id),
        url: page.url.as_deref(),
        status: page.status,
        amount: page.amount,
        currency: &page.currency,
        intent: page.intent.as_deref(),
        note: None,
        created_by: actor,
    };
    insert_page(conn, &row, now).await
}

/// Ends replaced pages at their providers, where they allow it; a failure is logged (the
/// page can no longer mark the order paid either way).
pub async fn end_replaced(state: &AppState, replaced: Vec<Replaced>) {
    for page in replaced {
        let Some(provider) = ProviderName::parse(&page.provider) else {
            continue;
        };
        if let Err(e) = state.payments.cancel(provider, &page.provider_id).await {
            tracing::warn!(provider = provider.as_str(), id = %page.provider_id, error = %e,
                "a replaced payment page could not be ended");
        }
    }
}

/// "Create payment link": a page at `provider` for confirmed order `reference`'s total,
/// which replaces any page before it. Returns its URL.
#[tracing::instrument(skip_all, fields(reference = %reference))]
pub async fn create_link(
    state: &AppState,
    reference: &str,
    provider: ProviderName,
    actor: &str,
) -> Result<String, PayError> {
    let order = {
        let mut conn = state.db.read.acquire().await?;
        payments::payable(&mut conn, reference)
            .await?
            .ok_or(PayError::NotFound)?
    };
    if order.status != OrderStatus::Confirmed {
        return Err(PayError::NotPayable(order.status));
    }
    let page = make_page(state, &order, provider).await?;
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    let replaced = store_page(&mut tx, &order, provider, &page, actor, now).await?;
    tx.commit().await?;
    end_replaced(state, replaced).await;
    Ok(page.url.unwrap_or_default())
}

/// What arrived for `order` and counts (`policy::payment::summarise`), minor units.
async fn received(conn: &mut sqlx::AnyConnection, order: &Payable) -> Result<i64, sqlx::Error> {
    let rows = payments::payments_of(conn, order.id).await?;
    let items: Vec<_> = rows.iter().map(|p| p.item()).collect();
    Ok(summarise(&items, order.totals.total.minor_units()).received)
}

/// What a payment by hand did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandPaid {
    /// All of the total is paid: the order is paid.
    Paid,
    /// Recorded; this much of the total is still open (minor units).
    Partly(i64),
}

/// "Mark paid": `amount` (minor units; `None` = the whole total) received by bank transfer
/// or in cash, with staff's note. The order is paid once what was received covers its total.
#[tracing::instrument(skip_all, fields(reference = %reference))]
pub async fn mark_paid_by_hand(
    state: &AppState,
    reference: &str,
    amount: Option<i64>,
    note: Option<&str>,
    actor: &str,
) -> Result<HandPaid, PayError> {
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    let order = payments::payable(&mut tx, reference)
        .await?
        .ok_or(PayError::NotFound)?;
    if order.status != OrderStatus::Confirmed {
        return Err(PayError::NotPayable(order.status));
    }
    let total = order.totals.total.minor_units();
    let received = received(&mut tx, &order).await?;
    let open = total.saturating_sub(received);
    let amount = amount.unwrap_or(open);
    if amount < 1 || amount > open.max(1) {
        return Err(PayError::BadAmount);
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    insert_payment(&mut tx, &by_hand(&order, amount, note, actor), now).await?;
    if received + amount < total {
        tx.commit().await?;
        return Ok(HandPaid::Partly(total - received - amount));
    }
    let step = Step {
        note,
        ..Step::by(actor, OrderStatus::Paid)
    };
    mark_paid(state, &mut tx, reference, &step, now).await?;
    tx.commit().await?;
    state.wake_webhooks();
    state.wake_outbox();
    Ok(HandPaid::Paid)
}

/// A person marked order `order_id` paid without saying how much: what was still open is
/// recorded as received by hand, inside the caller's transaction.
pub async fn record_rest_by_hand(
    conn: &mut sqlx::AnyConnection,
    order_id: i64,
    actor: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let Some(order) = payments::payable_by_id(conn, order_id).await? else {
        return Ok(());
    };
    let received = received(conn, &order).await?;
    let open = order.totals.total.minor_units().saturating_sub(received);
    if open <= 0 {
        return Ok(());
    }
    let row = by_hand(&order, open, Some("marked paid"), actor);
    insert_payment(conn, &row, now).await?;
    Ok(())
}

/// `amount` of `order`'s total received by hand (bank transfer, cash), as `actor` recorded it.
fn by_hand<'a>(
    order: &'a Payable,
    amount: i64,
    note: Option<&'a str>,
    actor: &'a str,
) -> NewPaymentRow<'a> {
    NewPaymentRow {
        order_id: order.id,
        provider: "manual",
        provider_id: None,
        url: None,
        status: PaymentStatus::Paid,
        amount,
        currency: order.totals.total.currency().code(),
        intent: None,
        note,
        created_by: actor,
    }
}

/// Moves a confirmed order to paid inside the caller's transaction, with its `order.paid`
/// event and `paid` template.
pub async fn mark_paid(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    reference: &str,
    step: &Step<'_>,
    now: i64,
) -> Result<(), PayError> {
    let moved = match transition(conn, reference, step, now).await {
        Ok(moved) => moved,
        Err(TransitionError::Illegal { from, .. }) => return Err(PayError::NotPayable(from)),
        Err(TransitionError::NotFound) => return Err(PayError::NotFound),
        Err(TransitionError::OutOfStock(_)) => return Err(PayError::NotPayable(OrderStatus::Paid)),
        Err(TransitionError::Db(e)) => return Err(e.into()),
    };
    let urls = state.webhook_urls();
    webhooks::queue_event(conn, moved.id, EventType::Paid, urls, now).await?;
    if let Some(shop) = Shop::of(state) {
        queue_event(conn, moved.id, Event::Paid, shop, now).await?;
    }
    Ok(())
}

/// "Refund": gives a cancelled order's payment back through its provider, once.
#[tracing::instrument(skip_all, fields(reference = %reference))]
pub async fn refund(state: &AppState, reference: &str, actor: &str) -> Result<(), PayError> {
    let now = now_ms();
    let (order, payment) = {
        let mut tx = state.db.begin().await?;
        let order = payments::payable(&mut tx, reference)
            .await?
            .ok_or(PayError::NotFound)?;
        if order.status != OrderStatus::Cancelled {
            return Err(PayError::NotPayable(order.status));
        }
        let payment = payments::payments_of(&mut tx, order.id)
            .await?
            .into_iter()
            .find(|p| {
                p.status() == PaymentStatus::Paid
                    && p.refund_id.is_none()
                    && p.item().back < p.amount
                    && ProviderName::parse(&p.provider).is_some()
            })
            .ok_or(PayError::NothingToRefund)?;
        if !claim_refund(&mut tx, payment.id, now).await? {
            return Err(PayError::NothingToRefund);
        }
        tx.commit().await?;
        (order, payment)
    };
    let provider = ProviderName::parse(&payment.provider).ok_or(PayError::NothingToRefund)?;
    let currency = order.totals.total.currency();
    // What is left after refunds made at the provider and chargebacks.
    let left = payment.amount - payment.item().back.min(payment.amount);
    let amount = Money::from_minor(left, currency).map_err(|_| PayError::BadAmount)?;
    let at_provider = ProviderPayment {
        id: payment.provider_id.clone().unwrap_or_default(),
        url: None,
        status: PaymentStatus::Paid,
        amount: payment.amount,
        currency: payment.currency.clone(),
        reference: Some(order.reference.clone()),
        intent: payment.intent.clone(),
        money_back: None,
    };
    let refunded = state.payments.refund(provider, &at_provider, amount).await;
    let mut tx = state.db.begin().await?;
    match refunded {
        Ok(refund_id) => {
            settle_refund(&mut tx, payment.id, Some(&refund_id), now_ms()).await?;
            let what = format!("refunded through {} by {actor}", provider.label());
            crate::db::orders::adjust::record_changes(&mut tx, order.id, actor, &[what], now)
                .await?;
            tx.commit().await?;
            Ok(())
        }
        Err(e) => {
            // Given back, so staff can try again once the provider answers.
            settle_refund(&mut tx, payment.id, None, now_ms()).await?;
            tx.commit().await?;
            Err(e.into())
        }
    }
}
