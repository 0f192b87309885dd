//! A cart sent from the shop's WhatsApp catalog (a webhook message of type `order`) becomes a
//! pending order in the same desk: each item's content id is a catalog sku (`sku:Value:Value`
//! for a variant), prices come from the shop's catalog and never from the webhook, stock is
//! held like a web order's, and the shopper's answer lists what was ordered and what could
//! not be. The message id is the idempotency key: a redelivered webhook finds its order.
//!
//! Delivery and payment are not in a WhatsApp cart: they are stored as `to_be_agreed`, and
//! the answer says they are settled in the chat.

use super::store_pending::{store_pending, InsertError, Inserted};
use crate::clock::{self, now_ms};
use crate::db::messaging::contact_of_phone;
use crate::db::orders::{NewOrder, StoredOrder};
use crate::whatsapp::texts::{chat_texts, ChatTexts};
use crate::whatsapp::webhook::{CatalogCart, Inbound};
use crate::AppState;
use chatout_core::{
    fill, language_of, Cart, Catalog, Currency, Labels, Money, MoneyError, MoneyStyle,
    OptionsObject, OrderReference, PriceError, Quantity, WireCustomer, WireDelivery, WireLine,
    MAX_NAME, MAX_NOTE,
};
use sha2::{Digest, Sha256};

/// The delivery and payment id of an order whose cart came without them.
pub const TO_BE_AGREED: &str = "to_be_agreed";

/// What became of a cart: the order it made, if any, and the answer for the chat.
#[derive(Debug, Clone)]
pub struct CartAnswer {
    /// The order's row id, when something could be ordered.
    pub order_id: Option<i64>,
    /// The service reply to send.
    pub text: String,
}

/// Places the cart `cart` of `message` as a pending order (once per message id) and writes
/// the answer.
#[tracing::instrument(skip_all, fields(message = %message.id, reference))]
pub async fn place_cart(
    state: &AppState,
    message: &Inbound,
    cart: &CatalogCart,
) -> Result<CartAnswer, sqlx::Error> {
    let phone = message.wa_id.as_ref().map(|wa_id| format!("+{wa_id}"));
    let locale = match &phone {
        Some(phone) => {
            let mut conn = state.db.read.acquire().await?;
            contact_of_phone(&mut conn, phone)
                .await?
                .and_then(|c| c.locale)
                .unwrap_or_else(|| "en".into())
        }
        None => "en".into(),
    };
    let texts = chat_texts(&locale);
    let mut notes = Vec::new();
    let wanted = wanted_lines(&state.catalog, cart, texts, &mut notes);
    let order = CartOrder {
        message,
        cart,
        locale: &locale,
    };
    let stored = store_cart(state, &order, &wanted, texts, &mut notes).await?;
    if let Some(stored) = &stored {
        tracing::Span::current().record("reference", stored.reference.as_str());
    }
    Ok(answer(state, texts, &locale, &wanted, stored, notes))
}

/// The lines the cart asks for, at no price yet; an item that names no product (or no
/// option of one) is a note for the answer instead.
fn wanted_lines(
    catalog: &Catalog,
    cart: &CatalogCart,
    texts: &ChatTexts,
    notes: &mut Vec<String>,
) -> Vec<WireLine> {
    let mut wanted = Vec::new();
    for item in cart.items.iter().take(Cart::MAX_LINES) {
        let Some(quantity) = item.quantity.filter(|q| *q >= 1) else {
            continue; // WhatsApp sends whole positive quantities; anything else is noise
        };
        let quantity = quantity.min(i64::from(Quantity::DEFAULT_MAX));
        match catalog.by_retailer_id(&item.retailer_id) {
            Ok((product, options)) => wanted.push(WireLine {
                sku: product.sku.as_str().to_string(),
                name: product.name.as_str().to_string(),
                options,
                unit_price: 0,
                quantity,
            }),
            Err(PriceError::MissingOption(option)) => {
                let sku = item.retailer_id.split(':').next().unwrap_or_default();
                let name = catalog.product(sku).map_or(sku, |p| p.name.as_str());
                notes.push(fill(
                    texts.cart_choose,
                    &[("name", name), ("option", &option.to_lowercase())],
                ));
            }
            Err(_) => notes.push(fill(texts.cart_unknown, &[("item", &item.retailer_id)])),
        }
    }
    wanted
}

