use crate::components::{cart_panel::CartPanel, chat_button::ChatButton};
use crate::config::{Config, Position};
use crate::embed::{hooks, js_api};
use crate::state::{ShopContext, Store, Submit, View};
use crate::storage::use_persisted_cart;
use leptos::prelude::*;
use std::sync::Arc;

/// The whole widget: floating button, cart panel and a live region for announcements.
#[component]
pub fn Widget(
    /// The validated configuration.
    config: Arc<Config>,
) -> impl IntoView {
    let (cart, storage_ok) = use_persisted_cart(config.currency);
    let store = Store {
        cart,
        view: RwSignal::new(View::Closed),
        notice: RwSignal::new(String::new()),
        storage_ok,
        submit: RwSignal::new(Submit::Idle),
        attempt: StoredValue::new_local(None),
        launcher: NodeRef::new(),
        ga4: config.ga4,
        unavailable: RwSignal::new(Vec::new()),
    };
    // The cart can empty under an open form: another tab sent it, or the page called clear().
    Effect::new(move |_| {
        if store.cart.with(|c| c.is_empty()) && store.view.get_untracked() == View::Checkout {
            store.view.set(View::Cart);
        }
    });
    provide_context(ShopContext(config.clone()));
    hooks::install(store, config.clone());
    js_api::install(store, config.clone());
    store.load_availability(&config);

    let open = Signal::derive(move || store.view.with(|v| *v != View::Closed));
    let shop = config.clone();
    let side = match config.position {
        Position::Left => "chatout chatout-left",
        Position::Right => "chatout chatout-right",
    };
    view! {
        <div class=side lang=config.locale.clone() dir=config.labels.direction()>
            <Show when=move || open.get()>
                <CartPanel store/>
            </Show>
            <ChatButton cart=store.cart.read_only() expanded=open launcher=store.launcher
                on_press=Callback::new(move |()| store.press_launcher(&shop))/>
            <p class="chatout-sr-only" role="status" aria-live="polite">
                {move || store.notice.get()}
            </p>
        </div>
    }
}
