//! A provider's report of a payment, applied (`policy::payment` decides): the current page
//! paid for exactly the total moves the order to paid once, as `payment:<provider>`; other
//! money that arrived is flagged for staff; failures and expiries are shown. Mollie's
//! webhook carries only an id, so its report is what `GET /payments/{id}` says; Stripe's is
//! the signed event, each event id applied once. Money that goes back (a refund made in the
//! provider's dashboard, a chargeback) is recorded on the payment, told as `order.updated`,
//! and a chargeback flagged.

use super::payments::{mark_paid, PayError};
use crate::clock::now_ms;
use crate::db::orders::Step;
use crate::db::payments::{
    first_event, flag_payment, park_money_back, payable_by_id, payment_by_intent,
    payment_by_provider_id, record_money_back, take_parked_money_back, update_payment, Payable,
    StoredPayment,
};
use crate::db::webhooks;
use crate::db::Tx;
use crate::payments::{ProviderName, ProviderPayment};
use crate::policy::payment::{
    on_money_back, on_report, BackReport, MoneyBack, PaymentStatus, Report, Verdict,
};
use crate::policy::webhook::EventType;
use crate::AppState;
use chatout_core::OrderStatus;
use sqlx::AnyConnection;

/// What a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// The order is paid now.
    Paid,
    /// Money arrived that does not pay the order: flagged.
    Flagged,
    /// The payment's state changed.
    Updated,
    /// Money went back (a refund, a chargeback, a dispute won): recorded.
    MoneyBack,
    /// Nothing: a repeat, or a payment this server did not make.
    Nothing,
}

/// Whether this server made `provider`'s payment `provider_id` (a stranger's ids are not
/// worth a call to the provider).
pub async fn made_here(
    state: &AppState,
    provider: ProviderName,
    provider_id: &str,
) -> Result<bool, sqlx::Error> {
    let mut conn = state.db.read.acquire().await?;
    Ok(
        payment_by_provider_id(&mut conn, provider.as_str(), provider_id)
            .await?
            .is_some(),
    )
}

/// Applies `provider`'s report `payment`; `event_id` (Stripe) makes a repeat harmless.
#[tracing::instrument(skip_all, fields(provider = provider.as_str(), reference))]
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
    tracing::Span::current().record("reference", order.reference.as_str());
    let report = Reported {
        provider,
        payment,
        stored: &stored,
    };
    let verdict = report.verdict(&order);
    let Some(mut recorded) = apply_verdict(state, &mut tx, &report, &order, verdict, now).await?
    else {
        return Ok(Recorded::Nothing);
    };
    let status_after = match verdict {
        Verdict::Nothing => stored.status,
        Verdict::Update(status) => status,
        Verdict::Flag(_) | Verdict::MarkPaid => payment.status,
    };
    // What the report says went back; and what was reported about its intent before this
    // server knew the intent (a refund while the paid event was still being retried).
    let mut back = payment.money_back;
    if let Some(intent) = payment.intent.as_deref() {
        for parked in take_parked_money_back(&mut tx, provider.as_str(), intent).await? {
            back = Some(back.unwrap_or(stored.back).after(parked));
        }
    }
    if let Some(back) = back {
        let stored = StoredPayment {
            status: status_after,
            ..stored
        };
        if money_back(state, &mut tx, provider, &stored, back, now).await? {
            recorded = recorded.max_with(Recorded::MoneyBack);
        }
    }
    tx.commit().await?;
    if recorded != Recorded::Nothing {
        state.wake_webhooks();
        state.wake_outbox();
    }
    Ok(recorded)
}

/// A provider's report of one of the payments this server made.
struct Reported<'a> {
    provider: ProviderName,
    payment: &'a ProviderPayment,
    stored: &'a StoredPayment,
}

impl Reported<'_> {
    /// What the report does (`policy::payment::on_report` decides) to `order`'s payment.
    fn verdict(&self, order: &Payable) -> Verdict {
        let total = order.totals.total;
        let report = Report {
            status: self.payment.status,
            amount: self.payment.amount,
            currency: &self.payment.currency,
        };
        on_report(
            self.stored.status,
            self.stored.current,
            order.status,
            total.minor_units(),
            total.currency().code(),
            report,
        )
    }
}

