use super::*;
use chatout_core::Routing;

fn raw(attributes: &[(&str, &str)], json: Option<&str>) -> RawConfig {
    RawConfig {
        attributes: attributes
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        json: json.map(str::to_string),
        browser_locale: Some("it-IT".into()),
    }
}

fn minimal() -> Vec<(&'static str, &'static str)> {
    vec![("phone", "+31 6 1234 5678"), ("shop", "Demo Shop")]
}

#[test]
fn minimal_config_gets_the_documented_defaults() {
    let config = Config::try_from(raw(&minimal(), None)).unwrap();
    assert_eq!(config.phone.digits(), "31612345678");
    assert_eq!(config.currency.code(), "EUR");
    assert_eq!(
        config.locale, "it-IT",
        "falls back to the browser's language"
    );
    assert_eq!(config.deliveries, vec![DeliveryMethod::Shipping]);
    assert_eq!(config.payments[0].id(), "bank_transfer");
    assert_eq!(config.position, Position::Right);
    assert_eq!(config.endpoint, None);
}

#[test]
fn attributes_win_over_the_json_block() {
    let json =
        r#"{"shop":"From JSON","currency":"JPY","payment":["cash_on_delivery","payment_link"]}"#;
    let config = Config::try_from(raw(&minimal(), Some(json))).unwrap();
    assert_eq!(config.shop, "Demo Shop");
    assert_eq!(config.currency.code(), "JPY");
    let ids: Vec<&str> = config.payments.iter().map(|p| p.id()).collect();
    assert_eq!(ids, ["cash_on_delivery", "payment_link"]);
}

#[test]
fn the_endpoint_fallback_is_off_unless_the_shop_allows_it() {
    let config = Config::try_from(raw(&minimal(), None)).unwrap();
    assert!(!config.endpoint_fallback);
    let json = r#"{"endpoint":"/api/orders","endpoint_fallback":true}"#;
    let config = Config::try_from(raw(&minimal(), Some(json))).unwrap();
    assert!(config.endpoint_fallback);
    let mut attributes = minimal();
    attributes.push(("endpoint_fallback", "maybe"));
    let err = Config::try_from(raw(&attributes, None)).unwrap_err();
    assert_eq!(err.attribute, "data-endpoint-fallback");
}

#[test]
fn missing_or_malformed_phone_names_the_attribute() {
    let err = Config::try_from(raw(&[("shop", "S")], None)).unwrap_err();
    assert_eq!(err.attribute, "data-phone");
    let err = Config::try_from(raw(&[("phone", "call us"), ("shop", "S")], None)).unwrap_err();
    assert_eq!(err.attribute, "data-phone");
    assert!(
        err.reason.contains("not part of a phone number"),
        "{}",
        err.reason
    );
}

#[test]
fn bad_values_are_refused_with_reasons() {
    let cases = [
        (("currency", "EURO"), "data-currency"),
        (("locale", "nl NL"), "data-locale"),
        (("delivery", "drone"), "data-delivery"),
        (("position", "top"), "data-position"),
        (("endpoint", "javascript:alert(1)"), "data-endpoint"),
        (("payment", "Bank-Transfer"), "data-payment"),
        (("payment", "ideal"), "data-payment"),
        (("load", "lazy"), "data-load"),
        (("analytics", "ga"), "data-analytics"),
        (("hours", "Mon-Fri 9-5"), "data-hours"),
        (("hours", "Mon-Fri 09:00-17:00"), "data-timezone"),
        (("theme", "blue"), "data-theme"),
    ];
    for ((key, value), attribute) in cases {
        let mut attributes = minimal();
        attributes.push((key, value));
        let err = Config::try_from(raw(&attributes, None)).unwrap_err();
        assert_eq!(err.attribute, attribute, "{key}={value}");
    }
}

#[test]
fn bad_json_is_refused() {
    for json in [
        "{not json",
        "[1,2]",
        r#"{"labels":{"subtotl":"x"}}"#,
        r#"{"shop":{"a":1}}"#,
    ] {
        let err = Config::try_from(raw(&minimal(), Some(json))).unwrap_err();
        assert!(
            err.attribute.starts_with("data-") || err.attribute == "#chatout-config",
            "{json}"
        );
    }
}

#[test]
fn custom_payments_take_labels_and_translations_apply_per_language() {
    let json = r#"{"payment_labels":{"ideal":"iDEAL"},
                   "labels":{"send_order":"Order via WhatsApp"},
                   "translations":{"nl":{"send_order":"Bestel via WhatsApp"}}}"#;
    let mut attributes = minimal();
    attributes.push(("payment", "ideal bank_transfer"));
    attributes.push(("locale", "nl-NL"));
    let mut config = Config::try_from(raw(&attributes, Some(json))).unwrap();
    // Until the Dutch table arrives: English, with the shop's Dutch texts already in.
    assert_eq!(config.translation_needed().as_deref(), Some("nl"));
    assert_eq!(config.labels.subtotal, "Subtotal");
    assert_eq!(config.labels.send_order, "Bestel via WhatsApp");
    config.translate(&dutch()).unwrap();
    assert_eq!(config.translation_needed(), None);
    assert_eq!(config.labels.payment_label("ideal"), "iDEAL");
    assert_eq!(
        config.labels.send_order, "Bestel via WhatsApp",
        "the shop's text wins"
    );
    assert_eq!(config.labels.subtotal, "Subtotaal");
    assert_eq!(config.labels.language, "nl");
}

