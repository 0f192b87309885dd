use crate::components::cart_line::{CartLine, SetQuantity};
use crate::state::ShopContext;
use chatout_core::Cart;
use leptos::prelude::*;

/// The cart's lines, subtotal and shipping expectation, or the empty state.
#[component]
pub fn CartView(
    /// The cart.
    cart: ReadSignal<Cart>,
    /// False when the cart cannot be saved in this browser.
    storage_ok: ReadSignal<bool>,
    /// Sets a line's quantity (0 removes it).
    set_quantity: SetQuantity,
    /// "Ask a question" in the empty cart: a plain chat.
    on_chat: Callback<()>,
    /// "Checkout".
    on_checkout: Callback<()>,
    /// What goes above the lines (why the last order did not go through).
    children: Children,
) -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let labels = shop.labels.clone();
    let is_empty = move || cart.with(|c| c.is_empty());
    let ids = move || cart.with(|c| c.lines().iter().map(|l| l.id.clone()).collect::<Vec<_>>());
    let money = labels.money.clone();
    let subtotal = move || cart.with(|c| c.subtotal().map(|s| money.format(s)).unwrap_or_default());
    let shipping = shop
        .shipping_note
        .clone()
        .unwrap_or_else(|| labels.shipping_default.clone());
    let empty_state = {
        let labels = labels.clone();
        move || {
            view! {
                <div class="chatout-empty">
                    <p>{labels.cart_empty.clone()}</p>
                    <button type="button" class="chatout-secondary" on:click=move |_| on_chat.run(())>
                        {labels.ask_question.clone()}
                    </button>
                </div>
            }
        }
    };
    view! {
        {children()}
        <Show when=move || !is_empty() fallback=empty_state>
            <ul class="chatout-lines">
                <For each=ids key=|id| id.clone() let:id>
                    <CartLine id cart set_quantity/>
                </For>
            </ul>
            <div class="chatout-summary">
                <div class="chatout-subtotal">
                    <span>{labels.subtotal.clone()}</span>
                    <strong data-testid="subtotal">{subtotal.clone()}</strong>
                </div>
                <p class="chatout-hint">{shipping.clone()}</p>
                <button
                    type="button"
                    class="chatout-primary"
                    on:click=move |_| on_checkout.run(())
                >
                    {labels.checkout.clone()}
                </button>
            </div>
        </Show>
        <Show when=move || !storage_ok.get()>
            <p class="chatout-hint" role="note">{shop.labels.error_storage.clone()}</p>
        </Show>
    }
}
