//! The webhook payload's tests, on Meta's documented shapes.
use super::*;
use proptest::prelude::*;

const SECRET: &str = "app-secret";

#[test]
fn signatures_match_only_the_exact_body_and_secret() {
    let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
    let good = sign(SECRET, body);
    assert!(signature_valid(SECRET, body, Some(&good)));
    assert!(!signature_valid(SECRET, b"{}", Some(&good)));
    assert!(!signature_valid("old-secret", body, Some(&good)));
    assert!(!signature_valid(SECRET, body, None));
    assert!(!signature_valid(SECRET, body, Some("sha256=zz")));
    assert!(!signature_valid(
        SECRET,
        body,
        Some(&good.replace("sha256=", "sha1="))
    ));
    assert!(!signature_valid(
        SECRET,
        body,
        Some(&good[..good.len() - 2])
    ));
}

#[test]
fn messages_and_statuses_are_read_from_the_documented_shape() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[
      {"field":"messages","value":{"messaging_product":"whatsapp",
        "metadata":{"display_phone_number":"15550001111","phone_number_id":"1065"},
        "contacts":[{"profile":{"name":"Anna"},"wa_id":"31612345678","user_id":"NL.123"}],
        "messages":[{"from":"31612345678","id":"wamid.IN1","timestamp":"1763719200",
                     "type":"text","text":{"body":"Stop"}},
                    {"from":"31612345678","id":"wamid.IN2","timestamp":"1763719201",
                     "type":"image","image":{"caption":"the stain","id":"9"}}]}},
      {"field":"messages","value":{"metadata":{"phone_number_id":"OTHER"},
        "messages":[{"from":"1","id":"wamid.X","type":"text","text":{"body":"not ours"}}]}},
      {"field":"messages","value":{"metadata":{"phone_number_id":"1065"},
        "statuses":[{"id":"wamid.OUT","status":"failed","timestamp":"1763719300",
          "recipient_id":"31612345678","biz_opaque_callback_data":"chatout:7",
          "errors":[{"code":131047,"title":"Re-engagement message",
                     "error_data":{"details":"More than 24 hours"}}]},
          {"id":"wamid.OUT","status":"deleted"}]}}]}]}"#;
    let n = parse(body, "1065").unwrap();
    assert_eq!(n.inbound.len(), 2);
    assert_eq!(n.inbound[0].text, "Stop");
    assert_eq!(n.inbound[0].user_id.as_deref(), Some("NL.123"));
    assert_eq!(n.inbound[0].timestamp, Some(1_763_719_200));
    assert_eq!(n.inbound[1].text, "[image] the stain");
    assert_eq!(n.statuses.len(), 1);
    let status = &n.statuses[0];
    assert_eq!(status.delivery, Delivery::Failed);
    assert_eq!(status.callback.as_deref(), Some("chatout:7"));
    let error = status.error.as_ref().unwrap();
    assert_eq!(error.code, 131047);
    assert_eq!(error.detail, "Re-engagement message: More than 24 hours");
}

#[test]
fn carts_and_button_answers_are_read_from_the_documented_shape() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"changes":[
      {"field":"messages","value":{"metadata":{"phone_number_id":"1065"},
        "contacts":[{"profile":{"name":"Anna de Vries"},"wa_id":"31612345678"}],
        "messages":[
          {"from":"31612345678","id":"wamid.CART","type":"order","order":{
            "catalog_id":"CAT1","text":"gift wrap please","product_items":[
              {"product_retailer_id":"mug-stoneware","quantity":2,"item_price":0.01,
               "currency":"EUR"},
              {"product_retailer_id":"tote-canvas","quantity":"1","item_price":15,
               "currency":"EUR"},
              {"product_retailer_id":"odd","quantity":1.5},
              {"quantity":1}]}},
          {"from":"31612345678","id":"wamid.B1","type":"interactive","interactive":{
            "type":"button_reply","button_reply":{"id":"order:K7F3-9Q2M:cancel",
            "title":"Cancel order"}}},
          {"from":"31612345678","id":"wamid.B2","type":"button","button":{
            "payload":"order:K7F3-9Q2M:confirm","text":"Yes, confirm"}},
          {"from":"31612345678","id":"wamid.E","type":"order","order":{"product_items":[]}}
        ]}}]}]}"#;
    let n = parse(body, "1065").unwrap();
    let cart = n.inbound[0].cart.as_ref().unwrap();
    assert_eq!(cart.catalog_id, "CAT1");
    assert_eq!(cart.note.as_deref(), Some("gift wrap please"));
    let items: Vec<_> = cart
        .items
        .iter()
        .map(|i| (i.retailer_id.as_str(), i.quantity))
        .collect();
    assert_eq!(
        items,
        [
            ("mug-stoneware", Some(2)),
            ("tote-canvas", Some(1)),
            ("odd", None)
        ]
    );
    assert_eq!(n.inbound[0].profile_name.as_deref(), Some("Anna de Vries"));
    assert_eq!(
        n.inbound[0].text,
        "[order] 2 × mug-stoneware, 1 × tote-canvas, ? × odd — gift wrap please"
    );
    let tapped = n.inbound[1].answer.as_ref().unwrap();
    assert_eq!(tapped.payload, "order:K7F3-9Q2M:cancel");
    assert_eq!(tapped.title, "Cancel order");
    assert_eq!(n.inbound[1].text, "Cancel order");
    let quick = n.inbound[2].answer.as_ref().unwrap();
    assert_eq!(
        (quick.payload.as_str(), quick.title.as_str()),
        ("order:K7F3-9Q2M:confirm", "Yes, confirm")
    );
    // An order message without lines is a message, not a cart.
    assert_eq!(n.inbound[3].cart, None);
    assert_eq!(n.inbound[3].text, "[order]");
    assert_eq!(n.inbound[0].answer, None);
}

