//! Chatout's storefront widget: a floating WhatsApp button and a cart that turns into a
//! structured order message. The loader (`loader/chatout.js`) captures the script tag's
//! configuration and starts this module; see the README for the embed contract.

pub mod api;
pub mod browser;
pub mod components;
pub mod config;
pub mod embed;
pub mod json;
pub mod state;
pub mod storage;

use crate::config::{Config, RawConfig};
use crate::embed::events;
use leptos::mount::mount_to;
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

/// Id of the element that hosts the widget's shadow root on the shop's page.
pub const HOST_ID: &str = "chatout-root";

/// The global the loader fills with the captured configuration.
const BOOT_GLOBAL: &str = "__chatoutBoot";

/// Starts the widget once per page: reads the configuration the loader captured, validates it,
/// and mounts in the shadow root the loader made, replacing the loader's button. Invalid
/// configuration logs one console error, dispatches `chatout:error`, removes the loader's
/// button and mounts nothing: the host page keeps working.
pub fn start() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let host = document.get_element_by_id(HOST_ID);
    if host
        .as_ref()
        .and_then(|h| h.shadow_root())
        .and_then(|root| root.query_selector(&format!("[{MOUNTED}]")).ok().flatten())
        .is_some()
    {
        return;
    }
    let config = match Config::try_from(read_boot()) {
        Ok(config) => config,
        Err(e) => {
            if let Some(host) = host {
                host.remove();
            }
            browser::console_error(&format!("{e}. The widget was not started."));
            events::error("invalid_config", &e.to_string());
            return;
        }
    };
    if let Err(e) = mount_in_shadow_root(&document, host, with_browser_money_style(config)) {
        browser::console_error(&format!("could not mount the widget ({e:?})"));
        events::error("mount_failed", "could not mount the widget");
        return;
    }
    events::dispatch(
        "chatout:ready",
        &events::ReadyDetail {
            version: env!("CARGO_PKG_VERSION"),
        },
        false,
    );
}

/// Uses the browser's `Intl.NumberFormat` for money, so no locale data ships in the wasm.
pub fn with_browser_money_style(mut config: Config) -> Config {
    let fallback = config.labels.money.clone();
    config.labels.money = browser::money_style(&config.locale, config.currency, fallback);
    config
}

/// Mounts the widget into `parent` (tests mount without a shadow root). Dropping the
/// handle unmounts it and removes its listeners.
pub fn mount_widget(
    parent: web_sys::HtmlElement,
    config: Config,
) -> leptos::mount::UnmountHandle<impl Mountable> {
    let config = Arc::new(config);
    mount_to(parent, move || {
        view! { <components::Widget config=config.clone()/> }
    })
}

/// Marks the widget's own container, so a second start finds it mounted.
const MOUNTED: &str = "data-chatout-widget";

/// The panel's styles; the launcher's (and the theme's custom properties) come with the loader.
const STYLE: &str = include_str!("../style/widget.css");

fn mount_in_shadow_root(
    document: &web_sys::Document,
    host: Option<web_sys::Element>,
    config: Config,
) -> Result<(), JsValue> {
    let host = match host {
        Some(host) => host,
        None => {
            let host = document.create_element("chatout-widget")?;
            host.set_id(HOST_ID);
            document
                .body()
                .ok_or("the page has no <body>")?
                .append_child(&host)?;
            host
        }
    };
    let shadow = match host.shadow_root() {
        Some(shadow) => shadow,
        None => host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))?,
    };
    adopt_styles(&shadow, STYLE)?;
    let container = document.create_element("div")?;
    container.set_attribute(MOUNTED, "")?;
    shadow.append_child(&container)?;
    mount_widget(container.unchecked_into(), config).forget();
    // The widget's own button is up: the loader's stand-in goes.
    if let Some(stand_in) = shadow.query_selector("[data-chatout-loader]")? {
        stand_in.remove();
    }
    Ok(())
}

/// Adds a constructed stylesheet to the shadow root: unlike a `<style>` element, a page's
/// Content-Security-Policy without 'unsafe-inline' allows it.
fn adopt_styles(shadow: &web_sys::ShadowRoot, css: &str) -> Result<(), JsValue> {
    let sheet = web_sys::CssStyleSheet::new()?;
    sheet.replace_sync(css)?;
    let key = JsValue::from_str("adoptedStyleSheets");
    let sheets = js_sys::Array::from(&js_sys::Reflect::get(shadow, &key)?);
    sheets.push(&sheet);
    js_sys::Reflect::set(shadow, &key, &sheets)?;
    Ok(())
}

/// The loader's capture: `{attributes: {...}, json: "..."|null, browserLocale: "..."}`.
fn read_boot() -> RawConfig {
    let Some(window) = web_sys::window() else {
        return RawConfig::default();
    };
    let boot = js_sys::Reflect::get(&window, &BOOT_GLOBAL.into()).unwrap_or(JsValue::UNDEFINED);
    let text = |key: &str| {
        js_sys::Reflect::get(&boot, &key.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    let attributes = js_sys::Reflect::get(&boot, &"attributes".into())
        .ok()
        .filter(JsValue::is_object)
        .map(|object| {
            js_sys::Object::entries(object.unchecked_ref())
                .iter()
                .filter_map(|entry| {
                    let pair: js_sys::Array = entry.dyn_into().ok()?;
                    Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
                })
                .collect()
        })
        .unwrap_or_default();
    RawConfig {
        attributes,
        json: text("json"),
        browser_locale: text("browserLocale"),
    }
}
