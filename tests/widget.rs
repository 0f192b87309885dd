//! The widget in a real browser (headless Chromium via wasm-bindgen-test): host-page buttons,
//! the cart panel, validation messages and persistence across remounts.
#![cfg(target_arch = "wasm32")]

use chatout::config::{Config, RawConfig};
use chatout::mount_widget;
use chatout::storage::CART_KEY;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// The configuration the widget mounts with, money written as the browser's `Intl` writes it.
fn config(locale: &str) -> Config {
    let attributes = [
        ("phone", "+31 6 1234 5678"),
        ("shop", "Test Shop"),
        ("currency", "EUR"),
        ("locale", locale),
        ("payment", "bank_transfer cash_on_delivery"),
        ("delivery", "shipping pickup"),
    ];
    Config::try_from(RawConfig {
        attributes: attributes
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        json: None,
        browser_locale: None,
    })
    .map(chatout::with_browser_money_style)
    .unwrap()
}

/// A fresh page area: empty storage, a product button on the "host page", a mount point.
struct Page {
    root: HtmlElement,
}

impl Page {
    fn new() -> Self {
        web_sys::window()
            .unwrap()
            .local_storage()
            .unwrap()
            .unwrap()
            .clear()
            .unwrap();
        let root: HtmlElement = document().create_element("div").unwrap().unchecked_into();
        root.set_inner_html(
            r#"<button id="add-shirt" data-chatout-add data-sku="shirt" data-name="Linen shirt"
                       data-price="29.90" data-options="Size=M" data-max-quantity="3">Add</button>
               <button id="add-bad" data-chatout-add data-sku="bad" data-name="Bad" data-price="19,99">Add</button>
               <span id="count" data-chatout-count></span>
               <span id="subtotal" data-chatout-subtotal></span>
               <div id="mount"></div>"#,
        );
        document().body().unwrap().append_child(&root).unwrap();
        Self { root }
    }

    fn mount_point(&self) -> HtmlElement {
        self.find("#mount").unchecked_into()
    }

    fn find(&self, selector: &str) -> Element {
        self.root
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("nothing matches {selector}"))
    }

    fn all(&self, selector: &str) -> Vec<Element> {
        let list = self.root.query_selector_all(selector).unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().unchecked_into())
            .collect()
    }

    fn text(&self, selector: &str) -> String {
        self.find(selector)
            .text_content()
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    fn click(&self, selector: &str) {
        self.find(selector).unchecked_into::<HtmlElement>().click();
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        self.root.remove();
    }
}

#[wasm_bindgen_test]
async fn a_host_button_adds_to_the_cart_and_updates_count_and_subtotal() {
    let page = Page::new();
    let _widget = mount_widget(page.mount_point(), config("en"));
    tick().await;

    page.click("#add-shirt");
    page.click("#add-shirt");
    tick().await;

    assert_eq!(
        page.all(".chatout-line").len(),
        1,
        "same sku and options make one line"
    );
    assert_eq!(page.text(".chatout-line-name"), "Linen shirt");
    assert_eq!(page.text("[data-testid=quantity]"), "2");
    assert_eq!(page.text("#count"), "2");
    assert_eq!(page.text("#subtotal"), "€59.80");
    assert_eq!(page.text(".chatout-badge"), "2");
}

#[wasm_bindgen_test]
async fn the_stepper_changes_quantity_within_the_maximum() {
    let page = Page::new();
    let _widget = mount_widget(page.mount_point(), config("en"));
    page.click("#add-shirt");
    tick().await;

    let increase = "button[aria-label='One more: Linen shirt']";
    page.click(increase);
    page.click(increase);
    tick().await;
    assert_eq!(page.text("[data-testid=quantity]"), "3");
    assert_eq!(page.text("[data-testid=subtotal]"), "€89.70");
    assert!(
        page.find(increase).has_attribute("disabled"),
        "max-quantity 3 reached"
    );

    page.click("button[aria-label='One less: Linen shirt']");
    tick().await;
    assert_eq!(page.text("[data-testid=quantity]"), "2");

    page.click("button[aria-label='Remove: Linen shirt']");
    tick().await;
    assert!(page.all(".chatout-line").is_empty());
    assert_eq!(page.text(".chatout-empty p"), "Your cart is empty.");
}

