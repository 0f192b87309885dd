use crate::components::{
    assigned_agent::AssignedAgent, cart_view::CartView, checkout_form::CheckoutForm,
    notify_form::NotifyForm, order_sent::OrderSent, reply_status::ReplyStatus,
};
use crate::state::{ShopContext, Store, View};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The panel: a dialog that shows the cart, the checkout form, or the sent order.
#[component]
pub fn CartPanel() -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let store = expect_context::<Store>();
    // A memo, so re-opening an open panel does not rebuild (and empty) the form.
    let page = Memo::new(move |_| store.view.get());
    let panel = NodeRef::<leptos::html::Section>::new();
    // A modal dialog: focus moves in when it opens and whenever its page changes (the form's
    // first field on checkout), so it is never left on a removed button.
    Effect::new(move |_| {
        let checkout = page.with(|p| matches!(p, View::Checkout | View::Notify(_)));
        let Some(panel) = panel.get() else { return };
        let field = checkout
            .then(|| panel.query_selector("input, textarea").ok().flatten())
            .flatten()
            .and_then(|f| f.dyn_into::<web_sys::HtmlElement>().ok());
        let _ = field.map_or_else(|| panel.focus(), |f| f.focus());
    });
    let notifying = move || page.with(|p| matches!(p, View::Notify(_)));
    let (cart_title, notify_title) = (
        shop.labels.cart_title.clone(),
        shop.labels.notify_title.clone(),
    );
    let on_keydown = move |event: leptos::ev::KeyboardEvent| match event.key().as_str() {
        "Escape" => store.close(),
        "Tab" => {
            if let Some(panel) = panel.get_untracked() {
                trap_focus(&panel, &event);
            }
        }
        _ => {}
    };
    view! {
        <section
            class="chatout-panel"
            role="dialog"
            aria-modal="true"
            aria-labelledby="chatout-title"
            tabindex="-1"
            node_ref=panel
            on:keydown=on_keydown
        >
            <div class="chatout-header">
                <div>
                    <h2 id="chatout-title">{move || match notifying() {
                        true => notify_title.clone(),
                        false => cart_title.clone(),
                    }}</h2>
                    <p class="chatout-shop">{shop.shop.clone()}</p>
                    <ReplyStatus/>
                    <AssignedAgent/>
                </div>
                <button
                    type="button"
                    class="chatout-icon"
                    aria-label=shop.labels.close.clone()
                    on:click=move |_| store.close()
                >
                    "×"
                </button>
            </div>
            {move || match page.get() {
                View::Checkout => view! { <CheckoutForm/> }.into_any(),
                View::Sent(order) => view! { <OrderSent order/> }.into_any(),
                View::Notify(product) => view! { <NotifyForm product/> }.into_any(),
                View::Cart | View::Closed => view! { <CartView/> }.into_any(),
            }}
        </section>
    }
}

/// What Tab can reach inside the panel.
const FOCUSABLE: &str =
    "button:not([disabled]), a[href], input:not([disabled]), textarea:not([disabled]), select:not([disabled])";

/// Keeps Tab and Shift+Tab cycling inside the dialog.
fn trap_focus(panel: &web_sys::HtmlElement, event: &leptos::ev::KeyboardEvent) {
    let Ok(nodes) = panel.query_selector_all(FOCUSABLE) else {
        return;
    };
    // Controls of the hidden address field (pickup) are not reachable.
    let reachable: Vec<web_sys::HtmlElement> = (0..nodes.length())
        .filter_map(|i| nodes.item(i)?.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|el| el.offset_parent().is_some())
        .collect();
    let (Some(first), Some(last)) = (reachable.first(), reachable.last()) else {
        return;
    };
    let current = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
    let at = |el: &web_sys::HtmlElement| current.as_ref() == Some(el);
    let panel_itself = current.as_ref() == Some(panel);
    if event.shift_key() && (at(first) || panel_itself) {
        event.prevent_default();
        let _ = last.focus();
    } else if !event.shift_key() && at(last) {
        event.prevent_default();
        let _ = first.focus();
    }
}
