//! Reading the templates file: what is accepted, and what each mistake says.

use super::*;

#[test]
fn campaign_templates_are_read_and_checked() {
    let json = r#"{"campaigns": [
        {"name": "spring_sale", "languages": ["en", "nl"],
         "text": "Hi {{1}}! {{2}} is 20% off: {{3}}. Reply STOP to unsubscribe.",
         "body": ["name", "product", "link"]},
        {"name": "no_way_out", "languages": ["en"], "text": "Buy {{1}}!", "body": ["product"]}
    ]}"#;
    let templates = Templates::from_json(json).unwrap();
    let sale = templates.campaign("spring_sale").unwrap();
    assert!(sale.has_opt_out());
    assert_eq!(sale.language_for("nl-BE"), "nl");
    assert!(!templates.campaign("no_way_out").unwrap().has_opt_out());
    for (bad, expected) in [
        (
            r#"[{"name": "A", "languages": ["en"], "text": "x"}]"#,
            "campaigns[0].name",
        ),
        (
            r#"[{"name": "a", "languages": [], "text": "x"}]"#,
            "campaigns[0].languages",
        ),
        (
            r#"[{"name": "a", "languages": ["en"], "text": "Hi", "body": ["name"]}]"#,
            "campaigns[0].text",
        ),
        (
            r#"[{"name": "a", "languages": ["en"], "text": "x", "button": ["name"]}]"#,
            "campaigns[0].button",
        ),
        (
            r#"[{"name": "a", "languages": ["en"], "text": "x"}, {"name": "a", "languages": ["en"], "text": "y"}]"#,
            "listed twice",
        ),
        (
            r#"[{"name": "a", "languages": ["en"], "text": "x", "body": ["price"]}]"#,
            "unknown variant",
        ),
    ] {
        let err = Templates::from_json(&format!(r#"{{"campaigns": {bad}}}"#)).unwrap_err();
        assert!(err.to_string().contains(expected), "{bad}: {err}");
    }
}

#[test]
fn the_example_file_maps_every_event() {
    let templates = Templates::from_json(DEFAULT_TEMPLATES).unwrap();
    for event in Event::ALL {
        assert!(templates.get(event).is_some(), "{}", event.as_str());
    }
    let reminder = templates.get(Event::PendingReminder).unwrap();
    assert_eq!(reminder.after, [Duration::from_secs(7200)]);
    let sequence = Templates::from_json(
        r#"{"pending_reminder":{"name":"r","languages":["en"],"after":["1h","24h"]}}"#,
    )
    .unwrap();
    let steps = &sequence.get(Event::PendingReminder).unwrap().after;
    assert_eq!(
        steps,
        &[Duration::from_secs(3600), Duration::from_secs(86400)]
    );
    for bad in [
        r#"["24h","1h"]"#,
        r#"[]"#,
        r#"["1h","2h","3h","4h","5h","6h"]"#,
        "3",
    ] {
        let json =
            format!(r#"{{"pending_reminder":{{"name":"r","languages":["en"],"after":{bad}}}}}"#);
        let err = Templates::from_json(&json).unwrap_err();
        assert!(
            err.to_string().contains("pending_reminder.after"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn mistakes_name_the_event_and_field() {
    let cases = [
        (
            r#"{"shipped":{"name":"a","languages":["en"]}}"#,
            "'shipped' is not an event",
        ),
        (
            r#"{"paid":{"name":"Order Paid","languages":["en"]}}"#,
            "paid.name",
        ),
        (r#"{"paid":{"name":"a","languages":[]}}"#, "paid.languages"),
        (
            r#"{"paid":{"name":"a","languages":["en"],"body":["price"]}}"#,
            "unknown variant",
        ),
        (
            r#"{"pending_reminder":{"name":"a","languages":["en"]}}"#,
            "pending_reminder.after",
        ),
        (
            r#"{"paid":{"name":"a","languages":["en"],"after":"1h"}}"#,
            "paid.after",
        ),
        (
            r#"{"paid":{"name":"a","languages":["en"],"colour":1}}"#,
            "unknown field",
        ),
        (
            r#"{"paid":{"name":"a","languages":["en"],"body":["product"]}}"#,
            "paid: \"product\" is for back_in_stock only",
        ),
        (
            r#"{"back_in_stock":{"name":"a","languages":["en"],"body":["product","total"]}}"#,
            "back_in_stock: \"total\" is about an order",
        ),
        (
            r#"{"confirmed":{"name":"a","languages":["en"],"button":["reference"],
                "quick_replies":[{"index":0,"action":"cancel"}]}}"#,
            "confirmed.quick_replies: index 0",
        ),
        (
            r#"{"confirmed":{"name":"a","languages":["en"],
                "quick_replies":[{"index":1,"action":"cancel"},{"index":1,"action":"confirm"}]}}"#,
            "index 1 is not a free",
        ),
        (
            r#"{"confirmed":{"name":"a","languages":["en"],
                "quick_replies":[{"index":1,"action":"refund"}]}}"#,
            "unknown variant",
        ),
    ];
    for (json, expected) in cases {
        let err = Templates::from_json(json).unwrap_err();
        assert!(err.to_string().contains(expected), "{json}: {err}");
    }
}

#[test]
fn the_closest_approved_language_is_used() {
    let t = Template {
        name: "t".into(),
        languages: vec!["en_US".into(), "nl".into(), "pt_BR".into()],
        body: vec![],
        button: vec![],
        after: vec![],
        quick_replies: vec![],
    };
    assert_eq!(t.language_for("nl-NL"), "nl");
    assert_eq!(t.language_for("pt-PT"), "pt_BR");
    assert_eq!(t.language_for("en-US"), "en_US");
    assert_eq!(t.language_for("ja"), "en_US");
}
