//! The staff order desk: sign-in, CSRF, lifecycle transitions, escaping.

use crate::helpers::{csrf_of, order_body, spawn_app, Backend, Browser, TestApp};
use chatout_core::OrderStatus;
use chatout_server::db::orders::TransitionError;
use chatout_server::service::change_status::transition_alone;
use serde_json::json;

async fn place_order(app: &TestApp, key: &str) -> String {
    let (status, body) = app.post_order(Some(key), &order_body()).await;
    assert_eq!(status, 201, "{body}");
    body["reference"].as_str().unwrap().to_string()
}

async fn desk_pages_require_sign_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = place_order(&app, "k").await;
    let mut browser = Browser::new(&app);

    for path in ["/admin", &format!("/admin/orders/{reference}")] {
        let (status, location, _) = browser.get(path).await;
        assert_eq!((status, location.as_str()), (303, "/admin/login"), "{path}");
    }
    let (status, location, _) = browser
        .post(
            &format!("/admin/orders/{reference}/status"),
            &[("csrf", "x"), ("to", "confirmed")],
        )
        .await;
    assert_eq!((status, location.as_str()), (303, "/admin/login"));
    assert_eq!(
        app.db.status_of(&reference).await.unwrap(),
        Some(OrderStatus::Pending)
    );
}

async fn a_wrong_password_is_refused_and_a_right_one_sets_a_strict_cookie(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut browser = Browser::new(&app);
    let (_, _, page) = browser.get("/admin/login").await;
    let csrf = csrf_of(&page);

    let wrong = [
        ("csrf", csrf.as_str()),
        ("username", "admin"),
        ("password", "wrong"),
    ];
    let (status, _, page) = browser.post("/admin/login", &wrong).await;
    assert_eq!(status, 401);
    assert!(page.contains("Wrong username or password"));

    let response = browser
        .client
        .post(format!("{}/admin/login", app.base))
        .header("cookie", browser.cookie_header())
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "admin"),
            ("password", "correct horse"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let session = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("chatout_session="))
        .expect("a session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Strict"), "{session}");
    assert!(session.contains("Path=/admin"), "{session}");
}

async fn forms_without_the_csrf_token_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = place_order(&app, "k").await;
    let mut browser = Browser::new(&app);

    // Sign-in itself needs the token from the sign-in page.
    let (status, _, _) = browser
        .post(
            "/admin/login",
            &[("username", "admin"), ("password", "correct horse")],
        )
        .await;
    assert_eq!(status, 403);

    let csrf = browser.sign_in().await;
    let path = format!("/admin/orders/{reference}/status");
    let (status, _, _) = browser.post(&path, &[("to", "confirmed")]).await;
    assert_eq!(status, 403);
    let (status, _, _) = browser
        .post(&path, &[("csrf", "0000"), ("to", "confirmed")])
        .await;
    assert_eq!(status, 403);
    let (status, _, _) = browser
        .post(
            &format!("/admin/orders/{reference}/assign"),
            &[("assigned_to", "admin")],
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        app.db.status_of(&reference).await.unwrap(),
        Some(OrderStatus::Pending)
    );

    let (status, location, _) = browser
        .post(&path, &[("csrf", csrf.as_str()), ("to", "confirmed")])
        .await;
    assert_eq!(status, 303, "{location}");
    assert_eq!(
        app.db.status_of(&reference).await.unwrap(),
        Some(OrderStatus::Confirmed)
    );
}

