//! One order: its lines, customer, consent and stock, its history, the buttons for each next
//! status, who responds, and (with messaging on) the conversation.

use super::error::DeskError;
use super::layout::{money, render};
use super::layout::{when, Moment};
use super::notice::{order_page_with, Notice, NoticeQuery};
use super::session::Staff;
use crate::db::desk::{OrderChange, OrderDetail, OrderEvent};
use crate::db::orders::Step;
use crate::policy::webhook::DeliveryStatus;
use crate::service;
use crate::service::change_status::{self, StatusError};
use crate::service::chat_order::TO_BE_AGREED;
use crate::service::staff::AssignError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chatout_core::{
    whatsapp_url, Currency, Labels, Money, OrderStatus, PhoneNumber, ShopSettings, WireLine,
};
use serde::Deserialize;

struct LineView {
    position: i64,
    quantity: i64,
    name: String,
    options: String,
    sku: String,
    total: String,
}

struct EventView {
    at: Moment,
    change: String,
    actor: String,
    note: Option<String>,
}

struct DeliveryView {
    id: i64,
    event: String,
    url: String,
    status: &'static str,
    attempts: i64,
    last: String,
    failed: bool,
}

struct OrderView {
    reference: String,
    status: &'static str,
    next: Vec<&'static str>,
    chat_url: Option<String>,
    lines: Vec<LineView>,
    subtotal: String,
    shipping: String,
    discount: String,
    total: String,
    /// The total in minor units (what payments are held against).
    total_minor: i64,
    /// Shipping and discount as the form shows them (`4.95`).
    shipping_input: String,
    discount_input: String,
    /// Lines and amounts can still change (pending or confirmed).
    adjustable: bool,
    /// Makes a double submit of the total form one message.
    key: String,
    customer: String,
    phone: String,
    email: Option<String>,
    delivery: String,
    address: Option<String>,
    payment: String,
    note: Option<String>,
    consent: String,
    stock: String,
    /// Whether and when the shopper's message reached the shop's WhatsApp.
    received: String,
    page: String,
    locale: String,
    created: Moment,
    expires: Moment,
    message: String,
    events: Vec<EventView>,
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    shop: String,
    user: Option<String>,
    csrf: String,
    notice: Option<String>,
    o: OrderView,
    staff: Vec<(String, bool)>,
    wa: super::conversation::ConversationView,
    deliveries: Vec<DeliveryView>,
    warnings: Vec<super::orders::WarningView>,
    payments: super::payment::PaymentsView,
}

pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, DeskError> {
    let detail = state
        .db
        .order_detail(&reference)
        .await?
        .ok_or(DeskError::NotFound)?;
    let names = state.db.staff_names().await?;
    let assigned = detail.row.assigned_to.clone();
    let wa = super::conversation::view(&state, &reference).await?;
    let deliveries = state
        .db
        .deliveries_of(&reference)
        .await?
        .into_iter()
        .map(|d| DeliveryView {
            last: super::webhooks::last_answer(&d),
            failed: d.status == DeliveryStatus::Failed,
            id: d.id,
            event: d.event,
            url: d.url,
            status: d.status.as_str(),
            attempts: d.attempts,
        })
        .collect();
    let warnings = state
        .db
        .link_warnings(Some(&reference))
        .await?
        .into_iter()
        .map(|w| super::orders::WarningView::new(w, &state))
        .collect();
    let payment_rows = state.db.payments(&reference).await?;
    let status = detail.row.status;
    let o = order_view(&state, detail);
    let currency = state.catalog.currency.code();
    let payments = super::payment::view(&state, status, o.total_minor, currency, payment_rows);
    let page = OrderPage {
        payments,
        wa,
        deliveries,
        warnings,
        shop: state.catalog.shop.name.clone(),
        user: Some(staff.0.username),
        csrf: staff.0.csrf_token,
        notice: query.notice().map(Notice::text),
        staff: names
            .into_iter()
            .map(|n| {
                let selected = assigned.as_deref() == Some(n.as_str());
                (n, selected)
            })
            .collect(),
        o,
    };
    render(&page)
}

