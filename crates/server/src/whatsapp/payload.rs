//! Request bodies of the Cloud API's messages endpoint: templates with their parameters,
//! free-form text, and the recipient added at send time.

use super::templates::{Param, Template};
use crate::policy::answer::{self, Action};
use chatout_core::{language_of, Currency, Money, MoneyStyle};
use serde_json::{json, Value};

/// What a template's parameters can be filled from.
#[derive(Debug, Clone)]
pub struct OrderFacts {
    /// Reference.
    pub reference: String,
    /// Customer name.
    pub name: String,
    /// ISO 4217 code.
    pub currency: String,
    /// What the customer pays (`subtotal + shipping − discount`), minor units.
    pub total: i64,
    /// The shopper's locale.
    pub locale: String,
    /// The tracking link, once shipped.
    pub tracking_url: Option<String>,
    /// The current payment page, while it is open.
    pub payment_url: Option<String>,
    /// The shop's bank transfer details, for an order paid by bank transfer.
    pub bank_transfer: Option<String>,
    /// The shopper's order page (with `CHATOUT_PUBLIC_URL`).
    pub order_page: Option<String>,
    /// The order's page token (what `/pay/{token}` takes).
    pub pay_token: Option<String>,
    /// The product of a back-in-stock alert.
    pub product: Option<String>,
    /// That product's page.
    pub product_link: Option<String>,
}

/// A template message for an order and the line the desk shows for it; an error names the
/// parameter the order cannot fill.
pub fn template(template: &Template, facts: &OrderFacts) -> Result<(Value, String), String> {
    let body = parameters(&template.body, facts, template)?;
    let button = parameters(&template.button, facts, template)?;
    let quick_replies = template
        .quick_replies
        .iter()
        .map(|quick| {
            json!({
                "type": "button",
                "sub_type": "quick_reply",
                "index": quick.index.to_string(),
                "parameters": [{"type": "payload", "payload": answer::payload(&facts.reference, quick.action)}],
            })
        })
        .collect();
    let language = template.language_for(&facts.locale);
    Ok(message(
        &template.name,
        language,
        body,
        button,
        quick_replies,
    ))
}

/// A campaign's template message for one contact: `body` and `button` are its parameters'
/// values, in order, `language` the approved language chosen. Returns the body and the line
/// the desk shows.
pub fn campaign(
    template: &super::templates::CampaignTemplate,
    language: &str,
    body: &[String],
    button: &[String],
) -> (Value, String) {
    let body = body.iter().map(|v| text_param(v)).collect();
    let button = button.iter().map(|v| text_param(v)).collect();
    message(&template.name, language, body, button, Vec::new())
}

/// A template message: the body's parameters, a URL button's (button 0) and any further
/// components, with the line the desk shows (the parameters as sent).
fn message(
    name: &str,
    language: &str,
    body: Vec<(Value, String)>,
    button: Vec<(Value, String)>,
    more: Vec<Value>,
) -> (Value, String) {
    let mut components = Vec::new();
    let mut shown = Vec::new();
    if !body.is_empty() {
        shown.extend(body.iter().map(|(_, text)| text.clone()));
        components.push(json!({
            "type": "body",
            "parameters": body.into_iter().map(|(p, _)| p).collect::<Vec<_>>(),
        }));
    }
    if !button.is_empty() {
        shown.extend(button.iter().map(|(_, text)| text.clone()));
        components.push(json!({
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": button.into_iter().map(|(p, _)| p).collect::<Vec<_>>(),
        }));
    }
    components.extend(more);
    let payload = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language},
            "components": components,
        },
    });
    let preview = format!("{name} ({language}): {}", shown.join(" · "));
    (payload, preview)
}

