use super::*;

#[test]
fn conflict_reasons_are_written_as_the_contract_names_them() {
    for (reason, name) in [
        (ConflictReason::PriceChanged, "price_changed"),
        (ConflictReason::OutOfStock, "out_of_stock"),
        (ConflictReason::UnknownSku, "unknown_sku"),
    ] {
        assert_eq!(reason.as_str(), name);
        assert_eq!(serde_json::to_value(reason).unwrap(), name);
        let read: ConflictReason = serde_json::from_value(name.into()).unwrap();
        assert_eq!((read, ConflictReason::parse(name)), (reason, Some(reason)));
    }
    assert!(serde_json::from_str::<ConflictReason>("\"sold_out\"").is_err());
    assert_eq!(ConflictReason::parse("sold_out"), None);
}

fn line(sku: &str, options: &[(&str, &str)]) -> WireLine {
    WireLine {
        sku: sku.into(),
        name: format!("{sku} <b>\"x\"</b>"),
        options: OptionsObject(
            options
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        ),
        unit_price: 2990,
        quantity: 2,
    }
}

#[test]
fn the_order_without_serde_is_what_the_server_reads() {
    let consent = |text: &str| WireConsent {
        whatsapp_updates: true,
        text: text.into(),
        at: Some("2026-12-01T10:00:00+01:00".into()),
        marketing: None,
    };
    let full = PendingOrder {
        reference: "7K3-QX9P".into(),
        currency: "EUR".into(),
        locale: "nl-NL".into(),
        // In name order: serde_json's values (the test's reader) sort keys.
        items: vec![
            line("shirt", &[("Colour", "Sand"), ("Size", "M")]),
            line("mug", &[]),
        ],
        subtotal: 11960,
        customer: WireCustomer {
            name: "Anna".into(),
            phone: Some("+31612345678".into()),
            email: Some("anna@example.nl".into()),
        },
        delivery: WireDelivery {
            method: "shipping".into(),
            address: Some("Keizersgracht 1\n1015 Amsterdam".into()),
        },
        payment: "bank_transfer".into(),
        note: Some("Gift wrap".into()),
        consent: Some(WireConsent {
            marketing: Some(Box::new(consent("Offers"))),
            ..consent("Updates")
        }),
        page: "https://shop.example/p?x=1".into(),
        message: Some("*Order*".into()),
        whatsapp_url: Some("https://wa.me/31?text=x".into()),
    };
    let bare = PendingOrder {
        items: vec![line("tea", &[])],
        consent: Some(WireConsent {
            at: None,
            ..consent("Updates")
        }),
        ..PendingOrder::default()
    };
    for order in [full, bare, PendingOrder::default()] {
        let ours = serde_json::Value::from(&order.to_json());
        assert_eq!(ours, serde_json::to_value(&order).unwrap());
        assert_eq!(serde_json::from_value::<PendingOrder>(ours).unwrap(), order);
    }
}

#[test]
fn corrected_lines_are_read_as_serde_reads_them() {
    let sent = line("shirt", &[("Colour", "Sand"), ("Size", "M")]);
    let value = Json::from(serde_json::to_value(&sent).unwrap());
    assert_eq!(WireLine::from_json(&value, "items[0]"), Ok(sent.clone()));
    // Options keep their order (a browser's JSON.parse keeps the server's).
    let sent = line("shirt", &[("Size", "M"), ("Colour", "Sand")]);
    assert_eq!(
        WireLine::from_json(&sent.to_json(), "items[0]")
            .unwrap()
            .options
            .0[0]
            .0,
        "Size"
    );
    let no_options = serde_json::json!({"sku": "a", "name": "A", "unit_price": 1, "quantity": 1});
    assert!(WireLine::from_json(&Json::from(no_options), "items[0]").is_ok());
    let bad = serde_json::json!({"sku": "a", "name": "A", "unit_price": "1", "quantity": 1});
    assert_eq!(
        WireLine::from_json(&Json::from(bad), "items[1]"),
        Err("items[1].unit_price: not a whole number".into())
    );
}
