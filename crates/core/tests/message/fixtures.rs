//! A fixed order that the golden and property tests share.

use chatout_core::*;

pub fn eur() -> Currency {
    Currency::from_code("EUR").unwrap()
}

pub fn shop_phone() -> PhoneNumber {
    PhoneNumber::parse("+31 6 1234 5678", None).unwrap()
}

pub fn rules() -> ShopRules {
    ShopRules {
        payments: ["bank_transfer", "cash_on_delivery"]
            .iter()
            .map(|id| PaymentPreference::parse(id).unwrap())
            .collect(),
        deliveries: vec![DeliveryMethod::Shipping, DeliveryMethod::Pickup],
        default_country: Some(shop_phone().calling_code()),
    }
}

pub fn item(sku: &str, name: &str, options: &str, price: &str, quantity: i64) -> NewItem {
    NewItem {
        sku: Sku::parse(sku).unwrap(),
        name: ProductName::parse(name).unwrap(),
        options: ProductOptions::parse(options).unwrap(),
        unit_price: Money::parse_major(price, eur()).unwrap(),
        quantity: Quantity::new(quantity, 99).unwrap(),
        max_quantity: 99,
        url: None,
        image: None,
        category: None,
    }
}

pub fn input() -> CheckoutInput {
    CheckoutInput {
        name: "Anna de Vries".into(),
        phone: "06 1234 5678".into(),
        email: "anna@example.nl".into(),
        delivery: "shipping".into(),
        address: "Keizersgracht 1, 1015 Amsterdam".into(),
        payment: "bank_transfer".into(),
        note: "Gift wrap, please".into(),
    }
}

/// Two shirts with options, three tea samples (0.10 × 3 tests exact rounding), a candle.
pub fn order_with(cart: &Cart, input: &CheckoutInput, consent: bool) -> Order {
    let details = input.validate(&rules()).unwrap();
    let consent = consent.then(|| Consent {
        text: "Send me order updates on WhatsApp".into(),
        at: "2026-11-21T10:00:00Z".into(),
    });
    Order::new(
        "Demo Shop",
        OrderReference::parse("K7F3-9Q2M").unwrap(),
        cart,
        details,
        Some("Ships in 2-4 working days; shipping cost confirmed in chat"),
        consent,
    )
    .unwrap()
}

pub fn demo_cart() -> Cart {
    let mut cart = Cart::new(eur());
    cart.add(item(
        "shirt-linen",
        "Linen shirt",
        "Size=M;Colour=Sand",
        "29.90",
        2,
    ))
    .unwrap();
    cart.add(item("tea-sample", "Tea sample", "", "0.10", 3))
        .unwrap();
    cart.add(item("candle", "Soy candle", "Scent=Fig", "19.99", 1))
        .unwrap();
    cart
}
