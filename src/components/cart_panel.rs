use crate::components::{cart_view::CartView, checkout_form::CheckoutForm, order_sent::OrderSent};
use crate::state::{ShopContext, Store, View};
use leptos::prelude::*;

/// The panel: a dialog that shows the cart, the checkout form, or the sent order.
#[component]
pub fn CartPanel() -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let store = expect_context::<Store>();
    // A memo, so re-opening an open panel does not rebuild (and empty) the form.
    let page = Memo::new(move |_| store.view.get());
    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        if event.key() == "Escape" {
            store.close();
        }
    };
    view! {
        <section
            class="chatout-panel"
            role="dialog"
            aria-labelledby="chatout-title"
            on:keydown=on_keydown
        >
            <header class="chatout-header">
                <div>
                    <h2 id="chatout-title">{shop.labels.cart_title.clone()}</h2>
                    <p class="chatout-shop">{shop.shop.clone()}</p>
                </div>
                <button
                    type="button"
                    class="chatout-icon"
                    aria-label=shop.labels.close.clone()
                    on:click=move |_| store.close()
                >
                    "×"
                </button>
            </header>
            {move || match page.get() {
                View::Checkout => view! { <CheckoutForm/> }.into_any(),
                View::Sent(order) => view! { <OrderSent order/> }.into_any(),
                View::Cart | View::Closed => view! { <CartView/> }.into_any(),
            }}
        </section>
    }
}
