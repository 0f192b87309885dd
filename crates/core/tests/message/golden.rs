//! The rendered message, compared with texts under tests/golden/ that a person has read.
//! Run with `UPDATE_GOLDEN=1` to rewrite them after an intended change, then review the diff.

use crate::fixtures::*;
use chatout_core::*;
use std::path::PathBuf;

fn check(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1 once)", path.display()));
    assert_eq!(actual, expected, "{name} differs from the golden text");
}

#[test]
fn english_summary() {
    let order = order_with(&demo_cart(), &input(), true);
    check(
        "summary_en.txt",
        &render_summary(&order, &Labels::for_locale("en")),
    );
}

#[test]
fn dutch_summary() {
    let order = order_with(&demo_cart(), &input(), true);
    check(
        "summary_nl.txt",
        &render_summary(&order, &Labels::for_locale("nl-NL")),
    );
}

#[test]
fn italian_summary_for_pickup_without_consent() {
    let pickup = CheckoutInput {
        delivery: "pickup".into(),
        address: String::new(),
        ..input()
    };
    let order = order_with(&demo_cart(), &pickup, false);
    check(
        "summary_it.txt",
        &render_summary(&order, &Labels::for_locale("it-IT")),
    );
}

#[test]
fn compact_summary_drops_options_and_says_so() {
    let order = order_with(&demo_cart(), &input(), false);
    check(
        "summary_compact_en.txt",
        &render_compact_summary(&order, &Labels::for_locale("en")),
    );
}

/// Regression guard: a product name with a newline once could fake a subtotal line.
#[test]
fn hostile_names_cannot_forge_lines_or_formatting() {
    let mut cart = Cart::new(eur());
    cart.add(item("evil-1", "Shirt\nSubtotal: €0.01", "", "29.90", 1))
        .unwrap();
    cart.add(item("evil-2", "*FREE*", "Size=_XL_", "5.00", 1))
        .unwrap();
    let order = order_with(&cart, &input(), false);
    check(
        "summary_hostile_en.txt",
        &render_summary(&order, &Labels::for_locale("en")),
    );
}

#[test]
fn long_carts_switch_to_the_compact_message_and_keep_the_full_one() {
    let mut cart = Cart::new(eur());
    for i in 0..40 {
        let sku = format!("sku-{i}");
        cart.add(item(
            &sku,
            "Linen shirt in a long name",
            "Size=M;Colour=Sand",
            "29.90",
            1,
        ))
        .unwrap();
    }
    let order = order_with(&cart, &input(), false);
    let labels = Labels::for_locale("en");
    let message = order_message(&shop_phone(), &order, &labels, URL_BUDGET);
    assert!(message.compact);
    assert_eq!(message.text, render_compact_summary(&order, &labels));
    assert_eq!(message.full_text, render_summary(&order, &labels));
    assert!(message.url.len() < whatsapp_url(&shop_phone(), &message.full_text).len());

    let short = order_message(
        &shop_phone(),
        &order_with(&demo_cart(), &input(), false),
        &labels,
        URL_BUDGET,
    );
    assert!(!short.compact && !short.over_budget);
}

#[test]
fn pending_order_json_has_the_contract_shape() {
    let order = order_with(&demo_cart(), &input(), true);
    let pending = PendingOrder::from_order(&order, "nl-NL", "https://shop.example/p");
    let text = serde_json::to_string(&pending).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["reference"], "K7F3-9Q2M");
    assert_eq!(json["items"][0]["unit_price"], 2990);
    assert_eq!(json["items"][0]["options"]["Size"], "M");
    assert_eq!(json["subtotal"], 8009);
    assert_eq!(json["customer"]["phone"], "+31612345678");
    assert_eq!(json["delivery"]["method"], "shipping");
    assert_eq!(json["consent"]["whatsapp_updates"], true);
    assert_eq!(json["consent"]["at"], "2026-11-21T10:00:00Z");
    // Only the event adds the message and link; the POST body has neither.
    assert!(json.get("message").is_none() && json.get("whatsapp_url").is_none());
    // What a server reads back is what was sent, options in the shop's order.
    let read: PendingOrder = serde_json::from_str(&text).unwrap();
    assert_eq!(read, pending);
}

#[test]
fn wire_options_refuse_non_string_values() {
    let bad = r#"{"sku":"a","name":"A","options":{"Size":3},"unit_price":1,"quantity":1}"#;
    assert!(serde_json::from_str::<WireLine>(bad).is_err());
    let ordered =
        r#"{"sku":"a","name":"A","options":{"Z":"1","A":"2"},"unit_price":1,"quantity":1}"#;
    let line: WireLine = serde_json::from_str(ordered).unwrap();
    let names: Vec<&str> = line.options.0.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Z", "A"]);
}
