//! GA4 ecommerce events on `window.dataLayer`, only when the shop sets `analytics: ga4`:
//! `add_to_cart`, `remove_from_cart`, `view_cart`, `begin_checkout` and `generate_lead` (on
//! send), with GA4's item schema. Without that setting nothing is pushed or stored.
//!
//! Objects are built with `Reflect` rather than serde: prices are JS numbers in major units, and
//! writing floats in Rust would add their formatting code to the wasm.

use chatout_core::{Currency, LineItem};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// One GA4 event: `lines` are the items with the quantity the event is about.
pub fn push(event: &str, currency: Currency, lines: &[(&LineItem, u32)], reference: Option<&str>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let scale = 10_f64.powi(i32::from(currency.exponent()));
    let major = |minor: i64| JsValue::from_f64(minor as f64 / scale);
    let set = |object: &Object, key: &str, value: &JsValue| {
        let _ = Reflect::set(object, &key.into(), value);
    };

    let items = Array::new();
    let mut value = 0_i64;
    for (index, (line, quantity)) in lines.iter().enumerate() {
        let item = Object::new();
        set(&item, "item_id", &line.sku.as_str().into());
        set(&item, "item_name", &line.name.as_str().into());
        if !line.options.is_empty() {
            let variant: Vec<&str> = line
                .options
                .pairs()
                .iter()
                .map(|(_, v)| v.as_str())
                .collect();
            set(&item, "item_variant", &variant.join(" / ").into());
        }
        set(&item, "price", &major(line.unit_price.minor_units()));
        set(&item, "quantity", &JsValue::from(*quantity));
        set(&item, "index", &JsValue::from(index as u32));
        items.push(&item);
        value = value.saturating_add(
            line.unit_price
                .minor_units()
                .saturating_mul(i64::from(*quantity)),
        );
    }
    let ecommerce = Object::new();
    set(&ecommerce, "currency", &currency.code().into());
    set(&ecommerce, "value", &major(value));
    if let Some(reference) = reference {
        set(&ecommerce, "transaction_id", &reference.into());
    }
    set(&ecommerce, "items", &items);
    let payload = Object::new();
    set(&payload, "event", &event.into());
    set(&payload, "ecommerce", &ecommerce);

    // The page's dataLayer (gtag.js or Tag Manager), or a new one they will pick up.
    let key = JsValue::from_str("dataLayer");
    let layer = match Reflect::get(&window, &key).ok().filter(Array::is_array) {
        Some(layer) => layer,
        None => {
            let layer = Array::new().into();
            let _ = Reflect::set(&window, &key, &layer);
            layer
        }
    };
    // GA4's advice: clear the previous ecommerce object first. Call the page's own push, which
    // Tag Manager replaces to see each event.
    let Some(push) = Reflect::get(&layer, &"push".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        return;
    };
    let clear = Object::new();
    set(&clear, "ecommerce", &JsValue::NULL);
    let _ = push.call1(&layer, &clear);
    let _ = push.call1(&layer, &payload);
}
