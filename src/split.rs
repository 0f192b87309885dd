//! Split points: code the release build (`cargo xtask dist`, feature `split`) moves out of
//! the main wasm into modules of its own, fetched on first use. The panel opens with the main
//! module alone; the checkout form, the sent step, the back-in-stock form
//! (`components::{checkout_page, sent_page, notify_page}`) and the schema.org reader
//! (`embed::schema::{add_schema_buttons, schema_variant}`) come after it. `trunk serve` and the
//! tests build without the feature: the same functions, called directly.
//!
//! Each split point is declared beside the code it loads, so this module names none of it
//! and depends on nothing of the widget's.
//!
//! A module that cannot be fetched (offline, blocked) is an `Err`, never a panic: the caller
//! says so and a later call fetches again.

pub use leptos::wasm_split::SplitLoaderError as Unloaded;

/// `split_point!(chunk, [preload name,] pub fn f(args) -> T { body })`: an async `f` returning
/// `Result<T, Unloaded>`, whose body goes to the module `chatout-<chunk>.wasm` in the release
/// build. The preload function fetches that module without calling anything.
macro_rules! split_point {
    ($chunk:ident, $($preload:ident,)? $(#[$attr:meta])* pub fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty $body:block) => {
        $(#[$attr])*
        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible $(, preload($preload))?)]
        pub fn $name($($arg: $ty),*) -> Result<$ret, $crate::split::Unloaded> { Ok($body) }

        $(#[$attr])*
        #[cfg(not(feature = "split"))]
        pub async fn $name($($arg: $ty),*) -> Result<$ret, $crate::split::Unloaded> { Ok($body) }

        $(
            /// Fetches the module without calling into it (nothing to fetch without the split).
            #[cfg(not(feature = "split"))]
            pub async fn $preload() -> Result<(), $crate::split::Unloaded> { Ok(()) }
        )?
    };
}
pub(crate) use split_point;
