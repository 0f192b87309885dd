//! A provider's report of a payment, applied (`policy::payment` decides): the current page
//! paid for exactly the total moves the order to paid once, as `payment:<provider>`; other
//! money that arrived is flagged for staff; failures and expiries are shown. Mollie's
//! webhook carries only an id, so its report is what `GET /payments/{id}` says; Stripe's is
//! the signed event, each event id applied once.

use super::payments::{mark_paid, PayError};
use crate::clock::now_ms;
use crate::db::orders::Step;
use crate::db::payments::{first_event, payable_by_id, payment_by_provider_id, update_payment};
use crate::payments::{ProviderName, ProviderPayment};
use crate::policy::payment::{on_report, Report, Verdict};
use crate::AppState;
use chatout_core::OrderStatus;

/// What a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// The order is paid now.
    Paid,
    /// Money arrived that does not pay the order: flagged.
    Flagged,
    /// The payment's state changed.
    Updated,
    /// Nothing: a repeat, or a payment this server did not make.
    Nothing,
}

/// Applies `provider`'s report `payment`; `event_id` (Stripe) makes a repeat harmless.
pub async fn record_payment(
    state: &AppState,
    provider: ProviderName,
    payment: &ProviderPayment,
    event_id: Option<&str>,
) -> Result<Recorded, sqlx::Error> {
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    if let Some(event_id) = event_id {
        if !first_event(&mut tx, provider.as_str(), event_id, now).await? {
            return Ok(Recorded::Nothing);
        }
    }
    let Some(stored) = payment_by_provider_id(&mut tx, provider.as_str(), &payment.id).await?
    else {
        // Not a page this server made: nothing to change (the event stays seen).
        tx.commit().await?;
        return Ok(Recorded::Nothing);
    };
    let Some(order) = payable_by_id(&mut tx, stored.order_id).await? else {
        return Ok(Recorded::Nothing);
    };
    let total = order.totals.total;
    let report = Report {
        status: payment.status,
        amount: payment.amount,
        currency: &payment.currency,
    };
    let verdict = on_report(
        stored.status,
        stored.current,
        order.status,
        total.minor_units(),
        total.currency().code(),
        report,
    );
    let intent = payment.intent.as_deref();
    let recorded = match verdict {
        Verdict::Nothing => Recorded::Nothing,
        Verdict::Update(status) => {
            update_payment(&mut tx, stored.id, status, None, intent, now).await?;
            Recorded::Updated
        }
        Verdict::Flag(problem) => {
            update_payment(
                &mut tx,
                stored.id,
                payment.status,
                Some(problem),
                intent,
                now,
            )
            .await?;
            tracing::warn!(reference = %order.reference, provider = provider.as_str(), problem,
                "a payment arrived that does not pay its order");
            Recorded::Flagged
        }
        Verdict::MarkPaid => {
            update_payment(&mut tx, stored.id, payment.status, None, intent, now).await?;
            let actor = format!("payment:{}", provider.as_str());
            let note = format!("{} {}", provider.label(), payment.id);
            let step = Step {
                note: Some(&note),
                ..Step::by(&actor, OrderStatus::Paid)
            };
            match mark_paid(state, &mut tx, &order.reference, &step, now).await {
                Ok(()) => Recorded::Paid,
                // Moved on in the meantime (a concurrent report was first): nothing more.
                Err(PayError::NotPayable(_)) => return Ok(Recorded::Nothing),
                Err(PayError::Db(e)) => return Err(e),
                Err(_) => return Ok(Recorded::Nothing),
            }
        }
    };
    tx.commit().await?;
    if recorded == Recorded::Paid {
        state.wake_webhooks();
        state.wake_outbox();
    }
    Ok(recorded)
}