#[wasm_bindgen_test]
async fn a_malformed_price_adds_nothing() {
    let page = Page::new();
    let _widget = mount_widget(page.mount_point(), config("en"));
    tick().await;
    page.click("#add-bad");
    tick().await;
    assert_eq!(page.text("#count"), "0");
    assert!(
        page.all(".chatout-panel").is_empty(),
        "the panel stays closed"
    );
}

#[wasm_bindgen_test]
async fn checkout_shows_localised_validation_messages() {
    let page = Page::new();
    let mut dutch = config("nl-NL");
    let table = chatout::json::parse(include_str!("../crates/core/labels/nl.json")).unwrap();
    let table: Vec<(String, String)> = table
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    dutch.translate(&table).unwrap();
    let _widget = mount_widget(page.mount_point(), dutch);
    page.click("#add-shirt");
    tick().await;
    page.click(".chatout-summary .chatout-primary");
    tick().await;

    // Nothing filled in, two payment options and none chosen.
    page.click(".chatout-send");
    tick().await;
    let errors: Vec<String> = page
        .all(".chatout-error")
        .iter()
        .map(|e| e.text_content().unwrap_or_default())
        .collect();
    assert!(errors.contains(&"Vul dit in.".to_string()), "{errors:?}");
    assert!(
        errors.contains(&"Kies een van de opties.".to_string()),
        "{errors:?}"
    );
    assert_eq!(
        page.find("#chatout-name")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    // The message is the one the field points screen readers to.
    let described = page.find("#chatout-name").get_attribute("aria-describedby");
    assert_eq!(described.as_deref(), Some("chatout-name-error"));
    assert_eq!(page.text("#chatout-name-error"), "Vul dit in.");
    assert_eq!(
        page.find("#chatout-email")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("false"),
        "an empty optional field is fine"
    );
    assert_eq!(page.all(".chatout-line").len(), 0, "still on the form");
    assert_eq!(page.text("#count"), "1", "the cart is untouched");

    // Pickup needs no address: choosing it removes the address field.
    page.click("input[name=chatout-delivery][value=pickup]");
    tick().await;
    assert!(page.all("#chatout-address").is_empty());
}

#[wasm_bindgen_test]
async fn the_cart_survives_a_remount() {
    let page = Page::new();
    let widget = mount_widget(page.mount_point(), config("en"));
    page.click("#add-shirt");
    tick().await;
    drop(widget);
    tick().await;

    // A page reload mounts a fresh widget: it must find the same line.
    let _widget = mount_widget(page.mount_point(), config("en"));
    tick().await;
    page.click(".chatout-launcher");
    tick().await;
    assert_eq!(page.text(".chatout-line-name"), "Linen shirt");
    assert_eq!(page.text("#count"), "1");
}

#[wasm_bindgen_test]
async fn corrupt_storage_is_discarded_without_breaking() {
    let page = Page::new();
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage
        .set_item(CART_KEY, "{\"version\":1,\"cart\":{\"lines\":[")
        .unwrap();
    let _widget = mount_widget(page.mount_point(), config("en"));
    tick().await;
    assert_eq!(
        storage.get_item(CART_KEY).unwrap(),
        None,
        "the corrupt entry is removed"
    );

    page.click("#add-shirt");
    tick().await;
    assert_eq!(
        page.text("#count"),
        "1",
        "the widget works after discarding"
    );
}

#[wasm_bindgen_test]
fn a_shopper_keeps_one_agent_draw_for_the_page_whatever_storage_does() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let first = chatout::storage::shopper_draw();
    // Storage that forgets or changes the draw (private modes, another tab's reset) must not
    // send the order to another agent than the one the panel named.
    storage
        .set_item("chatout.draw.v1", &first.wrapping_add(1).to_string())
        .unwrap();
    assert_eq!(chatout::storage::shopper_draw(), first);
    storage.remove_item("chatout.draw.v1").unwrap();
    assert_eq!(chatout::storage::shopper_draw(), first);
}
