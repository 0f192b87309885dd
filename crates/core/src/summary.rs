//! The order message: WhatsApp markup, in a fixed order of lines, user text neutralised.

use crate::cart::LineItem;
use crate::labels::{fill, Labels};
use crate::money::Money;
use crate::order::{Delivery, Order};
use crate::text::inline;

/// How much detail the item lines carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    Full,
    Compact,
}

/// The full order message: heading with shop and reference; items (quantity × name (options)
/// — line total); subtotal; shipping expectation; delivery and address or pickup; payment;
/// customer name, phone and email; note; consent line when opted in.
pub fn render_summary(order: &Order, labels: &Labels) -> String {
    render(order, labels, Detail::Full)
}

/// A shorter message for long carts: one line per item without options, and a line saying so.
pub fn render_compact_summary(order: &Order, labels: &Labels) -> String {
    render(order, labels, Detail::Compact)
}

fn render(order: &Order, labels: &Labels, detail: Detail) -> String {
    let style = labels.money.resolved_for(order.currency);
    let money = |amount: Result<Money, _>| {
        amount
            .map(|m| style.format(m))
            .unwrap_or_else(|_: crate::money::MoneyError| "?".to_string())
    };
    let field = |label: &str, value: &str| format!("*{label}:* {}", inline(value));
    let mut out: Vec<String> = Vec::new();

    let heading = fill(
        &labels.order_heading,
        &[
            ("reference", order.reference.as_str()),
            ("shop", &inline(&order.shop)),
        ],
    );
    out.push(format!("*{heading}*"));
    out.push(String::new());

    out.push(format!("*{}*", labels.items));
    out.extend(
        order
            .lines
            .iter()
            .map(|line| item_line(line, detail, &money)),
    );
    out.push(String::new());

    out.push(format!(
        "*{}:* {}",
        labels.subtotal,
        money(order.subtotal())
    ));
    let shipping = order
        .shipping_note
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(&labels.shipping_default);
    out.push(field(&labels.shipping, shipping));
    out.push(String::new());

    match &order.details.delivery {
        Delivery::Shipping { address } => {
            out.push(format!(
                "*{}:* {}",
                labels.delivery, labels.delivery_shipping
            ));
            out.push(field(&labels.address, address));
        }
        Delivery::Pickup => out.push(format!("*{}:* {}", labels.delivery, labels.delivery_pickup)),
    }
    let payment = labels.payment_label(order.details.payment.id());
    out.push(field(&labels.payment, payment));
    out.push(String::new());

    let customer = &order.details.customer;
    out.push(format!("*{}*", labels.customer));
    out.push(field(&labels.name, &customer.name));
    if let Some(phone) = &customer.phone {
        out.push(field(&labels.phone, &phone.to_string()));
    }
    if let Some(email) = &customer.email {
        out.push(field(&labels.email, email.as_str()));
    }
    if let Some(note) = order
        .details
        .note
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        out.push(field(&labels.note, note));
    }
    if order.consent.is_some() {
        out.push(String::new());
        out.push(format!("✅ {}", labels.consent_given));
    }
    if detail == Detail::Compact {
        out.push(String::new());
        out.push(labels.compact_notice.clone());
    }
    out.join("\n")
}

fn item_line(
    line: &LineItem,
    detail: Detail,
    money: &impl Fn(Result<Money, crate::money::MoneyError>) -> String,
) -> String {
    let name = inline(line.name.as_str());
    let options = if detail == Detail::Full && !line.options.is_empty() {
        let pairs: Vec<String> = line
            .options
            .pairs()
            .iter()
            .map(|(n, v)| format!("{}: {}", inline(n), inline(v)))
            .collect();
        format!(" ({})", pairs.join(", "))
    } else {
        String::new()
    };
    format!(
        "{} × {name}{options} — {}",
        line.quantity.get(),
        money(line.total())
    )
}
