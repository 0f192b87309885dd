//! Host-page hooks (docs/CONTRACT.md sections 2 and 10): `data-chatout-add`, `-open`, `-chat` and
//! `-notify` buttons and `data-chatout-count` / `-subtotal` elements, including ones the page
//! adds after load. An add button whose product the shop's server reports sold out offers
//! "Tell me when it's back" instead.

use crate::browser::console_error;
use crate::config::Config;
use crate::embed::product::{Options, Price, ProductInput};
use crate::embed::{events, schema, Controls};
use chatout_core::NewItem;
use leptos::ev;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, MutationObserver, MutationObserverInit};

const HOOKS: &str =
    "[data-chatout-add],[data-chatout-open],[data-chatout-chat],[data-chatout-notify]";

/// Listens for hook clicks and keeps count/subtotal elements current until the widget unmounts.
pub fn install(store: impl Controls, config: Arc<Config>) {
    // One delegated listener on window: buttons added later work without re-binding.
    let click_config = config.clone();
    let click = window_event_listener(ev::click, move |event| {
        on_click(&event, store, &click_config);
    });

    // A variant chosen beside a schema.org product's button.
    let change = window_event_listener(ev::change, move |event| {
        let select = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .filter(|el| el.has_attribute("data-chatout-variant"));
        if let Some(select) = select {
            leptos::task::spawn_local(async move {
                // Only the schema reader's own selects: it is loaded.
                let _ = schema::schema_variant(select).await;
            });
        }
    });
    let sync_config = config;
    let sync = move || {
        // Markup a single-page shop adds later gets its buttons too.
        if sync_config.products_auto {
            add_schema_buttons(sync_config.clone());
        }
        sync_host_elements(store, &sync_config)
    };
    let sync_effect = sync.clone();
    Effect::new(move |_| {
        store.cart().track();
        sync_effect();
    });

    // Single-page shops render new count/subtotal elements at any time.
    let callback = Closure::<dyn FnMut()>::new(sync);
    let observer = MutationObserver::new(callback.as_ref().unchecked_ref()).ok();
    if let (Some(observer), Some(root)) = (&observer, document_element()) {
        let options = MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        let _ = observer.observe_with_options(&root, &options);
    }
    let guard = SendWrapper::new((observer, callback));
    on_cleanup(move || {
        click.remove();
        change.remove();
        let (observer, _callback) = guard.take();
        if let Some(observer) = observer {
            observer.disconnect();
        }
    });
}

/// Reads the page's schema.org products once the reader is loaded; the page's own hooks work
/// meanwhile, and a reader that cannot be fetched leaves them as they are.
fn add_schema_buttons(config: Arc<Config>) {
    leptos::task::spawn_local(async move {
        if schema::add_schema_buttons(config).await.is_err() {
            crate::browser::console_warn(
                "the schema.org reader could not be loaded; products without data attributes get no button",
            );
        }
    });
}

fn document_element() -> Option<Element> {
    web_sys::window()?.document()?.document_element()
}

fn on_click(event: &web_sys::MouseEvent, store: impl Controls, config: &Config) {
    let Some(hook) = event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|el| el.closest(HOOKS).ok().flatten())
    else {
        return;
    };
    // Hooks are often links or form buttons: the widget handles the click instead.
    event.prevent_default();
    let attr = |name: &str| hook.get_attribute(name).unwrap_or_default();
    let sku = attr("data-sku");
    if hook.has_attribute("data-chatout-notify")
        || (hook.has_attribute("data-chatout-add") && store.is_unavailable(sku.trim()))
    {
        store.notify(config, &sku, &attr("data-name"));
    } else if hook.has_attribute("data-chatout-add") {
        match product_from(&hook, config) {
            Ok(item) => {
                if let Err(e) = store.add(config, item) {
                    report(&hook, &e.to_string());
                }
            }
            Err(message) => report(&hook, &message),
        }
    } else if hook.has_attribute("data-chatout-open") {
        store.open();
    } else {
        store.chat(
            config,
            hook.get_attribute("data-message").as_deref(),
            hook.get_attribute("data-category").as_deref(),
        );
    }
}

fn report(hook: &Element, message: &str) {
    let sku = hook.get_attribute("data-sku").unwrap_or_default();
    let text = format!("product '{sku}' was not added: {message}");
    console_error(&text);
    events::error("invalid_product", &text);
}

/// Reads a product button's attributes; every field is validated by its core type.
fn product_from(hook: &Element, config: &Config) -> Result<NewItem, String> {
    let attr = |name: &str| hook.get_attribute(name).unwrap_or_default();
    let number = |name: &str| -> Result<Option<f64>, String> {
        match hook.get_attribute(name).filter(|v| !v.trim().is_empty()) {
            // Whole numbers only: `1e3`, `0x10` and `2.` are refused like any other text.
            Some(text) => text
                .trim()
                .parse::<i32>()
                .map(|n| Some(f64::from(n)))
                .map_err(|_| format!("{name}: '{text}' must be a whole number")),
            None => Ok(None),
        }
    };
    let price = attr("data-price");
    ProductInput {
        sku: &attr("data-sku"),
        name: &attr("data-name"),
        price: Price::Major(&price),
        options: Options::Text(attr("data-options")),
        quantity: number("data-quantity")?,
        max_quantity: number("data-max-quantity")?,
        url: hook.get_attribute("data-url"),
        image: hook.get_attribute("data-image"),
        category: hook.get_attribute("data-category"),
    }
    .into_item(config.currency)
    .map_err(|e| format!("data-{e}"))
}

fn sync_host_elements(store: impl Controls, config: &Config) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (count, subtotal) = store.cart().with_untracked(|cart| {
        let subtotal = cart
            .subtotal()
            .map(|s| config.labels.money.format(s))
            .unwrap_or_default();
        (cart.item_count().to_string(), subtotal)
    });
    for (selector, text) in [
        ("[data-chatout-count]", count),
        ("[data-chatout-subtotal]", subtotal),
    ] {
        let Ok(nodes) = document.query_selector_all(selector) else {
            continue;
        };
        for i in 0..nodes.length() {
            // Only write on change: writing triggers the observer, which would loop otherwise.
            if let Some(node) = nodes
                .item(i)
                .filter(|n| n.text_content().as_deref() != Some(&text))
            {
                node.set_text_content(Some(&text));
            }
        }
    }
}
