//! The widget's state, shared through context: the shop's config and the shopper's store.

use crate::browser::{self, console_error};
use crate::config::Config;
use crate::embed::events;
use chatout_core::{
    fill, order_message, whatsapp_url, Cart, CartError, CheckoutInput, Consent, FieldError, LineId,
    NewItem, Order, OrderReference, PendingOrder, URL_BUDGET,
};
use leptos::prelude::*;
use std::sync::Arc;

/// The validated configuration, in context.
#[derive(Clone)]
pub struct ShopContext(pub Arc<Config>);

/// An order that was handed to WhatsApp, kept so the shopper can copy or resend it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentOrder {
    /// The order reference.
    pub reference: String,
    /// The full message text.
    pub full_text: String,
    /// The link that was opened.
    pub url: String,
    /// True when the link carries the compact message.
    pub compact: bool,
}

/// What the panel shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// Only the floating button.
    Closed,
    /// The cart lines.
    Cart,
    /// The checkout form.
    Checkout,
    /// The order was handed to WhatsApp.
    Sent(SentOrder),
}

/// The shopper's store: cart, panel view and the announcement for screen readers.
#[derive(Clone, Copy)]
pub struct Store {
    /// The cart, persisted by storage.rs.
    pub cart: RwSignal<Cart>,
    /// What the panel shows.
    pub view: RwSignal<View>,
    /// Last announcement (added, removed, errors), read out by an aria-live region.
    pub notice: RwSignal<String>,
    /// False when the cart cannot be saved in this browser.
    pub storage_ok: ReadSignal<bool>,
}

impl Store {
    /// Adds an item, opens the panel and tells the host page (`chatout:add`).
    pub fn add(&self, config: &Config, item: NewItem) -> Result<(), CartError> {
        let name = item.name.as_str().to_string();
        let max = item.max_quantity;
        let added = self
            .cart
            .try_update(|cart| cart.add(item))
            .unwrap_or(Err(CartError::Full(0)))?;
        let line = self
            .cart
            .with_untracked(|c| c.lines().iter().find(|l| l.id == added.line).cloned());
        if let Some(line) = line {
            events::dispatch("chatout:add", &events::LineDetail::from(&line), false);
        }
        let notice = if added.capped {
            fill(
                &config.labels.error_quantity_capped,
                &[("max", &max.to_string())],
            )
        } else {
            format!("{name} ✓")
        };
        self.notice.set(notice);
        self.open();
        Ok(())
    }

    /// Sets a line's quantity (0 removes it).
    pub fn set_quantity(&self, line: &LineId, quantity: i64) {
        if quantity == 0 {
            return self.remove(line);
        }
        let result = self.cart.try_update(|c| c.set_quantity(line, quantity));
        if let Some(Err(e)) = result {
            console_error(&e.to_string());
        }
    }

    /// Removes a line and tells the host page (`chatout:remove`).
    pub fn remove(&self, line: &LineId) {
        let removed = self
            .cart
            .with_untracked(|c| c.lines().iter().find(|l| &l.id == line).cloned());
        if let Some(removed) = removed {
            self.cart.update(|c| {
                c.remove(line);
            });
            events::dispatch("chatout:remove", &events::LineDetail::from(&removed), false);
            self.notice.set(format!("{} ✕", removed.name.as_str()));
        }
    }

    /// Opens the panel on the cart (`chatout:open`).
    pub fn open(&self) {
        if self.view.get_untracked() == View::Closed {
            events::dispatch("chatout:open", &events::Empty {}, false);
        }
        if !matches!(self.view.get_untracked(), View::Checkout) {
            self.view.set(View::Cart);
        }
    }

    /// Closes the panel (`chatout:close`).
    pub fn close(&self) {
        if self.view.get_untracked() != View::Closed {
            self.view.set(View::Closed);
            events::dispatch("chatout:close", &events::Empty {}, false);
        }
    }

    /// Opens a plain WhatsApp chat with `message`, the shop's greeting, or a question about
    /// this page (Option 1).
    pub fn chat(&self, config: &Config, message: Option<&str>) {
        let (title, url) = browser::page_title_and_url();
        let text = match message.map(str::trim).filter(|m| !m.is_empty()) {
            Some(message) => message.to_string(),
            None => fill(
                config
                    .greeting
                    .as_deref()
                    .unwrap_or(&config.labels.greeting),
                &[("shop", &config.shop), ("title", &title), ("url", &url)],
            ),
        };
        browser::open_link(&whatsapp_url(&config.phone, text.trim()));
    }
}

impl Store {
    /// Validates the form, writes the order message, lets the host page cancel
    /// (`chatout:checkout`), opens WhatsApp, then clears the cart and shows the reference.
    pub fn checkout(
        &self,
        config: &Config,
        input: &CheckoutInput,
        wants_updates: bool,
    ) -> Result<(), Vec<FieldError>> {
        let details = input.validate(&config.rules())?;
        let reference = OrderReference::from_random_bytes(browser::random_bytes());
        let consent = wants_updates.then(|| Consent {
            text: config.labels.consent_checkbox.clone(),
            at: browser::now_rfc3339(),
        });
        let order = self.cart.with_untracked(|cart| {
            Order::new(
                &config.shop,
                reference,
                cart,
                details,
                config.shipping_note.as_deref(),
                consent,
            )
        });
        let order = match order {
            Ok(order) => order,
            Err(e) => {
                console_error(&e.to_string());
                events::error("checkout_failed", &e.to_string());
                return Ok(());
            }
        };
        let message = order_message(&config.phone, &order, &config.labels, URL_BUDGET);
        let (_, page) = browser::page_title_and_url();
        let mut detail = PendingOrder::from_order(&order, &config.locale, &page);
        detail.message = Some(message.text.clone());
        detail.whatsapp_url = Some(message.url.clone());
        if !events::dispatch("chatout:checkout", &detail, true) {
            return Ok(());
        }
        browser::open_link(&message.url);
        let reference = order.reference.as_str().to_string();
        events::dispatch(
            "chatout:sent",
            &events::SentDetail {
                reference: &reference,
                url: &message.url,
            },
            false,
        );
        // Cleared only now: the order has been handed to WhatsApp.
        self.cart.update(Cart::clear);
        self.view.set(View::Sent(SentOrder {
            reference,
            full_text: message.full_text,
            url: message.url,
            compact: message.compact,
        }));
        Ok(())
    }
}
