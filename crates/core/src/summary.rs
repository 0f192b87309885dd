//! The order message: WhatsApp markup, in a fixed order of lines, user text neutralised.

use crate::cart::LineItem;
use crate::labels::{fill, Labels};
use crate::money::{Money, MoneyError};
use crate::money_format::MoneyStyle;
use crate::order::{Delivery, Order};
use crate::text::{inline, inline_into};

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
    let mut out = String::with_capacity(512 + order.lines.len() * 80);
    items(&mut out, order, labels, detail, &style);
    totals(&mut out, order, labels, &style);
    delivery_and_payment(&mut out, order, labels);
    customer(&mut out, order, labels);
    if order.consent.is_some() {
        out.push_str(&format!("\n✅ {}\n", labels.consent_given));
    }
    if detail == Detail::Compact {
        out.push('\n');
        out.push_str(&labels.compact_notice);
    }
    // Every line above ends in a newline; the message does not.
    if out.ends_with('\n') {
        out.pop();
    }
    out
}

/// `*Label:* value`, the value neutralised: the shape of every labelled line.
fn field(out: &mut String, label: &str, value: &str) {
    out.push('*');
    out.push_str(label);
    out.push_str(":* ");
    inline_into(out, value);
    out.push('\n');
}

/// The heading with shop and reference, then one line per item.
fn items(out: &mut String, order: &Order, labels: &Labels, detail: Detail, style: &MoneyStyle) {
    let heading = fill(
        &labels.order_heading,
        &[
            ("reference", order.reference.as_str()),
            ("shop", &inline(&order.shop)),
        ],
    );
    out.push_str(&format!("*{heading}*\n\n*{}*\n", labels.items));
    for line in &order.lines {
        item_line(out, line, detail, style);
    }
}

/// The subtotal and the shipping expectation.
fn totals(out: &mut String, order: &Order, labels: &Labels, style: &MoneyStyle) {
    out.push_str(&format!("\n*{}:* ", labels.subtotal));
    money_or_unknown(out, order.subtotal(), style);
    out.push('\n');
    let shipping = order
        .shipping_note
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(&labels.shipping_default);
    field(out, &labels.shipping, shipping);
    out.push('\n');
}

/// Shipping with the address, or pickup; then the payment preference.
fn delivery_and_payment(out: &mut String, order: &Order, labels: &Labels) {
    match &order.details.delivery {
        Delivery::Shipping { address } => {
            out.push_str(&format!(
                "*{}:* {}\n",
                labels.delivery, labels.delivery_shipping
            ));
            field(out, &labels.address, address);
        }
        Delivery::Pickup => out.push_str(&format!(
            "*{}:* {}\n",
            labels.delivery, labels.delivery_pickup
        )),
    }
    field(
        out,
        &labels.payment,
        labels.payment_label(order.details.payment.id()),
    );
    out.push('\n');
}

/// The customer's name, phone, email and note, each only when given.
fn customer(out: &mut String, order: &Order, labels: &Labels) {
    let customer = &order.details.customer;
    out.push_str(&format!("*{}*\n", labels.customer));
    field(out, &labels.name, &customer.name);
    if let Some(phone) = &customer.phone {
        field(out, &labels.phone, &phone.to_string());
    }
    if let Some(email) = &customer.email {
        field(out, &labels.email, email.as_str());
    }
    if let Some(note) = order
        .details
        .note
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        field(out, &labels.note, note);
    }
}

fn money_or_unknown(out: &mut String, amount: Result<Money, MoneyError>, style: &MoneyStyle) {
    match amount {
        Ok(money) => style.format_into(out, money),
        Err(_) => out.push('?'),
    }
}

/// `2 × Linen shirt (Size: M, Colour: Sand) — €59.80`; compact lines leave out the options.
fn item_line(out: &mut String, line: &LineItem, detail: Detail, style: &MoneyStyle) {
    out.push_str(&line.quantity.get().to_string());
    out.push_str(" × ");
    inline_into(out, line.name.as_str());
    if detail == Detail::Full && !line.options.is_empty() {
        out.push_str(" (");
        for (i, (name, value)) in line.options.pairs().iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            inline_into(out, name);
            out.push_str(": ");
            inline_into(out, value);
        }
        out.push(')');
    }
    out.push_str(" — ");
    money_or_unknown(out, line.total(), style);
    out.push('\n');
}
