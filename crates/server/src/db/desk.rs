//! What the staff order desk reads: order lists (filtered, searched) and one order in full.
//! The shop's figures are in `figures.rs`.

use super::orders::{order_lines, parse_status};
use super::Db;
use chatout_core::{OrderStatus, WireLine};

/// One row of the orders list.
#[derive(Debug, Clone)]
pub struct OrderRow {
    /// Reference.
    pub reference: String,
    /// Lifecycle status.
    pub status: OrderStatus,
    /// Customer name.
    pub customer_name: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Sum of the lines.
    pub subtotal: i64,
    /// What the customer pays: subtotal + shipping − discount.
    pub total: i64,
    /// Who responds, if anyone took it.
    pub assigned_to: Option<String>,
    /// When it was created (ms).
    pub created_at: i64,
    /// When the shopper's message naming it reached the shop's WhatsApp (ms).
    pub received_at: Option<i64>,
}

/// Which orders a desk list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFilter {
    /// Every order.
    All,
    /// Orders in one status.
    Status(OrderStatus),
    /// Pending orders whose message never reached the shop's WhatsApp: registered, not
    /// received (the ones forgotten before they started).
    NotReceived,
}

/// A search of the orders list: by reference, customer name, phone or email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// The reference as typed (any case, dash optional), when it reads as one.
    pub reference: Option<String>,
    /// A `LIKE` pattern of the lower-cased text (wildcards in it escaped with `\`).
    pub text: String,
    /// A `LIKE` pattern of its digits, when it has at least 4 (a phone number's part).
    pub digits: Option<String>,
}

impl Search {
    /// The search for what staff typed; `None` for nothing (only spaces).
    pub fn new(typed: &str) -> Option<Self> {
        let typed = typed.trim();
        if typed.is_empty() {
            return None;
        }
        let escape = |s: &str| {
            s.chars()
                .flat_map(|c| match c {
                    '%' | '_' | '\\' => vec!['\\', c],
                    c => vec![c],
                })
                .collect::<String>()
        };
        let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
        Some(Self {
            reference: chatout_core::OrderReference::parse(typed)
                .ok()
                .map(|r| r.to_string()),
            text: format!("%{}%", escape(&typed.to_lowercase())),
            digits: (digits.len() >= 4).then(|| format!("%{digits}%")),
        })
    }
}

/// One lifecycle transition.
#[derive(Debug, Clone)]
pub struct OrderEvent {
    /// Where it came from (`None` for creation).
    pub from: Option<OrderStatus>,
    /// Where it went.
    pub to: OrderStatus,
    /// Who moved it: a staff username, `shopper` or `system`.
    pub actor: String,
    /// When (ms).
    pub at: i64,
    /// The note given with the step.
    pub note: Option<String>,
}

/// A change of an order's lines or amounts.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderChange {
    /// Who made it.
    pub actor: String,
    /// What changed, as staff read it.
    pub what: String,
    /// When (ms).
    pub at: i64,
}

/// An order with everything the desk shows.
#[derive(Debug, Clone)]
pub struct OrderDetail {
    /// The list row.
    pub row: OrderRow,
    /// Shopper's locale.
    pub locale: String,
    /// Page the order was placed on.
    pub page: String,
    /// Customer phone, as given.
    pub customer_phone: Option<String>,
    /// Customer email.
    pub customer_email: Option<String>,
    /// Delivery method id.
    pub delivery_method: String,
    /// Delivery address.
    pub delivery_address: Option<String>,
    /// Payment preference id.
    pub payment: String,
    /// Shopper's note.
    pub note: Option<String>,
    /// The opt-in text the shopper agreed to.
    pub consent_text: Option<String>,
    /// When the server received their consent (RFC 3339).
    pub consent_at: Option<String>,
    /// When the shopper's browser said they agreed, if it said so validly.
    pub consent_client_at: Option<String>,
    /// The order's units are taken from stock.
    pub stock_held: bool,
    /// Until when a pending order nobody confirmed holds its stock (ms).
    pub hold_until: Option<i64>,
    /// The message the shopper was asked to send.
    pub message: String,
    /// When a pending order expires (ms).
    pub expires_at: i64,
    /// Priced lines.
    pub lines: Vec<WireLine>,
    /// Each line's position (what a change of that line names), in the order of `lines`.
    pub positions: Vec<i64>,
    /// Shipping staff set, minor units.
    pub shipping: i64,
    /// Discount staff set, minor units.
    pub discount: i64,
    /// Every transition, oldest first.
    pub events: Vec<OrderEvent>,
    /// Every change of its lines or amounts, oldest first.
    pub changes: Vec<OrderChange>,
    /// The WhatsApp id whose message linked the order.
    pub received_wa_id: Option<String>,
}

