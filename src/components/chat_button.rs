use crate::state::{ShopContext, Store, View};
use chatout_core::fill;
use leptos::prelude::*;

/// The floating WhatsApp button: a plain chat when the cart is empty, the cart otherwise.
#[component]
pub fn ChatButton() -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let store = expect_context::<Store>();
    let count = Memo::new(move |_| store.cart.with(|c| c.item_count()));
    let labels = shop.labels.clone();
    let label = move || match count.get() {
        0 => labels.chat_button.clone(),
        n => fill(&labels.cart_button, &[("count", &n.to_string())]),
    };
    let on_click = move |_| {
        if store.view.get_untracked() != View::Closed {
            store.close();
        } else if count.get_untracked() == 0 {
            store.chat(&shop, None);
        } else {
            store.open();
        }
    };
    view! {
        <button
            type="button"
            class="chatout-launcher"
            aria-label=label
            aria-expanded=move || (store.view.with(|v| *v != View::Closed)).to_string()
            on:click=on_click
        >
            <svg viewBox="0 0 32 32" width="30" height="30" aria-hidden="true" focusable="false">
                <path fill="currentColor" d="M16 3C8.8 3 3 8.7 3 15.8c0 2.5.7 4.8 2 6.8L3 29l6.6-2c1.9 1 4.1 1.6 6.4 1.6 7.2 0 13-5.7 13-12.8S23.2 3 16 3zm0 23.3c-2 0-4-.6-5.7-1.6l-.4-.2-3.9 1.2 1.2-3.8-.3-.4a10.3 10.3 0 0 1-1.7-5.7C5.2 10 10 5.3 16 5.3S26.8 10 26.8 15.8 22 26.3 16 26.3zm5.9-7.8c-.3-.2-1.9-.9-2.2-1-.3-.1-.5-.2-.7.2l-1 1.2c-.2.2-.4.2-.7.1a8.8 8.8 0 0 1-4.4-3.8c-.3-.6.3-.5.9-1.7.1-.2 0-.4 0-.6l-1-2.4c-.3-.6-.5-.5-.7-.5h-.6c-.2 0-.6.1-.9.4-.3.3-1.2 1.1-1.2 2.8s1.2 3.3 1.4 3.5c.2.2 2.4 3.6 5.8 5.1 2.2.9 3 1 4.1.8.7-.1 1.9-.8 2.2-1.5.3-.7.3-1.4.2-1.5-.1-.2-.3-.3-.6-.4z"/>
            </svg>
            <Show when=move || count.get() != 0>
                <span class="chatout-badge" aria-hidden="true">{move || count.get()}</span>
            </Show>
        </button>
    }
}
