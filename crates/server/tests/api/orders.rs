use crate::helpers::{order_body, spawn_app, spawn_with, Backend};
use chatout_core::OrderStatus;
use serde_json::json;
use std::time::Duration;

async fn a_valid_order_is_stored_pending_with_the_servers_message(backend: Backend) {
    let app = spawn_app(backend).await;

    let (status, body) = app.post_order(Some("key-1"), &order_body()).await;

    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "pending");
    assert_eq!(body["reference"], "K7F3-9Q2M");
    assert_eq!(body["subtotal"], 6010);
    assert_eq!(body["items"][0]["options"]["Size"], "M");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("K7F3-9Q2M") && message.contains("Zeegras Home"),
        "{message}"
    );
    assert!(message.contains("2 × Linen shirt"), "{message}");
    assert!(body["whatsapp_url"]
        .as_str()
        .unwrap()
        .starts_with("https://wa.me/31612345678?text="));
    assert_eq!(
        app.db.status_of("K7F3-9Q2M").await.unwrap(),
        Some(OrderStatus::Pending)
    );
    assert_eq!(app.db.available("shirt-linen").await.unwrap(), Some(10));
}

async fn a_tampered_price_is_refused_with_corrected_lines_and_nothing_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = order_body();
    body["items"][0]["unit_price"] = json!(1);
    body["subtotal"] = json!(32);

    let (status, answer) = app.post_order(Some("key-2"), &body).await;

    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error"], "price_changed");
    assert_eq!(answer["items"][0]["unit_price"], 2990);
    assert_eq!(app.db.status_of("K7F3-9Q2M").await.unwrap(), None);
    assert_eq!(app.db.available("shirt-linen").await.unwrap(), Some(12));
}

async fn a_wrong_subtotal_alone_is_a_price_change(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = order_body();
    body["subtotal"] = json!(1);
    let (status, answer) = app.post_order(Some("key-sub"), &body).await;
    assert_eq!(
        (status, answer["error"].clone()),
        (409, json!("price_changed"))
    );
}

async fn an_unknown_sku_is_refused_and_left_out_of_the_corrected_lines(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = order_body();
    body["items"][1]["sku"] = json!("ghost");

    let (status, answer) = app.post_order(Some("key-3"), &body).await;

    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error"], "unknown_sku");
    assert_eq!(answer["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.db.status_of("K7F3-9Q2M").await.unwrap(), None);
}

async fn exhausted_stock_is_refused_with_what_is_left(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = order_body();
    body["items"] = json!([{"sku": "olive-oil-500", "name": "Olive oil", "options": {},
                            "unit_price": 995, "quantity": 5}]);
    body["subtotal"] = json!(4975);

    let (status, answer) = app.post_order(Some("key-4"), &body).await;

    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error"], "out_of_stock");
    assert_eq!(answer["items"][0]["quantity"], 3);
    assert_eq!(app.db.available("olive-oil-500").await.unwrap(), Some(3));
}

async fn a_hundred_identical_requests_make_exactly_one_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = order_body();

    let requests = (0..100).map(|_| app.post_order(Some("same-key"), &body));
    let answers = futures::future::join_all(requests).await;

    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    let replayed = answers.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(
        (created, replayed),
        (1, 99),
        "{:?}",
        answers.iter().find(|(s, _)| *s >= 300)
    );
    assert!(answers
        .iter()
        .all(|(_, b)| b["reference"] == answers[0].1["reference"]));
    // Stock was reserved once: 12 - 2.
    assert_eq!(app.db.available("shirt-linen").await.unwrap(), Some(10));
}

async fn the_same_key_with_a_different_body_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    app.post_order(Some("key-5"), &order_body()).await;
    let mut other = order_body();
    other["note"] = json!("Actually, no gift wrap");

    let (status, answer) = app.post_order(Some("key-5"), &other).await;

    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["errors"][0]["field"], "idempotency_key");
}

async fn a_missing_key_or_bad_fields_are_listed_in_a_422(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, answer) = app.post_order(None, &order_body()).await;
    assert_eq!(
        (status, answer["errors"][0]["field"].clone()),
        (422, json!("idempotency_key"))
    );

    let mut body = order_body();
    body["currency"] = json!("USD");
    body["customer"]["name"] = json!("");
    body["customer"]["phone"] = json!("call me");
    body["payment"] = json!("card_number_4111");
    body["items"][0]["quantity"] = json!(0);
    let (status, answer) = app.post_order(Some("key-6"), &body).await;
    assert_eq!(status, 422, "{answer}");
    let fields: Vec<&str> = answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for expected in ["currency", "name", "phone", "payment", "items[0].quantity"] {
        assert!(fields.contains(&expected), "{expected} not in {fields:?}");
    }

    let (status, _) = app
        .post_order(Some("key-7"), &json!({"items": "nope"}))
        .await;
    assert_eq!(status, 422);
}

