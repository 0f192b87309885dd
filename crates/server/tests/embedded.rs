//! One server binary (`--features embed-widget`, issue 20): the widget and the demo are served
//! from inside it, with no `dist/` folder where it runs, byte for byte as built, with an ETag
//! that turns a repeat request into a `304`.

use chatout_server::{Application, Settings};

#[tokio::test]
async fn the_widget_and_the_demo_come_from_inside_the_binary() {
    let dir = std::env::temp_dir().join(format!("chatout-embedded-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut settings = Settings::from_lookup(|_| None).unwrap();
    settings.addr = "127.0.0.1:0".into();
    settings.database_url = format!("sqlite://{}", dir.join("orders.db").display());
    settings.admin_password = Some("correct horse battery".into());
    // Nothing to read from disk: whatever is served comes from the binary.
    settings.widget_dir = dir.join("no-such-dist");
    let app = Application::build(settings).await.expect("server starts");
    let base = format!("http://{}", app.address().unwrap());
    tokio::spawn(app.run());
    let client = reqwest::Client::new();
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist");
    for (file, kind) in [
        ("chatout.js", "text/javascript"),
        ("chatout-widget.js", "text/javascript"),
        ("chatout-widget_bg.wasm", "application/wasm"),
        ("chatout-qr_bg.wasm", "application/wasm"),
        ("labels/nl.json", "application/json"),
    ] {
        let response = client
            .get(format!("{base}/chatout/{file}"))
            .header("origin", "https://shop.example")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{file}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], kind, "{file}");
        assert_eq!(headers["access-control-allow-origin"], "*", "{file}");
        assert_eq!(headers["cache-control"], "public, max-age=300");
        let etag = headers["etag"].to_str().unwrap().to_string();
        assert!(etag.starts_with('"') && etag.len() == 66, "{etag}");
        let body = response.bytes().await.unwrap();
        assert_eq!(
            body.as_ref(),
            std::fs::read(dist.join(file)).unwrap(),
            "{file}"
        );
        let again = client
            .get(format!("{base}/chatout/{file}"))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{file}");
        assert!(again.bytes().await.unwrap().is_empty());
    }
    let demo = client.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(demo.status(), 200);
    let page = demo.text().await.unwrap();
    assert!(
        page.contains(r#"<script src="/chatout/chatout.js" data-endpoint="/api/orders""#),
        "{page}"
    );
    let css = client
        .get(format!("{base}/store.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css");
    let missing = client
        .get(format!("{base}/chatout/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let _ = std::fs::remove_dir_all(dir);
}
