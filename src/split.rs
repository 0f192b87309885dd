//! The split points: code the release build (`cargo xtask dist`, feature `split`) moves out of
//! the main wasm into modules of its own, fetched on first use. The panel opens with the main
//! module alone; the checkout form, the sent step, the back-in-stock form and the schema.org
//! reader come after it. `trunk serve` and the tests build without the feature: the same
//! functions, called directly.
//!
//! A module that cannot be fetched (offline, blocked) is an `Err`, never a panic: the caller
//! says so and a later call fetches again.

use crate::config::Config;
use crate::state::{NotifyProduct, SentOrder};
use leptos::prelude::*;
pub use leptos::wasm_split::SplitLoaderError as Unloaded;
use std::sync::Arc;

/// `split_point!(chunk, [preload name,] pub fn f(args) -> T { body })`: an async `f` returning
/// `Result<T, Unloaded>`, whose body goes to the module `chatout-<chunk>.wasm` in the release
/// build. The preload function fetches that module without calling anything.
macro_rules! split_point {
    ($chunk:ident, $($preload:ident,)? $(#[$attr:meta])* pub fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty $body:block) => {
        $(#[$attr])*
        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible $(, preload($preload))?)]
        pub fn $name($($arg: $ty),*) -> Result<$ret, Unloaded> { Ok($body) }

        $(#[$attr])*
        #[cfg(not(feature = "split"))]
        pub async fn $name($($arg: $ty),*) -> Result<$ret, Unloaded> { Ok($body) }

        $(
            /// Fetches the module without calling into it (nothing to fetch without the split).
            #[cfg(not(feature = "split"))]
            pub async fn $preload() -> Result<(), Unloaded> { Ok(()) }
        )?
    };
}

split_point!(
    checkout,
    preload_checkout,
    /// The checkout form.
    pub fn checkout_page() -> AnyView {
        crate::components::checkout_page()
    }
);

split_point!(
    checkout,
    /// The step after the hand-off to WhatsApp.
    pub fn sent_page(order: SentOrder) -> AnyView {
        crate::components::sent_page(order)
    }
);

split_point!(
    notify,
    /// "Tell me when it's back".
    pub fn notify_page(product: NotifyProduct) -> AnyView {
        crate::components::notify_page(product)
    }
);

split_point!(
    schema,
    /// "Order on WhatsApp" buttons for the page's schema.org products (`data-products="auto"`).
    pub fn add_schema_buttons(config: Arc<Config>) -> () {
        crate::embed::schema::add_buttons(&config)
    }
);

split_point!(
    schema,
    /// A variant chosen beside a schema.org product's button.
    pub fn schema_variant(select: web_sys::Element) -> () {
        crate::embed::schema::on_variant(&select)
    }
);
