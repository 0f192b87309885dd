use super::*;
use crate::wire::{OptionsObject, WireLine};

const GOOD: &str = r#"{"currency":"EUR",
    "shop":{"name":"Zeegras Home","phone":"+31 6 1234 5678","payments":["bank_transfer","ideal"],
            "deliveries":["shipping","pickup"],"payment_labels":{"ideal":"iDEAL"}},
    "products":[{"sku":"shirt-linen","name":"Linen shirt","price":"29.90","stock":12,
        "options":{"Size":{"S":"0","M":"0","XL":"+2.00"},"Colour":{"Sand":"0","Navy":"-1.00"}}},
        {"sku":"tea","name":"Tea sample","price":"0.10"}]}"#;

fn options(text: &str) -> ProductOptions {
    ProductOptions::parse(text).unwrap()
}

#[test]
fn prices_include_option_deltas() {
    let catalog = Catalog::from_json(GOOD).unwrap();
    let price = |sku, o| {
        catalog
            .unit_price(sku, &options(o))
            .map(|m| m.minor_units())
    };
    assert_eq!(price("shirt-linen", "Size=M;Colour=Sand"), Ok(2990));
    assert_eq!(price("shirt-linen", "Colour=Navy;Size=XL"), Ok(3090));
    assert_eq!(price("tea", ""), Ok(10));
    assert_eq!(price("nope", ""), Err(PriceError::UnknownSku));
    assert!(matches!(
        price("shirt-linen", "Size=M"),
        Err(PriceError::MissingOption(_))
    ));
    assert!(matches!(
        price("shirt-linen", "Size=XXL;Colour=Sand"),
        Err(PriceError::UnknownOption(_))
    ));
    assert!(matches!(
        price("tea", "Size=M"),
        Err(PriceError::UnknownOption(_))
    ));
    assert_eq!(catalog.product("tea").unwrap().stock, None);
}

#[test]
fn repricing_uses_catalog_names_and_prices() {
    let catalog = Catalog::from_json(GOOD).unwrap();
    let line = |sku: &str, options: &[(&str, &str)], price, quantity| WireLine {
        sku: sku.into(),
        name: "Whatever the page said".into(),
        options: OptionsObject(
            options
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        ),
        unit_price: price,
        quantity,
    };
    let fair = catalog.reprice(&[line(
        "shirt-linen",
        &[("Size", "XL"), ("Colour", "Sand")],
        3190,
        2,
    )]);
    assert!(!fair.price_changed && !fair.unknown_sku && fair.errors.is_empty());
    assert_eq!(fair.lines[0].name.as_str(), "Linen shirt");
    let tampered = catalog.reprice(&[line("tea", &[], 1, 3), line("ghost", &[], 5, 1)]);
    assert!(tampered.price_changed && tampered.unknown_sku);
    assert_eq!(tampered.lines.len(), 1);
    assert_eq!(tampered.lines[0].unit_price.minor_units(), 10);
    let bad = catalog.reprice(&[
        line("tea", &[], 10, 0),
        line("shirt-linen", &[("Size", "M")], 2990, 1),
    ]);
    let fields: Vec<&str> = bad.errors.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(fields, ["items[0].quantity", "items[1].options"]);
}

/// The catalog of docs/CONTRACT.md section 6, as written there, with bank transfer details.
#[test]
fn the_contract_s_catalog_reads() {
    let catalog = Catalog::from_json(
        r#"{"currency":"EUR",
         "shop":{"name":"Zeegras Home","phone":"+31 6 1234 5678","shipping_note":"Ships in 2-4 working days",
                 "payments":["bank_transfer","payment_link"],"deliveries":["shipping","pickup"],
                 "payment_labels":{"payment_link":"iDEAL / card (payment link)"},
                 "bank_transfer":"NL91 ABNA 0417 1643 00, Zeegras Home; write your order reference"},
         "products":[{"sku":"shirt-linen","name":"Linen shirt","price":"29.90","stock":12,
                      "url":"https://shop.example/p/shirt-linen","image":"https://shop.example/i/shirt.jpg",
                      "category":"shirts",
                      "options":{"Size":{"S":"0","M":"0","XL":"+2.00"},"Colour":{"Sand":"0","Navy":"0"}}}]}"#,
    )
    .unwrap();
    let shirt = &catalog.products[0];
    assert_eq!(
        shirt.url.as_deref(),
        Some("https://shop.example/p/shirt-linen")
    );
    assert_eq!(shirt.category.as_deref(), Some("shirts"));
    assert!(catalog
        .shop
        .bank_transfer
        .as_deref()
        .unwrap()
        .starts_with("NL91"));
    let bad = Catalog::from_json(
        r#"{"currency":"EUR","shop":{"name":"S","phone":"+31612345678"},
            "products":[{"sku":"a","name":"A","price":"1","url":"javascript:alert(1)"}]}"#,
    )
    .unwrap_err();
    assert!(bad.to_string().contains("products[0].url"), "{bad}");
}