/// Regression (#27.9): a list reply's id was dropped, so a list could not answer an order.
#[test]
fn list_replies_keep_their_id_and_profiles_their_username() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"changes":[
      {"field":"messages","value":{"metadata":{"phone_number_id":"1065"},
        "contacts":[{"profile":{"name":"Sheena Nelson","username":"@sheena"},
                     "user_id":"US.1349"}],
        "messages":[{"from_user_id":"US.1349","id":"wamid.LR","type":"interactive",
          "interactive":{"type":"list_reply","list_reply":{"id":"order:K7F3-9Q2M:confirm",
          "title":"Confirm","description":"Ships Monday"}}},
          {"from_user_id":"US.1349","id":"wamid.R","type":"reaction",
           "reaction":{"message_id":"wamid.LR","emoji":"\u2764\uFE0F"}}]}}]}]}"#;
    let n = parse(body, "1065").unwrap();
    let listed = n.inbound[0].answer.as_ref().unwrap();
    assert_eq!(
        (listed.payload.as_str(), listed.title.as_str()),
        ("order:K7F3-9Q2M:confirm", "Confirm")
    );
    assert_eq!(n.inbound[0].username.as_deref(), Some("@sheena"));
    assert_eq!(n.inbound[0].profile_name.as_deref(), Some("Sheena Nelson"));
    assert_eq!(n.inbound[1].text, "[reaction] \u{2764}\u{FE0F}");
    assert_eq!(n.inbound[1].refers_to.as_deref(), Some("wamid.LR"));
}

/// Regression (#27.8): Meta's `user_preferences` webhook was ignored.
#[test]
fn marketing_preferences_are_read_from_the_documented_shape() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398",
      "changes":[{"value":{"messaging_product":"whatsapp","metadata":{
        "display_phone_number":"15550783881","phone_number_id":"1065"},
        "contacts":[{"wa_id":"16505551234"}],
        "user_preferences":[{"wa_id":"16505551234",
          "detail":"User requested to stop marketing messages",
          "category":"marketing_messages","value":"stop","timestamp":1731705721},
          {"wa_id":"16505551234","category":"something_else","value":"stop"}]},
        "field":"user_preferences"}]}]}"#;
    let n = parse(body, "1065").unwrap();
    assert_eq!(
        n.preferences,
        [MarketingPreference {
            wa_id: Some("16505551234".into()),
            user_id: None,
            resume: false,
            detail: "User requested to stop marketing messages".into(),
        }]
    );
    assert!(n.inbound.is_empty());
}

#[test]
fn a_user_known_only_by_business_scoped_id_is_kept() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"changes":[
      {"field":"messages","value":{"contacts":[{"user_id":"US.1349"}],
        "messages":[{"from":"","from_user_id":"US.1349","id":"wamid.U","type":"text",
                     "text":{"body":"hi"}}]}}]}]}"#;
    let n = parse(body, "1065").unwrap();
    assert_eq!(n.inbound[0].wa_id, None);
    assert_eq!(n.inbound[0].user_id.as_deref(), Some("US.1349"));
}

/// Regression (review of issue 27): a message without a user id took the first contact
/// entry's, someone else's in a batch of two senders, and the merge then made two people one.
#[test]
fn a_message_takes_only_its_own_senders_contact_entry() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"changes":[
      {"field":"messages","value":{"contacts":[
          {"wa_id":"31611111111","user_id":"NL.111","profile":{"name":"Pia"}},
          {"wa_id":"31622222222","profile":{"name":"Bo"}}],
        "messages":[
          {"from":"31611111111","id":"wamid.P1","type":"text","text":{"body":"a"}},
          {"from":"31622222222","id":"wamid.P2","type":"text","text":{"body":"b"}}]}}]}]}"#;
    let n = parse(body, "1065").unwrap();
    assert_eq!(n.inbound[0].user_id.as_deref(), Some("NL.111"));
    assert_eq!(n.inbound[1].user_id, None, "not Pia's id");
    assert_eq!(n.inbound[1].profile_name.as_deref(), Some("Bo"));
    // One entry that names another sender is not this message's either.
    let other = br#"{"object":"whatsapp_business_account","entry":[{"changes":[
      {"field":"messages","value":{"contacts":[{"wa_id":"31611111111","user_id":"NL.111"}],
        "messages":[{"from":"31622222222","id":"wamid.P3","type":"text","text":{"body":"c"}}]}}]}]}"#;
    assert_eq!(parse(other, "1065").unwrap().inbound[0].user_id, None);
}

#[test]
fn other_objects_and_broken_json_are_errors() {
    assert!(parse(br#"{"object":"page","entry":[]}"#, "1").is_err());
    assert!(parse(b"{", "1").is_err());
    assert!(parse(
        br#"{"object":"whatsapp_business_account","entry":"x"}"#,
        "1"
    )
    .is_err());
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse(&bytes, "1065");
        let _ = signature_valid(SECRET, &bytes, Some("sha256=00"));
    }

    #[test]
    fn arbitrary_json_shapes_never_panic(
        text in r#"\{"object":"whatsapp_business_account","entry":\[\{"changes":\[\{"field":"messages","value":\{("messages"|"statuses"|"contacts"):\[\{("id"|"from"|"status"|"timestamp"|"type"|"text"|"errors"):("[a-z0-9.]{0,8}"|[0-9]{1,20}|null|\[\]|\{\}|\{"body":"[^"\\]{0,8}"\})\}\]\}\}\]\}\]\}"#
    ) {
        let _ = parse(text.as_bytes(), "1065");
    }
}