/// The parameter objects and their shown text.
fn parameters(
    params: &[Param],
    facts: &OrderFacts,
    template: &Template,
) -> Result<Vec<(Value, String)>, String> {
    params
        .iter()
        .map(|param| match param {
            Param::Reference => Ok(text_param(&facts.reference)),
            Param::Name => Ok(text_param(&facts.name)),
            Param::TrackingLink => match facts.tracking_url.as_deref() {
                Some(url) if !url.is_empty() => Ok(text_param(url)),
                _ => Err(format!(
                    "template {} needs a tracking link and the order has none",
                    template.name
                )),
            },
            Param::BankTransfer => match facts.bank_transfer.as_deref() {
                Some(details) if !details.is_empty() => Ok(text_param(details)),
                _ => Err(format!(
                    "template {} needs bank transfer details (the catalog's shop.bank_transfer, \
                     for an order paid by bank transfer) and the order has none",
                    template.name
                )),
            },
            Param::PayToken => match facts.pay_token.as_deref() {
                Some(token) => Ok(text_param(token)),
                None => Err(format!(
                    "template {} needs the order's token",
                    template.name
                )),
            },
            Param::OrderPage => match facts.order_page.as_deref() {
                Some(url) => Ok(text_param(url)),
                None => Err(format!(
                    "template {} links the shopper's order page, which needs CHATOUT_PUBLIC_URL",
                    template.name
                )),
            },
            Param::PaymentLink => match facts.payment_url.as_deref() {
                Some(url) if !url.is_empty() => Ok(text_param(url)),
                _ => Err(format!(
                    "template {} needs a payment link and the order has none",
                    template.name
                )),
            },
            Param::Product | Param::ProductLink => {
                let value = match param {
                    Param::Product => facts.product.as_deref(),
                    _ => facts.product_link.as_deref(),
                };
                value
                    .filter(|v| !v.is_empty())
                    .map(text_param)
                    .ok_or_else(|| {
                        format!("template {} names a product and has none", template.name)
                    })
            }
            Param::Total => {
                let shown = shown_amount(facts.total, &facts.currency, &facts.locale)?;
                let currency = Currency::from_code(&facts.currency).map_err(|e| e.to_string())?;
                // The API wants the amount times 1000 in major units.
                let scale = 10_i64.pow(u32::from(currency.exponent()));
                let amount_1000 = facts.total.saturating_mul(1000) / scale;
                Ok((
                    json!({"type": "currency", "currency": {
                        "fallback_value": shown, "code": facts.currency, "amount_1000": amount_1000,
                    }}),
                    shown,
                ))
            }
        })
        .collect()
}

/// The amount as the customer reads it in their language (`€ 59,80`).
pub fn shown_amount(minor: i64, currency: &str, locale: &str) -> Result<String, String> {
    let currency = Currency::from_code(currency).map_err(|e| e.to_string())?;
    let money = Money::from_minor(minor, currency).map_err(|e| e.to_string())?;
    Ok(MoneyStyle::for_language(&language_of(locale)).format(money))
}

fn text_param(text: &str) -> (Value, String) {
    // Template parameters may not hold newlines, tabs or more than four spaces in a row.
    let clean: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(1000)
        .collect();
    (json!({"type": "text", "text": clean}), clean)
}

/// A free-form text message (inside the customer-service window).
pub fn text(body: &str) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "type": "text",
        "text": {"preview_url": false, "body": body},
    })
}

/// An interactive message with reply buttons (inside the customer-service window): `body`
/// (at most 1024 characters) and up to three `(action, title)` buttons of order `reference`,
/// each title at most 20 characters. Returns the body and the line the desk shows.
pub fn reply_buttons(body: &str, reference: &str, buttons: &[(Action, &str)]) -> (Value, String) {
    let body: String = body.chars().take(1024).collect();
    let buttons: Vec<Value> = buttons
        .iter()
        .take(3)
        .map(|(action, title)| {
            let title: String = title.chars().take(super::texts::MAX_BUTTON_TITLE).collect();
            json!({"type": "reply", "reply": {"id": answer::payload(reference, *action), "title": title}})
        })
        .collect();
    let titles: Vec<String> = buttons
        .iter()
        .filter_map(|b| b["reply"]["title"].as_str().map(|t| format!("[{t}]")))
        .collect();
    let preview = format!("{body} {}", titles.join(" "));
    let payload = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "type": "interactive",
        "interactive": {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}},
    });
    (payload, preview)
}

