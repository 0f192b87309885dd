//! Payments in the database: the pages made at a provider and the payments recorded by
//! hand, the one current page per order, the provider's events seen, refunds claimed once.

use super::orders::parse_status;
use crate::clock::UnixMillis;
use crate::policy::payment::PaymentStatus;
use chatout_core::{Currency, OrderStatus, Totals};
use sqlx::AnyConnection;

mod listing;
mod reports;
pub use listing::{payments_of, payments_of_orders, PaymentRow};
pub use reports::{
    claim_refund, first_event, flag_payment, park_money_back, payment_by_intent,
    payment_by_provider_id, record_money_back, settle_refund, take_parked_money_back,
    update_payment, StoredPayment,
};

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
