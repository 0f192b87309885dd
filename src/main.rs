//! The wasm entry point that Trunk builds as `chatout-widget`.

fn main() {
    chatout::start();
}
