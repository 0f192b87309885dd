use super::read::sold_out;
use super::*;

#[test]
fn availability_and_variant_names_read_as_shops_write_them() {
    assert!(sold_out(Some("http://schema.org/OutOfStock")));
    assert!(sold_out(Some("https://schema.org/SoldOut")));
    assert!(sold_out(Some("schema:Discontinued")));
    assert!(!sold_out(Some("http://schema.org/InStock")));
    assert!(!sold_out(None));
    let offer = |name: &str| Offer {
        sku: "TOTE-BLK".into(),
        name: name.into(),
        price: "17.50".into(),
        available: true,
        url: None,
    };
    assert_eq!(
        variant_label(&offer("Canvas tote"), "Canvas tote"),
        "TOTE-BLK"
    );
    assert_eq!(
        variant_label(&offer("Canvas tote - Black"), "Canvas tote"),
        "Black"
    );
    assert_eq!(variant_label(&offer("Black"), "Canvas tote"), "Black");
}
