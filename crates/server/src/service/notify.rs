//! Queueing an order event's WhatsApp message, inside the transaction of the change that
//! caused it: the customer's consent is checked here, the message is built by
//! `whatsapp::payload`, and a parameter the order cannot fill queues a visible failure.
//!
//! A confirmation inside the customer's 24-hour window is a service message with reply
//! buttons ("Yes, confirm" / "Cancel order", in the order's language), which needs no opt-in;
//! outside it, the `confirmed` template (with its quick replies, if configured) for a
//! customer who opted in.

use crate::clock::UnixMillis;
use crate::db::messaging::{self, MessageFacts, NewMessage};
use crate::policy::answer::Action;
use crate::policy::order_template::{self, NameToUse, Proof, Withheld, CAP_WINDOW_MS};
use crate::policy::outbox::MessageKind;
use crate::whatsapp::payload::{self, OrderFacts};
use crate::whatsapp::templates::{Event, Template, Templates};
use crate::whatsapp::texts::chat_texts;
use crate::AppState;
use chatout_core::{fill, Currency, ShopSettings, Totals};
use serde_json::Value;
use sqlx::AnyConnection;

/// What writing an order's messages needs besides the order: the shop's templates, the shop
/// itself, and the server's public URL (for the shopper's order page).
#[derive(Clone, Copy)]
pub struct Shop<'a> {
    /// Which template each event sends.
    pub templates: &'a Templates,
    /// The catalog's shop block.
    pub settings: &'a ShopSettings,
    /// `CHATOUT_PUBLIC_URL`, if set.
    pub public_url: Option<&'a str>,
}

impl<'a> Shop<'a> {
    /// The shop of `state`, when messaging is on.
    pub fn of(state: &'a AppState) -> Option<Self> {
        Some(Self {
            templates: state.templates()?,
            settings: &state.catalog.shop,
            public_url: state.settings.public_url.as_deref(),
        })
    }
}

/// Queues `event`'s message for order `order_id`, once: the confirmation's buttons inside
/// the window, else the template the shop has for it if the customer may receive it now.
pub async fn queue_event(
    conn: &mut AnyConnection,
    order_id: i64,
    event: Event,
    shop: Shop<'_>,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    queue_event_keyed(conn, order_id, event, shop, "", now).await?;
    Ok(())
}

/// What became of an order event's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queued {
    /// A message was queued.
    Yes,
    /// None was due: no template, no phone, or no consent now.
    No,
    /// `policy::order_template` withheld it (a reminder's reason is noted on the order; any
    /// other event's is a failed message staff see).
    Withheld(Withheld),
}

/// [`queue_event`] for an event that may happen more than once (each reminder of a
/// sequence): `key` tells them apart, so each is queued once.
pub async fn queue_event_keyed(
    conn: &mut AnyConnection,
    order_id: i64,
    event: Event,
    shop: Shop<'_>,
    key: &str,
    now: UnixMillis,
) -> Result<Queued, sqlx::Error> {
    let template = shop.templates.get(event);
    if template.is_none() && event != Event::Confirmed {
        return Ok(Queued::No);
    }
    let Some(order) = messaging::message_facts(conn, order_id).await? else {
        return Ok(Queued::No);
    };
    // The contact whose message linked the order (it survives a number change), else the
    // one of the number typed on the web.
    let Some((_, contact)) = messaging::order_contact(conn, &order.reference).await? else {
        return Ok(Queued::No);
    };
    let dedupe_key = match key {
        "" => format!("order:{order_id}:{}", event.as_str()),
        key => format!("order:{order_id}:{}:{key}", event.as_str()),
    };
    let in_window = contact
        .consent
        .may_receive(MessageKind::Reply, contact.window_until, now)
        .is_ok();
    if event == Event::Confirmed && in_window {
        let message = confirmation_buttons(&order, shop, contact.id, order_id, dedupe_key);
        messaging::enqueue(conn, message, now).await?;
        return Ok(Queued::Yes);
    }
    let Some(template) = template else {
        return Ok(Queued::No);
    };
    if contact
        .consent
        .may_receive(MessageKind::Template, contact.window_until, now)
        .is_err()
    {
        return Ok(Queued::No);
    }
    let to = Recipient {
        order_id,
        contact_id: contact.id,
        dedupe_key,
    };
    let message = match template_message(conn, order, to, event, template, shop, now).await? {
        Ok(message) => message,
        Err(withheld) => return Ok(Queued::Withheld(withheld)),
    };
    messaging::enqueue(conn, message, now).await?;
    Ok(Queued::Yes)
}

/// Who an order event's message goes to, and the key that makes it once.
struct Recipient {
    order_id: i64,
    contact_id: i64,
    dedupe_key: String,
}

/// The confirmation inside the customer's window: a service message with reply buttons
/// ("Yes, confirm" / "Cancel order"), the payment link or bank details when there are.
fn confirmation_buttons(
    order: &MessageFacts,
    shop: Shop<'_>,
    contact_id: i64,
    order_id: i64,
    dedupe_key: String,
) -> NewMessage<'static> {
    let texts = chat_texts(&order.locale);
    let total =
        payload::shown_amount(total_of(order), &order.currency, &order.locale).unwrap_or_default();
    let mut body = fill(
        texts.confirm_body,
        &[
            ("shop", &shop.settings.name),
            ("reference", &order.reference),
            ("total", &total),
        ],
    );
    if let Some(url) = &order.payment_url {
        body.push_str("\n\n");
        body.push_str(&fill(texts.pay_here, &[("url", url)]));
    }
    if let Some(details) = bank_details(order, shop.settings) {
        body.push_str("\n\n");
        body.push_str(details);
    }
    let buttons = [
        (Action::Confirm, texts.button_confirm),
        (Action::Cancel, texts.button_cancel),
    ];
    let (payload, preview) = payload::reply_buttons(&body, &order.reference, &buttons);
    NewMessage {
        dedupe_key,
        contact_id,
        order_id: Some(order_id),
        kind: MessageKind::Reply,
        event: Some(Event::Confirmed.as_str()),
        payload,
        preview,
        author: "system",
        failed: None,
    }
}

