//! An order as the integration API and the webhooks show it (docs/CONTRACT.md section 7): every
//! field a shop's other systems need, money in minor units, times RFC 3339 UTC.

use super::{decode_options, parse_status};
use crate::clock::{rfc3339, UnixMillis};
use crate::db::payments::{payments_of_orders, PaymentRow};
use crate::policy::payment::{summarise, PaymentStatus};
use chatout_core::{Currency, Money, OrderStatus, Totals};
use sqlx::AnyConnection;
use std::collections::HashMap;

mod shape;
pub use shape::{
    DocumentConsent, DocumentCustomer, DocumentDelivery, DocumentLine, DocumentPayment,
    DocumentPurpose, DocumentStep, DocumentWhatsApp, OrderDocument,
};

/// Which orders a list shows, newest first.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// Only orders in this status.
    pub status: Option<OrderStatus>,
    /// Only orders registered at or after this.
    pub since: Option<UnixMillis>,
    /// Only orders registered before this.
    pub until: Option<UnixMillis>,
    /// Only orders older than the one with this id (the cursor).
    pub before_id: Option<i64>,
    /// At most this many.
    pub limit: i64,
}

/// The columns a document is made of, by name.
#[derive(sqlx::FromRow)]
struct DocumentRow {
    id: i64,
    reference: String,
    status: String,
    currency: String,
    locale: String,
    subtotal: i64,
    shipping: i64,
    discount: i64,
    customer_name: String,
    customer_phone: Option<String>,
    customer_email: Option<String>,
    delivery_method: String,
    delivery_address: Option<String>,
    payment: String,
    note: Option<String>,
    consent_text: Option<String>,
    consent_at: Option<String>,
    marketing_text: Option<String>,
    marketing_at: Option<String>,
    assigned_to: Option<String>,
    created_at: i64,
    expires_at: i64,
    received_at: Option<i64>,
    received_wa_id: Option<String>,
}

/// A line's columns.
#[derive(sqlx::FromRow)]
struct LineRow {
    order_id: i64,
    sku: String,
    name: String,
    options: String,
    unit_price: i64,
    quantity: i64,
}

/// A history step's columns.
#[derive(sqlx::FromRow)]
struct StepRow {
    order_id: i64,
    from_status: Option<String>,
    to_status: String,
    actor: String,
    at: i64,
}

const COLUMNS: &str = "SELECT id, reference, status, currency, locale, subtotal, shipping, \
     discount, customer_name, \
     customer_phone, customer_email, delivery_method, delivery_address, payment, note, \
     consent_text, consent_at, marketing_text, marketing_at, assigned_to, created_at, expires_at, received_at, \
     (SELECT wa_id FROM contacts c WHERE c.id = orders.contact_id) AS received_wa_id FROM orders";

/// The document of order `reference`.
pub async fn document(
    conn: &mut AnyConnection,
    reference: &str,
) -> Result<Option<OrderDocument>, sqlx::Error> {
    let row = sqlx::query_as::<_, DocumentRow>(&format!("{COLUMNS} WHERE reference = $1"))
        .bind(reference)
        .fetch_optional(&mut *conn)
        .await?;
    single(conn, row).await
}