/// Where a cart came from: the message that carried it, and the sender's language.
struct CartOrder<'a> {
    message: &'a Inbound,
    cart: &'a CatalogCart,
    locale: &'a str,
}

/// Stores what can be ordered of `wanted` as a pending order: down to the stock there is,
/// under a fresh reference when one is taken. `None` when nothing could be held (the
/// hold cap's note goes first in `notes`).
async fn store_cart(
    state: &AppState,
    from: &CartOrder<'_>,
    wanted: &[WireLine],
    texts: &ChatTexts,
    notes: &mut Vec<String>,
) -> Result<Option<StoredOrder>, sqlx::Error> {
    let mut cart_now = priced(state, wanted);
    let now = now_ms();
    let expires_at = clock::after(now, state.settings.order_ttl);
    let key = format!("whatsapp:{}", from.message.id);
    let mut reference = OrderReference::from_random_bytes(rand::random());
    for _ in 0..8 {
        let Ok(subtotal) = cart_now.subtotal() else {
            break; // out of range: nothing sensible to hold
        };
        if cart_now.is_empty() {
            break;
        }
        let lines: Vec<WireLine> = cart_now.lines().iter().map(WireLine::from).collect();
        let order = NewOrder {
            subtotal: subtotal.minor_units(),
            expires_at,
            ..new_order(state, from, &key, &reference, lines, now)
        };
        let hold_limit = state.settings.hold_limit;
        match store_pending(&state.db, &order, hold_limit, state.webhook_urls()).await {
            Ok(Inserted::Created(order) | Inserted::Existing(order)) => return Ok(Some(order)),
            Err(InsertError::ReferenceTaken) => {
                reference = OrderReference::from_random_bytes(rand::random());
            }
            Err(InsertError::OutOfStock(available)) => {
                // Down to what is there, line by line; the answer tells the difference.
                let mut lines = order.lines;
                for line in &mut lines {
                    if let Some(units) = available.get(&line.sku) {
                        line.quantity = line.quantity.min(*units);
                    }
                }
                lines.retain(|l| l.quantity > 0);
                cart_now = priced(state, &lines);
            }
            Err(InsertError::HoldLimit { .. }) => {
                notes.insert(0, texts.cart_held.to_string());
                return Ok(None);
            }
            Err(InsertError::Db(e)) => return Err(e),
        }
    }
    Ok(None)
}

/// The lines priced by the catalog in a cart, lines of the same product and options merged.
fn priced(state: &AppState, lines: &[WireLine]) -> Cart {
    let repriced = state.catalog.reprice(lines);
    let mut cart = Cart::new(state.catalog.currency);
    for item in repriced.lines {
        // A line beyond the cart's limits is left out, as the widget would.
        let _ = cart.add(item);
    }
    cart
}

/// The row to store for `lines` (its subtotal and expiry are the caller's).
fn new_order(
    state: &AppState,
    from: &CartOrder<'_>,
    key: &str,
    reference: &OrderReference,
    lines: Vec<WireLine>,
    now: i64,
) -> NewOrder {
    let (message, cart, locale) = (from.message, from.cart, from.locale);
    let name = message
        .profile_name
        .as_deref()
        .map(|n| n.trim().chars().take(MAX_NAME).collect::<String>())
        .filter(|n| !n.is_empty())
        .or_else(|| message.wa_id.as_ref().map(|w| format!("+{w}")))
        .unwrap_or_else(|| "WhatsApp customer".into());
    let identity = message
        .wa_id
        .as_deref()
        .or(message.user_id.as_deref())
        .unwrap_or_default();
    NewOrder {
        reference: reference.as_str().to_string(),
        idempotency_key: key.to_string(),
        request_hash: hex::encode(Sha256::digest(key.as_bytes())),
        access_token: hex::encode(rand::random::<[u8; 16]>()),
        currency: state.catalog.currency.code().to_string(),
        subtotal: 0,
        locale: locale.to_string(),
        page: format!("WhatsApp catalog {}", cart.catalog_id),
        customer: WireCustomer {
            name,
            phone: message.wa_id.as_ref().map(|w| format!("+{w}")),
            email: None,
        },
        delivery: WireDelivery {
            method: TO_BE_AGREED.into(),
            address: None,
        },
        payment: TO_BE_AGREED.into(),
        note: cart
            .note
            .as_deref()
            .map(|n| n.chars().take(MAX_NOTE).collect()),
        consent: None,
        marketing: None,
        client_addr: format!("whatsapp:{identity}"),
        hold_until: clock::after(now, state.settings.stock_hold),
        message: message.text.clone(),
        whatsapp_url: String::new(),
        lines,
        expires_at: 0,
    }
}