fn order_view(state: &AppState, d: OrderDetail) -> OrderView {
    let currency = d.row.currency.clone();
    let code = Currency::from_code(&currency).ok();
    let total = d.row.total;
    let decimal = |minor: i64| {
        code.and_then(|c| Money::from_minor(minor, c).ok())
            .map_or_else(|| minor.to_string(), |m| m.to_decimal_string())
    };
    let shop = &state.catalog.shop;
    let chat_url = chat_url(shop, &d);
    let delivery = delivery_text(&d.delivery_method);
    let payment = payment_text(shop, &d.payment);
    let consent = consent_text(&d);
    let stock = stock_text(state, &d);
    let received = received_text(state, &d);
    OrderView {
        reference: d.row.reference,
        status: d.row.status.as_str(),
        next: d
            .row
            .status
            .next()
            .iter()
            .filter(|s| **s != OrderStatus::Expired)
            .map(|s| s.as_str())
            .collect(),
        chat_url,
        lines: d
            .lines
            .iter()
            .zip(&d.positions)
            .map(|(l, p)| line_view(l, *p, &currency))
            .collect(),
        subtotal: money(d.row.subtotal, &currency),
        shipping: money(d.shipping, &currency),
        discount: money(d.discount, &currency),
        total: money(total, &currency),
        total_minor: total,
        shipping_input: decimal(d.shipping),
        discount_input: decimal(d.discount),
        adjustable: matches!(d.row.status, OrderStatus::Pending | OrderStatus::Confirmed),
        key: crate::auth::random_token(),
        customer: d.row.customer_name,
        phone: d.customer_phone.unwrap_or_default(),
        email: d.customer_email,
        delivery,
        address: d.delivery_address,
        payment,
        note: d.note,
        consent,
        stock,
        received,
        page: d.page,
        locale: d.locale,
        created: Moment::new(state, d.row.created_at),
        expires: Moment::new(state, d.expires_at),
        message: d.message,
        events: history(state, d.events, d.changes),
    }
}

/// "Open chat": a wa.me link to the customer's number with a first line about the order.
fn chat_url(shop: &ShopSettings, d: &OrderDetail) -> Option<String> {
    let phone = PhoneNumber::parse(d.customer_phone.as_deref()?, None).ok()?;
    Some(whatsapp_url(
        &phone,
        &format!(
            "Hi {}, about your order {} at {}:",
            d.row.customer_name, d.row.reference, shop.name
        ),
    ))
}

/// The delivery method, named.
fn delivery_text(method: &str) -> String {
    match method {
        "shipping" => "Shipping (shipping)".into(),
        "pickup" => "Pickup (pickup)".into(),
        TO_BE_AGREED => {
            "to be agreed in the chat (the order came from the WhatsApp catalog)".into()
        }
        _ => method.to_string(),
    }
}

/// The payment preference, named: the shop's own label, else the built-in English one, else
/// the id.
fn payment_text(shop: &ShopSettings, payment: &str) -> String {
    let label = |pairs: &[(String, String)]| {
        pairs
            .iter()
            .find(|(k, _)| k == payment)
            .map(|(_, v)| format!("{v} ({payment})"))
    };
    match payment {
        TO_BE_AGREED => "to be agreed in the chat".into(),
        _ => label(&shop.payment_labels)
            .or_else(|| label(&Labels::for_locale("en").payment_methods))
            .unwrap_or_else(|| payment.to_string()),
    }
}

/// Whether the shopper ticked the opt-in, when, and to what text.
fn consent_text(d: &OrderDetail) -> String {
    match (&d.consent_text, &d.consent_at) {
        (Some(text), Some(at)) => match &d.consent_client_at {
            Some(client) => {
                format!("ticked, received at {at} (the browser said {client}): “{text}”")
            }
            None => format!("ticked, received at {at}: “{text}”"),
        },
        _ => "no".into(),
    }
}

/// Whether the order holds its stock, and until when.
fn stock_text(state: &AppState, d: &OrderDetail) -> String {
    match (d.row.status, d.stock_held, d.hold_until) {
        (OrderStatus::Pending, true, Some(until)) => format!(
            "held until {} unless confirmed sooner; then held until the order ends",
            when(state, until)
        ),
        (OrderStatus::Pending, false, Some(until)) => format!(
            "given back at {}: nobody confirmed the order while it held its stock. \
             Confirming takes it again if it is still available.",
            when(state, until)
        ),
        (_, true, _) => "held".into(),
        (_, false, _) => "given back".into(),
    }
}

