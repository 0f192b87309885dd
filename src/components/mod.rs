//! The widget's Leptos components, one per file.

mod assigned_agent;
mod cart_line;
mod cart_panel;
mod cart_view;
mod chat_button;
mod checkout_form;
mod choice_group;
mod notify_form;
mod order_sent;
mod reply_status;
mod submit_problem;
mod text_field;
mod widget;

pub use widget::Widget;

use crate::state::{NotifyProduct, SentOrder};
use leptos::prelude::*;

// The panel's pages that `crate::split` loads on first use.

/// The checkout form.
pub fn checkout_page() -> AnyView {
    view! { <checkout_form::CheckoutForm/> }.into_any()
}

/// The step after the hand-off to WhatsApp.
pub fn sent_page(order: SentOrder) -> AnyView {
    view! { <order_sent::OrderSent order/> }.into_any()
}

/// "Tell me when it's back".
pub fn notify_page(product: NotifyProduct) -> AnyView {
    view! { <notify_form::NotifyForm product/> }.into_any()
}
