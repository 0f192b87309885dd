//! The demo store at `/` and the widget's files at `/chatout/`.

use crate::helpers::{spawn_with, Backend};

async fn the_demo_and_the_widget_are_served_in_endpoint_mode(backend: Backend) {
    let dir = std::env::temp_dir().join(format!("chatout-site-{}-{backend:?}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<html><body><button data-chatout-add>Add</button>\
         <script src=\"chatout.js\" async data-phone=\"+31 6 1234 5678\"></script></body></html>",
    )
    .unwrap();
    std::fs::write(dir.join("chatout.js"), "/* loader */").unwrap();
    std::fs::write(dir.join("chatout-widget_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let served = dir.clone();
    let app = spawn_with(backend, move |s| s.widget_dir = served).await;

    let page = app
        .client
        .get(format!("{}/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"<script src="/chatout/chatout.js" data-endpoint="/api/orders" async"#),
        "{html}"
    );

    let wasm = app
        .client
        .get(format!("{}/chatout/chatout-widget_bg.wasm", app.base))
        .header("Origin", "https://any-shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(wasm.status(), 200);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(wasm.headers()["access-control-allow-origin"], "*");
    assert_eq!(wasm.bytes().await.unwrap().as_ref(), b"\0asm\x01\0\0\0");

    let missing = app
        .client
        .get(format!("{}/chatout/nope.js", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let _ = std::fs::remove_dir_all(&dir);
}

async fn an_unbuilt_widget_explains_itself(backend: Backend) {
    let app = spawn_with(backend, |s| s.widget_dir = "/nonexistent/dist".into()).await;
    let page = app
        .client
        .get(format!("{}/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("cargo xtask dist"));
}

crate::on_both_backends!(
    the_demo_and_the_widget_are_served_in_endpoint_mode,
    an_unbuilt_widget_explains_itself,
);