/// Whether and when the shopper's message reached the shop's WhatsApp.
fn received_text(state: &AppState, d: &OrderDetail) -> String {
    match (d.row.received_at, &d.received_wa_id) {
        (Some(at), Some(wa_id)) => format!("received {} from +{wa_id}", when(state, at)),
        (Some(at), None) => format!("received {}", when(state, at)),
        (None, _) => "not received yet: the shopper has not sent the order message".into(),
    }
}

/// Transitions and changes of lines or amounts, in the order they happened.
fn history(state: &AppState, events: Vec<OrderEvent>, changes: Vec<OrderChange>) -> Vec<EventView> {
    let mut all: Vec<(i64, EventView)> = events
        .into_iter()
        .map(|e| {
            let view = EventView {
                at: Moment::new(state, e.at),
                change: match e.from {
                    Some(from) => format!("{} → {}", from.as_str(), e.to.as_str()),
                    None => format!("created {}", e.to.as_str()),
                },
                actor: e.actor,
                note: e.note,
            };
            (e.at, view)
        })
        .chain(changes.into_iter().map(|c| {
            let view = EventView {
                at: Moment::new(state, c.at),
                change: c.what,
                actor: c.actor,
                note: None,
            };
            (c.at, view)
        }))
        .collect();
    // Stable: a transition and a change at the same moment keep their kinds' order.
    all.sort_by_key(|(at, _)| *at);
    all.into_iter().map(|(_, view)| view).collect()
}

fn line_view(line: &WireLine, position: i64, currency: &str) -> LineView {
    LineView {
        position,
        quantity: line.quantity,
        name: line.name.clone(),
        options: line
            .options
            .0
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        sku: line.sku.clone(),
        total: money(line.unit_price.saturating_mul(line.quantity), currency),
    }
}

#[derive(Deserialize)]
pub(super) struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    to: String,
    /// Given with "Mark fulfilled": the carrier's tracking page.
    #[serde(default)]
    tracking_url: String,
}

pub(super) async fn change_status(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    let back = |notice: Notice| order_page_with(&reference, notice);
    let Some(to) = OrderStatus::parse(&form.to) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, back(Notice::Illegal)).into_response());
    };
    let tracking = Some(form.tracking_url.as_str());
    let refused = |status: StatusCode, notice: Notice| Ok((status, back(notice)).into_response());
    let step = Step {
        tracking_url: tracking,
        ..Step::by(staff.username(), to)
    };
    match change_status::change_status(&state, &reference, step).await {
        Ok(_) => Ok(back(Notice::Marked(to)).into_response()),
        Err(StatusError::NotFound) => Err(DeskError::NotFound),
        Err(StatusError::Illegal { .. }) => refused(StatusCode::CONFLICT, Notice::Illegal),
        Err(StatusError::OutOfStock(_)) => refused(StatusCode::CONFLICT, Notice::OutOfStock),
        Err(StatusError::TrackingRequired) => {
            refused(StatusCode::UNPROCESSABLE_ENTITY, Notice::TrackingRequired)
        }
        Err(StatusError::BadTracking) => {
            refused(StatusCode::UNPROCESSABLE_ENTITY, Notice::BadTracking)
        }
        Err(StatusError::Payment(e)) => {
            tracing::warn!(reference = %reference, error = %e, "confirming needed a payment link");
            refused(StatusCode::BAD_GATEWAY, Notice::PaymentDown)
        }
        Err(StatusError::Db(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(super) struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    assigned_to: String,
}

pub(super) async fn assign(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(form): Form<AssignForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    match service::staff::assign(&state, &reference, &form.assigned_to).await {
        Ok(()) => Ok(order_page_with(&reference, Notice::Assigned).into_response()),
        Err(AssignError::UnknownStaff) => Ok(StatusCode::UNPROCESSABLE_ENTITY.into_response()),
        Err(AssignError::NotFound) => Err(DeskError::NotFound),
        Err(AssignError::Db(e)) => Err(e.into()),
    }
}
