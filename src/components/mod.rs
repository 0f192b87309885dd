//! The widget's Leptos components, one per file. Each gets from its parent only the signals
//! and setters (callbacks) it needs; the two that hold the whole store are [`Widget`], which
//! makes it, and `CartPanel`, which turns it into each page's props (as do the page
//! functions below, for the pages loaded on first use).

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

use crate::split::split_point;
use crate::state::{NotifyProduct, SentOrder, ShopContext, Store, Submit, View};
use leptos::prelude::*;

// The panel's pages, each in a module of its own in the release build (`crate::split`).

split_point!(
    checkout,
    preload_checkout,
    /// The checkout form.
    pub fn checkout_page(store: Store) -> AnyView {
        let shop = expect_context::<ShopContext>().0;
        let sending = Signal::derive(move || store.submit.with(|s| *s == Submit::Sending));
        let on_send = Callback::new(move |(input, opt_ins)| {
            store
                .checkout(&shop, &input, opt_ins)
                .map(|()| store.view.with_untracked(|v| matches!(v, View::Sent(_))))
        });
        let on_back = Callback::new(move |()| store.view.set(View::Cart));
        view! {
            <checkout_form::CheckoutForm sending on_send on_back>
                {submit_problem(store)}
            </checkout_form::CheckoutForm>
        }
        .into_any()
    }
);

split_point!(
    checkout,
    /// The step after the hand-off to WhatsApp.
    pub fn sent_page(order: SentOrder, store: Store) -> AnyView {
        let on_done = Callback::new(move |()| store.close());
        view! { <order_sent::OrderSent order on_done/> }.into_any()
    }
);

split_point!(
    notify,
    /// "Tell me when it's back".
    pub fn notify_page(product: NotifyProduct, store: Store) -> AnyView {
        let on_done = Callback::new(move |()| store.view.set(View::Cart));
        view! { <notify_form::NotifyForm product on_done/> }.into_any()
    }
);

/// Endpoint mode: why the order did not go through, with its two ways on.
fn submit_problem(store: Store) -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let on_retry = Callback::new(move |()| store.register(&shop));
    let on_fallback = Callback::new(move |()| store.send_unregistered());
    view! {
        <submit_problem::SubmitProblem submit=store.submit.read_only() on_retry on_fallback/>
    }
}
