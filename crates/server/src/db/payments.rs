//! Payments in the database: the pages made at a provider and the payments recorded by
//! hand, the one current page per order, the provider's events seen, refunds claimed once.

use super::orders::parse_status;
use super::Db;
use crate::clock::UnixMillis;
use crate::policy::payment::{
    BackChange, BackReport, Item, MoneyBack, PaymentStatus, CHARGED_BACK,
};
use chatout_core::{Currency, OrderStatus, Totals};
use sqlx::AnyConnection;

/// What paying an order needs to know of it.
#[derive(Debug, Clone)]
pub struct Payable {
    /// Row id.
    pub id: i64,
    /// Reference.
    pub reference: String,
    /// Where it is.
    pub status: OrderStatus,
    /// Its amounts.
    pub totals: Totals,
    /// The shopper's order page token.
    pub access_token: String,
    /// The payment preference the shopper chose.
    pub payment: String,
    /// The order's language.
    pub locale: String,
}

#[derive(sqlx::FromRow)]
struct PayableRow {
    id: i64,
    reference: String,
    status: String,
    currency: String,
    subtotal: i64,
    shipping: i64,
    discount: i64,
    access_token: String,
    payment: String,
    locale: String,
}

fn corrupt(column: &str, problem: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.into(),
        source: problem.to_string().into(),
    }
}

impl TryFrom<PayableRow> for Payable {
    type Error = sqlx::Error;
    fn try_from(r: PayableRow) -> Result<Self, Self::Error> {
        let currency = Currency::from_code(&r.currency).map_err(|e| corrupt("currency", e))?;
        Ok(Self {
            totals: Totals::from_minor(currency, r.subtotal, r.shipping, r.discount)
                .map_err(|e| corrupt("discount", e))?,
            id: r.id,
            reference: r.reference,
            status: parse_status(r.status)?,
            access_token: r.access_token,
            payment: r.payment,
            locale: r.locale,
        })
    }
}

const PAYABLE: &str = "SELECT id, reference, status, currency, subtotal, shipping, discount, \
     access_token, payment, locale FROM orders";

/// The order with `reference`, as paying it sees it.
pub async fn payable(
    conn: &mut AnyConnection,
    reference: &str,
) -> Result<Option<Payable>, sqlx::Error> {
    sqlx::query_as::<_, PayableRow>(&format!("{PAYABLE} WHERE reference = $1"))
        .bind(reference)
        .fetch_optional(&mut *conn)
        .await?
        .map(Payable::try_from)
        .transpose()
}

/// The order whose shopper's page token is `token`.
pub async fn payable_by_token(
    conn: &mut AnyConnection,
    token: &str,
) -> Result<Option<Payable>, sqlx::Error> {
    sqlx::query_as::<_, PayableRow>(&format!("{PAYABLE} WHERE access_token = $1"))
        .bind(token)
        .fetch_optional(&mut *conn)
        .await?
        .map(Payable::try_from)
        .transpose()
}

/// A payment to store.
#[derive(Debug, Clone)]
pub struct NewPaymentRow<'a> {
    /// The order.
    pub order_id: i64,
    /// `mollie`, `stripe` or `manual`.
    pub provider: &'a str,
    /// The provider's id (none when recorded by hand).
    pub provider_id: Option<&'a str>,
    /// The page to pay on.
    pub url: Option<&'a str>,
    /// Where it is.
    pub status: PaymentStatus,
    /// Minor units.
    pub amount: i64,
    /// ISO 4217.
    pub currency: &'a str,
    /// Stripe's payment intent.
    pub intent: Option<&'a str>,
    /// Staff's note (payments by hand).
    pub note: Option<&'a str>,
    /// Who made it.
    pub created_by: &'a str,
}

/// A page a newer one replaced, to end at its provider.
#[derive(Debug, Clone)]
pub struct Replaced {
    /// `mollie` or `stripe`.
    pub provider: String,
    /// The provider's id.
    pub provider_id: String,
}

/// Stores a provider's new page for its order, which makes it the order's current one: the
/// pages before it can no longer mark the order paid. Returns the replaced pages still open.
pub async fn insert_page(
    conn: &mut AnyConnection,
    payment: &NewPaymentRow<'_>,
    now: UnixMillis,
) -> Result<Vec<Replaced>, sqlx::Error> {
    let replaced = retire_pages(conn, payment.order_id, now).await?;
    insert_payment(conn, payment, now).await?;
    Ok(replaced)
}

/// Makes order `order_id` have no current page (its total changed: an old page would ask
/// for the old amount). Returns the retired pages still open, to end at their providers.
pub async fn retire_pages(
    conn: &mut AnyConnection,
    order_id: i64,
    now: UnixMillis,
) -> Result<Vec<Replaced>, sqlx::Error> {
    let replaced = sqlx::query_as::<_, (String, Option<String>)>(
        "SELECT provider, provider_id FROM payments WHERE order_id = $1 AND is_current = 1 \
         AND status = $2",
    )
    .bind(order_id)
    .bind(PaymentStatus::Open.as_str())
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE payments SET is_current = 0, updated_at = $1 WHERE order_id = $2 \
         AND is_current = 1",
    )
    .bind(now)
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    Ok(replaced
        .into_iter()
        .filter_map(|(provider, id)| {
            id.map(|provider_id| Replaced {
                provider,
                provider_id,
            })
        })
        .collect())
}

