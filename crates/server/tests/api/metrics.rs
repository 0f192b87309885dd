//! `GET /metrics`: orders by status, conversion and response time.

use crate::helpers::{order_body, spawn_app, Backend};
use chatout_core::OrderStatus;
use chatout_server::service::change_status::transition_alone;
use serde_json::json;

fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("{series} missing from\n{text}"))
        .parse()
        .unwrap()
}

async fn metrics_count_orders_conversion_and_response_time(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut references = Vec::new();
    for key in ["a", "b", "c", "d"] {
        let mut body = order_body();
        body["reference"] = json!("server-picks");
        let (status, answer) = app.post_order(Some(key), &body).await;
        assert_eq!(status, 201, "{answer}");
        references.push(answer["reference"].as_str().unwrap().to_string());
    }
    for (i, to) in [
        (0, OrderStatus::Confirmed),
        (1, OrderStatus::Confirmed),
        (1, OrderStatus::Cancelled),
        (2, OrderStatus::Cancelled),
    ] {
        transition_alone(&app.db, &references[i], to, "admin", None)
            .await
            .unwrap();
    }

    let response = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();

    assert_eq!(value(&text, r#"chatout_orders{status="pending"}"#), 1.0);
    assert_eq!(value(&text, r#"chatout_orders{status="confirmed"}"#), 1.0);
    assert_eq!(value(&text, r#"chatout_orders{status="cancelled"}"#), 2.0);
    assert_eq!(value(&text, r#"chatout_orders{status="paid"}"#), 0.0);
    assert_eq!(value(&text, "chatout_orders_created_total"), 4.0);
    // Two of four were confirmed, one of them cancelled later: conversion counts both.
    assert_eq!(value(&text, "chatout_orders_confirmed_total"), 2.0);
    assert_eq!(value(&text, "chatout_conversion_ratio"), 0.5);
    // Confirmed within the test's few seconds: every bucket holds both.
    assert_eq!(
        value(&text, r#"chatout_response_seconds_bucket{le="60"}"#),
        2.0
    );
    assert_eq!(
        value(&text, r#"chatout_response_seconds_bucket{le="+Inf"}"#),
        2.0
    );
    assert_eq!(value(&text, "chatout_response_seconds_count"), 2.0);
    assert!(value(&text, "chatout_response_seconds_sum") < 60.0);
}

crate::on_both_backends!(metrics_count_orders_conversion_and_response_time);
