use crate::components::{
    assigned_agent::AssignedAgent, cart_view::CartView, reply_status::ReplyStatus,
};
use crate::split::{self, Unloaded};
use crate::state::{ShopContext, Store, View};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::future::Future;
use wasm_bindgen::JsCast;

/// The panel: a dialog that shows the cart, the checkout form, or the sent order.
#[component]
pub fn CartPanel() -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let store = expect_context::<Store>();
    // A memo, so re-opening an open panel does not rebuild (and empty) the form.
    let page = Memo::new(move |_| store.view.get());
    // A page in a module of its own appears once that is fetched (at once after the first
    // time); `shown` moves focus in then, `retry` asks again after a failed fetch.
    let shown = RwSignal::new(0u32);
    let retry = RwSignal::new(0u32);
    let panel = NodeRef::<leptos::html::Section>::new();
    let pending = Pending {
        shown,
        retry,
        panel,
    };
    // While the shopper looks at the cart, the checkout form is fetched.
    Effect::new(move |_| {
        if page.with(|p| *p == View::Cart) {
            leptos::task::spawn_local(async {
                let _ = split::preload_checkout().await;
            });
        }
    });
    // A modal dialog: focus moves in when it opens and whenever its page changes (the form's
    // first field on checkout), so it is never left on a removed button.
    Effect::new(move |_| {
        shown.track();
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
            {move || {
                retry.track();
                // A page fetched before is busy again only while it is fetched again.
                pending.busy(false);
                match page.get() {
                    View::Checkout => fetched(split::checkout_page(), pending),
                    View::Sent(order) => fetched(split::sent_page(order), pending),
                    View::Notify(product) => fetched(split::notify_page(product), pending),
                    View::Cart | View::Closed => view! { <CartView/> }.into_any(),
                }
            }}
        </section>
    }
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