async fn staff_move_an_order_along_and_every_step_is_recorded(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = place_order(&app, "k").await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    let path = format!("/admin/orders/{reference}/status");

    for to in ["confirmed", "paid", "fulfilled"] {
        let (status, location, _) = browser.post(&path, &[("csrf", &csrf), ("to", to)]).await;
        assert_eq!(status, 303);
        assert!(location.ends_with(&format!("?notice={to}")), "{location}");
    }
    let (status, _, _) = browser
        .post(&path, &[("csrf", &csrf), ("to", "cancelled")])
        .await;
    assert_eq!(status, 409, "a fulfilled order cannot be cancelled");

    let detail = app.db.order_detail(&reference).await.unwrap().unwrap();
    let steps: Vec<_> = detail
        .events
        .iter()
        .map(|e| (e.from.map(|s| s.as_str()), e.to.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            (None, "pending", "shopper"),
            (Some("pending"), "confirmed", "admin"),
            (Some("confirmed"), "paid", "admin"),
            (Some("paid"), "fulfilled", "admin"),
        ]
    );
    assert!(detail.events.windows(2).all(|w| w[0].at <= w[1].at));
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    assert!(page.contains("paid → fulfilled"), "history shown");
}

async fn every_illegal_transition_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    // One order per starting status, reached by legal steps.
    let paths: [(OrderStatus, &[OrderStatus]); 6] = [
        (OrderStatus::Pending, &[]),
        (OrderStatus::Confirmed, &[OrderStatus::Confirmed]),
        (
            OrderStatus::Paid,
            &[OrderStatus::Confirmed, OrderStatus::Paid],
        ),
        (
            OrderStatus::Fulfilled,
            &[
                OrderStatus::Confirmed,
                OrderStatus::Paid,
                OrderStatus::Fulfilled,
            ],
        ),
        (OrderStatus::Cancelled, &[OrderStatus::Cancelled]),
        (OrderStatus::Expired, &[OrderStatus::Expired]),
    ];
    let mut refused = 0;
    for (i, (from, steps)) in paths.iter().enumerate() {
        let mut body = order_body();
        body["reference"] = json!("server-picks");
        let (status, answer) = app.post_order(Some(&format!("key-{i}")), &body).await;
        assert_eq!(status, 201, "{answer}");
        let reference = answer["reference"].as_str().unwrap().to_string();
        for step in *steps {
            transition_alone(&app.db, &reference, *step, "test", None)
                .await
                .unwrap();
        }
        for to in OrderStatus::ALL {
            if from.can_become(to) {
                continue;
            }
            match transition_alone(&app.db, &reference, to, "test", None).await {
                Err(TransitionError::Illegal {
                    from: was,
                    to: asked,
                }) => {
                    assert_eq!((was, asked), (*from, to));
                    refused += 1;
                }
                other => panic!("{from:?} -> {to:?} was not refused: {other:?}"),
            }
            assert_eq!(app.db.status_of(&reference).await.unwrap(), Some(*from));
        }
    }
    // 36 pairs minus the 7 legal ones.
    assert_eq!(refused, 29);
    assert!(matches!(
        transition_alone(&app.db, "NOPE-NOPE", OrderStatus::Confirmed, "test", None).await,
        Err(TransitionError::NotFound)
    ));
}

async fn cancelling_releases_stock_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = place_order(&app, "k").await;
    assert_eq!(app.db.available("shirt-linen").await.unwrap(), Some(10));
    transition_alone(&app.db, &reference, OrderStatus::Cancelled, "admin", None)
        .await
        .unwrap();
    assert_eq!(app.db.available("shirt-linen").await.unwrap(), Some(12));
    assert!(
        transition_alone(&app.db, &reference, OrderStatus::Cancelled, "admin", None)
            .await
            .is_err()
    );
    assert_eq!(app.db.available("shirt-linen").await.unwrap(), Some(12));
}

