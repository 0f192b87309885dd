//! Payments as the desk, the integration API and the shopper's page list them.

use super::payable;
use crate::db::Db;
use crate::policy::payment::{Item, PaymentStatus};
use sqlx::AnyConnection;

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
