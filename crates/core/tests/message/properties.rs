//! Properties over arbitrary Unicode: the link decodes to exactly the message, and no text a
//! shopper or host page controls can add a line or WhatsApp formatting.

use crate::fixtures::*;
use chatout_core::text::MARKUP;
use chatout_core::*;
use percent_encoding::percent_decode_str;
use proptest::prelude::*;

fn decoded_text(url: &str) -> String {
    let (_, encoded) = url.split_once("?text=").expect("text parameter");
    percent_decode_str(encoded)
        .decode_utf8()
        .expect("UTF-8")
        .into_owned()
}

/// Arbitrary text that still passes field validation (non-empty after trimming, within limits).
fn field(max: usize) -> impl Strategy<Value = String> {
    any::<String>().prop_map(move |s| {
        let s: String = s.chars().take(max).collect();
        if s.trim().is_empty() {
            format!("x{s}")
        } else {
            s
        }
    })
}

fn order_from(
    name: &str,
    option: &str,
    address: &str,
    note: &str,
    customer: &str,
) -> Option<Order> {
    let mut cart = Cart::new(eur());
    let options = ProductOptions::from_pairs(vec![("Colour".into(), option.to_string())]).ok()?;
    cart.add(NewItem {
        sku: Sku::parse("sku-1").ok()?,
        name: ProductName::parse(name).ok()?,
        options,
        unit_price: Money::parse_major("29.90", eur()).ok()?,
        quantity: Quantity::new(2, 10).ok()?,
        max_quantity: 10,
        url: None,
        image: None,
        category: None,
    })
    .ok()?;
    let input = CheckoutInput {
        name: customer.to_string(),
        address: address.to_string(),
        note: note.to_string(),
        ..input()
    };
    Some(order_with(&cart, &input, true))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_link_decodes_to_exactly_the_rendered_message(
        name in field(200), option in field(60), address in field(300),
        note in field(500), customer in field(100),
    ) {
        if let Some(order) = order_from(&name, &option, &address, &note, &customer) {
            let labels = Labels::for_locale("nl");
            let text = render_summary(&order, &labels);
            prop_assert_eq!(decoded_text(&whatsapp_url(&shop_phone(), &text)), text);
        }
    }

    #[test]
    fn user_text_cannot_add_lines_or_markup(
        name in field(200), option in field(60), address in field(300),
        note in field(500), customer in field(100),
    ) {
        let hostile = order_from(&name, &option, &address, &note, &customer);
        let plain = order_from("x", "x", "x", "x", "x").unwrap();
        if let Some(order) = hostile {
            let labels = Labels::for_locale("en");
            let text = render_summary(&order, &labels);
            let baseline = render_summary(&plain, &labels);
            prop_assert_eq!(text.lines().count(), baseline.lines().count());
            // Every '*' in the message is one of ours: same count as with harmless text.
            for mark in MARKUP {
                prop_assert_eq!(text.matches(mark).count(), baseline.matches(mark).count());
            }
        }
    }

    #[test]
    fn any_price_text_either_parses_exactly_or_is_refused(text in "\\PC{0,12}") {
        if let Ok(money) = Money::parse_major(&text, eur()) {
            let back = Money::parse_major(&money.to_decimal_string(), eur()).unwrap();
            prop_assert_eq!(back, money);
            prop_assert!(text.trim().bytes().all(|b| b.is_ascii_digit() || b == b'.'));
        }
    }

    #[test]
    fn any_phone_text_never_panics_and_normalises_to_digits(text in "[0-9 +()./a-z-]{0,24}") {
        if let Ok(phone) = PhoneNumber::parse(&text, Some(shop_phone().calling_code())) {
            prop_assert!(phone.digits().bytes().all(|b| b.is_ascii_digit()));
            prop_assert!((8..=15).contains(&phone.digits().len()));
        }
    }
}