/// The stored body addressed to its contact (by phone `wa_id`, else by business-scoped
/// `user_id`) and tagged with its outbox row, which status webhooks echo back. `None` when the
/// contact has neither identifier or the stored body is broken.
pub fn addressed(
    payload: &Value,
    wa_id: Option<&str>,
    user_id: Option<&str>,
    outbox_id: i64,
) -> Option<Value> {
    let mut body = payload.as_object()?.clone();
    match (wa_id, user_id) {
        (Some(wa_id), _) => body.insert("to".into(), json!(wa_id)),
        (None, Some(user_id)) => body.insert("recipient".into(), json!(user_id)),
        (None, None) => return None,
    };
    body.insert(
        "biz_opaque_callback_data".into(),
        json!(callback_data(outbox_id)),
    );
    Some(Value::Object(body))
}

/// What the outbox puts in `biz_opaque_callback_data`, which status webhooks echo back.
const CALLBACK_PREFIX: &str = "chatout:";

/// The `biz_opaque_callback_data` of an outbox row.
pub fn callback_data(outbox_id: i64) -> String {
    format!("{CALLBACK_PREFIX}{outbox_id}")
}

/// The outbox row a status webhook's callback data names.
pub fn outbox_id_of_callback(data: &str) -> Option<i64> {
    data.strip_prefix(CALLBACK_PREFIX)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(currency: &str, total: i64) -> OrderFacts {
        OrderFacts {
            reference: "K7F3-9Q2M".into(),
            name: "Anna\nde   Vries".into(),
            currency: currency.into(),
            total,
            locale: "nl-NL".into(),
            tracking_url: None,
            payment_url: None,
            bank_transfer: None,
            order_page: None,
            pay_token: None,
            product: None,
            product_link: None,
        }
    }

    fn confirmed() -> Template {
        Template {
            name: "order_confirmed".into(),
            languages: vec!["en_US".into(), "nl".into()],
            body: vec![Param::Name, Param::Reference, Param::Total],
            button: vec![Param::Reference],
            after: vec![],
            quick_replies: vec![],
        }
    }

    #[test]
    fn a_template_carries_its_parameters_in_order() {
        let (payload, preview) = template(&confirmed(), &facts("EUR", 5980)).unwrap();
        assert_eq!(payload["template"]["language"]["code"], "nl");
        let body = &payload["template"]["components"][0]["parameters"];
        assert_eq!(body[0]["text"], "Anna de Vries");
        assert_eq!(body[1]["text"], "K7F3-9Q2M");
        assert_eq!(body[2]["currency"]["amount_1000"], 59800);
        assert_eq!(body[2]["currency"]["code"], "EUR");
        assert_eq!(body[2]["currency"]["fallback_value"], "€\u{a0}59,80");
        let button = &payload["template"]["components"][1];
        assert_eq!(button["sub_type"], "url");
        assert_eq!(button["parameters"][0]["text"], "K7F3-9Q2M");
        assert!(preview.starts_with("order_confirmed (nl): Anna de Vries · K7F3-9Q2M"));
    }

    #[test]
    fn quick_replies_and_reply_buttons_carry_the_orders_payload() {
        use crate::whatsapp::templates::QuickReply;
        let mut t = confirmed();
        t.quick_replies = vec![QuickReply {
            index: 1,
            action: Action::Cancel,
        }];
        let (payload, _) = template(&t, &facts("EUR", 5980)).unwrap();
        let quick = &payload["template"]["components"][2];
        assert_eq!(quick["sub_type"], "quick_reply");
        assert_eq!(quick["index"], "1");
        assert_eq!(quick["parameters"][0]["payload"], "order:K7F3-9Q2M:cancel");
        let buttons = [
            (Action::Confirm, "Yes, confirm"),
            (Action::Cancel, "A title far longer than twenty"),
            (Action::Cancel, "third"),
            (Action::Cancel, "fourth"),
        ];
        let (payload, preview) = reply_buttons("Go ahead?", "K7F3-9Q2M", &buttons);
        assert_eq!(payload["type"], "interactive");
        let sent = payload["interactive"]["action"]["buttons"]
            .as_array()
            .unwrap();
        assert_eq!(sent.len(), 3);
        assert_eq!(sent[0]["reply"]["id"], "order:K7F3-9Q2M:confirm");
        assert_eq!(sent[1]["reply"]["title"], "A title far longer t");
        assert_eq!(
            preview,
            "Go ahead? [Yes, confirm] [A title far longer t] [third]"
        );
    }

    #[test]
    fn amounts_follow_the_currency_exponent() {
        let amount = |code, minor| {
            template(&confirmed(), &facts(code, minor)).unwrap().0["template"]["components"][0]
                ["parameters"][2]["currency"]["amount_1000"]
                .clone()
        };
        assert_eq!(amount("JPY", 1500), 1_500_000);
        assert_eq!(amount("KWD", 1500), 1500);
    }

    #[test]
    fn links_the_order_needs_are_filled_or_named() {
        let mut t = confirmed();
        t.body = vec![Param::OrderPage, Param::PaymentLink, Param::BankTransfer];
        let mut f = facts("EUR", 1);
        let err = template(&t, &f).unwrap_err();
        assert!(err.contains("CHATOUT_PUBLIC_URL"), "{err}");
        f.order_page = Some("https://orders.shop.example/orders/abc".into());
        let err = template(&t, &f).unwrap_err();
        assert!(err.contains("payment link"), "{err}");
        f.payment_url = Some("https://pay.example/tr_1".into());
        let err = template(&t, &f).unwrap_err();
        assert!(err.contains("bank transfer"), "{err}");
        f.bank_transfer = Some("NL91 ABNA 0417 1643 00".into());
        let (payload, _) = template(&t, &f).unwrap();
        let body = &payload["template"]["components"][0]["parameters"];
        assert_eq!(body[0]["text"], "https://orders.shop.example/orders/abc");
        assert_eq!(body[1]["text"], "https://pay.example/tr_1");
        assert_eq!(body[2]["text"], "NL91 ABNA 0417 1643 00");
        // A URL button approved as `…/pay/{{1}}` takes the order's token alone.
        t.body = vec![];
        t.button = vec![Param::PayToken];
        assert!(template(&t, &f).unwrap_err().contains("token"));
        f.pay_token = Some("0123abcd".into());
        let (payload, _) = template(&t, &f).unwrap();
        assert_eq!(
            payload["template"]["components"][0]["parameters"][0]["text"],
            "0123abcd"
        );
    }

    #[test]
    fn a_missing_tracking_link_is_named() {
        let mut t = confirmed();
        t.body = vec![Param::TrackingLink];
        let err = template(&t, &facts("EUR", 1)).unwrap_err();
        assert!(err.contains("tracking link"), "{err}");
    }

    #[test]
    fn the_recipient_is_the_phone_or_else_the_user_id() {
        let body = addressed(&text("hi"), Some("31612345678"), Some("NL.1"), 9).unwrap();
        assert_eq!(body["to"], "31612345678");
        assert_eq!(body["biz_opaque_callback_data"], "chatout:9");
        assert_eq!(outbox_id_of_callback("chatout:9"), Some(9));
        assert_eq!(outbox_id_of_callback("other:9"), None);
        assert!(body.get("recipient").is_none());
        assert_eq!(
            addressed(&text("hi"), None, Some("NL.1"), 9).unwrap()["recipient"],
            "NL.1"
        );
        assert!(addressed(&text("hi"), None, None, 9).is_none());
    }
}