/// Applies `verdict` on the reported payment: its state, a flag for staff, or the order
/// moving to paid. `None` when the order moved on meanwhile (a concurrent report was
/// first): the caller stops there.
async fn apply_verdict(
    state: &AppState,
    tx: &mut Tx,
    report: &Reported<'_>,
    order: &Payable,
    verdict: Verdict,
    now: i64,
) -> Result<Option<Recorded>, sqlx::Error> {
    let (provider, payment, stored) = (report.provider, report.payment, report.stored);
    let intent = payment.intent.as_deref();
    Ok(Some(match verdict {
        Verdict::Nothing => Recorded::Nothing,
        Verdict::Update(status) => {
            update_payment(tx, stored.id, status, None, intent, now).await?;
            Recorded::Updated
        }
        Verdict::Flag(problem) => {
            update_payment(tx, stored.id, payment.status, Some(problem), intent, now).await?;
            tracing::warn!(reference = %order.reference, provider = provider.as_str(), problem,
                "a payment arrived that does not pay its order");
            Recorded::Flagged
        }
        Verdict::MarkPaid => {
            update_payment(tx, stored.id, payment.status, None, intent, now).await?;
            let actor = format!("payment:{}", provider.as_str());
            let note = format!("{} {}", provider.label(), payment.id);
            let step = Step {
                note: Some(&note),
                ..Step::by(&actor, OrderStatus::Paid)
            };
            match mark_paid(state, tx, &order.reference, &step, now).await {
                Ok(()) => Recorded::Paid,
                Err(PayError::Db(e)) => return Err(e),
                // Moved on in the meantime (a concurrent report was first): nothing more.
                Err(_) => return Ok(None),
            }
        }
    }))
}

impl Recorded {
    /// What to answer for both: the order moving to paid says more than money going back.
    fn max_with(self, other: Self) -> Self {
        match self {
            Self::Nothing | Self::Updated => other,
            _ => self,
        }
    }
}

/// Applies that `now` went back on `stored` (`policy::payment::on_money_back` decides) and
/// tells the order's webhooks; whether anything changed.
async fn money_back(
    state: &AppState,
    tx: &mut AnyConnection,
    provider: ProviderName,
    stored: &StoredPayment,
    now_back: MoneyBack,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let Some(change) = on_money_back(stored.status, stored.amount, stored.back, now_back) else {
        return Ok(false);
    };
    record_money_back(tx, stored.id, &change, now).await?;
    webhooks::queue_event(
        tx,
        stored.order_id,
        EventType::Updated,
        state.webhook_urls(),
        now,
    )
    .await?;
    if change.charged_back && change.back.charged_back > stored.back.charged_back {
        tracing::warn!(
            provider = provider.as_str(),
            payment = stored.id,
            amount = change.back.charged_back,
            "a payment was charged back"
        );
    }
    if change.status == PaymentStatus::Refunded && stored.status != PaymentStatus::Refunded {
        tracing::info!(
            provider = provider.as_str(),
            payment = stored.id,
            "a payment was refunded at the provider"
        );
    }
    Ok(true)
}

/// Applies Stripe's event `event_id` saying that money went back on the payment of intent
/// `intent` (its charge's refunds in all, a dispute's amount): once per event. An intent no
/// payment names yet is parked and applied when one does (a payment of another Stripe
/// integration of the shop's stays parked, harmlessly).
#[tracing::instrument(skip_all, fields(provider = provider.as_str(), event = %event_id))]
pub async fn record_money_back_of_intent(
    state: &AppState,
    provider: ProviderName,
    event_id: &str,
    intent: &str,
    report: BackReport,
) -> Result<Recorded, sqlx::Error> {
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    if !first_event(&mut tx, provider.as_str(), event_id, now).await? {
        return Ok(Recorded::Nothing);
    }
    let Some(stored) = payment_by_intent(&mut tx, provider.as_str(), intent).await? else {
        park_money_back(&mut tx, provider.as_str(), event_id, intent, report, now).await?;
        tx.commit().await?;
        return Ok(Recorded::Nothing);
    };
    let now_back = stored.back.after(report);
    let changed = money_back(state, &mut tx, provider, &stored, now_back, now).await?;
    tx.commit().await?;
    if changed {
        state.wake_webhooks();
        return Ok(Recorded::MoneyBack);
    }
    Ok(Recorded::Nothing)
}

/// Flags `provider`'s payment `payment_id` that an event `event_id` reported unreadably
/// (`why`): staff see it; retrying would not make it readable.
#[tracing::instrument(skip_all, fields(provider = provider.as_str(), event = %event_id))]
pub async fn flag_unreadable(
    state: &AppState,
    provider: ProviderName,
    event_id: &str,
    payment_id: &str,
    why: &str,
) -> Result<Recorded, sqlx::Error> {
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    if !first_event(&mut tx, provider.as_str(), event_id, now).await? {
        return Ok(Recorded::Nothing);
    }
    let problem = format!(
        "{} reported this payment unreadably ({why}): check it there",
        provider.label()
    );
    let flagged = flag_payment(&mut tx, provider.as_str(), payment_id, &problem, now).await?;
    tx.commit().await?;
    tracing::warn!(
        provider = provider.as_str(),
        payment = payment_id,
        why,
        "a payment event could not be read"
    );
    Ok(if flagged {
        Recorded::Flagged
    } else {
        Recorded::Nothing
    })
}