/// The Dutch table, as the widget fetches it.
fn dutch() -> Vec<(String, String)> {
    let text = include_str!("../../crates/core/labels/nl.json");
    let table: std::collections::BTreeMap<String, String> = serde_json::from_str(text).unwrap();
    table.into_iter().collect()
}

#[test]
fn a_bad_table_changes_nothing_and_english_needs_none() {
    let mut attributes = minimal();
    attributes.push(("locale", "nl-NL"));
    let mut config = Config::try_from(raw(&attributes, None)).unwrap();
    let before = config.labels.clone();
    let err = config
        .translate(&[("subtotl".into(), "Subtotaal".into())])
        .unwrap_err();
    assert!(err.contains("subtotl"), "{err}");
    assert_eq!(config.labels, before);
    let mut attributes = minimal();
    attributes.push(("locale", "en-GB"));
    assert_eq!(
        Config::try_from(raw(&attributes, None))
            .unwrap()
            .translation_needed(),
        None
    );
    let mut attributes = minimal();
    attributes.push(("locale", "ja-JP"));
    assert_eq!(
        Config::try_from(raw(&attributes, None))
            .unwrap()
            .translation_needed(),
        None
    );
}

#[test]
fn agents_route_by_category_by_default_and_take_local_numbers() {
    let json = r#"{"agents":[
        {"name":"Sara","phone":"06 1111 1111","categories":["shoes"]},
        {"name":"Mia","phone":"+39 347 123 4567"}]}"#;
    let config = Config::try_from(raw(&minimal(), Some(json))).unwrap();
    let agents = config.agents.as_ref().unwrap();
    assert_eq!(agents.routing(), Routing::Category);
    assert_eq!(agents.list()[0].phone.digits(), "31611111111");
    assert_eq!(
        config.agent_for_chat(Some("Shoes"), 1).unwrap().name,
        "Sara"
    );
    assert_eq!(config.agent_for_chat(None, 1).unwrap().name, "Mia");
    let mut attributes = minimal();
    attributes.push(("routing", "round_robin"));
    let config = Config::try_from(raw(&attributes, Some(json))).unwrap();
    assert_eq!(config.agent_for_chat(Some("shoes"), 1).unwrap().name, "Mia");
    assert!(Config::try_from(raw(&minimal(), None))
        .unwrap()
        .agents
        .is_none());
}

#[test]
fn bad_agents_are_refused_with_the_field_named() {
    let cases = [
        (r#"{"agents":{"name":"Sara"}}"#, "\"agents\" must be a list"),
        (r#"{"agents":[]}"#, "must list 1 to 50 agents"),
        (
            r#"{"agents":[{"name":"Sara"}]}"#,
            "\"agents[0].phone\" must be a string",
        ),
        (
            r#"{"agents":[{"name":"Sara","phone":"call me"}]}"#,
            "\"agents[0].phone\"",
        ),
        (
            r#"{"agents":[{"phone":"+31611111111"}]}"#,
            "\"agents[0].name\"",
        ),
        (
            r#"{"agents":[{"name":"S","phone":"+31611111111","categories":"shoes"}]}"#,
            "\"agents[0].categories\" must be a list",
        ),
        (
            r#"{"agents":[{"name":"S","phone":"+31611111111","categories":[""]}]}"#,
            "\"agents[0].categories\": category",
        ),
        (
            r#"{"agents":[{"name":"S","phone":"+31611111111","categories":["a"]},{"name":"T","phone":"+31622222222","categories":["A"]}]}"#,
            "listed for two agents",
        ),
        (
            r#"{"routing":"category","agents":[{"name":"S","phone":"+31611111111"}]}"#,
            "needs at least one agent with categories",
        ),
    ];
    for (json, reason) in cases {
        let err = Config::try_from(raw(&minimal(), Some(json))).unwrap_err();
        assert_eq!(err.attribute, "#chatout-config", "{json}");
        assert!(err.reason.contains(reason), "{json}: {}", err.reason);
    }
    let mut attributes = minimal();
    attributes.push(("routing", "random"));
    let json = r#"{"agents":[{"name":"S","phone":"+31611111111"}]}"#;
    let err = Config::try_from(raw(&attributes, Some(json))).unwrap_err();
    assert_eq!(err.attribute, "data-routing");
    let mut attributes = minimal();
    attributes.push(("routing", "round_robin"));
    let err = Config::try_from(raw(&attributes, None)).unwrap_err();
    assert_eq!(err.attribute, "data-routing");
}

#[test]
fn customer_phones_default_to_the_shops_country() {
    let config = Config::try_from(raw(&minimal(), None)).unwrap();
    let rules = config.rules();
    let phone = PhoneNumber::parse("06 9876 5432", rules.default_country).unwrap();
    assert_eq!(phone.digits(), "31698765432");
}