/// Stores a payment as it is (a payment by hand keeps the current page current).
pub async fn insert_payment(
    conn: &mut AnyConnection,
    payment: &NewPaymentRow<'_>,
    now: UnixMillis,
) -> Result<i64, sqlx::Error> {
    let paid_at = (payment.status == PaymentStatus::Paid).then_some(now);
    sqlx::query_scalar(
        "INSERT INTO payments (order_id, provider, provider_id, url, status, amount, currency, \
         intent, note, created_by, created_at, updated_at, paid_at, is_current) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13) RETURNING id",
    )
    .bind(payment.order_id)
    .bind(payment.provider)
    .bind(payment.provider_id)
    .bind(payment.url)
    .bind(payment.status.as_str())
    .bind(payment.amount)
    .bind(payment.currency)
    .bind(payment.intent)
    .bind(payment.note)
    .bind(payment.created_by)
    .bind(now)
    .bind(paid_at)
    .bind(i64::from(payment.provider_id.is_some()))
    .fetch_one(&mut *conn)
    .await
}

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

/// The order of row `order_id`, as paying it sees it.
pub async fn payable_by_id(
    conn: &mut AnyConnection,
    order_id: i64,
) -> Result<Option<Payable>, sqlx::Error> {
    sqlx::query_as::<_, PayableRow>(&format!("{PAYABLE} WHERE id = $1"))
        .bind(order_id)
        .fetch_optional(&mut *conn)
        .await?
        .map(Payable::try_from)
        .transpose()
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

/// A payment as the desk, the API and the shopper's page show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PaymentRow {
    /// Row id.
    pub id: i64,
    /// Its order.
    pub order_id: i64,
    /// `mollie`, `stripe` or `manual`.
    pub provider: String,
    /// The provider's id.
    pub provider_id: Option<String>,
    /// The page.
    pub url: Option<String>,
    /// Stored status name.
    pub status: String,
    /// Minor units.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// 1 for the order's current page.
    pub is_current: i64,
    /// Stripe's payment intent.
    pub intent: Option<String>,
    /// What staff should look at.
    pub problem: Option<String>,
    /// Staff's note.
    pub note: Option<String>,
    /// Who made it.
    pub created_by: String,
    /// When (ms).
    pub created_at: i64,
    /// When the money arrived (ms).
    pub paid_at: Option<i64>,
    /// The provider's refund id (`pending` while one is asked for).
    pub refund_id: Option<String>,
    /// Refunded in all, minor units (in the desk or at the provider).
    pub refunded: i64,
    /// Taken back by a chargeback, minor units.
    pub charged_back: i64,
}

impl PaymentRow {
    /// Its status; an unknown stored name reads as failed rather than as paid.
    pub fn status(&self) -> PaymentStatus {
        PaymentStatus::parse(&self.status).unwrap_or(PaymentStatus::Failed)
    }

    /// What the order's payment summary takes from it.
    pub fn item(&self) -> Item {
        Item {
            status: self.status(),
            current: self.is_current == 1,
            amount: self.amount,
            flagged: self.problem.is_some(),
            paid_at: self.paid_at,
            back: self.refunded.saturating_add(self.charged_back),
        }
    }
}

const PAYMENT_COLUMNS: &str = "SELECT id, order_id, provider, provider_id, url, status, amount, \
     currency, is_current, intent, problem, note, created_by, created_at, paid_at, refund_id, \
     refunded, charged_back FROM payments";

/// The payments of each of `order_ids` (ids this server read), oldest first.
pub async fn payments_of_orders(
    conn: &mut AnyConnection,
    order_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<PaymentRow>>, sqlx::Error> {
    let mut found: std::collections::HashMap<i64, Vec<PaymentRow>> = Default::default();
    if order_ids.is_empty() {
        return Ok(found);
    }
    let ids: Vec<String> = order_ids.iter().map(i64::to_string).collect();
    let rows = sqlx::query_as::<_, PaymentRow>(&format!(
        "{PAYMENT_COLUMNS} WHERE order_id IN ({}) ORDER BY order_id, id",
        ids.join(", ")
    ))
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        found.entry(row.order_id).or_default().push(row);
    }
    Ok(found)
}

/// Every payment of order `order_id`, oldest first.
pub async fn payments_of(
    conn: &mut AnyConnection,
    order_id: i64,
) -> Result<Vec<PaymentRow>, sqlx::Error> {
    sqlx::query_as::<_, PaymentRow>(&format!(
        "{PAYMENT_COLUMNS} WHERE order_id = $1 ORDER BY id"
    ))
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await
}

impl Db {
    /// [`payments_of`] an order by reference.
    pub async fn payments(&self, reference: &str) -> Result<Vec<PaymentRow>, sqlx::Error> {
        let mut conn = self.read.acquire().await?;
        let Some(order) = payable(&mut conn, reference).await? else {
            return Ok(Vec::new());
        };
        payments_of(&mut conn, order.id).await
    }
}
