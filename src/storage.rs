//! Persistence of the cart in localStorage under a versioned key, and of the shopper's routing
//! draw when the shop has several agents; nothing else.
//!
//! Data from another version, another currency, or corrupt JSON is discarded with one console
//! warning. When storage is unavailable (private modes, sandboxed frames, quota) the cart lives
//! in memory for the page's lifetime. Tabs of the same shop share the cart: a change in one
//! shows in the others (storage events).

use crate::browser::console_warn;
use crate::json::{Fields, Json};
use chatout_core::{Cart, Currency};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

/// The key, with the format's version: bump it when the stored shape changes.
pub const CART_KEY: &str = "chatout.cart.v1";

/// `{"version": 1, "cart": Cart::to_json}`.
const VERSION: i64 = 1;

/// The stored text read back: the cart, or `None` when it is from another version.
fn read_stored(text: &str) -> Result<Option<Cart>, String> {
    let value = crate::json::parse(text)?;
    let stored = Fields::of(&value, "")?;
    if stored.i64("version")? != VERSION {
        return Ok(None);
    }
    Cart::from_json(stored.any("cart")).map(Some)
}

fn storage_available() -> bool {
    // Reading `localStorage` itself throws in sandboxed frames; gloo would panic on that.
    web_sys::window().is_some_and(|w| matches!(w.local_storage(), Ok(Some(_))))
}

/// The stored cart for `currency`, or an empty one (with one warning when data was unusable).
pub fn load_cart(currency: Currency) -> Cart {
    if !storage_available() {
        return Cart::new(currency);
    }
    let Ok(raw) = LocalStorage::raw().get_item(CART_KEY) else {
        return Cart::new(currency);
    };
    let Some(raw) = raw else {
        return Cart::new(currency);
    };
    match read_stored(&raw) {
        Ok(Some(cart)) if cart.currency() == currency => Some(cart),
        Ok(_) => discard("it is from another version or currency"),
        Err(e) => discard(&format!("it is not readable ({e})")),
    }
    .unwrap_or_else(|| Cart::new(currency))
}

fn discard(why: &str) -> Option<Cart> {
    console_warn(&format!("the saved cart was discarded because {why}"));
    LocalStorage::delete(CART_KEY);
    None
}

/// Saves the cart; false when the browser refused (the cart then lives in memory).
pub fn save_cart(cart: &Cart) -> bool {
    if !storage_available() {
        return false;
    }
    if cart.is_empty() {
        LocalStorage::delete(CART_KEY);
        return true;
    }
    let stored = Json::object([("version", VERSION.into()), ("cart", cart.to_json())]);
    let text = crate::json::to_string(&stored);
    LocalStorage::raw().set_item(CART_KEY, &text).is_ok()
}

/// With several agents: the shopper's own random number, kept so that they keep reaching the
/// same agent (`chatout.draw.v1`). Identifies nobody. Read once per page, so the agent the panel
/// names is the one the order goes to, even where storage is unavailable.
pub fn shopper_draw() -> u32 {
    const DRAW_KEY: &str = "chatout.draw.v1";
    thread_local! {
        static DRAW: std::cell::OnceCell<u32> = const { std::cell::OnceCell::new() };
    }
    DRAW.with(|draw| {
        *draw.get_or_init(|| {
            let storage = storage_available().then(LocalStorage::raw);
            let stored = storage
                .as_ref()
                .and_then(|s| s.get_item(DRAW_KEY).ok().flatten())
                .and_then(|text| text.parse::<u32>().ok());
            stored.unwrap_or_else(|| {
                let bytes = crate::browser::random_bytes();
                let draw = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
                if let Some(storage) = storage {
                    let _ = storage.set_item(DRAW_KEY, &draw.to_string());
                }
                draw
            })
        })
    })
}

/// A cart signal loaded from storage and saved on every change. Returns whether saving works,
/// so the panel can tell the shopper once when the cart only lives in memory.
pub fn use_persisted_cart(currency: Currency) -> (RwSignal<Cart>, ReadSignal<bool>) {
    let cart = RwSignal::new(load_cart(currency));
    let (saved, set_saved) = signal(true);
    // Another tab changed the cart: take its version. Saving it back writes the same text,
    // which fires no further event, so tabs do not ping-pong.
    let other_tab = window_event_listener(leptos::ev::storage, move |event| {
        if event.key().as_deref() == Some(CART_KEY) {
            let theirs = load_cart(currency);
            if cart.with_untracked(|ours| *ours != theirs) {
                cart.set(theirs);
            }
        }
    });
    on_cleanup(move || other_tab.remove());
    Effect::new(move |_| {
        let ok = cart.with(save_cart);
        if !ok && saved.get_untracked() {
            console_warn("the cart cannot be saved in this browser; it is kept in memory");
        }
        set_saved.set(ok);
    });
    (cart, saved)
}
