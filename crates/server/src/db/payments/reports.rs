//! A provider's reports in the database: the payment a report is about, what it changed,
//! the events seen once, money that went back (parked until its payment is known), refunds
//! claimed once.

use super::corrupt;
use crate::clock::UnixMillis;
use crate::policy::payment::{BackChange, BackReport, MoneyBack, PaymentStatus, CHARGED_BACK};
use sqlx::AnyConnection;

/// A stored payment, as a provider's report of it is judged.
#[derive(Debug, Clone)]
pub struct StoredPayment {
    /// Row id.
    pub id: i64,
    /// Its order.
    pub order_id: i64,
    /// Where it was.
    pub status: PaymentStatus,
    /// Whether it is the order's current page.
    pub current: bool,
    /// For how much, minor units.
    pub amount: i64,
    /// What went back since.
    pub back: MoneyBack,
}

#[derive(sqlx::FromRow)]
struct StoredRow {
    id: i64,
    order_id: i64,
    status: String,
    is_current: i64,
    amount: i64,
    refunded: i64,
    charged_back: i64,
}

impl TryFrom<StoredRow> for StoredPayment {
    type Error = sqlx::Error;
    fn try_from(r: StoredRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: r.id,
            order_id: r.order_id,
            status: payment_status(&r.status)?,
            current: r.is_current == 1,
            amount: r.amount,
            back: MoneyBack {
                refunded: r.refunded,
                charged_back: r.charged_back,
            },
        })
    }
}

const STORED: &str = "SELECT id, order_id, status, is_current, amount, refunded, charged_back \
     FROM payments";

fn payment_status(name: &str) -> Result<PaymentStatus, sqlx::Error> {
    PaymentStatus::parse(name).ok_or_else(|| corrupt("status", format!("unknown '{name}'")))
}

/// The payment `provider` knows as `provider_id`.
pub async fn payment_by_provider_id(
    conn: &mut AnyConnection,
    provider: &str,
    provider_id: &str,
) -> Result<Option<StoredPayment>, sqlx::Error> {
    stored_payment(conn, "provider_id = $2", provider, provider_id).await
}

/// The payment whose money came through `provider`'s payment intent `intent` (Stripe's
/// charge and dispute events name only that).
pub async fn payment_by_intent(
    conn: &mut AnyConnection,
    provider: &str,
    intent: &str,
) -> Result<Option<StoredPayment>, sqlx::Error> {
    stored_payment(
        conn,
        "intent = $2 ORDER BY id DESC LIMIT 1",
        provider,
        intent,
    )
    .await
}

/// The latest of `provider`'s payments where `condition` (a constant, on `$2 = value`) holds.
async fn stored_payment(
    conn: &mut AnyConnection,
    condition: &'static str,
    provider: &str,
    value: &str,
) -> Result<Option<StoredPayment>, sqlx::Error> {
    sqlx::query_as::<_, StoredRow>(&format!("{STORED} WHERE provider = $1 AND {condition}"))
        .bind(provider)
        .bind(value)
        .fetch_optional(&mut *conn)
        .await?
        .map(StoredPayment::try_from)
        .transpose()
}

/// Records money that went back on payment `id`, as `policy::payment::on_money_back`
/// decided: the amounts, the status, and the chargeback flag set (where no other flag is)
/// or, once the dispute is won, cleared; any other problem stays as it was.
pub async fn record_money_back(
    conn: &mut AnyConnection,
    id: i64,
    change: &BackChange,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE payments SET refunded = $1, charged_back = $2, status = $3, \
         problem = CASE WHEN $4 = 1 THEN COALESCE(problem, $5) \
         WHEN problem = $5 THEN NULL ELSE problem END, \
         refunded_at = CASE WHEN $1 > refunded THEN $6 ELSE refunded_at END, updated_at = $6 \
         WHERE id = $7",
    )
    .bind(change.back.refunded)
    .bind(change.back.charged_back)
    .bind(change.status.as_str())
    .bind(i64::from(change.charged_back))
    .bind(CHARGED_BACK)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ParkedRow {
    refunded: Option<i64>,
    charged_back: Option<i64>,
}

