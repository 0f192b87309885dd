//! Item 16: the OpenAPI document is no looser than the server (schemathesis ST202). For each
//! input the document describes, a probe the document admits must not be refused, and one
//! the server refuses must be refused by the document too; the integration API answers a
//! value it refuses with `422`, as `/api/orders` does.

use crate::fake_cloud::FakeCloud;
use crate::helpers::{order_body, spawn_with, Backend, Browser, TestApp};
use crate::integration::{api, conforms, desk_token, get, openapi};
use crate::messaging::spawn_messaging;
use serde_json::{json, Value};

/// Whether `value` is valid under `schema`, with the JSON Schema keywords the document uses
/// (`3932.0` is an `integer`, as JSON Schema says).
fn admits(doc: &Value, schema: &Value, value: &Value) -> bool {
    if let Some(path) = schema["$ref"].as_str() {
        let name = path.rsplit('/').next().unwrap_or_default();
        return admits(doc, &doc["components"]["schemas"][name], value);
    }
    let kinds: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let is = |kind: &str| match (kind, value) {
        ("null", Value::Null)
        | ("boolean", Value::Bool(_))
        | ("string", Value::String(_))
        | ("array", Value::Array(_))
        | ("object", Value::Object(_))
        | ("number", Value::Number(_)) => true,
        ("integer", Value::Number(n)) => n.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    };
    if !kinds.is_empty() && !kinds.iter().any(|k| is(k)) {
        return false;
    }
    if schema["enum"]
        .as_array()
        .is_some_and(|e| !e.contains(value))
    {
        return false;
    }
    if schema.get("const").is_some_and(|c| c != value) {
        return false;
    }
    if schema.get("if").is_some_and(|c| admits(doc, c, value))
        && schema.get("then").is_some_and(|t| !admits(doc, t, value))
    {
        return false;
    }
    let over = |key: &str, n: f64| schema[key].as_f64().is_some_and(|m| n > m);
    let under = |key: &str, n: f64| schema[key].as_f64().is_some_and(|m| n < m);
    match value {
        Value::String(text) => {
            let n = text.chars().count() as f64;
            let pattern = schema["pattern"].as_str();
            let matches = pattern.is_none_or(|p| regex::Regex::new(p).unwrap().is_match(text));
            matches && !under("minLength", n) && !over("maxLength", n)
        }
        Value::Number(n) => {
            let n = n.as_f64().unwrap_or_default();
            !under("minimum", n) && !over("maximum", n)
        }
        Value::Array(items) => {
            !under("minItems", items.len() as f64)
                && items.iter().all(|i| admits(doc, &schema["items"], i))
        }
        Value::Object(map) => {
            let required = schema["required"].as_array().into_iter().flatten();
            let other = &schema["additionalProperties"];
            let names = &schema["propertyNames"];
            let entry = |(k, v): (&String, &Value)| {
                (names.is_null() || admits(doc, names, &json!(k)))
                    && match schema["properties"].get(k) {
                        Some(sub) => admits(doc, sub, v),
                        None if other.is_object() => admits(doc, other, v),
                        None => *other != json!(false),
                    }
            };
            required
                .filter_map(Value::as_str)
                .all(|k| map.contains_key(k))
                && !over("maxProperties", map.len() as f64)
                && map.iter().all(entry)
        }
        _ => true,
    }
}

/// The document and the server agree on `what`: admitted is not refused, refused is a 4xx.
fn agree(admitted: bool, status: u16, body: &Value, what: &str) {
    if admitted {
        assert!(
            !matches!(status, 400 | 422),
            "{what}: the document admits it, the server answered {status} {body}"
        );
    } else {
        assert!(
            (400..500).contains(&status),
            "{what}: the document refuses it, the server answered {status} {body}"
        );
    }
}

async fn move_to(app: &TestApp, path: &str, body: Value, token: &str) -> (u16, Value) {
    api(app, reqwest::Method::POST, path, Some(token), Some(body)).await
}