const ROW_COLUMNS: &str =
    "reference, status, customer_name, currency, subtotal, shipping, discount, assigned_to, \
     created_at, received_at";

/// The columns of [`ROW_COLUMNS`], by name.
#[derive(sqlx::FromRow)]
struct ListRow {
    reference: String,
    status: String,
    customer_name: String,
    currency: String,
    subtotal: i64,
    shipping: i64,
    discount: i64,
    assigned_to: Option<String>,
    created_at: i64,
    received_at: Option<i64>,
}

impl TryFrom<ListRow> for OrderRow {
    type Error = sqlx::Error;

    fn try_from(row: ListRow) -> Result<Self, sqlx::Error> {
        let total = chatout_core::Currency::from_code(&row.currency)
            .ok()
            .and_then(|c| {
                chatout_core::Totals::from_minor(c, row.subtotal, row.shipping, row.discount).ok()
            })
            .map_or(row.subtotal, |t| t.total.minor_units());
        Ok(OrderRow {
            total,
            reference: row.reference,
            status: parse_status(row.status)?,
            customer_name: row.customer_name,
            currency: row.currency,
            subtotal: row.subtotal,
            assigned_to: row.assigned_to,
            created_at: row.created_at,
            received_at: row.received_at,
        })
    }
}

/// What [`Db::order_detail`] reads beside the list row, by name.
#[derive(sqlx::FromRow)]
struct DetailRow {
    #[sqlx(flatten)]
    list: ListRow,
    id: i64,
    locale: String,
    page: String,
    customer_phone: Option<String>,
    customer_email: Option<String>,
    delivery_method: String,
    delivery_address: Option<String>,
    payment: String,
    note: Option<String>,
    consent_text: Option<String>,
    consent_at: Option<String>,
    message: String,
    expires_at: i64,
    consent_client_at: Option<String>,
    stock_held: i64,
    hold_until: Option<i64>,
    received_wa_id: Option<String>,
}

/// One transition's columns, by name.
#[derive(sqlx::FromRow)]
struct EventRow {
    from_status: Option<String>,
    to_status: String,
    actor: String,
    at: i64,
    note: Option<String>,
}

