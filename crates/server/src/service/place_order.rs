//! Placing an order (docs/CONTRACT.md section 5): validated and priced from the catalog with
//! `chatout-core`, stored once per `Idempotency-Key` with its stock held, in one transaction.
//! What the shopper did wrong comes back field by field; what broke on our side keeps its
//! source.

use super::store_pending::{store_pending, InsertError, Inserted};
use crate::client::Client;
use crate::clock::{self, now_ms, rfc3339};
use crate::db::orders::{NewOrder, OptIn, StoredOrder};
use crate::AppState;
use chatout_core::{
    order_message, Cart, Catalog, CheckoutDetails, CheckoutInput, ConflictReason, Consent,
    FieldProblem, Labels, Order, OrderReference, PendingOrder, Repriced, ShopSettings, WireLine,
    URL_BUDGET,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// One field's problem in a `422`.
#[derive(Debug, Serialize)]
pub struct FieldIssue {
    field: String,
    code: String,
    message: String,
}

/// A field's problem.
pub fn issue(
    field: impl Into<String>,
    code: impl Into<String>,
    message: impl Into<String>,
) -> FieldIssue {
    FieldIssue {
        field: field.into(),
        code: code.into(),
        message: message.into(),
    }
}

/// What became of a request.
#[derive(Debug)]
pub enum Placed {
    /// A new order.
    Created(StoredOrder),
    /// The order this key made before (a retry).
    Replayed(StoredOrder),
}

/// Why no order was placed.
#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    /// The request is wrong, field by field.
    #[error("invalid fields")]
    Invalid(Vec<FieldIssue>),
    /// The cart must change: the corrected lines.
    #[error("the cart must change: {}", .0.as_str())]
    Conflict(ConflictReason, Vec<WireLine>),
    /// This client address holds all the stock it may in orders nobody has confirmed.
    #[error("{held} units held already")]
    HoldLimit {
        /// Units it holds.
        held: i64,
        /// Seconds until its first hold lapses.
        retry_after: u64,
    },
    /// The database failed.
    #[error("the database failed")]
    Db(#[from] sqlx::Error),
    /// Something else broke on our side.
    #[error(transparent)]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

/// Places `request` under idempotency key `key` for `client`.
#[tracing::instrument(skip_all, fields(reference))]
pub async fn place_order(
    state: &AppState,
    client: &Client,
    key: String,
    request: &PendingOrder,
) -> Result<Placed, PlaceError> {
    let request_hash = hex::encode(Sha256::digest(
        serde_json::to_vec(&request).unwrap_or_default(),
    ));
    if let Some(existing) = state.db.order_by_key(&key).await? {
        tracing::Span::current().record("reference", existing.reference.as_str());
        return replay(existing, &request_hash);
    }
    let mut prepared = prepare(&state.catalog, request)?;
    let now = now_ms();
    let expires_at = clock::after(now, state.settings.order_ttl);
    let stored = Stored {
        idempotency_key: key,
        request_hash,
        access_token: hex::encode(rand::random::<[u8; 16]>()),
        expires_at,
        hold_until: clock::after(now, state.settings.stock_hold).min(expires_at),
        client_addr: client.key().to_string(),
    };
    for _ in 0..5 {
        let new = prepared.new_order(&state.catalog, &stored);
        tracing::Span::current().record("reference", new.reference.as_str());
        let hold_limit = state.settings.hold_limit;
        match store_pending(&state.db, &new, hold_limit, state.webhook_urls()).await {
            Ok(Inserted::Created(order)) => {
                state.wake_webhooks();
                return Ok(Placed::Created(order));
            }
            Ok(Inserted::Existing(order)) => return replay(order, &stored.request_hash),
            Err(InsertError::ReferenceTaken) => {
                prepared.order.reference = OrderReference::from_random_bytes(rand::random());
            }
            Err(InsertError::OutOfStock(available)) => {
                let lines = new
                    .lines
                    .iter()
                    .filter_map(|line| {
                        let quantity = available
                            .get(&line.sku)
                            .map_or(line.quantity, |a| line.quantity.min(*a));
                        (quantity > 0).then(|| WireLine {
                            quantity,
                            ..line.clone()
                        })
                    })
                    .collect();
                return Err(PlaceError::Conflict(ConflictReason::OutOfStock, lines));
            }
            Err(InsertError::HoldLimit { held, until }) => {
                let wait = until.saturating_sub(now_ms()).max(1000) / 1000;
                return Err(PlaceError::HoldLimit {
                    held,
                    retry_after: u64::try_from(wait).unwrap_or(1),
                });
            }
            Err(InsertError::Db(e)) => return Err(PlaceError::Db(e)),
        }
    }
    Err(PlaceError::Internal(
        "no free order reference in 5 tries".into(),
    ))
}

/// A second request with a known key: the same order, or a `422` when the body differs.
fn replay(existing: StoredOrder, request_hash: &str) -> Result<Placed, PlaceError> {
    if existing.request_hash == request_hash {
        Ok(Placed::Replayed(existing))
    } else {
        Err(PlaceError::Invalid(vec![issue(
            "idempotency_key",
            "reused",
            "this Idempotency-Key was used for a different order",
        )]))
    }
}

/// What one request stores besides the order itself; fixed across reference retries.
struct Stored {
    idempotency_key: String,
    request_hash: String,
    access_token: String,
    expires_at: i64,
    hold_until: i64,
    client_addr: String,
}

/// A validated, priced order and how to write its message.
struct Prepared {
    order: Order,
    labels: Labels,
    locale: String,
    page: String,
    /// The shopper's clock's time of the opt-in, when it gave a valid one.
    consent_client_at: Option<String>,
    /// The opt-in to offers and news, when its box was ticked.
    marketing: Option<OptIn>,
}

impl Prepared {
    /// The row to store, with the message rendered for the order's current reference.
    fn new_order(&self, catalog: &Catalog, stored: &Stored) -> NewOrder {
        let message = order_message(&catalog.shop.phone, &self.order, &self.labels, URL_BUDGET);
        let wire = PendingOrder::from_order(&self.order, &self.locale, &self.page);
        NewOrder {
            reference: wire.reference,
            idempotency_key: stored.idempotency_key.clone(),
            request_hash: stored.request_hash.clone(),
            access_token: stored.access_token.clone(),
            currency: wire.currency,
            subtotal: wire.subtotal,
            locale: wire.locale,
            page: wire.page,
            customer: wire.customer,
            delivery: wire.delivery,
            payment: wire.payment,
            note: wire.note,
            consent: wire.consent.map(|c| OptIn {
                text: c.text,
                client_at: self.consent_client_at.clone(),
            }),
            marketing: self.marketing.clone(),
            client_addr: stored.client_addr.clone(),
            hold_until: stored.hold_until,
            message: message.text,
            whatsapp_url: message.url,
            lines: wire.items,
            expires_at: stored.expires_at,
        }
    }
}

/// The name serde gives a core enum on the wire (`Field::Name` → `name`): one source of names.
fn wire_name(value: impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Validates and prices the request: everything short of storing it.
fn prepare(catalog: &Catalog, request: &PendingOrder) -> Result<Prepared, PlaceError> {
    let shop = &catalog.shop;
    let mut errors = shape_issues(catalog, request);
    let details = validate_details(shop, request, &mut errors);
    let opt_ins = check_opt_ins(request, &mut errors);
    // The consent time is the server's; `Order` carries it for the message's sake.
    let consent = request
        .consent
        .as_ref()
        .filter(|c| c.whatsapp_updates)
        .map(|c| Consent {
            text: c.text.clone(),
            at: rfc3339(now_ms()),
        });
    let locale = if request.locale.len() <= 35 && !request.locale.is_empty() {
        request.locale.clone()
    } else {
        "en".to_string()
    };
    let page: String = request.page.chars().take(2000).collect();
    let mut repriced = catalog.reprice(&request.items);
    for (field, code, message) in std::mem::take(&mut repriced.errors) {
        errors.push(issue(field, code, message));
    }
    let details = match details {
        Some(details) if errors.is_empty() => details,
        _ => return Err(PlaceError::Invalid(errors)),
    };
    let cart = priced_cart(catalog, repriced, request.subtotal)?;
    let reference = OrderReference::parse(&request.reference)
        .unwrap_or_else(|_| OrderReference::from_random_bytes(rand::random()));
    let shipping_note = shop.shipping_note.as_deref();
    let order = Order::new(
        &shop.name,
        reference,
        &cart,
        details,
        shipping_note,
        consent,
    )
    .map_err(|e| PlaceError::Internal(e.into()))?;
    Ok(Prepared {
        order,
        labels: labels_for(shop, &locale),
        locale,
        page,
        consent_client_at: opt_ins.consent_client_at,
        marketing: opt_ins.marketing,
    })
}

/// What is wrong with the order's shape: a currency the shop does not sell in, too few or
/// too many lines.
fn shape_issues(catalog: &Catalog, request: &PendingOrder) -> Vec<FieldIssue> {
    let mut errors = Vec::new();
    if request.currency != catalog.currency.code() {
        errors.push(issue(
            "currency",
            "not_offered",
            format!("this shop sells in {}", catalog.currency.code()),
        ));
    }
    if request.items.is_empty() || request.items.len() > Cart::MAX_LINES {
        errors.push(issue(
            "items",
            "invalid",
            format!("an order has 1 to {} lines", Cart::MAX_LINES),
        ));
    }
    errors
}

/// The checkout details under the shop's rules, or `None` with their problems in `errors`.
fn validate_details(
    shop: &ShopSettings,
    request: &PendingOrder,
    errors: &mut Vec<FieldIssue>,
) -> Option<CheckoutDetails> {
    let input = CheckoutInput {
        name: request.customer.name.clone(),
        phone: request.customer.phone.clone().unwrap_or_default(),
        email: request.customer.email.clone().unwrap_or_default(),
        delivery: request.delivery.method.clone(),
        address: request.delivery.address.clone().unwrap_or_default(),
        payment: request.payment.clone(),
        note: request.note.clone().unwrap_or_default(),
    };
    input
        .validate(&shop.rules())
        .map_err(|field_errors| {
            errors.extend(field_errors.into_iter().map(|e| {
                let message = match e.problem {
                    FieldProblem::Required => "is required",
                    FieldProblem::TooLong => "is too long",
                    FieldProblem::Invalid => "is not valid",
                    FieldProblem::NotOffered => "is not offered by this shop",
                };
                issue(wire_name(e.field), wire_name(e.problem), message)
            }));
        })
        .ok()
}

/// The opt-ins a request carries, as stored beside the order.
struct OptIns {
    /// The shopper's clock's time of the opt-in to order updates, when it gave a valid one.
    consent_client_at: Option<String>,
    /// The opt-in to offers and news, when its box was ticked.
    marketing: Option<OptIn>,
}

/// Checks the consent objects, with their problems in `errors`. A consent object is checked
/// whole, as the OpenAPI document describes it, ticked or not.
fn check_opt_ins(request: &PendingOrder, errors: &mut Vec<FieldIssue>) -> OptIns {
    let mut opt_ins = OptIns {
        consent_client_at: None,
        marketing: None,
    };
    let Some(c) = &request.consent else {
        return opt_ins;
    };
    check_opt_in_text(&c.text, "consent.text", errors);
    opt_ins.consent_client_at = checked_client_time(c.at.as_deref(), "consent.at", errors);
    // Offers and news: its own box, checked the same way; only a ticked one counts.
    if let Some(m) = c.marketing.as_deref() {
        check_opt_in_text(&m.text, "consent.marketing.text", errors);
        let at = checked_client_time(m.at.as_deref(), "consent.marketing.at", errors);
        if m.whatsapp_updates {
            opt_ins.marketing = Some(OptIn {
                text: m.text.clone(),
                client_at: at,
            });
        }
    }
    opt_ins
}

/// An opt-in needs the text the shopper agreed to.
fn check_opt_in_text(text: &str, field: &str, errors: &mut Vec<FieldIssue>) {
    if text.trim().is_empty() || text.chars().count() > 500 {
        errors.push(issue(
            field,
            "invalid",
            "the opt-in needs the text the shopper agreed to (1 to 500 characters)",
        ));
    }
}

/// The shopper's clock's time of an opt-in, when given and valid; an invalid one is a
/// problem in `errors`.
fn checked_client_time(
    at: Option<&str>,
    field: &str,
    errors: &mut Vec<FieldIssue>,
) -> Option<String> {
    match at.map(client_time) {
        None => None,
        Some(Some(at)) => Some(at),
        Some(None) => {
            errors.push(issue(
                field,
                "invalid",
                "not an RFC 3339 time like 2026-11-21T10:00:00Z",
            ));
            None
        }
    }
}

/// The cart the catalog prices, or the conflict that makes the shopper's cart change: an
/// unknown sku, or prices that differ from what the shopper saw (`subtotal`).
fn priced_cart(catalog: &Catalog, repriced: Repriced, subtotal: i64) -> Result<Cart, PlaceError> {
    let mut cart = Cart::new(catalog.currency);
    for item in repriced.lines {
        cart.add(item).map_err(|e| PlaceError::Internal(e.into()))?;
    }
    let corrected = || cart.lines().iter().map(WireLine::from).collect();
    if repriced.unknown_sku {
        return Err(PlaceError::Conflict(
            ConflictReason::UnknownSku,
            corrected(),
        ));
    }
    let priced = cart
        .subtotal()
        .map_err(|e| PlaceError::Internal(e.into()))?;
    if repriced.price_changed || priced.minor_units() != subtotal {
        return Err(PlaceError::Conflict(
            ConflictReason::PriceChanged,
            corrected(),
        ));
    }
    Ok(cart)
}

/// The message's labels in `locale`, with the shop's own names of its payment methods.
fn labels_for(shop: &ShopSettings, locale: &str) -> Labels {
    let payment_labels: Vec<(String, &str)> = shop
        .payment_labels
        .iter()
        .map(|(id, label)| (format!("payment.{id}"), label.as_str()))
        .collect();
    Labels::for_locale(locale)
        .with_overrides(payment_labels.iter().map(|(k, v)| (k.as_str(), *v)))
        .unwrap_or_else(|_| Labels::for_locale(locale))
}

/// A time the shopper's browser gave, if it reads as RFC 3339: kept as written.
pub(crate) fn client_time(text: &str) -> Option<String> {
    let format = &time::format_description::well_known::Rfc3339;
    (text.len() <= 40 && time::OffsetDateTime::parse(text, format).is_ok())
        .then(|| text.to_string())
}
