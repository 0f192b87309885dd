//! The final total: staff set shipping and a discount and change or remove lines; stock,
//! history, the API and the customer's confirmation follow.

use crate::fake_cloud::FakeCloud;
use crate::helpers::{order_body, Backend, Browser, TestApp};
use crate::integration::{desk_token, get};
use crate::messaging::{mark, send_order_message, spawn_messaging};
use serde_json::Value;

/// The order page's total form for the demo order (2 shirts at position 0, 3 tea samples at
/// position 1) with these fields; returns the notice it led to.
async fn save(
    browser: &mut Browser<'_>,
    csrf: &str,
    reference: &str,
    fields: &[(&str, &str)],
) -> String {
    let mut form = vec![("csrf", csrf), ("key", "")];
    form.extend_from_slice(fields);
    let (status, location, _) = browser
        .post(&format!("/admin/orders/{reference}/total"), &form)
        .await;
    assert_eq!(status, 303, "{fields:?}");
    location.rsplit("notice=").next().unwrap().to_string()
}

async fn the_order(app: &TestApp, token: &str, reference: &str) -> Value {
    let (status, order) = get(app, &format!("/api/v1/orders/{reference}"), token).await;
    assert_eq!(status, 200, "{order}");
    order
}

async fn staff_set_the_final_total_and_the_customer_gets_it(backend: Backend) {
    let fake = FakeCloud::start().await;
    let app = spawn_messaging(backend, &fake, |_| {}).await;
    let (status, placed) = app.post_order(Some("total-1"), &order_body()).await;
    assert_eq!(status, 201, "{placed}");
    let reference = placed["reference"].as_str().unwrap().to_string();
    send_order_message(&app, "31612345678").await;
    assert_eq!(app.db.available("shirt-linen").await.unwrap(), Some(10));
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let token = desk_token(&mut browser, &csrf, "erp", "read").await;
    // One shirt fewer, the tea samples turned out unavailable, shipping and a discount.
    let saved = [
        ("quantity_0", "1"),
        ("quantity_1", "0"),
        ("shipping", "4.95"),
        ("discount", "5"),
    ];
    assert_eq!(
        save(&mut browser, &csrf, &reference, &saved).await,
        "total-saved"
    );
    let order = the_order(&app, &token, &reference).await;
    assert_eq!(
        (
            &order["subtotal"],
            &order["shipping"],
            &order["discount"],
            &order["total"]
        ),
        (&2990.into(), &495.into(), &500.into(), &2985.into())
    );
    assert_eq!(order["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.db.available("shirt-linen").await.unwrap(), Some(11));
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    for part in [
        "shirt: quantity 2 → 1",
        "removed Tea sample",
        "shipping €0.00 → €4.95",
        "discount €0.00 → €5.00",
        "€29.85",
    ] {
        assert!(page.contains(part), "{part} not on the page");
    }
    assert!(page.contains("by admin"));
    let (_, _, list) = browser.get("/admin").await;
    assert!(list.contains("€29.85"), "the orders list shows the total");
    // Refusals change nothing: a discount beyond the order, more shirts than there are, no
    // lines left, amounts that do not read.
    for (fields, notice) in [
        (&[("discount", "40")][..], "total-discount"),
        (&[("quantity_0", "13")][..], "total-stock"),
        (&[("quantity_0", "0")][..], "total-no-lines"),
        (&[("shipping", "4,95")][..], "total-invalid"),
        (&[("quantity_7", "1")][..], "total-invalid"),
    ] {
        assert_eq!(save(&mut browser, &csrf, &reference, fields).await, notice);
    }
    assert_eq!(the_order(&app, &token, &reference).await["total"], 2985);
    assert_eq!(app.db.available("shirt-linen").await.unwrap(), Some(11));
    // The confirmation template carries the final total.
    mark(&mut browser, &csrf, &reference, "confirmed").await;
    let received = fake.wait_for(1).await;
    let params = &received[0].body["template"]["components"][0]["parameters"];
    assert_eq!(params[2]["currency"]["amount_1000"], 29850);
    // A change after confirming sends nothing unless staff ask; then the template again.
    assert_eq!(
        save(&mut browser, &csrf, &reference, &[("shipping", "0")]).await,
        "total-saved"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(fake.received().len(), 1);
    let told = [("shipping", "3.00"), ("notify", "on")];
    assert_eq!(
        save(&mut browser, &csrf, &reference, &told).await,
        "total-saved"
    );
    let received = fake.wait_for(2).await;
    let params = &received[1].body["template"]["components"][0]["parameters"];
    assert_eq!(params[2]["currency"]["amount_1000"], 27900);
    // Once paid, the order keeps its lines and amounts.
    mark(&mut browser, &csrf, &reference, "paid").await;
    assert_eq!(
        save(&mut browser, &csrf, &reference, &[("shipping", "1")]).await,
        "total-closed"
    );
}

crate::on_both_backends!(staff_set_the_final_total_and_the_customer_gets_it);