/// `event`'s template message for a customer who may receive it: a withheld reminder is
/// `Err` (its reason is noted on the order); any other withheld or unfillable template is a
/// failed message staff see.
async fn template_message(
    conn: &mut AnyConnection,
    order: MessageFacts,
    to: Recipient,
    event: Event,
    template: &Template,
    shop: Shop<'_>,
    now: UnixMillis,
) -> Result<Result<NewMessage<'static>, Withheld>, sqlx::Error> {
    let reminder = event == Event::PendingReminder;
    let cause = if reminder {
        Cause::Reminder
    } else {
        Cause::Event
    };
    let guarded = guarded_facts(conn, order, to.contact_id, template, cause, shop, now).await?;
    let (payload, preview, failed) = match guarded {
        Err(withheld) if reminder => return Ok(Err(withheld)),
        Err(withheld) => (
            Value::Null,
            format!("template {}", template.name),
            Some(withheld.to_string()),
        ),
        Ok(facts) => match payload::template(template, &facts) {
            Ok((payload, preview)) => (payload, preview, None),
            Err(problem) => (
                Value::Null,
                format!("template {}", template.name),
                Some(problem),
            ),
        },
    };
    Ok(Ok(NewMessage {
        dedupe_key: to.dedupe_key,
        contact_id: to.contact_id,
        order_id: Some(to.order_id),
        kind: MessageKind::Template,
        event: Some(event.as_str()),
        payload,
        preview,
        author: "system",
        failed,
    }))
}

/// What sends an order template: what `policy::order_template` weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// A reminder of a pending order (only to a proven number).
    Reminder,
    /// Another order event (counted towards the daily cap).
    Event,
    /// Staff chose it in the desk (not capped: a person decided).
    Staff,
}

/// The facts to fill an order template for `order` sent to contact `contact_id`, or why it
/// is withheld (`policy::order_template`): the typed name only where this order's message
/// came from that number, the name its owner sent on another order where one did, and at
/// most a handful of automatic order templates a day.
pub async fn guarded_facts(
    conn: &mut AnyConnection,
    order: MessageFacts,
    contact_id: i64,
    template: &Template,
    cause: Cause,
    shop: Shop<'_>,
    now: UnixMillis,
) -> Result<Result<OrderFacts, Withheld>, sqlx::Error> {
    let arrived = order.received_at.is_some() && order.contact_id == Some(contact_id);
    let proof = if arrived {
        Proof::Arrived
    } else {
        match messaging::proven_name(conn, contact_id).await? {
            Some(name) => Proof::Proven { name },
            None => Proof::Unproven,
        }
    };
    let since = now.saturating_sub(CAP_WINDOW_MS);
    let sent_today = match cause {
        Cause::Staff => 0,
        Cause::Reminder | Cause::Event => {
            messaging::order_templates_since(conn, contact_id, since).await?
        }
    };
    let request = order_template::Request {
        reminder: cause == Cause::Reminder,
        typed_text: template.carries_typed_text(),
        sent_today,
    };
    Ok(order_template::decide(request, &proof).map(|name| {
        let mut facts = facts_for(order, shop);
        if let NameToUse::Proven(name) = name {
            facts.name = name;
        }
        facts
    }))
}

/// What an order comes to: `subtotal + shipping − discount` (the stored amounts passed this
/// rule when they were set; the subtotal alone if they no longer do).
pub fn total_of(order: &MessageFacts) -> i64 {
    Currency::from_code(&order.currency)
        .ok()
        .and_then(|c| Totals::from_minor(c, order.subtotal, order.shipping, order.discount).ok())
        .map_or(order.subtotal, |t| t.total.minor_units())
}

/// The shop's bank transfer details, for an order the customer pays by bank transfer.
pub fn bank_details<'a>(order: &MessageFacts, shop: &'a ShopSettings) -> Option<&'a str> {
    bank_details_of(&order.payment, shop)
}

fn bank_details_of<'a>(payment: &str, shop: &'a ShopSettings) -> Option<&'a str> {
    (payment == "bank_transfer")
        .then_some(shop.bank_transfer.as_deref())
        .flatten()
}

/// What a template's parameters are filled from, for an order of `shop`.
pub fn facts_for(order: MessageFacts, shop: Shop<'_>) -> OrderFacts {
    let bank = bank_details(&order, shop.settings).map(str::to_string);
    let page = shop
        .public_url
        .map(|base| format!("{base}/orders/{}", order.access_token));
    let token = order.access_token.clone();
    let mut facts = facts_of(order);
    facts.bank_transfer = bank;
    facts.order_page = page;
    facts.pay_token = Some(token);
    facts
}

/// What a template's parameters are filled from, for an order's stored facts.
pub fn facts_of(order: MessageFacts) -> OrderFacts {
    let total = total_of(&order);
    OrderFacts {
        reference: order.reference,
        name: order.customer_name,
        currency: order.currency,
        total,
        locale: order.locale,
        tracking_url: order.tracking_url,
        payment_url: order.payment_url,
        bank_transfer: None,
        order_page: None,
        pay_token: None,
        product: None,
        product_link: None,
    }
}
