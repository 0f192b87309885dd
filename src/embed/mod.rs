//! Everything that touches the host page: its product buttons, count and subtotal elements,
//! and the DOM events it listens to. No other module reads or writes the host's DOM.

pub mod analytics;
pub mod events;
pub mod hooks;
pub mod js_api;
pub mod product;
pub mod schema;
