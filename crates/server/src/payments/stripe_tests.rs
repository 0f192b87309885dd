//! Stripe's sessions, signatures and events as the server reads them.

use super::*;
use crate::policy::payment::MoneyBack;

#[test]
fn signatures_hold_for_the_exact_body_within_five_minutes() {
    let body = br#"{"id":"evt_1"}"#;
    let header = sign("whsec_test", body, 1_800_000_000);
    assert_eq!(
        verify("whsec_test", body, Some(&header), 1_800_000_100),
        Ok(())
    );
    assert_eq!(
        verify("whsec_test", b"{}", Some(&header), 1_800_000_100),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify("whsec_other", body, Some(&header), 1_800_000_100),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify("whsec_test", body, Some(&header), 1_800_000_301),
        Err(SignatureError::Stale)
    );
    assert_eq!(
        verify("whsec_test", body, None, 0),
        Err(SignatureError::Missing)
    );
    assert_eq!(
        verify("whsec_test", body, Some("t=1,v0=ab"), 1),
        Err(SignatureError::Missing)
    );
    // Several v1 signatures (a secret being rolled): any one matching will do.
    let two = format!("{header},v1=00ff");
    assert_eq!(
        verify("whsec_test", body, Some(&two), 1_800_000_000),
        Ok(())
    );
}

#[test]
fn a_strangers_header_costs_no_more_than_one_hmac() {
    let body = br#"{"id":"evt_1"}"#;
    let t = 1_800_000_000;
    let good = sign("whsec_test", body, t);
    // Regression (issue 27): 15,000 empty `v1=` entries each cost an HMAC of the body.
    let empties = format!("t={t}{}", ",v1=".repeat(15_000));
    assert_eq!(
        verify("whsec_test", body, Some(&empties), t),
        Err(SignatureError::Missing)
    );
    // Empty and short signatures are not signatures.
    assert_eq!(
        verify("whsec_test", body, Some(&format!("t={t},v1=,v1=00ff")), t),
        Err(SignatureError::Missing)
    );
    // The timestamp is checked before any HMAC: a stale header is stale, right or not.
    let stale_wrong = format!("t={t},v1={}", "ab".repeat(32));
    assert_eq!(
        verify("whsec_test", body, Some(&stale_wrong), t + 301),
        Err(SignatureError::Stale)
    );
    // At most MAX_SIGNATURES are compared: the right one after four others is not seen.
    let junk = format!(",v1={}", "cd".repeat(32)).repeat(MAX_SIGNATURES);
    let buried = format!("t={t}{junk},{}", good.split_once(',').unwrap().1);
    assert_eq!(
        verify("whsec_test", body, Some(&buried), t),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn a_timestamp_far_from_now_is_stale_not_a_panic() {
    let header = format!("t={},v1={}", i64::MIN, "ab".repeat(32));
    assert_eq!(
        verify("whsec_test", b"{}", Some(&header), 1_800_000_000),
        Err(SignatureError::Stale)
    );
}

fn news(body: &str) -> News {
    event(body.as_bytes()).unwrap().unwrap().news
}

/// What went back after the money-back event `body`, from `before`.
fn after(body: &str, before: MoneyBack) -> MoneyBack {
    match news(body) {
        News::MoneyBack { report, .. } => before.after(report),
        other => panic!("not about money back: {other:?}"),
    }
}

#[test]
fn events_about_sessions_are_read_and_others_left() {
    let completed = r#"{"id":"evt_1","type":"checkout.session.completed","data":{"object":
      {"id":"cs_1","object":"checkout.session","amount_total":2985,"currency":"eur",
       "status":"complete","payment_status":"paid","payment_intent":"pi_1",
       "metadata":{"reference":"K7F3-9Q2M"},"url":null}}}"#;
    let e = event(completed.as_bytes()).unwrap().unwrap();
    assert_eq!(e.id, "evt_1");
    let News::Session(payment) = e.news else {
        panic!("a session: {:?}", e.news)
    };
    assert_eq!(payment.status, PaymentStatus::Paid);
    assert_eq!((payment.amount, payment.currency.as_str()), (2985, "EUR"));
    assert_eq!(payment.intent.as_deref(), Some("pi_1"));
    assert_eq!(payment.reference.as_deref(), Some("K7F3-9Q2M"));
    let failed = completed
        .replace(
            "checkout.session.completed",
            "checkout.session.async_payment_failed",
        )
        .replace("\"paid\"", "\"unpaid\"");
    assert!(matches!(news(&failed), News::Session(p) if p.status == PaymentStatus::Failed));
    assert_eq!(
        event(br#"{"id":"evt_2","type":"customer.created","data":{}}"#),
        Ok(None)
    );
    assert!(event(b"{").is_err());
    // Regression (issue 27): a session without amount_total was a 400, retried forever.
    let no_amount = completed.replace("\"amount_total\":2985,", "");
    assert_eq!(
        news(&no_amount),
        News::Unreadable {
            session: "cs_1".into(),
            why: "Stripe answered something unexpected: no amount_total".into()
        }
    );
}

#[test]
fn refunds_and_disputes_are_read_from_charge_events() {
    // Shaped on Stripe's charge.refunded example: the Charge, amount_refunded in all.
    let refunded = r#"{"id":"evt_3","object":"event","type":"charge.refunded",
      "data":{"object":{"id":"ch_1","object":"charge","amount":2985,"amount_refunded":1000,
      "currency":"eur","payment_intent":"pi_1","refunded":false}}}"#;
    assert_eq!(
        news(refunded),
        News::MoneyBack {
            intent: "pi_1".into(),
            report: BackReport {
                refunded: Some(1000),
                charged_back: None
            }
        }
    );
    // Refunds only add up: a late event with less keeps what was known.
    let before = MoneyBack {
        refunded: 2000,
        charged_back: 0,
    };
    assert_eq!(after(refunded, before), before);
    let dispute = r#"{"id":"evt_4","type":"charge.dispute.created","data":{"object":
      {"id":"dp_1","object":"dispute","amount":2985,"charge":"ch_1","currency":"eur",
       "payment_intent":"pi_1","status":"needs_response"}}}"#;
    assert_eq!(
        after(dispute, MoneyBack::default()),
        MoneyBack {
            refunded: 0,
            charged_back: 2985
        }
    );
    // An inquiry withdraws nothing.
    let inquiry = dispute.replace("needs_response", "warning_needs_response");
    assert_eq!(after(&inquiry, MoneyBack::default()), MoneyBack::default());
    let won = dispute
        .replace("charge.dispute.created", "charge.dispute.closed")
        .replace("needs_response", "won");
    assert_eq!(
        after(
            &won,
            MoneyBack {
                refunded: 0,
                charged_back: 2985
            }
        ),
        MoneyBack::default()
    );
    // A charge made without Checkout (no payment intent) is not this server's.
    let legacy = refunded.replace("\"payment_intent\":\"pi_1\",", "");
    assert_eq!(event(legacy.as_bytes()), Ok(None));
}

#[test]
fn the_checkout_speaks_the_orders_language_where_stripe_can() {
    assert_eq!(locale_of("nl"), "nl");
    assert_eq!(locale_of("pt-BR"), "pt-BR");
    assert_eq!(locale_of("de-AT"), "de");
    assert_eq!(locale_of("ar"), "auto");
}
