//! Render the order message and its wa.me link for a 100-line cart (target: ≤ 50 µs).

use chatout_core::*;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn hundred_line_order() -> (PhoneNumber, Order) {
    let eur = Currency::from_code("EUR").expect("EUR");
    let mut cart = Cart::new(eur);
    for i in 0..100 {
        cart.add(NewItem {
            sku: Sku::parse(&format!("sku-{i}")).expect("sku"),
            name: ProductName::parse(&format!("Linen shirt *{i}* with a longer name"))
                .expect("name"),
            options: ProductOptions::parse("Size=M;Colour=Sand").expect("options"),
            unit_price: Money::parse_major("29.90", eur).expect("price"),
            quantity: Quantity::new(2, 10).expect("quantity"),
            max_quantity: 10,
            url: None,
            image: None,
            category: None,
        })
        .expect("add");
    }
    let phone = PhoneNumber::parse("+31 6 1234 5678", None).expect("phone");
    let rules = ShopRules {
        payments: vec![PaymentPreference::parse("bank_transfer").expect("payment")],
        deliveries: vec![DeliveryMethod::Shipping],
        default_country: Some(phone.calling_code()),
    };
    let details = CheckoutInput {
        name: "Anna de Vries".into(),
        phone: "06 1234 5678".into(),
        email: "anna@example.nl".into(),
        delivery: "shipping".into(),
        address: "Keizersgracht 1, 1015 Amsterdam".into(),
        payment: "bank_transfer".into(),
        note: "Gift wrap, please".into(),
    }
    .validate(&rules)
    .expect("valid");
    let reference = OrderReference::from_random_bytes([9, 8, 7, 6, 5, 4, 3, 2]);
    let order = Order::new("Demo Shop", reference, &cart, details, None, None).expect("order");
    (phone, order)
}

fn bench_summary(c: &mut Criterion) {
    let (phone, order) = hundred_line_order();
    let labels = Labels::for_locale("nl-NL");
    c.bench_function("render_summary + whatsapp_url, 100 lines", |b| {
        b.iter(|| {
            let text = render_summary(black_box(&order), black_box(&labels));
            whatsapp_url(black_box(&phone), &text)
        })
    });
    c.bench_function("order_message (budget, compact fallback), 100 lines", |b| {
        b.iter(|| order_message(black_box(&phone), black_box(&order), &labels, URL_BUDGET))
    });
}

criterion_group!(benches, bench_summary);
criterion_main!(benches);