async fn hostile_strings_are_escaped_in_the_desk(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = order_body();
    body["customer"]["name"] = json!("<script>alert('name')</script>");
    body["customer"]["email"] = json!("a@b.example");
    body["delivery"]["address"] = json!("\"><img src=x onerror=alert(1)>");
    body["note"] = json!("</pre><b onmouseover=alert(2)>hi</b>");
    body["consent"]["text"] = json!("<iframe src=//evil.example>");
    body["page"] = json!("https://shop.example/?q=<svg/onload=alert(3)>");
    let (status, answer) = app.post_order(Some("hostile"), &body).await;
    assert_eq!(status, 201, "{answer}");
    let reference = answer["reference"].as_str().unwrap().to_string();
    let mut browser = Browser::new(&app);
    browser.sign_in().await;

    let (_, _, list) = browser.get("/admin").await;
    let (_, _, detail) = browser.get(&format!("/admin/orders/{reference}")).await;
    for page in [&list, &detail] {
        assert!(!page.contains("<script>alert"), "unescaped script");
        assert!(
            page.contains("&#60;script&#62;alert(&#39;name&#39;)"),
            "the name is shown as text: {page}"
        );
    }
    for raw in [
        "<img src=x",
        "<b onmouseover",
        "<iframe",
        "<svg/onload",
        "</pre><b",
    ] {
        assert!(!detail.contains(raw), "unescaped {raw}");
    }
    assert!(detail.contains("&#60;iframe src=//evil.example&#62;"));
}

async fn the_list_filters_by_status_and_flags_waiting_orders(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = place_order(&app, "a").await;
    let mut body = order_body();
    body["reference"] = json!("server-picks");
    let (_, second) = app.post_order(Some("b"), &body).await;
    let second = second["reference"].as_str().unwrap().to_string();
    transition_alone(&app.db, &second, OrderStatus::Confirmed, "admin", None)
        .await
        .unwrap();
    let mut browser = Browser::new(&app);
    browser.sign_in().await;

    let (_, _, pending) = browser.get("/admin?status=pending").await;
    assert!(pending.contains(&first) && !pending.contains(&second));
    let (_, _, confirmed) = browser.get("/admin?status=confirmed").await;
    assert!(confirmed.contains(&second) && !confirmed.contains(&first));
    assert!(confirmed.contains("50%"), "conversion: 1 of 2 confirmed");
    assert!(
        !pending.contains(r#"class="late""#),
        "a fresh order is not late"
    );
}

async fn sign_in_attempts_are_rate_limited(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut browser = Browser::new(&app);
    let (_, _, page) = browser.get("/admin/login").await;
    let csrf = csrf_of(&page);
    let wrong = [
        ("csrf", csrf.as_str()),
        ("username", "admin"),
        ("password", "guess"),
    ];
    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(browser.post("/admin/login", &wrong).await.0);
    }
    assert_eq!(statuses[..10], [401; 10]);
    assert_eq!(statuses[10], 429);
}

