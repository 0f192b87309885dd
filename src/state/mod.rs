//! The widget's state: the shop's config (in context) and the shopper's store, which the
//! components hand down as the few signals and callbacks each child needs.
//! `cart` holds what the cart and the panel do; `checkout` how an order is sent.

use crate::api::{self, Reply};
use crate::browser::{self, console_error, console_warn};
use crate::config::Config;
use crate::embed::{analytics, events};
use crate::storage;
use chatout_core::{
    fill, order_message, readdress, whatsapp_url, Cart, CartError, CheckoutInput, ConflictReason,
    Consent, FieldError, LineId, LineItem, NewItem, Order, OrderReference, PendingOrder,
    PhoneNumber, WireConsent, URL_BUDGET,
};
use leptos::prelude::*;
use std::sync::Arc;

mod cart;
mod checkout;
mod notify;

pub use notify::{request_alert, NotifyState};

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
    /// "Tell me when it's back" for a sold-out product.
    Notify(NotifyProduct),
}

/// A product the shopper may ask to hear about when it is back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyProduct {
    /// Its sku.
    pub sku: String,
    /// Its name, as the page gave it.
    pub name: String,
}

/// Where a checkout stands with the shop's server (endpoint mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submit {
    /// Nothing in flight.
    Idle,
    /// The order is being registered; the send button waits.
    Sending,
    /// It did not go through: the shopper's explanation, and whether trying the same order
    /// again (same key) or sending it unregistered makes sense.
    Problem {
        /// What to tell the shopper.
        text: String,
        /// The same request may be sent again.
        retry: bool,
        /// The shop allows sending without registering, and this problem permits it.
        fallback: bool,
    },
}

/// One checkout's request, kept so "try again" repeats it exactly (same key, same body) and
/// "send without registering" can use the locally written message.
#[derive(Debug, Clone)]
pub struct Attempt {
    key: String,
    body: String,
    local: SentOrder,
    /// The agent the order is routed to, if not the shop's own number.
    agent: Option<PhoneNumber>,
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
    /// Endpoint mode: the checkout's standing with the shop's server.
    pub submit: RwSignal<Submit>,
    /// Endpoint mode: the request of the checkout in progress.
    pub attempt: StoredValue<Option<Attempt>, LocalStorage>,
    /// The floating button, where focus returns when the panel closes.
    pub launcher: NodeRef<leptos::html::Button>,
    /// GA4 ecommerce events go to `window.dataLayer` (the shop set `analytics: ga4`).
    pub ga4: bool,
    /// Endpoint mode: the skus the shop's server reports sold out (add buttons for them
    /// offer "Tell me when it's back" instead).
    pub unavailable: RwSignal<Vec<String>>,
}

/// The host page's hooks and `window.Chatout` drive the store through this.
impl crate::embed::Controls for Store {
    fn cart(&self) -> ReadSignal<Cart> {
        self.cart.read_only()
    }
    fn add(&self, config: &Config, item: NewItem) -> Result<LineId, CartError> {
        Store::add(self, config, item)
    }
    fn remove(&self, line: &LineId) -> Result<(), CartError> {
        Store::remove(self, line)
    }
    fn set_quantity(&self, line: &LineId, quantity: i64) -> Result<(), CartError> {
        Store::set_quantity(self, line, quantity)
    }
    fn clear(&self) {
        Store::clear(self);
    }
    fn open(&self) {
        Store::open(self);
    }
    fn close(&self) {
        Store::close(self);
    }
    fn chat(&self, config: &Config, message: Option<&str>, category: Option<&str>) {
        Store::chat(self, config, message, category);
    }
    fn notify(&self, config: &Config, sku: &str, name: &str) {
        Store::notify(self, config, sku, name);
    }
    fn is_unavailable(&self, sku: &str) -> bool {
        Store::is_unavailable(self, sku)
    }
}
