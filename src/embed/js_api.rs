//! `window.Chatout`, the JavaScript API of CONTRACT.md section 3. Every method validates what
//! it is given and throws an `Error` naming the method and the field (`Chatout.add: price: …`)
//! instead of changing anything; nothing a page passes can panic the widget.

use crate::config::Config;
use crate::embed::events::{self, LineDetail};
use crate::embed::product::{Options, Price, ProductInput};
use crate::state::Store;
use chatout_core::LineId;
use js_sys::{Object, Reflect, JSON};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;
use wasm_bindgen::prelude::*;

/// The global's name.
pub const GLOBAL: &str = "Chatout";

type Method = Closure<dyn Fn(JsValue, JsValue) -> Result<JsValue, JsValue>>;

/// Publishes `window.Chatout` until the widget unmounts.
pub fn install(store: Store, config: Arc<Config>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let add_config = config.clone();
    let methods: Vec<(&str, Method)> = vec![
        (
            "add",
            Closure::new(move |item, _| {
                add(store, &add_config, &item)
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
                store.chat(&config, message.as_string().as_deref());
                Ok(JsValue::UNDEFINED)
            }),
        ),
        (
            "cart",
            Closure::new(move |_, _| {
                Ok(store
                    .cart
                    .with_untracked(|cart| events::to_js(&CartDetail::of(cart))))
            }),
        ),
    ];
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

/// What `Chatout.cart()` returns: money in minor units.
#[derive(Serialize)]
struct CartDetail<'a> {
    currency: &'static str,
    items: Vec<LineDetail<'a>>,
    subtotal: Option<i64>,
}

impl<'a> CartDetail<'a> {
    fn of(cart: &'a chatout_core::Cart) -> Self {
        Self {
            currency: cart.currency().code(),
            items: cart.lines().iter().map(LineDetail::from).collect(),
            subtotal: cart.subtotal().ok().map(|s| s.minor_units()),
        }
    }
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
fn add(store: Store, config: &Config, item: &JsValue) -> Result<String, String> {
    let object = JSON::stringify(item)
        .ok()
        .and_then(|text| text.as_string())
        .and_then(|text| serde_json::from_str::<Map<String, Value>>(&text).ok())
        .ok_or("expects an object {sku, name, price, quantity?, options?, url?, image?}")?;
    let text = |key: &str| -> Result<Option<&str>, String> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(format!("{key} must be a string")),
        }
    };
    let number = |key: &str| -> Result<Option<f64>, String> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(_) => Err(format!("{key} must be a number")),
        }
    };
    let price = match object.get("price") {
        Some(Value::String(s)) => Price::Major(s),
        Some(Value::Number(n)) => Price::Minor(n.as_f64().unwrap_or(f64::NAN)),
        _ => {
            return Err(
                "price is required: minor units (2990) or a decimal string (\"29.90\")".into(),
            )
        }
    };
    let options = options(item)?;
    let item = ProductInput {
        sku: text("sku")?.unwrap_or_default(),
        name: text("name")?.unwrap_or_default(),
        price,
        options,
        quantity: number("quantity")?,
        max_quantity: number("maxQuantity")?,
        url: text("url")?.map(str::to_string),
        image: text("image")?.map(str::to_string),
    }
    .into_item(config.currency)?;
    store
        .add(config, item)
        .map(|line| line.as_str().to_string())
        .map_err(|e| e.to_string())
}

/// `options` as a string, or an object read in its own key order (a JSON map would sort it).
fn options(item: &JsValue) -> Result<Options, String> {
    let value = Reflect::get(item, &"options".into()).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() || value.is_null() {
        return Ok(Options::Text(String::new()));
    }
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
