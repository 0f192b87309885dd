//! `GET /api/openapi.json`: the HTTP contract (`openapi.json`), with what this shop's catalog
//! decides written in: the one currency, and the payment and delivery ids it takes. A
//! document looser than the server invites requests it refuses (schemathesis ST202).

use chatout_core::Catalog;
use serde_json::{json, Value};

/// The document as written in the repository.
const DOCUMENT: &str = include_str!("../../openapi.json");

/// The document for `catalog`'s shop; `None` if the file in the binary does not read (a
/// build mistake the integration tests catch).
pub fn document(catalog: &Catalog) -> Option<Value> {
    let mut doc: Value = serde_json::from_str(DOCUMENT).ok()?;
    let shop = &catalog.shop;
    let payments: Vec<&str> = shop.payments.iter().map(|p| p.id()).collect();
    let deliveries: Vec<&str> = shop.deliveries.iter().map(|d| d.id()).collect();
    let order = "/components/schemas/PendingOrder/properties";
    for (at, values) in [
        (
            format!("{order}/currency"),
            json!([catalog.currency.code()]),
        ),
        (format!("{order}/payment"), json!(payments)),
        (
            format!("{order}/delivery/properties/method"),
            json!(deliveries),
        ),
    ] {
        if let Some(schema) = doc.pointer_mut(&at).and_then(Value::as_object_mut) {
            schema.insert("enum".into(), values);
        }
    }
    Some(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_names_this_shops_currency_payments_and_deliveries() {
        let catalog = Catalog::from_json(crate::DEMO_CATALOG).unwrap();
        let doc = document(&catalog).expect("openapi.json reads");
        let order = &doc["components"]["schemas"]["PendingOrder"]["properties"];
        assert_eq!(order["currency"]["enum"], json!([catalog.currency.code()]));
        assert_eq!(
            order["payment"]["enum"].as_array().map(Vec::len),
            Some(catalog.shop.payments.len())
        );
        assert!(order["delivery"]["properties"]["method"]["enum"].is_array());
    }
}
