use super::*;

fn eur() -> Currency {
    Currency::from_code("EUR").unwrap()
}

fn item(sku: &str, options: &str, price: &str, quantity: i64) -> NewItem {
    NewItem {
        sku: Sku::parse(sku).unwrap(),
        name: ProductName::parse(sku).unwrap(),
        options: ProductOptions::parse(options).unwrap(),
        unit_price: Money::parse_major(price, eur()).unwrap(),
        quantity: Quantity::new(quantity, 10).unwrap(),
        max_quantity: 10,
        url: None,
        image: None,
        category: None,
    }
}

#[test]
fn same_sku_and_options_merge_into_one_line() {
    let mut cart = Cart::new(eur());
    let a = cart
        .add(item("shirt", "Size=M;Colour=Sand", "29.90", 1))
        .unwrap();
    let b = cart
        .add(item("shirt", "Colour=Sand;Size=M", "29.90", 2))
        .unwrap();
    assert_eq!(a.line, b.line);
    assert_eq!(cart.lines().len(), 1);
    assert_eq!(cart.item_count(), 3);
}

#[test]
fn other_options_make_another_line() {
    let mut cart = Cart::new(eur());
    cart.add(item("shirt", "Size=M", "29.90", 1)).unwrap();
    cart.add(item("shirt", "Size=L", "29.90", 1)).unwrap();
    assert_eq!(cart.lines().len(), 2);
}

#[test]
fn adding_past_the_maximum_caps_and_says_so() {
    let mut cart = Cart::new(eur());
    cart.add(item("mug", "", "12.00", 8)).unwrap();
    let added = cart.add(item("mug", "", "12.00", 5)).unwrap();
    assert!(added.capped);
    assert_eq!(cart.item_count(), 10);
}

#[test]
fn line_ids_are_stable_across_serialisation() {
    let mut cart = Cart::new(eur());
    let added = cart.add(item("shirt", "Size=M", "29.90", 1)).unwrap();
    let json = serde_json::to_string(&cart).unwrap();
    let restored: Cart = serde_json::from_str(&json).unwrap();
    assert_eq!(restored.lines()[0].id, added.line);
    assert_eq!(
        LineId::of(&restored.lines()[0].sku, &restored.lines()[0].options),
        added.line
    );
}

#[test]
fn stored_carts_are_checked_again() {
    let mut cart = Cart::new(eur());
    cart.add(item("mug", "", "12.00", 2)).unwrap();
    let json = serde_json::to_string(&cart).unwrap();
    let tampered = json.replace("\"quantity\":2", "\"quantity\":1000");
    assert!(serde_json::from_str::<Cart>(&tampered).is_err());
    let wrong_id = json.replace(cart.lines()[0].id.as_str(), "lforged");
    assert!(serde_json::from_str::<Cart>(&wrong_id).is_err());
}

/// A cart with every field set, and one with none of the optional ones.
fn full_cart() -> Cart {
    let mut cart = Cart::new(eur());
    let mut shirt = item("shirt", "Size=M;Colour=Sand", "29.90", 2);
    shirt.url = Some("/p/shirt?a=\"b\"".into());
    shirt.image = Some("https://shop.example/shirt.jpg".into());
    shirt.category = Some(Category::parse("clothing").unwrap());
    cart.add(shirt).unwrap();
    let mut mug = item("mug", "", "12.00", 1);
    mug.name = ProductName::parse("Mug <b>\"x\"</b>").unwrap();
    cart.add(mug).unwrap();
    cart
}

#[test]
fn the_stored_shape_without_serde_is_serdes() {
    let cart = full_cart();
    let ours = serde_json::Value::from(&cart.to_json());
    assert_eq!(ours, serde_json::to_value(&cart).unwrap());
    // Either reads what the other wrote.
    assert_eq!(
        Cart::from_json(&Json::from(serde_json::to_value(&cart).unwrap())),
        Ok(cart.clone())
    );
    assert_eq!(serde_json::from_value::<Cart>(ours).unwrap(), cart);
}

