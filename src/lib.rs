//! Chatout's storefront widget: a floating WhatsApp button and a cart that turns into a
//! structured order message. The loader (`loader/chatout.js`) captures the script tag's
//! configuration and starts this module; see the README for the embed contract.

pub mod api;
pub mod browser;
pub mod components;
pub mod config;
pub mod embed;
pub mod json;
pub mod qr;
pub mod split;
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
    let (raw, texts) = read_boot();
    let mut config = match Config::try_from(raw) {
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
    let Some(language) = config.translation_needed() else {
        return mount(&document, host, config);
    };
    wasm_bindgen_futures::spawn_local(async move {
        match texts.fetch(&language).await {
            Ok(table) => {
                if let Err(e) = config.translate(&table) {
                    browser::console_warn(&format!("labels/{language}.json: {e}; showing English"));
                }
            }
            Err(e) => browser::console_warn(&format!(
                "the {language} texts could not be loaded ({e}); showing English"
            )),
        }
        mount(&document, host, config);
    });
}

fn mount(document: &web_sys::Document, host: Option<web_sys::Element>, config: Config) {
    if let Err(e) = mount_in_shadow_root(document, host, with_browser_money_style(config)) {
        browser::console_error(&format!("could not mount the widget ({e:?})"));
        events::error("mount_failed", "could not mount the widget");
        return;
    }
    events::dispatch(
        "chatout:ready",
        &events::ready(env!("CARGO_PKG_VERSION")),
        false,
    );
}

/// Uses the browser's `Intl.NumberFormat` for money, so no locale data ships in the wasm.
pub fn with_browser_money_style(mut config: Config) -> Config {
    let style = browser::money_style(&config.locale, config.currency, config.labels.money.clone());
    // The labels are not shared yet: this writes in place.
    if let Some(labels) = Arc::get_mut(&mut config.labels) {
        labels.money = style;
    }
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

/// The language table the loader fetched beside the wasm, for the language it read from the same
/// settings: `(language, promise of {key: text})`.
struct Texts(Option<(String, js_sys::Promise)>);

impl Texts {
    /// The table of `language`, key → text.
    async fn fetch(self, language: &str) -> Result<Vec<(String, String)>, String> {
        let (_, promise) = self
            .0
            .filter(|(fetched, _)| fetched == language)
            .ok_or("the loader did not fetch them")?;
        let table = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|e| browser::error_text(&e))?;
        Ok(string_entries(&table))
    }
}

/// An object's string-valued properties, in its own order.
fn string_entries(object: &JsValue) -> Vec<(String, String)> {
    if !object.is_object() {
        return Vec::new();
    }
    js_sys::Object::entries(object.unchecked_ref())
        .iter()
        .filter_map(|entry| {
            let pair: js_sys::Array = entry.dyn_into().ok()?;
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// One value the loader handed over: `{attributes: {...}, json: "..."|null, browserLocale: "...",
/// textsLanguage: "nl", texts: Promise|null, module: name => Promise<module>}`. Undefined
/// without a loader.
pub(crate) fn boot_value(key: &str) -> JsValue {
    web_sys::window()
        .and_then(|window| js_sys::Reflect::get(&window, &BOOT_GLOBAL.into()).ok())
        .and_then(|boot| js_sys::Reflect::get(&boot, &key.into()).ok())
        .unwrap_or(JsValue::UNDEFINED)
}

/// The loader's capture of the configuration and the language table it fetched.
fn read_boot() -> (RawConfig, Texts) {
    let text = |key: &str| boot_value(key).as_string();
    let promise = boot_value("texts").dyn_into::<js_sys::Promise>().ok();
    let raw = RawConfig {
        attributes: string_entries(&boot_value("attributes")),
        json: text("json"),
        browser_locale: text("browserLocale"),
    };
    (raw, Texts(text("textsLanguage").zip(promise)))
}