impl Db {
    /// Orders, newest first, as `filter` says and matching `search`; at most `limit`.
    pub async fn list_orders(
        &self,
        filter: ListFilter,
        search: Option<&Search>,
        limit: i64,
    ) -> Result<Vec<OrderRow>, sqlx::Error> {
        let mut conditions: Vec<&str> = Vec::new();
        let status = match filter {
            ListFilter::All => None,
            ListFilter::Status(status) => {
                conditions.push("status = $2");
                Some(status)
            }
            ListFilter::NotReceived => {
                conditions.push("status = $2 AND received_at IS NULL");
                Some(OrderStatus::Pending)
            }
        };
        // The search's three binds follow the status's (or the limit's) place.
        let search_condition = if status.is_some() {
            "(reference = $3 OR LOWER(customer_name) LIKE $4 ESCAPE '\\' \
             OR LOWER(COALESCE(customer_email, '')) LIKE $4 ESCAPE '\\' \
             OR COALESCE(customer_phone, '') LIKE $5)"
        } else {
            "(reference = $2 OR LOWER(customer_name) LIKE $3 ESCAPE '\\' \
             OR LOWER(COALESCE(customer_email, '')) LIKE $3 ESCAPE '\\' \
             OR COALESCE(customer_phone, '') LIKE $4)"
        };
        if search.is_some() {
            conditions.push(search_condition);
        }
        let wheres = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM orders {wheres} ORDER BY created_at DESC, id DESC \
             LIMIT $1"
        );
        let mut query = sqlx::query_as::<_, ListRow>(&sql).bind(limit);
        if let Some(status) = status {
            query = query.bind(status.as_str());
        }
        if let Some(search) = search {
            query = query
                .bind(search.reference.clone().unwrap_or_default())
                .bind(search.text.clone())
                .bind(
                    search
                        .digits
                        .clone()
                        .unwrap_or_else(|| "(no digits to match)".into()),
                );
        }
        let rows = query.fetch_all(&self.read).await?;
        rows.into_iter().map(OrderRow::try_from).collect()
    }

    /// How many pending orders were registered and never received on WhatsApp.
    pub async fn count_not_received(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE status = $1 AND received_at IS NULL")
            .bind(OrderStatus::Pending.as_str())
            .fetch_one(&self.read)
            .await
    }

    /// One order in full, by reference.
    pub async fn order_detail(&self, reference: &str) -> Result<Option<OrderDetail>, sqlx::Error> {
        let Some(row) = sqlx::query_as::<_, DetailRow>(&format!(
            "SELECT {ROW_COLUMNS}, id, locale, page, customer_phone, customer_email, \
             delivery_method, delivery_address, payment, note, consent_text, consent_at, message, \
             expires_at, consent_client_at, stock_held, hold_until, \
             (SELECT wa_id FROM contacts c WHERE c.id = orders.contact_id) AS received_wa_id \
             FROM orders WHERE reference = $1"
        ))
        .bind(reference)
        .fetch_optional(&self.read)
        .await?
        else {
            return Ok(None);
        };
        let lines = order_lines(&self.read, row.id).await?;
        let positions = sqlx::query_scalar(
            "SELECT position FROM order_lines WHERE order_id = $1 ORDER BY position",
        )
        .bind(row.id)
        .fetch_all(&self.read)
        .await?;
        let changes = sqlx::query_as::<_, OrderChange>(
            "SELECT actor, what, at FROM order_changes WHERE order_id = $1 ORDER BY id",
        )
        .bind(row.id)
        .fetch_all(&self.read)
        .await?;
        let events = sqlx::query_as::<_, EventRow>(
            "SELECT from_status, to_status, actor, at, note FROM order_events \
             WHERE order_id = $1 ORDER BY id",
        )
        .bind(row.id)
        .fetch_all(&self.read)
        .await?
        .into_iter()
        .map(|event| {
            Ok(OrderEvent {
                from: event.from_status.map(parse_status).transpose()?,
                to: parse_status(event.to_status)?,
                actor: event.actor,
                at: event.at,
                note: event.note,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let (shipping, discount) = (row.list.shipping, row.list.discount);
        Ok(Some(OrderDetail {
            row: row.list.try_into()?,
            locale: row.locale,
            page: row.page,
            customer_phone: row.customer_phone,
            customer_email: row.customer_email,
            delivery_method: row.delivery_method,
            delivery_address: row.delivery_address,
            payment: row.payment,
            note: row.note,
            consent_text: row.consent_text,
            consent_at: row.consent_at,
            message: row.message,
            expires_at: row.expires_at,
            consent_client_at: row.consent_client_at,
            stock_held: row.stock_held != 0,
            hold_until: row.hold_until,
            received_wa_id: row.received_wa_id,
            shipping,
            discount,
            lines,
            positions,
            events,
            changes,
        }))
    }
}
