//! Sending back-in-stock alerts: each restock claimed once, its waiting subscribers alerted
//! in arrival order as far as its units allow, under the consent check and frequency cap.

use crate::clock::now_ms;
use crate::db::alerts::{self, OpenRestock, RestockCounts, Waiting};
use crate::db::campaigns::link_token;
use crate::db::messaging::{self, NewMessage};
use crate::policy::alert::alerts_for;
use crate::policy::campaign::is_own_url;
use crate::policy::outbox::MessageKind;
use crate::service::campaigns::{at_cap, own_hosts};
use crate::whatsapp::payload::{self, OrderFacts};
use crate::whatsapp::templates::{Event, Template};
use crate::AppState;
use chatout_core::CatalogProduct;
use sqlx::AnyConnection;

/// Alerts the subscribers of every restock not handled yet; returns how many alerts it
/// queued. Any server may run it: each restock is claimed once, in the transaction that
/// queues its alerts. A product sold out again by then alerts nobody.
#[tracing::instrument(skip_all)]
pub async fn send_alerts(state: &AppState) -> Result<u64, sqlx::Error> {
    let Some(template) = state.templates().and_then(|t| t.get(Event::BackInStock)) else {
        return Ok(0);
    };
    let mut queued = 0;
    for open in state.db.open_restocks().await? {
        queued += alert_restock(state, template, &open).await?;
    }
    Ok(queued)
}

/// Claims one restock and alerts its waiting subscribers in arrival order, as far as its
/// units allow, in one transaction; returns how many alerts it queued.
#[tracing::instrument(skip_all, fields(sku = %open.sku, restock = open.restock.id))]
async fn alert_restock(
    state: &AppState,
    template: &Template,
    open: &OpenRestock,
) -> Result<u64, sqlx::Error> {
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    if !alerts::claim_restock(&mut tx, open.restock.id, now).await? {
        return Ok(0);
    }
    let available = crate::db::stock::available_in(&mut tx, &open.sku).await?;
    let mut room = alerts_for(available, state.settings.alerts_per_unit);
    let product = state.catalog.product(&open.sku);
    let mut counts = RestockCounts::default();
    let mut queued = 0;
    for waiting in alerts::waiting_for(&mut tx, &open.sku).await? {
        if room.is_some_and(|n| n <= 0) {
            break;
        }
        let Some(product) = product else { break };
        let Some(contact) = messaging::contact_by_id(&mut tx, waiting.contact_id).await? else {
            continue;
        };
        if let Err(refusal) = contact.may_receive(MessageKind::Marketing, now) {
            let reason = format!("not alerted: {refusal}");
            alerts::close_alert(&mut tx, waiting.id, Err(&reason), now).await?;
            counts.skipped_consent += 1;
            continue;
        }
        if at_cap(&mut tx, state, contact.id, now).await? {
            // Over the cap: skipped now, still waiting for the next restock.
            counts.skipped_cap += 1;
            continue;
        }
        let message = alert_message(&mut tx, state, template, product, &waiting, now).await?;
        let Some(outbox_id) = messaging::enqueue(&mut tx, message, now).await? else {
            continue;
        };
        alerts::close_alert(&mut tx, waiting.id, Ok(outbox_id), now).await?;
        counts.alerted += 1;
        queued += 1;
        room = room.map(|n| n - 1);
    }
    alerts::count_restock(&mut tx, open.restock.id, counts).await?;
    tx.commit().await?;
    Ok(queued)
}

/// The `back_in_stock` template for one waiting subscriber, its link tracked; a template
/// that cannot be filled is queued as decided failed.
async fn alert_message(
    conn: &mut AnyConnection,
    state: &AppState,
    template: &Template,
    product: &CatalogProduct,
    waiting: &Waiting,
    now: i64,
) -> Result<NewMessage<'static>, sqlx::Error> {
    let link = product_link(product.url.as_deref(), &waiting.page);
    let facts = OrderFacts {
        reference: String::new(),
        name: String::new(),
        currency: state.catalog.currency.code().to_string(),
        total: 0,
        locale: waiting.locale.clone(),
        tracking_url: None,
        payment_url: None,
        bank_transfer: None,
        order_page: None,
        pay_token: None,
        product: Some(product.name.as_str().to_string()),
        product_link: tracked(conn, state, waiting.contact_id, link, now).await?,
    };
    let (payload, preview, failed) = match payload::template(template, &facts) {
        Ok((payload, preview)) => (payload, preview, None),
        Err(problem) => (
            serde_json::Value::Null,
            format!("template {}", template.name),
            Some(problem),
        ),
    };
    Ok(NewMessage {
        dedupe_key: format!("alert:{}", waiting.id),
        contact_id: waiting.contact_id,
        order_id: None,
        kind: MessageKind::Marketing,
        event: Some(Event::BackInStock.as_str()),
        payload,
        preview,
        author: "system",
        failed,
    })
}

/// An alert's link through `/r/{token}` (counted in the alerts' results) when the server has
/// a public URL and the page is the shop's own; else the page itself.
async fn tracked(
    conn: &mut AnyConnection,
    state: &AppState,
    contact_id: i64,
    link: Option<String>,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    let Some(url) = link else {
        return Ok(None);
    };
    let base = match state.settings.public_url.as_deref() {
        Some(base) if is_own_url(&url, own_hosts(state)) => base,
        _ => return Ok(Some(url)),
    };
    let fresh = hex::encode(rand::random::<[u8; 16]>());
    let token = link_token(conn, "alerts", contact_id, &url, &fresh, now).await?;
    Ok(Some(format!("{base}/r/{token}")))
}

/// Where an alert links: the catalog's product URL (a path is read against the page it was
/// asked on), else that page; `None` when neither is a web address.
fn product_link(url: Option<&str>, page: &str) -> Option<String> {
    let page = reqwest::Url::parse(page)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    let link = match (url, &page) {
        (Some(url), Some(page)) => page.join(url).ok(),
        (Some(url), None) => reqwest::Url::parse(url).ok(),
        (None, page) => page.clone(),
    };
    link.filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alert_links_the_product_page_or_the_page_it_was_asked_on() {
        let page = "https://shop.example/shirts/linen?x=1";
        assert_eq!(
            product_link(Some("/p/linen"), page).as_deref(),
            Some("https://shop.example/p/linen")
        );
        assert_eq!(
            product_link(Some("https://cdn.example/p"), "").as_deref(),
            Some("https://cdn.example/p")
        );
        assert_eq!(product_link(None, page).as_deref(), Some(page));
        assert_eq!(product_link(Some("javascript:alert(1)"), page), None);
        assert_eq!(product_link(None, "file:///etc/passwd"), None);
        assert_eq!(product_link(Some("/p"), "not a url"), None);
    }
}