async fn an_oversized_body_is_refused_with_413(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = order_body();
    body["note"] = json!("x".repeat(100_000));
    let (status, _) = app.post_order(Some("key-8"), &body).await;
    assert_eq!(status, 413);
}

async fn expiry_releases_the_reserved_stock(backend: Backend) {
    let app = spawn_with(backend, |s| s.order_ttl = Duration::from_secs(1)).await;
    let (status, _) = app.post_order(Some("key-9"), &order_body()).await;
    assert_eq!(status, 201);
    assert_eq!(app.db.available("shirt-linen").await.unwrap(), Some(10));

    // The background task runs every 200 ms for this TTL; poll instead of sleeping blindly.
    let mut expired = false;
    for _ in 0..50 {
        if app.db.status_of("K7F3-9Q2M").await.unwrap() == Some(OrderStatus::Expired) {
            expired = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    assert!(expired, "the order never expired");
    assert_eq!(app.db.available("shirt-linen").await.unwrap(), Some(12));
}

async fn cors_allows_only_the_configured_origins(backend: Backend) {
    let app = spawn_app(backend).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/api/orders", app.base))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "content-type,idempotency-key",
            )
            .send()
    };
    let allowed = preflight("https://shop.example").await.unwrap();
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "https://shop.example"
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

async fn too_many_requests_from_one_address_get_429(backend: Backend) {
    let app = spawn_with(backend, |s| s.rate_limit = 5).await;
    let mut statuses = Vec::new();
    for i in 0..7 {
        let mut body = order_body();
        body["reference"] = json!("server-picks");
        statuses.push(app.post_order(Some(&format!("k{i}")), &body).await.0);
    }
    assert_eq!(statuses, [201, 201, 201, 201, 201, 429, 429]);
    let response = app
        .client
        .post(format!("{}/api/orders", app.base))
        .header("Idempotency-Key", "k9")
        .json(&order_body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Other routes are not limited.
    let health = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

/// Every field of real answers is in the OpenAPI schema, and every required one is present.
async fn the_openapi_document_describes_real_answers(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc: serde_json::Value = app
        .client
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .expect("valid JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    let schemas = &doc["components"]["schemas"];
    let check = |name: &str, answer: &serde_json::Value| {
        let schema = &schemas[name];
        let properties = schema["properties"].as_object().unwrap();
        for key in answer.as_object().unwrap().keys() {
            assert!(properties.contains_key(key), "{name} lacks `{key}`");
        }
        for key in schema["required"].as_array().unwrap() {
            assert!(
                answer.get(key.as_str().unwrap()).is_some(),
                "{name}: no `{key}`"
            );
        }
    };
    let (status, created) = app.post_order(Some("doc-1"), &order_body()).await;
    assert_eq!(status, 201);
    check("OrderCreated", &created);
    check("Line", &created["items"][0]);
    check("PendingOrder", &order_body());
    let mut body = order_body();
    body["subtotal"] = json!(1);
    let (status, conflict) = app.post_order(Some("doc-2"), &body).await;
    assert_eq!(status, 409);
    check("Conflict", &conflict);
    let (status, invalid) = app.post_order(None, &order_body()).await;
    assert_eq!(status, 422);
    check("Invalid", &invalid);
    for path in ["/api/orders", "/healthz", "/metrics", "/api/openapi.json"] {
        assert!(doc["paths"].get(path).is_some(), "{path} undocumented");
    }
}

async fn a_taken_reference_gets_a_fresh_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let (first, a) = app.post_order(Some("first"), &order_body()).await;
    let (second, b) = app.post_order(Some("second"), &order_body()).await;
    assert_eq!((first, second), (201, 201), "{b}");
    assert_eq!(a["reference"], "K7F3-9Q2M");
    let fresh = b["reference"].as_str().unwrap();
    assert_ne!(fresh, "K7F3-9Q2M");
    assert!(
        b["message"].as_str().unwrap().contains(fresh),
        "the message carries the new reference"
    );
    assert_eq!(app.db.available("shirt-linen").await.unwrap(), Some(8));
}

crate::on_both_backends!(
    a_taken_reference_gets_a_fresh_one,
    the_openapi_document_describes_real_answers,
    too_many_requests_from_one_address_get_429,
    a_valid_order_is_stored_pending_with_the_servers_message,
    a_tampered_price_is_refused_with_corrected_lines_and_nothing_stored,
    a_wrong_subtotal_alone_is_a_price_change,
    an_unknown_sku_is_refused_and_left_out_of_the_corrected_lines,
    exhausted_stock_is_refused_with_what_is_left,
    a_hundred_identical_requests_make_exactly_one_order,
    the_same_key_with_a_different_body_is_refused,
    a_missing_key_or_bad_fields_are_listed_in_a_422,
    an_oversized_body_is_refused_with_413,
    expiry_releases_the_reserved_stock,
    cors_allows_only_the_configured_origins,
);
