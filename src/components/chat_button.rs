use crate::state::{ShopContext, Store, View};
use chatout_core::fill;
use leptos::prelude::*;

/// The WhatsApp-style chat icon, shared with the loader (scripts/build-loader.mjs inlines it).
const ICON_PATH: &str = include_str!("../../style/chat-icon.path");

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
            store.chat(&shop, None, None);
        } else {
            store.open();
        }
    };
    view! {
        <button
            type="button"
            class="chatout-launcher"
            node_ref=store.launcher
            aria-label=label
            aria-expanded=move || (store.view.with(|v| *v != View::Closed)).to_string()
            on:click=on_click
        >
            <svg viewBox="0 0 32 32" width="30" height="30" aria-hidden="true" focusable="false">
                <path fill="currentColor" d=ICON_PATH/>
            </svg>
            <Show when=move || count.get() != 0>
                <span class="chatout-badge" aria-hidden="true">{move || count.get()}</span>
            </Show>
        </button>
    }
}