async fn admin_adds_staff_who_can_sign_in_and_be_assigned(backend: Backend) {
    let app = spawn_app(backend).await;
    let reference = place_order(&app, "k").await;
    let mut admin = Browser::new(&app);
    let csrf = admin.sign_in().await;

    let short = [
        ("csrf", csrf.as_str()),
        ("username", "sam"),
        ("password", "short"),
    ];
    let (status, _, _) = admin.post("/admin/staff", &short).await;
    assert_eq!(status, 422);
    let form = [
        ("csrf", csrf.as_str()),
        ("username", "sam"),
        ("password", "a long enough secret"),
    ];
    let (status, location, _) = admin.post("/admin/staff", &form).await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/admin/staff?notice=added")
    );
    let (_, location, _) = admin.post("/admin/staff", &form).await;
    assert_eq!(location, "/admin/staff?notice=taken");

    let path = format!("/admin/orders/{reference}/assign");
    let (status, _, _) = admin
        .post(&path, &[("csrf", csrf.as_str()), ("assigned_to", "sam")])
        .await;
    assert_eq!(status, 303);
    let (status, _, _) = admin
        .post(
            &path,
            &[("csrf", csrf.as_str()), ("assigned_to", "nobody-here")],
        )
        .await;
    assert_eq!(status, 422, "only staff can be assigned");
    let (_, _, page) = admin.get(&format!("/admin/orders/{reference}")).await;
    assert!(page.contains(r#"<option value="sam" selected>"#), "{page}");

    // Sam signs in and moves the order; the history names sam.
    let mut sam = Browser::new(&app);
    let sam_csrf = sam.sign_in_as("sam", "a long enough secret").await;
    let (status, _, _) = sam
        .post(
            &format!("/admin/orders/{reference}/status"),
            &[("csrf", sam_csrf.as_str()), ("to", "confirmed")],
        )
        .await;
    assert_eq!(status, 303);
    let detail = app.db.order_detail(&reference).await.unwrap().unwrap();
    assert_eq!(detail.events.last().unwrap().actor, "sam");
    assert_eq!(detail.row.assigned_to.as_deref(), Some("sam"));
    // Only admin adds accounts.
    let (status, _, _) = sam
        .post(
            "/admin/staff",
            &[
                ("csrf", sam_csrf.as_str()),
                ("username", "eve"),
                ("password", "another long secret"),
            ],
        )
        .await;
    assert_eq!(status, 403);
}

/// Staff find an order by its reference (typed any way), the customer's name, phone or email;
/// the search's wildcards are plain characters.
async fn orders_are_found_by_reference_name_phone_or_email(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut references = Vec::new();
    for (n, (name, phone, email)) in [
        ("Anna de Vries", "+31612345678", "anna@example.com"),
        ("Bram O'Neil", "+32470112233", "bram_50%@example.be"),
        ("Chloé Martin", "+33612000111", "chloe@example.fr"),
    ]
    .iter()
    .enumerate()
    {
        let mut body = order_body();
        body["customer"] = json!({"name": name, "phone": phone, "email": email});
        let (status, answer) = app.post_order(Some(&format!("search-{n}")), &body).await;
        assert_eq!(status, 201, "{answer}");
        references.push(answer["reference"].as_str().unwrap().to_string());
    }
    let mut browser = Browser::new(&app);
    browser.sign_in().await;
    let found = |page: &str| {
        references
            .iter()
            .filter(|r| page.contains(&format!("href=\"/admin/orders/{r}\"")))
            .cloned()
            .collect::<Vec<_>>()
    };
    let typed = references[2].to_lowercase().replace('-', "");
    for (q, expected) in [
        (typed.as_str(), vec![references[2].clone()]),
        ("ANNA", vec![references[0].clone()]),
        ("o'neil", vec![references[1].clone()]),
        ("470 11 22", vec![references[1].clone()]),
        ("example.fr", vec![references[2].clone()]),
        ("50%", vec![references[1].clone()]),
        ("_", vec![references[1].clone()]),
        ("%", vec![references[1].clone()]),
        ("nobody", vec![]),
    ] {
        let path = format!("/admin?q={}", urlencode(q));
        let (status, _, page) = browser.get(&path).await;
        assert_eq!(status, 200);
        assert_eq!(found(&page), expected, "{q:?}");
    }
    let (_, _, page) = browser.get("/admin?q=nobody").await;
    assert!(page.contains("No orders match “nobody”"));
    let (_, _, page) = browser
        .get(&format!("/admin?status=confirmed&q={}", urlencode("Anna")))
        .await;
    assert!(found(&page).is_empty(), "the status filter still applies");
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The desk writes times in the shop's zone ("today 21:05" in Tokyo for 12:05 UTC), with the
/// exact UTC time on hover.
async fn times_show_in_the_shops_time_zone(backend: Backend) {
    let app = crate::helpers::spawn_with(backend, |s| {
        s.time_zone = chatout_server::clock::zone("Asia/Tokyo").unwrap();
    })
    .await;
    let reference = place_order(&app, "zone-1").await;
    let mut browser = Browser::new(&app);
    browser.sign_in().await;
    let (_, _, page) = browser.get(&format!("/admin/orders/{reference}")).await;
    let created = &page[page.find("<dt>Created</dt><dd>").unwrap()..];
    let exact = &created[created.find("datetime=\"").unwrap() + 10..];
    let exact = &exact[..exact.find('"').unwrap()];
    let shown = &created[created.find("\">").unwrap() + 2..created.find("</time>").unwrap()];
    let utc_hour: u32 = exact[11..13].parse().unwrap();
    let minute = &exact[14..16];
    assert!(exact.ends_with('Z'), "{exact}");
    let hour = (utc_hour + 9) % 24;
    let expected = format!("{hour:02}:{minute}");
    assert!(
        shown.ends_with(&expected) && (shown.starts_with("today") || shown.contains(' ')),
        "{shown} for {exact}"
    );
}

/// The products page lists stock, sold-out first, and sets a count as the API does.
async fn staff_see_and_set_stock_on_the_products_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in().await;
    // The olive oil (3 in stock) sells out.
    let mut body = order_body();
    body["items"] = json!([{"sku": "olive-oil-500", "name": "Olive oil, 500 ml", "options": {},
                            "unit_price": 995, "quantity": 3}]);
    body["subtotal"] = json!(2985);
    let (status, answer) = app.post_order(Some("oil"), &body).await;
    assert_eq!(status, 201, "{answer}");
    let (status, _, page) = browser.get("/admin/products").await;
    assert_eq!(status, 200);
    assert!(page.contains("1 sold out, listed first"), "{page}");
    let first_row = page.find("<tbody>").unwrap();
    assert!(page[first_row..].find("olive-oil-500") < page[first_row..].find("shirt-linen"));
    assert!(page.contains(r#"class="sold-out""#));
    // 5 more counted: 5 available, the 3 the order holds stay held.
    let form = [("csrf", csrf.as_str()), ("stock", "8")];
    let (status, location, _) = browser
        .post("/admin/products/olive-oil-500/stock", &form)
        .await;
    assert_eq!(status, 303);
    assert!(location.ends_with("notice=stock-saved"), "{location}");
    assert_eq!(app.db.available("olive-oil-500").await.unwrap(), Some(5));
    let actor: String = sqlx::query_scalar(
        "SELECT actor FROM stock_changes WHERE sku = 'olive-oil-500' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(actor, "desk:admin");
    // Empty is unlimited; nonsense changes nothing; an unknown product is 404.
    for (stock, notice) in [("-1", "stock-invalid"), ("lots", "stock-invalid")] {
        let form = [("csrf", csrf.as_str()), ("stock", stock)];
        let (_, location, _) = browser
            .post("/admin/products/olive-oil-500/stock", &form)
            .await;
        assert!(location.ends_with(notice), "{stock}: {location}");
    }
    assert_eq!(app.db.available("olive-oil-500").await.unwrap(), Some(5));
    let form = [("csrf", csrf.as_str()), ("stock", "")];
    browser
        .post("/admin/products/olive-oil-500/stock", &form)
        .await;
    assert_eq!(app.db.available("olive-oil-500").await.unwrap(), None);
    let (status, _, _) = browser.post("/admin/products/lamp/stock", &form).await;
    assert_eq!(status, 404);
}

crate::on_both_backends!(
    staff_see_and_set_stock_on_the_products_page,
    times_show_in_the_shops_time_zone,
    orders_are_found_by_reference_name_phone_or_email,
    admin_adds_staff_who_can_sign_in_and_be_assigned,
    sign_in_attempts_are_rate_limited,
    desk_pages_require_sign_in,
    a_wrong_password_is_refused_and_a_right_one_sets_a_strict_cookie,
    forms_without_the_csrf_token_are_refused,
    staff_move_an_order_along_and_every_step_is_recorded,
    every_illegal_transition_is_refused,
    cancelling_releases_stock_once,
    hostile_strings_are_escaped_in_the_desk,
    the_list_filters_by_status_and_flags_waiting_orders,
);