/// Keeps `provider`'s report `event_id` about intent `intent` until a payment names it.
pub async fn park_money_back(
    conn: &mut AnyConnection,
    provider: &str,
    event_id: &str,
    intent: &str,
    report: BackReport,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO parked_money_back \
         (provider, event_id, intent, refunded, charged_back, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider, event_id) DO NOTHING",
    )
    .bind(provider)
    .bind(event_id)
    .bind(intent)
    .bind(report.refunded)
    .bind(report.charged_back)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes (and removes) the reports parked for `provider`'s intent `intent`, oldest first.
pub async fn take_parked_money_back(
    conn: &mut AnyConnection,
    provider: &str,
    intent: &str,
) -> Result<Vec<BackReport>, sqlx::Error> {
    let parked = sqlx::query_as::<_, ParkedRow>(
        "SELECT refunded, charged_back FROM parked_money_back \
         WHERE provider = $1 AND intent = $2 ORDER BY received_at, event_id",
    )
    .bind(provider)
    .bind(intent)
    .fetch_all(&mut *conn)
    .await?;
    if !parked.is_empty() {
        sqlx::query("DELETE FROM parked_money_back WHERE provider = $1 AND intent = $2")
            .bind(provider)
            .bind(intent)
            .execute(&mut *conn)
            .await?;
    }
    Ok(parked
        .into_iter()
        .map(|r| BackReport {
            refunded: r.refunded,
            charged_back: r.charged_back,
        })
        .collect())
}

/// Flags `provider`'s payment `provider_id` with what staff should look at, changing nothing
/// else; false when this server made no such payment.
pub async fn flag_payment(
    conn: &mut AnyConnection,
    provider: &str,
    provider_id: &str,
    problem: &str,
    now: UnixMillis,
) -> Result<bool, sqlx::Error> {
    let flagged = sqlx::query(
        "UPDATE payments SET problem = $1, updated_at = $2 \
         WHERE provider = $3 AND provider_id = $4",
    )
    .bind(problem)
    .bind(now)
    .bind(provider)
    .bind(provider_id)
    .execute(&mut *conn)
    .await?;
    Ok(flagged.rows_affected() > 0)
}

/// Moves payment `id` to `status`, with the problem staff should see (if any), the amount
/// and currency the provider reported, and Stripe's payment intent once known.
pub async fn update_payment(
    conn: &mut AnyConnection,
    id: i64,
    status: PaymentStatus,
    problem: Option<&str>,
    intent: Option<&str>,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    let paid_at = (status == PaymentStatus::Paid).then_some(now);
    sqlx::query(
        "UPDATE payments SET status = $1, problem = COALESCE($2, problem), \
         intent = COALESCE($3, intent), paid_at = COALESCE(paid_at, $4), updated_at = $5 \
         WHERE id = $6",
    )
    .bind(status.as_str())
    .bind(problem)
    .bind(intent)
    .bind(paid_at)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Notes that `provider`'s event `event_id` arrived; false when it arrived before.
pub async fn first_event(
    conn: &mut AnyConnection,
    provider: &str,
    event_id: &str,
    now: UnixMillis,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO payment_events (provider, event_id, received_at) VALUES ($1, $2, $3) \
         ON CONFLICT (provider, event_id) DO NOTHING",
    )
    .bind(provider)
    .bind(event_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Claims payment `id`'s refund: true for the one caller that may ask the provider.
pub async fn claim_refund(
    conn: &mut AnyConnection,
    id: i64,
    now: UnixMillis,
) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE payments SET refund_id = 'pending', updated_at = $1 \
         WHERE id = $2 AND status = $3 AND refund_id IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(PaymentStatus::Paid.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Settles a claimed refund: refunded with the provider's id, or (`None`) given back.
pub async fn settle_refund(
    conn: &mut AnyConnection,
    id: i64,
    refund_id: Option<&str>,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    match refund_id {
        Some(refund_id) => sqlx::query(
            "UPDATE payments SET refund_id = $1, status = $2, refunded_at = $3, \
             updated_at = $3, refunded = amount WHERE id = $4",
        )
        .bind(refund_id)
        .bind(PaymentStatus::Refunded.as_str())
        .bind(now)
        .bind(id),
        None => sqlx::query(
            "UPDATE payments SET refund_id = NULL, updated_at = $1 WHERE id = $2 \
             AND refund_id = 'pending'",
        )
        .bind(now)
        .bind(id),
    }
    .execute(&mut *conn)
    .await?;
    Ok(())
}
