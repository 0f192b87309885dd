//! `window.Chatout`, the JavaScript API of docs/CONTRACT.md section 3. Every method validates what
//! it is given and throws an `Error` naming the method and the field (`Chatout.add: price: …`)
//! instead of changing anything; nothing a page passes can panic the widget.

use crate::config::Config;
use crate::embed::product::{Options, Price, ProductInput};
use crate::embed::{events, Controls};
use chatout_core::LineId;
use js_sys::{Object, Reflect};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::sync::Arc;
use wasm_bindgen::prelude::*;

/// The global's name.
pub const GLOBAL: &str = "Chatout";

type Method = Closure<dyn Fn(JsValue, JsValue) -> Result<JsValue, JsValue>>;

/// Publishes `window.Chatout` until the widget unmounts.
pub fn install(store: impl Controls, config: Arc<Config>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let mut methods = cart_methods(store, config.clone());
    methods.extend(panel_methods(store, config));
    methods.push(("cart", cart_reader(store)));
    let api = Object::new();
    for (name, method) in &methods {
        let _ = Reflect::set(&api, &(*name).into(), method.as_ref());
    }
    Object::freeze(&api);
    let _ = Reflect::set(&window, &GLOBAL.into(), &api);
    let guard = SendWrapper::new(methods);
    on_cleanup(move || {
        if let Some(window) = web_sys::window() {
            let _ = Reflect::delete_property(&window, &GLOBAL.into());
        }
        drop(guard.take());
    });
}

/// `add`, `remove`, `setQuantity` and `clear`.
fn cart_methods(store: impl Controls, config: Arc<Config>) -> Vec<(&'static str, Method)> {
    vec![
        (
            "add",
            Closure::new(move |item, _| {
                add(store, &config, &item)
                    .map(JsValue::from)
                    .map_err(|message| {
                        events::error("invalid_product", &message);
                        fail("add", &message)
                    })
            }),
        ),
        (
            "remove",
            Closure::new(move |line, _| {
                let line = line_id(&line).map_err(|m| fail("remove", &m))?;
                store.remove(&line).map_err(|e| fail("remove", &e))?;
                Ok(JsValue::UNDEFINED)
            }),
        ),
        (
            "setQuantity",
            Closure::new(move |line, quantity: JsValue| {
                let line = line_id(&line).map_err(|m| fail("setQuantity", &m))?;
                let quantity = quantity
                    .as_f64()
                    .filter(|q| q.fract() == 0.0 && q.abs() < 1e9)
                    .ok_or_else(|| fail("setQuantity", &"quantity must be a whole number"))?;
                store
                    .set_quantity(&line, quantity as i64)
                    .map_err(|e| fail("setQuantity", &e))?;
                Ok(JsValue::UNDEFINED)
            }),
        ),
        (
            "clear",
            Closure::new(move |_, _| {
                store.clear();
                Ok(JsValue::UNDEFINED)
            }),
        ),
    ]
}

/// `open`, `close` and `chat`.
fn panel_methods(store: impl Controls, config: Arc<Config>) -> Vec<(&'static str, Method)> {
    vec![
        (
            "open",
            Closure::new(move |_, _| {
                store.open();
                Ok(JsValue::UNDEFINED)
            }),
        ),
        (
            "close",
            Closure::new(move |_, _| {
                store.close();
                Ok(JsValue::UNDEFINED)
            }),
        ),
        (
            "chat",
            Closure::new(move |message: JsValue, _| {
                if !(message.is_undefined() || message.is_null() || message.is_string()) {
                    return Err(fail("chat", &"message must be a string"));
                }
                store.chat(&config, message.as_string().as_deref(), None);
                Ok(JsValue::UNDEFINED)
            }),
        ),
    ]
}

/// `cart()`: the cart as the events describe it.
fn cart_reader(store: impl Controls) -> Method {
    Closure::new(move |_, _| {
        Ok(store
            .cart()
            .with_untracked(|cart| crate::json::to_js(&events::cart(cart))))
    })
}

fn fail(method: &str, message: &dyn std::fmt::Display) -> JsValue {
    js_sys::Error::new(&format!("Chatout.{method}: {message}")).into()
}

fn line_id(value: &JsValue) -> Result<LineId, String> {
    value
        .as_string()
        .map(|id| LineId::from_text(&id))
        .ok_or_else(|| "lineId must be a string, as cart().items[i].lineId gives it".into())
}

/// `add({sku, name, price, quantity?, maxQuantity?, options?, url?, image?})`; the line id.
/// Fields are read off the object itself, so `options` keeps its own key order.
fn add(store: impl Controls, config: &Config, item: &JsValue) -> Result<String, String> {
    if !item.is_object() || js_sys::Array::is_array(item) {
        return Err(
            "expects an object {sku, name, price, quantity?, options?, url?, image?}".into(),
        );
    }
    // Absent and null are the same; a getter that throws counts as a wrong value.
    let field = |key: &str| -> Result<Option<JsValue>, String> {
        match Reflect::get(item, &key.into()) {
            Ok(value) if value.is_undefined() || value.is_null() => Ok(None),
            Ok(value) => Ok(Some(value)),
            Err(_) => Err(format!("{key} could not be read")),
        }
    };
    let text = |key: &str| -> Result<Option<String>, String> {
        field(key)?
            .map(|v| {
                v.as_string()
                    .ok_or_else(|| format!("{key} must be a string"))
            })
            .transpose()
    };
    let number = |key: &str| -> Result<Option<f64>, String> {
        field(key)?
            .map(|v| v.as_f64().ok_or_else(|| format!("{key} must be a number")))
            .transpose()
    };
    let price_text;
    let price = match field("price")? {
        Some(value) if value.is_string() => {
            price_text = value.as_string().unwrap_or_default();
            Price::Major(&price_text)
        }
        Some(value) if value.as_f64().is_some() => Price::Minor(value.as_f64().unwrap_or(f64::NAN)),
        _ => {
            return Err(
                "price is required: minor units (2990) or a decimal string (\"29.90\")".into(),
            )
        }
    };
    let (sku, name) = (
        text("sku")?.unwrap_or_default(),
        text("name")?.unwrap_or_default(),
    );
    let item = ProductInput {
        sku: &sku,
        name: &name,
        price,
        options: options(field("options")?)?,
        quantity: number("quantity")?,
        max_quantity: number("maxQuantity")?,
        url: text("url")?,
        image: text("image")?,
        category: text("category")?,
    }
    .into_item(config.currency)?;
    store
        .add(config, item)
        .map(|line| line.as_str().to_string())
        .map_err(|e| e.to_string())
}

/// `options` as a string, or an object read in its own key order (a JSON map would sort it).
fn options(value: Option<JsValue>) -> Result<Options, String> {
    let Some(value) = value else {
        return Ok(Options::Text(String::new()));
    };
    if let Some(text) = value.as_string() {
        return Ok(Options::Text(text));
    }
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return Err("options must be an object {Size: \"M\"} or \"Size=M;Colour=Sand\"".into());
    }
    Object::entries(value.unchecked_ref())
        .iter()
        .map(|entry| {
            let pair: js_sys::Array = entry.unchecked_into();
            let name = pair.get(0).as_string().unwrap_or_default();
            match pair.get(1).as_string() {
                Some(v) => Ok((name, v)),
                None => Err(format!("options.{name} must be a string")),
            }
        })
        .collect::<Result<_, _>>()
        .map(Options::Pairs)
}