/// The document of order `id`.
pub async fn document_by_id(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<OrderDocument>, sqlx::Error> {
    let row = sqlx::query_as::<_, DocumentRow>(&format!("{COLUMNS} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    single(conn, row).await
}

/// The document of one row read, if any.
async fn single(
    conn: &mut AnyConnection,
    row: Option<DocumentRow>,
) -> Result<Option<OrderDocument>, sqlx::Error> {
    Ok(assemble(conn, row.into_iter().collect())
        .await?
        .pop()
        .map(|(_, d)| d))
}

/// Orders matching `filter`, newest first, each with its row id (for the next cursor).
/// Orders are ordered by id, which only grows: an order registered while a client pages
/// lands before the first page, so paging never skips or repeats one.
pub async fn list(
    conn: &mut AnyConnection,
    filter: &OrderFilter,
) -> Result<Vec<(i64, OrderDocument)>, sqlx::Error> {
    // The conditions asked for, numbered in the order they are bound.
    let mut conditions = Vec::new();
    for (wanted, column) in [
        (filter.status.is_some(), "status ="),
        (filter.since.is_some(), "created_at >="),
        (filter.until.is_some(), "created_at <"),
        (filter.before_id.is_some(), "id <"),
    ] {
        if wanted {
            conditions.push(format!("{column} ${}", conditions.len() + 1));
        }
    }
    let limit = format!("${}", conditions.len() + 1);
    let wheres = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let sql = format!("{COLUMNS}{wheres} ORDER BY id DESC LIMIT {limit}");
    let mut query = sqlx::query_as::<_, DocumentRow>(&sql);
    if let Some(status) = filter.status {
        query = query.bind(status.as_str());
    }
    if let Some(since) = filter.since {
        query = query.bind(since);
    }
    if let Some(until) = filter.until {
        query = query.bind(until);
    }
    if let Some(before) = filter.before_id {
        query = query.bind(before);
    }
    let rows = query.bind(filter.limit).fetch_all(&mut *conn).await?;
    assemble(conn, rows).await
}

/// Documents of `rows`, with their lines and history (one query each for all of them).
async fn assemble(
    conn: &mut AnyConnection,
    rows: Vec<DocumentRow>,
) -> Result<Vec<(i64, OrderDocument)>, sqlx::Error> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are integers this server read; they are written into the query, not bound, so
    // one statement serves a page of any size on both engines.
    let ids = rows
        .iter()
        .map(|r| r.id.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut history = history_of(conn, &ids).await?;
    let mut lines = lines_of(conn, &ids).await?;
    let order_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut payments = payments_of_orders(conn, &order_ids).await?;
    let mut documents = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row.id;
        let parts = Parts {
            lines: lines.remove(&id).unwrap_or_default(),
            payments: payments.remove(&id).unwrap_or_default(),
            history: history.remove(&id).unwrap_or_default(),
        };
        documents.push((id, document_of(row, parts)?));
    }
    Ok(documents)
}

/// The steps of the orders whose ids are `ids` (a comma-separated list), oldest first.
async fn history_of(
    conn: &mut AnyConnection,
    ids: &str,
) -> Result<HashMap<i64, Vec<DocumentStep>>, sqlx::Error> {
    let steps = sqlx::query_as::<_, StepRow>(&format!(
        "SELECT order_id, from_status, to_status, actor, at FROM order_events \
         WHERE order_id IN ({ids}) ORDER BY order_id, id"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut history: HashMap<i64, Vec<DocumentStep>> = HashMap::new();
    for step in steps {
        let from = step.from_status.map(parse_status).transpose()?;
        history
            .entry(step.order_id)
            .or_default()
            .push(DocumentStep {
                at: rfc3339(step.at),
                from: from.map(|s| s.as_str()),
                to: parse_status(step.to_status)?.as_str(),
                actor: step.actor,
            });
    }
    Ok(history)
}

/// The lines of the orders whose ids are `ids` (a comma-separated list), by position.
async fn lines_of(
    conn: &mut AnyConnection,
    ids: &str,
) -> Result<HashMap<i64, Vec<LineRow>>, sqlx::Error> {
    let rows_of_lines = sqlx::query_as::<_, LineRow>(&format!(
        "SELECT order_id, sku, name, options, unit_price, quantity FROM order_lines \
         WHERE order_id IN ({ids}) ORDER BY order_id, position"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut lines: HashMap<i64, Vec<LineRow>> = HashMap::new();
    for line in rows_of_lines {
        lines.entry(line.order_id).or_default().push(line);
    }
    Ok(lines)
}

/// What an order's document gathers besides its row.
struct Parts {
    lines: Vec<LineRow>,
    payments: Vec<PaymentRow>,
    history: Vec<DocumentStep>,
}

/// One order's document from its row and its parts.
fn document_of(row: DocumentRow, parts: Parts) -> Result<OrderDocument, sqlx::Error> {
    let currency = Currency::from_code(&row.currency).map_err(|e| corrupt("currency", e))?;
    let items = parts
        .lines
        .into_iter()
        .map(|line| line_of(line, currency))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let totals = Totals::from_minor(currency, row.subtotal, row.shipping, row.discount)
        .map_err(|e| corrupt("discount", e))?;
    let given = row.consent_at.is_some();
    Ok(OrderDocument {
        reference: row.reference,
        status: parse_status(row.status)?.as_str(),
        currency: row.currency,
        locale: row.locale,
        items,
        subtotal: row.subtotal,
        shipping: row.shipping,
        discount: row.discount,
        total: totals.total.minor_units(),
        customer: DocumentCustomer {
            name: row.customer_name,
            phone: row.customer_phone,
            email: row.customer_email,
        },
        delivery: DocumentDelivery {
            method: row.delivery_method,
            address: row.delivery_address,
        },
        payment: payment_of(row.payment, parts.payments, &totals),
        note: row.note,
        consent: DocumentConsent {
            order_updates: DocumentPurpose {
                given,
                at: row.consent_at,
                text: row.consent_text,
            },
            marketing: DocumentPurpose {
                given: row.marketing_at.is_some(),
                at: row.marketing_at,
                text: row.marketing_text,
            },
        },
        whatsapp: DocumentWhatsApp {
            received_at: row.received_at.map(rfc3339),
            wa_id: row.received_wa_id,
        },
        assigned_to: row.assigned_to,
        created_at: rfc3339(row.created_at),
        expires_at: rfc3339(row.expires_at),
        history: parts.history,
    })
}

/// One line of a document, with its total.
fn line_of(line: LineRow, currency: Currency) -> Result<DocumentLine, sqlx::Error> {
    let quantity = u32::try_from(line.quantity).map_err(|e| corrupt("quantity", e.to_string()))?;
    let total = Money::from_minor(line.unit_price, currency)
        .and_then(|unit| unit.checked_mul(quantity))
        .map_err(|e| corrupt("unit_price", e))?;
    Ok(DocumentLine {
        options: decode_options(&line.options)?,
        sku: line.sku,
        name: line.name,
        unit_price: line.unit_price,
        quantity: line.quantity,
        line_total: total.minor_units(),
    })
}

/// The payment part of a document: the preference, and where the order's payments stand.
fn payment_of(preference: String, rows: Vec<PaymentRow>, totals: &Totals) -> DocumentPayment {
    let items: Vec<_> = rows.iter().map(PaymentRow::item).collect();
    let summary = summarise(&items, totals.total.minor_units());
    let current = summary.current.map(|at| &rows[at]);
    DocumentPayment {
        preference,
        status: summary.status.map_or("none", PaymentStatus::api_name),
        provider: current
            .map(|p| p.provider.clone())
            .or_else(|| (summary.received > 0).then(|| "manual".to_string())),
        url: current
            .filter(|p| p.status() == PaymentStatus::Open)
            .and_then(|p| p.url.clone()),
        paid_amount: (summary.received > 0).then_some(summary.received),
        paid_at: summary.paid_at.map(rfc3339),
    }
}

/// A stored value that no longer reads: a corrupt row, never silently a default.
fn corrupt(column: &str, problem: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.into(),
        source: problem.to_string().into(),
    }
}
