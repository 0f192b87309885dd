use crate::state::ShopContext;
use crate::storage;
use chatout_core::{fill, Cart};
use leptos::prelude::*;

/// "Your order goes to Sara": who will answer this cart when the shop has several agents. It
/// follows the cart, since with category routing the products decide. Nothing when the order
/// goes to the shop's own number.
#[component]
pub fn AssignedAgent(
    /// The cart, whose lines decide the agent.
    cart: ReadSignal<Cart>,
) -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    shop.agents.as_ref()?;
    let draw = storage::shopper_draw();
    let text = move || {
        cart.with(|cart| {
            shop.agent_for_order(cart.lines(), draw)
                .map(|agent| fill(&shop.labels.agent_line, &[("agent", &agent.name)]))
        })
    };
    Some(view! { <p class="chatout-agent">{text}</p> })
}