fn schema(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// A valid order of one canvas tote (unlimited stock).
fn tote() -> Value {
    let mut body = order_body();
    body["items"] = json!([{"sku": "tote-canvas", "name": "Canvas tote", "options": {},
                            "unit_price": 1500, "quantity": 1}]);
    body["subtotal"] = json!(1500);
    body
}

async fn place(app: &TestApp, key: &str) -> String {
    let (status, answer) = app.post_order(Some(key), &tote()).await;
    assert_eq!(status, 201, "{answer}");
    answer["reference"].as_str().unwrap().to_string()
}

/// The five places the document was looser than the server, and `400` against `422`.
async fn the_openapi_document_is_no_looser_than_the_server(backend: Backend) {
    let app = spawn_with(backend, |_| {}).await;
    let doc = openapi(&app).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let erp = desk_token(&mut browser, &csrf, "erp", "write").await;
    place(&app, "schema-1").await;
    place(&app, "schema-2").await;
    // The list's query: `cursor` and `status`.
    let list = &doc["paths"]["/api/v1/orders"]["get"];
    let param = |name: &str| {
        let all = list["parameters"].as_array().unwrap();
        all.iter().find(|p| p["name"] == name).unwrap()["schema"].clone()
    };
    let (_, page) = get(&app, "/api/v1/orders?limit=1", &erp).await;
    let real = page["next_cursor"].as_str().unwrap().to_string();
    let mut probes = vec![("cursor", real)];
    for cursor in ["", "zz", "6f313a", "6F313A3432", "o1:5"] {
        probes.push(("cursor", cursor.to_string()));
    }
    for id in ["0", "42", "-1", "x"] {
        probes.push(("cursor", hex::encode(format!("o1:{id}"))));
    }
    for status in ["pending", "expired", "lost", "PENDING", ""] {
        probes.push(("status", status.to_string()));
    }
    for (name, value) in probes {
        let (status, body) = get(&app, &format!("/api/v1/orders?{name}={value}"), &erp).await;
        let admitted = admits(&doc, &param(name), &json!(value));
        agree(admitted, status, &body, &format!("{name}={value:?}"));
        if !admitted {
            assert_eq!(
                status, 422,
                "{name}={value:?}: one status for a value refused"
            );
            conforms(&doc, &schema("ApiError"), &body, "invalid");
        }
    }
    // A query that does not read is refused the same way (schemathesis: `400` undocumented).
    let (status, body) = get(&app, "/api/v1/orders?status=pending&status=paid", &erp).await;
    assert_eq!(status, 422, "{body}");
    conforms(&doc, &schema("ApiError"), &body, "a repeated filter");
    // `Transition.to`: a status the lifecycle knows (a move it forbids is 409), or 422.
    for (n, to) in ["confirmed", "pending", "shipped", "Confirmed", ""]
        .iter()
        .enumerate()
    {
        let reference = place(&app, &format!("schema-move-{n}")).await;
        let path = format!("/api/v1/orders/{reference}/transitions");
        let body = json!({"to": to});
        let admitted = admits(&doc, &schema("Transition"), &body);
        let (status, answer) =
            api(&app, reqwest::Method::POST, &path, Some(&erp), Some(body)).await;
        agree(admitted, status, &answer, &format!("to {to:?}"));
    }
    // `Transition.tracking_url` when fulfilling (found by schemathesis after the five).
    for (n, url) in ["§", "https://track.example/1", "ftp://x"]
        .iter()
        .enumerate()
    {
        let reference = place(&app, &format!("schema-track-{n}")).await;
        let path = format!("/api/v1/orders/{reference}/transitions");
        assert_eq!(
            move_to(&app, &path, json!({"to": "confirmed"}), &erp)
                .await
                .0,
            200
        );
        let body = json!({"to": "fulfilled", "tracking_url": url});
        let admitted = admits(&doc, &schema("Transition"), &body);
        let (status, answer) = move_to(&app, &path, body, &erp).await;
        agree(admitted, status, &answer, &format!("tracking_url {url:?}"));
    }
    // `stock`: any whole number in range, `3932.0` too.
    let path = "/api/v1/products/shirt-linen";
    for stock in [
        json!(4),
        json!(3932.0),
        json!(null),
        json!(-1),
        json!(2.5),
        json!("4"),
    ] {
        let body = json!({ "stock": stock });
        let admitted = admits(&doc, &schema("StockUpdate"), &body);
        let (status, answer) =
            api(&app, reqwest::Method::PATCH, path, Some(&erp), Some(body)).await;
        agree(admitted, status, &answer, &format!("stock {stock}"));
        assert_eq!(admitted, status == 200, "stock {stock}: {status} {answer}");
    }
    // A pending order: `sku`, `phone`, `currency`, `payment`.
    let fields = [
        ("/items/0/sku", json!("")),
        ("/customer/name", json!("")),
        ("/customer/name", json!("  ")),
        ("/items/0/options", json!({"x-extra": ""})),
        ("/items/0/options", json!({"": "x"})),
        ("/delivery/address", json!("")),
        ("/delivery/address", Value::Null),
        ("/customer/phone", json!("")),
        ("/customer/phone", json!("12")),
        ("/customer/phone", json!("call me")),
        ("/customer/phone", json!("+31 6 1234 5678")),
        ("/currency", json!("USD")),
        ("/currency", json!("EUR")),
        ("/payment", json!("crypto")),
        ("/payment", json!("bank_transfer")),
    ];
    for (n, (at, value)) in fields.iter().enumerate() {
        let mut body = tote();
        *body.pointer_mut(at).unwrap() = value.clone();
        let admitted = admits(&doc, &schema("PendingOrder"), &body);
        let (status, answer) = app.post_order(Some(&format!("schema-o-{n}")), &body).await;
        agree(admitted, status, &answer, &format!("{at} = {value}"));
    }
    // A back-in-stock request: `sku` and `phone`.
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    for (n, (sku, phone)) in [
        ("", "+31612345678"),
        ("tote-canvas", ""),
        ("tote-canvas", "12"),
        ("tote-canvas", "+31 6 1234 5678"),
    ]
    .iter()
    .enumerate()
    {
        let body = json!({"sku": sku, "phone": phone, "consent": {"text": "Tell me"}});
        let admitted = admits(&doc, &schema("AlertRequest"), &body);
        let response = app
            .client
            .post(format!("{}/api/back-in-stock", app.base))
            .header("x-forwarded-for", format!("10.0.0.{n}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap_or_default();
        agree(
            admitted,
            status,
            &answer,
            &format!("alert {sku:?} {phone:?}"),
        );
    }
    // One status for a value refused: no `/api/v1` route documents a `400`.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let documented = operation["responses"].as_object().unwrap();
            assert!(
                !(path.starts_with("/api/v1") && documented.contains_key("400")),
                "{method} {path} documents 400"
            );
        }
    }
}

crate::on_both_backends!(the_openapi_document_is_no_looser_than_the_server);
