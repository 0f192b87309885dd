//! The pending order as JSON, in the shape of CONTRACT.md section 5: the body the widget POSTs
//! to a shop backend and the `detail` of the `chatout:checkout` event. Money in minor units.

use crate::order::{Delivery, Order};
use crate::product::ProductOptions;
use serde_json::{json, Map, Value};

/// Options as a JSON object (`{"Size": "M"}`), as the HTTP contract, JS API and events carry them.
pub fn options_json(options: &ProductOptions) -> Map<String, Value> {
    options
        .pairs()
        .iter()
        .map(|(n, v)| (n.clone(), Value::String(v.clone())))
        .collect()
}

/// The order as the HTTP contract writes it; `locale` and `page` describe where it was placed.
pub fn pending_order_json(order: &Order, locale: &str, page: &str) -> Value {
    let items: Vec<Value> = order
        .lines
        .iter()
        .map(|line| {
            json!({
                "sku": line.sku.as_str(),
                "name": line.name.as_str(),
                "options": options_json(&line.options),
                "unit_price": line.unit_price.minor_units(),
                "quantity": line.quantity.get(),
            })
        })
        .collect();
    let customer = &order.details.customer;
    let (method, address) = match &order.details.delivery {
        Delivery::Shipping { address } => ("shipping", Value::String(address.clone())),
        Delivery::Pickup => ("pickup", Value::Null),
    };
    json!({
        "reference": order.reference.as_str(),
        "currency": order.currency.code(),
        "locale": locale,
        "items": items,
        "subtotal": order.subtotal().map(|m| m.minor_units()).unwrap_or_default(),
        "customer": {
            "name": customer.name,
            "phone": customer.phone.as_ref().map(ToString::to_string),
            "email": customer.email.as_ref().map(|e| e.as_str()),
        },
        "delivery": { "method": method, "address": address },
        "payment": order.details.payment.id(),
        "note": order.details.note,
        "consent": order.consent.as_ref().map(|c| json!({
            "whatsapp_updates": true, "text": c.text, "at": c.at,
        })),
        "page": page,
    })
}
