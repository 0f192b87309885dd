use crate::components::cart_line::CartLine;
use crate::components::submit_problem::SubmitProblem;
use crate::state::{ShopContext, Store, Submit};
use leptos::prelude::*;

/// The cart's lines, subtotal and shipping expectation, or the empty state.
#[component]
pub fn CartView() -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let store = expect_context::<Store>();
    let labels = shop.labels.clone();
    let is_empty = move || store.cart.with(|c| c.is_empty());
    let ids = move || {
        store
            .cart
            .with(|c| c.lines().iter().map(|l| l.id.clone()).collect::<Vec<_>>())
    };
    let money = labels.money.clone();
    let subtotal = move || {
        store
            .cart
            .with(|c| c.subtotal().map(|s| money.format(s)).unwrap_or_default())
    };
    let shipping = shop
        .shipping_note
        .clone()
        .unwrap_or_else(|| labels.shipping_default.clone());
    let chat_shop = shop.clone();
    let empty_state = {
        let labels = labels.clone();
        move || {
            let shop = chat_shop.clone();
            view! {
                <div class="chatout-empty">
                    <p>{labels.cart_empty.clone()}</p>
                    <button type="button" class="chatout-secondary" on:click=move |_| store.chat(&shop, None, None)>
                        {labels.ask_question.clone()}
                    </button>
                </div>
            }
        }
    };
    view! {
        <SubmitProblem/>
        <Show when=move || !is_empty() fallback=empty_state>
            <ul class="chatout-lines">
                <For each=ids key=|id| id.clone() let:id>
                    <CartLine id/>
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
                    on:click=move |_| {
                        store.submit.set(Submit::Idle);
                        store.begin_checkout();
                    }
                >
                    {labels.checkout.clone()}
                </button>
            </div>
        </Show>
        <Show when=move || !store.storage_ok.get()>
            <p class="chatout-hint" role="note">{shop.labels.error_storage.clone()}</p>
        </Show>
    }
}
