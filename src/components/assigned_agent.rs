use crate::state::{ShopContext, Store};
use crate::storage;
use chatout_core::fill;
use leptos::prelude::*;

/// "Your order goes to Sara": who will answer this cart when the shop has several agents. It
/// follows the cart, since with category routing the products decide. Nothing when the order
/// goes to the shop's own number.
#[component]
pub fn AssignedAgent() -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let store = expect_context::<Store>();
    shop.agents.as_ref()?;
    let draw = storage::shopper_draw();
    let text = move || {
        store.cart.with(|cart| {
            shop.agent_for_order(cart.lines(), draw)
                .map(|agent| fill(&shop.labels.agent_line, &[("agent", &agent.name)]))
        })
    };
    Some(view! { <p class="chatout-agent">{text}</p> })
}
