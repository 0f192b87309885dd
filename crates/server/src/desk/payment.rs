//! The order page's payments: each payment page and payment by hand with its state, "Create
//! payment link" (Mollie, Stripe) with the link to copy into the chat, "Mark paid" with the
//! amount received and a note, and "Refund" for a cancelled order that was paid through a
//! provider.

use super::error::DeskError;
use super::layout::{money, Moment};
use super::notice::{order_page_with, Notice};
use super::session::Staff;
use crate::db::payments::PaymentRow;
use crate::payments::ProviderName;
use crate::policy::payment::{summarise, PaymentStatus};
use crate::service::payments::{self, HandPaid, PayError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Form;
use chatout_core::{Currency, Money, OrderStatus};
use serde::Deserialize;

/// One payment on the page.
pub(super) struct PaymentView {
    pub(super) what: String,
    pub(super) status: &'static str,
    pub(super) amount: String,
    pub(super) url: Option<String>,
    pub(super) problem: Option<String>,
    /// "€10.00 refunded", "€29.85 charged back": money that went back since.
    pub(super) back: Option<String>,
    pub(super) note: Option<String>,
    pub(super) at: Moment,
}

/// The payments card.
pub(super) struct PaymentsView {
    pub(super) items: Vec<PaymentView>,
    /// Providers a link can be made with (a confirmed order only): (id, label).
    pub(super) providers: Vec<(&'static str, &'static str)>,
    /// "paid €10.00 of €29.85", when part was paid.
    pub(super) received: Option<String>,
    /// What is still open, as the "Mark paid" form shows it (`19.85`).
    pub(super) open: String,
    pub(super) can_mark_paid: bool,
    pub(super) can_refund: bool,
    /// No provider configured: how to turn links on.
    pub(super) links_off: bool,
}

fn status_text(status: PaymentStatus) -> &'static str {
    match status {
        PaymentStatus::Open => "open: waiting for the customer",
        PaymentStatus::Paid => "paid",
        PaymentStatus::Failed => "failed",
        PaymentStatus::Expired => "expired unpaid",
        PaymentStatus::Canceled => "cancelled",
        PaymentStatus::Refunded => "refunded",
    }
}

/// The card for an order that is `status`, comes to `total`, with `rows`.
pub(super) fn view(
    state: &AppState,
    status: OrderStatus,
    total: i64,
    currency: &str,
    rows: Vec<PaymentRow>,
) -> PaymentsView {
    let items: Vec<_> = rows.iter().map(PaymentRow::item).collect();
    let received = summarise(&items, total).received;
    let can_refund = status == OrderStatus::Cancelled
        && rows.iter().any(|p| {
            p.status() == PaymentStatus::Paid
                && p.refund_id.is_none()
                && p.item().back < p.amount
                && ProviderName::parse(&p.provider).is_some()
        });
    let open = total.saturating_sub(received).max(0);
    let decimal = Currency::from_code(currency)
        .ok()
        .and_then(|c| Money::from_minor(open, c).ok())
        .map_or_else(|| open.to_string(), |m| m.to_decimal_string());
    let confirmed = status == OrderStatus::Confirmed;
    PaymentsView {
        providers: if confirmed {
            state
                .payments
                .configured()
                .into_iter()
                .map(|p| (p.as_str(), p.label()))
                .collect()
        } else {
            Vec::new()
        },
        links_off: state.payments.configured().is_empty(),
        received: (received > 0 && received < total).then(|| {
            format!(
                "partly paid: {} of {}",
                money(received, currency),
                money(total, currency)
            )
        }),
        open: decimal,
        can_mark_paid: confirmed && open > 0,
        can_refund,
        items: rows
            .into_iter()
            .map(|p| {
                let status = p.status();
                let what = match ProviderName::parse(&p.provider) {
                    Some(provider) => format!(
                        "{} {}{}",
                        provider.label(),
                        p.provider_id.as_deref().unwrap_or(""),
                        if p.is_current == 1 {
                            ""
                        } else {
                            " (replaced by a newer link)"
                        }
                    ),
                    None => "received by hand".into(),
                };
                let back = money_back(&p);
                PaymentView {
                    back,
                    what,
                    status: status_text(status),
                    amount: money(p.amount, &p.currency),
                    url: p
                        .url
                        .filter(|_| status == PaymentStatus::Open && p.is_current == 1),
                    problem: p.problem,
                    note: p.note.map(|n| format!("{n} (by {})", p.created_by)),
                    at: Moment::new(state, p.paid_at.unwrap_or(p.created_at)),
                }
            })
            .collect(),
    }
}

/// What went back of payment `p`, in words, when anything did.
fn money_back(p: &PaymentRow) -> Option<String> {
    let mut said = Vec::new();
    if p.refunded > 0 && p.refunded < p.amount {
        said.push(format!("{} refunded", money(p.refunded, &p.currency)));
    }
    if p.charged_back > 0 {
        said.push(format!(
            "{} charged back by the customer's bank",
            money(p.charged_back, &p.currency)
        ));
    }
    (!said.is_empty()).then(|| said.join(", "))
}

#[derive(Deserialize)]
pub(super) struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    provider: String,
}

fn notice_of(e: PayError) -> Result<Notice, DeskError> {
    match e {
        PayError::NotFound => Err(DeskError::NotFound),
        PayError::Db(e) => Err(e.into()),
        PayError::Provider(e) => {
            tracing::warn!(error = %e, "a payment provider call failed");
            Ok(Notice::PaymentDown)
        }
        PayError::NoProvider(_) | PayError::NotPayable(_) | PayError::NothingToRefund => {
            Ok(Notice::NotPayable)
        }
        PayError::BadAmount => Ok(Notice::PaidInvalid),
    }
}

/// `POST /admin/orders/{reference}/link`.
pub(super) async fn create_link(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<LinkForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    let notice = match ProviderName::parse(&form.provider) {
        None => Notice::NotPayable,
        Some(provider) => {
            match payments::create_link(&state, &reference, provider, staff.username()).await {
                Ok(_) => Notice::LinkCreated,
                Err(e) => notice_of(e)?,
            }
        }
    };
    Ok(order_page_with(&reference, notice).into_response())
}

#[derive(Deserialize)]
pub(super) struct PaidForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    note: String,
}

/// `POST /admin/orders/{reference}/paid`: a payment received by hand.
pub(super) async fn mark_paid(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<PaidForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    let amount = match form.amount.trim() {
        "" => None,
        text => match Money::parse_major(text, state.catalog.currency) {
            Ok(m) => Some(m.minor_units()),
            Err(_) => return Ok(order_page_with(&reference, Notice::PaidInvalid).into_response()),
        },
    };
    let note = form.note.chars().take(500).collect::<String>();
    let done =
        payments::mark_paid_by_hand(&state, &reference, amount, Some(&note), staff.username())
            .await;
    let notice = match done {
        Ok(HandPaid::Paid) => Notice::PaidByHand,
        Ok(HandPaid::Partly(_)) => Notice::PaidPartly,
        Err(e) => notice_of(e)?,
    };
    Ok(order_page_with(&reference, notice).into_response())
}

#[derive(Deserialize)]
pub(super) struct RefundForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /admin/orders/{reference}/refund`.
pub(super) async fn refund(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<RefundForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    let notice = match payments::refund(&state, &reference, staff.username()).await {
        Ok(()) => Notice::Refunded,
        Err(e) => notice_of(e)?,
    };
    Ok(order_page_with(&reference, notice).into_response())
}
