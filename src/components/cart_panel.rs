use super::{checkout_page, notify_page, preload_checkout, sent_page, submit_problem};
use crate::components::{
    assigned_agent::AssignedAgent, cart_view::CartView, reply_status::ReplyStatus,
};
use crate::split::Unloaded;
use crate::state::{ShopContext, Store, View};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::future::Future;
use wasm_bindgen::JsCast;

/// The panel: a dialog that shows the cart, the checkout form, or the sent order.
#[component]
pub fn CartPanel(
    /// The shopper's store: the panel hands each page only the signals and setters it needs.
    store: Store,
) -> impl IntoView {
    // A memo, so re-opening an open panel does not rebuild (and empty) the form.
    let page = Memo::new(move |_| store.view.get());
    // A page in a module of its own appears once that is fetched (at once after the first
    // time); `shown` moves focus in then, `retry` asks again after a failed fetch.
    let pending = Pending {
        shown: RwSignal::new(0u32),
        retry: RwSignal::new(0u32),
        panel: NodeRef::new(),
    };
    let panel = pending.panel;
    preload_checkout_on_cart(page);
    focus_each_page(page, pending);
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
            {header(store, page)}
            {move || {
                pending.retry.track();
                // A page fetched before is busy again only while it is fetched again.
                pending.busy(false);
                page_view(store, page.get(), pending)
            }}
        </section>
    }
}

/// While the shopper looks at the cart, the checkout form is fetched.
fn preload_checkout_on_cart(page: Memo<View>) {
    Effect::new(move |_| {
        if page.with(|p| *p == View::Cart) {
            leptos::task::spawn_local(async {
                let _ = preload_checkout().await;
            });
        }
    });
}

/// A modal dialog: focus moves in when it opens and whenever its page changes (the form's
/// first field on checkout), so it is never left on a removed button.
fn focus_each_page(page: Memo<View>, pending: Pending) {
    Effect::new(move |_| {
        pending.shown.track();
        let checkout = page.with(|p| matches!(p, View::Checkout | View::Notify(_)));
        let Some(panel) = pending.panel.get() else {
            return;
        };
        let field = checkout
            .then(|| panel.query_selector("input, textarea").ok().flatten())
            .flatten()
            .and_then(|f| f.dyn_into::<web_sys::HtmlElement>().ok());
        let _ = field.map_or_else(|| panel.focus(), |f| f.focus());
    });
}

/// The title, the shop, its reply status and agent, and the close button.
fn header(store: Store, page: Memo<View>) -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let notifying = move || page.with(|p| matches!(p, View::Notify(_)));
    let (cart_title, notify_title) = (
        shop.labels.cart_title.clone(),
        shop.labels.notify_title.clone(),
    );
    view! {
        <div class="chatout-header">
            <div>
                <h2 id="chatout-title">{move || match notifying() {
                    true => notify_title.clone(),
                    false => cart_title.clone(),
                }}</h2>
                <p class="chatout-shop">{shop.shop.clone()}</p>
                <ReplyStatus/>
                <AssignedAgent cart=store.cart.read_only()/>
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
    }
}

/// What the panel shows for `page`; the pages beyond the cart come from split modules.
fn page_view(store: Store, page: View, pending: Pending) -> AnyView {
    match page {
        View::Checkout => fetched(checkout_page(store), pending),
        View::Sent(order) => fetched(sent_page(order, store), pending),
        View::Notify(product) => fetched(notify_page(product, store), pending),
        View::Cart | View::Closed => cart_view(store),
    }
}

/// The cart, with the problem of the last attempt to send above it.
fn cart_view(store: Store) -> AnyView {
    let shop = expect_context::<ShopContext>().0;
    let set_quantity = Callback::new(move |(line, quantity)| store.set_quantity(&line, quantity));
    let on_chat = Callback::new(move |()| store.chat(&shop, None, None));
    let on_checkout = Callback::new(move |()| store.begin_checkout());
    view! {
        <CartView cart=store.cart.read_only() storage_ok=store.storage_ok set_quantity on_chat
            on_checkout>
            {submit_problem(store)}
        </CartView>
    }
    .into_any()
}

/// How the panel follows a page from a split module.
#[derive(Clone, Copy)]
struct Pending {
    /// Counts pages that arrived: focus moves in after each.
    shown: RwSignal<u32>,
    /// Counts "Try again" clicks: the page is asked for again.
    retry: RwSignal<u32>,
    /// The panel, `aria-busy` while a page is fetched (set on the element, not through the
    /// view: one attribute less for every render of the panel).
    panel: NodeRef<leptos::html::Section>,
}

impl Pending {
    /// On the next frame, when the panel is in the page even on its first render; frames run
    /// in order, so a page that arrives at once is never left busy.
    fn busy(&self, busy: bool) {
        let panel = self.panel;
        request_animation_frame(move || {
            if let Some(panel) = panel.get_untracked() {
                let _ = match busy {
                    true => panel.set_attribute("aria-busy", "true"),
                    false => panel.remove_attribute("aria-busy"),
                };
            }
        });
    }
}

/// A page from a split module: nothing while it is fetched (the panel is busy), then the page;
/// a fetch that failed says so and offers to try again.
fn fetched(
    page: impl Future<Output = Result<AnyView, Unloaded>> + 'static,
    pending: Pending,
) -> AnyView {
    let labels = expect_context::<ShopContext>().0.labels.clone();
    pending.busy(true);
    Suspend::new(SendWrapper::new(async move {
        let page = page.await;
        pending.busy(false);
        // Once the page is in the panel: the next frame.
        request_animation_frame(move || pending.shown.update(|n| *n += 1));
        match page {
            Ok(page) => page,
            Err(_) => view! {
                <div class="chatout-problem" role="alert" data-testid="load-problem">
                    <p>{labels.error_load.clone()}</p>
                    <button
                        type="button"
                        class="chatout-secondary"
                        on:click=move |_| pending.retry.update(|n| *n += 1)
                    >
                        {labels.try_again.clone()}
                    </button>
                </div>
            }
            .into_any(),
        }
    }))
    .into_any()
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