/// The chat answer: the order's lines and subtotal, what could not be ordered, what happens
/// next. Short stock is read from what was stored, so a redelivery writes the same answer.
fn answer(
    state: &AppState,
    texts: &ChatTexts,
    locale: &str,
    wanted: &[WireLine],
    stored: Option<StoredOrder>,
    mut notes: Vec<String>,
) -> CartAnswer {
    let Some(order) = stored else {
        let mut text = texts.cart_nothing.to_string();
        for note in notes {
            text.push('\n');
            text.push_str(&note);
        }
        return CartAnswer {
            order_id: None,
            text,
        };
    };
    let mut text = fill(texts.cart_thanks, &[("reference", &order.reference)]);
    text.push_str(&order_lines_text(state.catalog.currency, locale, &order));
    notes.extend(shortfall_notes(&state.catalog, texts, wanted, &order));
    for note in notes {
        text.push('\n');
        text.push_str(&note);
    }
    text.push_str("\n\n");
    text.push_str(texts.cart_next);
    CartAnswer {
        order_id: Some(order.id),
        text: text.chars().take(4096).collect(),
    }
}

/// The stored order's lines, each on a line of its own with its total, and its subtotal.
fn order_lines_text(currency: Currency, locale: &str, order: &StoredOrder) -> String {
    let style = MoneyStyle::for_language(&language_of(locale));
    let amount =
        |money: Result<Money, MoneyError>| money.map(|m| style.format(m)).unwrap_or_default();
    let mut text = String::new();
    for line in &order.lines {
        let options: Vec<&str> = line.options.0.iter().map(|(_, v)| v.as_str()).collect();
        let options = if options.is_empty() {
            String::new()
        } else {
            format!(" ({})", options.join(", "))
        };
        let total = Money::from_minor(line.unit_price, currency)
            .and_then(|unit| unit.checked_mul(u32::try_from(line.quantity).unwrap_or(u32::MAX)));
        text.push_str(&format!(
            "\n{} × {}{options} — {}",
            line.quantity,
            line.name,
            amount(total)
        ));
    }
    let labels = Labels::for_locale(locale);
    text.push_str(&format!(
        "\n*{}:* {}",
        labels.subtotal,
        amount(Money::from_minor(order.subtotal, currency))
    ));
    text
}

/// A note for each product of which fewer units were ordered than asked for.
fn shortfall_notes(
    catalog: &Catalog,
    texts: &ChatTexts,
    wanted: &[WireLine],
    order: &StoredOrder,
) -> Vec<String> {
    let mut counted: Vec<(&str, &OptionsObject, i64)> = Vec::new();
    for line in wanted {
        match counted
            .iter_mut()
            .find(|(sku, options, _)| *sku == line.sku && **options == line.options)
        {
            Some(entry) => entry.2 += line.quantity,
            None => counted.push((&line.sku, &line.options, line.quantity)),
        }
    }
    let mut notes = Vec::new();
    for (sku, options, asked) in counted {
        let got = order
            .lines
            .iter()
            .find(|l| l.sku == sku && l.options == *options)
            .map_or(0, |l| l.quantity);
        if got >= asked.min(i64::from(Quantity::DEFAULT_MAX)) {
            continue;
        }
        let name = catalog
            .product(sku)
            .map_or(sku, |p| p.name.as_str())
            .to_string();
        notes.push(if got == 0 {
            fill(texts.cart_sold_out, &[("name", &name)])
        } else {
            fill(
                texts.cart_only,
                &[("name", &name), ("available", &got.to_string())],
            )
        });
    }
    notes
}