/// Issue 27 item 10: `shirt-linen:M:Sand` (the catalog's own order, Size then Colour)
/// was refused; only the sorted names (`shirt-linen:Sand:M`) were read.
#[test]
fn whatsapp_catalog_ids_may_list_options_in_the_catalogs_own_order() {
    let catalog = Catalog::from_json(
        r#"{"currency":"EUR","shop":{"name":"S","phone":"+31612345678",
            "payments":["bank_transfer"],"deliveries":["pickup"]},
            "products":[{"sku":"shirt-linen","name":"Linen shirt","price":"29.90",
               "options":{"Size":{"M":"0","XL":"2"},"Colour":{"Sand":"0","Navy":"0"}}}]}"#,
    )
    .unwrap();
    let names: Vec<&str> = catalog.products[0]
        .options
        .iter()
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(names, ["Size", "Colour"], "kept in the catalog's order");
    let sorted = [
        ("Colour".to_string(), "Sand".to_string()),
        ("Size".to_string(), "M".to_string()),
    ];
    for id in ["shirt-linen:M:Sand", "shirt-linen:Sand:M"] {
        let (shirt, pairs) = catalog.by_retailer_id(id).unwrap();
        assert_eq!(shirt.sku.as_str(), "shirt-linen");
        assert_eq!(pairs.0, sorted, "{id}");
    }
    assert_eq!(
        catalog.by_retailer_id("shirt-linen:M:Blue").unwrap_err(),
        PriceError::UnknownOption("Colour=M".into()),
        "a value neither order knows is named as the sorted order reads it"
    );
    assert!(catalog.by_retailer_id("shirt-linen:M:M").is_err());
}

#[test]
fn whatsapp_catalog_ids_name_a_product_and_its_options() {
    let catalog = Catalog::from_json(
        r#"{"currency":"EUR","shop":{"name":"S","phone":"+31612345678",
            "payments":["bank_transfer"],"deliveries":["pickup"]},
            "products":[{"sku":"mug","name":"Mug","price":"12.50"},
              {"sku":"shirt","name":"Shirt","price":"29.90",
               "options":{"Size":{"M":"0","XL":"2"},"Colour":{"Sea blue":"0"}}}]}"#,
    )
    .unwrap();
    let (mug, none) = catalog.by_retailer_id("mug").unwrap();
    assert_eq!((mug.sku.as_str(), none.0.len()), ("mug", 0));
    let (shirt, pairs) = catalog.by_retailer_id("shirt:Sea blue:XL").unwrap();
    assert_eq!(shirt.sku.as_str(), "shirt");
    assert_eq!(
        pairs.0,
        [
            ("Colour".to_string(), "Sea blue".to_string()),
            ("Size".to_string(), "XL".to_string())
        ]
    );
    assert_eq!(
        catalog.by_retailer_id("shirt").unwrap_err(),
        PriceError::MissingOption("Colour".into())
    );
    assert_eq!(
        catalog.by_retailer_id("shirt:Sea blue").unwrap_err(),
        PriceError::MissingOption("Size".into())
    );
    assert_eq!(
        catalog.by_retailer_id("shirt:Sea blue:S").unwrap_err(),
        PriceError::UnknownOption("Size=S".into())
    );
    assert!(matches!(
        catalog.by_retailer_id("shirt:Sea blue:M:extra"),
        Err(PriceError::UnknownOption(_))
    ));
    assert_eq!(
        catalog.by_retailer_id("mug:XL").unwrap_err(),
        PriceError::UnknownOption("mug:XL".into())
    );
    assert_eq!(
        catalog.by_retailer_id("lamp").unwrap_err(),
        PriceError::UnknownSku
    );
}

#[test]
fn every_problem_is_reported_with_its_path() {
    let bad = r#"{"currency":"EUR","shop":{"name":"","phone":"call us"},
        "products":[{"sku":"a b","name":"A","price":"1,50","stock":-1,
                     "options":{"Size":{"M":"plus two"}}},
                    {"sku":"tea","name":"Tea","price":"1"},{"sku":"tea","name":"Tea","price":"1"}]}"#;
    let CatalogError(problems) = Catalog::from_json(bad).unwrap_err();
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    for expected in [
        "shop.name",
        "shop.phone",
        "products[0].sku",
        "products[0].price",
        "products[0].stock",
        "products[0].options.Size.M",
        "products[2].sku",
    ] {
        assert!(
            paths.contains(&expected),
            "{expected} missing from {paths:?}"
        );
    }
}

#[test]
fn syntax_errors_name_the_line() {
    let err = Catalog::from_json("{\n\"currency\": }").unwrap_err();
    assert!(err.0[0].path.starts_with("line 2"), "{err}");
    let unknown = GOOD.replace("\"stock\":12", "\"stok\":12");
    assert!(Catalog::from_json(&unknown).is_err());
}

#[test]
fn a_negative_total_price_is_refused() {
    let text = GOOD.replace("\"-1.00\"", "\"-40.00\"");
    let catalog = Catalog::from_json(&text).unwrap();
    assert!(catalog
        .unit_price("shirt-linen", &options("Size=M;Colour=Navy"))
        .is_err());
}