#[test]
fn stored_carts_without_serde_are_checked_again() {
    let cart = full_cart();
    let stored = serde_json::Value::from(&cart.to_json());
    let read = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut value = stored.clone();
        edit(&mut value);
        Cart::from_json(&Json::from(value))
    };
    let quantity = read(&|v| v["lines"][0]["quantity"] = 1000.into());
    assert!(quantity.unwrap_err().contains("cart.lines[0].quantity"));
    let forged = read(&|v| v["lines"][0]["id"] = "lforged".into());
    assert!(forged.unwrap_err().contains("lforged"));
    let price = read(&|v| v["lines"][1]["unit_price"]["minor"] = 1.5.into());
    assert_eq!(
        price.unwrap_err(),
        "cart.lines[1].unit_price.minor: not a whole number"
    );
    let huge = read(&|v| v["lines"][1]["unit_price"]["minor"] = 9_000_000_000_000_000i64.into());
    assert!(huge.unwrap_err().starts_with("cart.lines[1].unit_price:"));
    let sku = read(&|v| v["lines"][0]["sku"] = "".into());
    assert!(sku.unwrap_err().starts_with("cart.lines[0].sku:"));
    let options = read(&|v| v["lines"][0]["options"] = serde_json::json!([["Size"]]));
    assert_eq!(
        options.unwrap_err(),
        "cart.lines[0].options: not a list of pairs"
    );
    let currency = read(&|v| v["currency"] = "XXX1".into());
    assert!(currency.is_err());
    assert!(Cart::from_json(&Json::Null).is_err());
    assert_eq!(read(&|_| {}), Ok(cart));
}

#[test]
fn quantity_changes_respect_bounds_and_zero_removes() {
    let mut cart = Cart::new(eur());
    let id = cart.add(item("mug", "", "12.00", 1)).unwrap().line;
    cart.set_quantity(&id, 4).unwrap();
    assert_eq!(cart.item_count(), 4);
    assert!(cart.set_quantity(&id, 11).is_err());
    assert_eq!(cart.item_count(), 4);
    cart.set_quantity(&id, 0).unwrap();
    assert!(cart.is_empty());
    assert!(matches!(
        cart.set_quantity(&id, 1),
        Err(CartError::UnknownLine(_))
    ));
}

#[test]
fn subtotal_is_exact() {
    let mut cart = Cart::new(eur());
    cart.add(item("tea", "", "0.10", 3)).unwrap();
    cart.add(item("candle", "", "19.99", 3)).unwrap();
    assert_eq!(cart.subtotal().unwrap().minor_units(), 30 + 5997);
}

#[test]
fn another_currency_is_refused() {
    let mut cart = Cart::new(eur());
    let mut usd_item = item("mug", "", "1.00", 1);
    usd_item.unit_price = Money::parse_major("1.00", Currency::from_code("USD").unwrap()).unwrap();
    assert!(matches!(cart.add(usd_item), Err(CartError::Money(_))));
}

#[test]
fn remove_and_clear() {
    let mut cart = Cart::new(eur());
    let id = cart.add(item("mug", "", "12.00", 1)).unwrap().line;
    cart.add(item("tea", "", "0.10", 1)).unwrap();
    assert!(cart.remove(&id));
    assert!(!cart.remove(&id));
    cart.clear();
    assert!(cart.is_empty());
}

#[test]
fn server_corrections_reprice_cap_and_drop_lines() {
    let eur = Currency::from_code("EUR").unwrap();
    let mut cart = Cart::new(eur);
    let item = |sku: &str, price: i64, quantity: i64| NewItem {
        sku: Sku::parse(sku).unwrap(),
        name: ProductName::parse(sku).unwrap(),
        options: ProductOptions::default(),
        unit_price: Money::from_minor(price, eur).unwrap(),
        quantity: Quantity::new(quantity, 10).unwrap(),
        max_quantity: 10,
        url: None,
        image: None,
        category: None,
    };
    cart.add(item("shirt", 1, 2)).unwrap();
    cart.add(item("oil", 995, 5)).unwrap();
    cart.add(item("gone", 100, 1)).unwrap();
    let wire = |sku: &str, unit_price: i64, quantity: i64| crate::WireLine {
        sku: sku.into(),
        name: sku.into(),
        options: crate::OptionsObject::default(),
        unit_price,
        quantity,
    };

    let changed = cart.apply_corrections(&[wire("shirt", 2990, 2), wire("oil", 995, 3)]);

    assert!(changed);
    let lines: Vec<_> = cart
        .lines()
        .iter()
        .map(|l| (l.sku.as_str(), l.unit_price.minor_units(), l.quantity.get()))
        .collect();
    assert_eq!(lines, [("shirt", 2990, 2), ("oil", 995, 3)]);
    assert!(!cart.apply_corrections(&[wire("shirt", 2990, 2), wire("oil", 995, 3)]));
}
