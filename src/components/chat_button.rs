use crate::state::ShopContext;
use chatout_core::{fill, Cart};
use leptos::prelude::*;

/// The WhatsApp-style chat icon, shared with the loader (scripts/build-loader.mjs inlines it).
const ICON_PATH: &str = include_str!("../../style/chat-icon.path");

/// The floating WhatsApp button: a plain chat when the cart is empty, the cart otherwise.
#[component]
pub fn ChatButton(
    /// The cart, counted on the badge and in the label.
    cart: ReadSignal<Cart>,
    /// Whether the panel is open.
    #[prop(into)]
    expanded: Signal<bool>,
    /// Where focus returns when the panel closes.
    launcher: NodeRef<leptos::html::Button>,
    /// The shopper pressed it.
    on_press: Callback<()>,
) -> impl IntoView {
    let labels = expect_context::<ShopContext>().0.labels.clone();
    let count = Memo::new(move |_| cart.with(|c| c.item_count()));
    let label = move || match count.get() {
        0 => labels.chat_button.clone(),
        n => fill(&labels.cart_button, &[("count", &n.to_string())]),
    };
    view! {
        <button
            type="button"
            class="chatout-launcher"
            node_ref=launcher
            aria-label=label
            aria-expanded=move || expanded.get().to_string()
            on:click=move |_| on_press.run(())
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
