//! Everything that touches the host page: its product buttons, count and subtotal elements,
//! and the DOM events it listens to. No other module reads or writes the host's DOM.
//!
//! This module never names the widget's state: what the page may ask of the widget is the
//! [`Controls`] trait, which the shopper's store implements, so dependencies run one way
//! (state -> embed, never back).

pub mod analytics;
pub mod events;
pub mod hooks;
pub mod js_api;
pub mod product;
pub mod schema;

use crate::config::Config;
use chatout_core::{Cart, CartError, LineId, NewItem};
use leptos::prelude::ReadSignal;

/// What the host page's hooks and `window.Chatout` may ask of the widget (the shopper's store).
pub trait Controls: Copy + 'static {
    /// The cart, read to answer `cart()` and to fill count/subtotal elements.
    fn cart(&self) -> ReadSignal<Cart>;
    /// Adds an item and opens the panel; the line it went to.
    fn add(&self, config: &Config, item: NewItem) -> Result<LineId, CartError>;
    /// Removes a line.
    fn remove(&self, line: &LineId) -> Result<(), CartError>;
    /// Sets a line's quantity (0 removes it).
    fn set_quantity(&self, line: &LineId, quantity: i64) -> Result<(), CartError>;
    /// Empties the cart.
    fn clear(&self);
    /// Opens the panel on the cart.
    fn open(&self);
    /// Closes the panel.
    fn close(&self);
    /// Opens a plain WhatsApp chat (`message`, else the greeting), routed by `category`.
    fn chat(&self, config: &Config, message: Option<&str>, category: Option<&str>);
    /// "Tell me when it's back" for a product.
    fn notify(&self, config: &Config, sku: &str, name: &str);
    /// Whether the shop's server reported `sku` sold out.
    fn is_unavailable(&self, sku: &str) -> bool;
}
