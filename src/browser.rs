//! The browser's services the widget relies on: crypto, clock, Intl, clipboard, navigation.
//! Each degrades instead of throwing: a missing API must never stop a shopper's order.

use chatout_core::{Currency, MoneyStyle, WeekTime};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = NumberFormat)]
    type NumberFormat;

    #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "NumberFormat")]
    fn new(locale: &str, options: &JsValue) -> Result<NumberFormat, JsValue>;

    #[wasm_bindgen(catch, method, js_name = formatToParts)]
    fn format_to_parts(this: &NumberFormat, value: f64) -> Result<js_sys::Array, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
    type DateTimeFormat;

    #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "DateTimeFormat")]
    fn new(locale: &str, options: &JsValue) -> Result<DateTimeFormat, JsValue>;

    #[wasm_bindgen(catch, method, js_name = formatToParts)]
    fn format_to_parts(
        this: &DateTimeFormat,
        date: &js_sys::Date,
    ) -> Result<js_sys::Array, JsValue>;

    #[wasm_bindgen(catch, method)]
    fn format(this: &DateTimeFormat, date: &js_sys::Date) -> Result<String, JsValue>;
}

fn date_format(locale: &str, options: &[(&str, &str)]) -> Option<DateTimeFormat> {
    let object = js_sys::Object::new();
    for (key, value) in options {
        js_sys::Reflect::set(&object, &(*key).into(), &(*value).into()).ok()?;
    }
    DateTimeFormat::new(locale, &object).ok()
}

/// Now, as day of the week and minute of the day in the time zone `zone`; None when the
/// browser does not know the zone.
pub fn week_time_in(zone: &str) -> Option<WeekTime> {
    let format = date_format(
        "en-US",
        &[
            ("timeZone", zone),
            ("weekday", "short"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
            ("hourCycle", "h23"),
        ],
    )?;
    let (mut day, mut hour, mut minute) = (None, None, None);
    for part in format.format_to_parts(&js_sys::Date::new_0()).ok()?.iter() {
        let get = |key: &str| js_sys::Reflect::get(&part, &key.into()).ok()?.as_string();
        let value = get("value")?;
        match get("type")?.as_str() {
            "weekday" => {
                day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
                    .iter()
                    .position(|d| *d == value)
            }
            "hour" => hour = value.parse::<u16>().ok(),
            "minute" => minute = value.parse::<u16>().ok(),
            _ => {}
        }
    }
    Some(WeekTime {
        day: day? as u8,
        minute: (hour? % 24) * 60 + minute?,
    })
}

/// A shop-week moment in the shopper's language: "Monday 09:00" as `locale` writes it.
pub fn week_time_text(locale: &str, at: WeekTime) -> (String, String) {
    // 1 January 2024 was a Monday; formatted in UTC, it names any weekday and time.
    const MONDAY_2024_01_01_UTC_MS: f64 = 1_704_067_200_000.0;
    let ms = MONDAY_2024_01_01_UTC_MS
        + f64::from(at.day) * 86_400_000.0
        + f64::from(at.minute) * 60_000.0;
    let date = js_sys::Date::new(&JsValue::from_f64(ms));
    let text = |options: &[(&str, &str)]| {
        date_format(locale, options)
            .and_then(|f| f.format(&date).ok())
            .unwrap_or_default()
    };
    let day = text(&[("timeZone", "UTC"), ("weekday", "long")]);
    let time = text(&[
        ("timeZone", "UTC"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
    ]);
    if day.is_empty() || time.is_empty() {
        let fallback = at.to_string();
        let (d, t) = fallback.split_once(' ').unwrap_or(("", ""));
        return (d.to_string(), t.to_string());
    }
    (day, time)
}

/// Logs an error in the console, prefixed so shop owners find it.
pub fn console_error(message: &str) {
    web_sys::console::error_1(&format!("Chatout: {message}").into());
}

/// Logs a warning in the console.
pub fn console_warn(message: &str) {
    web_sys::console::warn_1(&format!("Chatout: {message}").into());
}

/// Eight random bytes from `crypto.getRandomValues`, mixed with the clock if it is missing.
pub fn random_bytes() -> [u8; 8] {
    let mut bytes = [0u8; 8];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
        .is_some();
    if !filled {
        let seed = (js_sys::Date::now() * 1000.0) as u64 ^ (js_sys::Math::random() * 1e15) as u64;
        bytes = seed.to_le_bytes();
    }
    bytes
}

/// Now, as RFC 3339 in UTC.
pub fn now_rfc3339() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// The page's title and address, for the plain-chat greeting.
pub fn page_title_and_url() -> (String, String) {
    let Some(window) = web_sys::window() else {
        return (String::new(), String::new());
    };
    let title = window.document().map(|d| d.title()).unwrap_or_default();
    let url = window.location().href().unwrap_or_default();
    (title, url)
}

/// Money style of `locale` and `currency` as the browser's `Intl.NumberFormat` writes it.
/// Falls back to the built-in style of the language when Intl refuses the locale.
pub fn money_style(locale: &str, currency: Currency, fallback: MoneyStyle) -> MoneyStyle {
    probe_money_style(locale, currency).unwrap_or(fallback)
}

fn probe_money_style(locale: &str, currency: Currency) -> Option<MoneyStyle> {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"style".into(), &"currency".into()).ok()?;
    js_sys::Reflect::set(&options, &"currency".into(), &currency.code().into()).ok()?;
    let format = NumberFormat::new(locale, &options).ok()?;
    // 1234567 with fraction shows group, decimal and symbol placement at once.
    let parts = format.format_to_parts(1_234_567.5).ok()?;
    let mut style = MoneyStyle {
        symbol: None,
        symbol_first: false,
        space: false,
        decimal: ".".into(),
        group: String::new(),
        zero: '0',
    };
    let mut seen_number = false;
    for part in parts.iter() {
        let kind = js_sys::Reflect::get(&part, &"type".into())
            .ok()?
            .as_string()?;
        let value = js_sys::Reflect::get(&part, &"value".into())
            .ok()?
            .as_string()?;
        match kind.as_str() {
            "currency" => {
                style.symbol = Some(value);
                style.symbol_first = !seen_number;
            }
            "integer" => {
                // The first integer digit is a 1: its numbering system's zero is one before.
                if !seen_number {
                    let one = value.chars().next().map_or(0x31, u32::from);
                    style.zero = one
                        .checked_sub(1)
                        .and_then(char::from_u32)
                        .filter(|z| z.is_numeric())
                        .unwrap_or('0');
                }
                seen_number = true;
            }
            "group" => style.group = value,
            "decimal" => style.decimal = value,
            "literal" if value.trim().is_empty() => style.space = true,
            _ => {}
        }
    }
    Some(style)
}

/// True on phones and tablets, where wa.me should open the app in the same tab.
pub fn is_mobile() -> bool {
    web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .is_some_and(|ua| {
            ["Android", "iPhone", "iPad", "iPod", "Mobile"]
                .iter()
                .any(|m| ua.contains(m))
        })
}

/// Opens a wa.me link: a new tab on desktop, the same tab on mobile (which hands over to the app).
pub fn open_link(url: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if is_mobile() {
        let _ = window.location().assign(url);
    } else if window
        .open_with_url_and_target_and_features(url, "_blank", "noopener")
        .is_err()
    {
        console_warn("the browser blocked opening WhatsApp; the order stays ready to send");
    }
}

/// Copies text to the clipboard; resolves to false when the browser refuses.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let clipboard = js_sys::Reflect::get(&window.navigator(), &"clipboard".into())
        .ok()
        .filter(|c| !c.is_undefined());
    let Some(clipboard) = clipboard else {
        return false;
    };
    let write = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(promise) = write
        .and_then(|f| f.call1(&clipboard, &text.into()).ok())
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok())
    else {
        return false;
    };
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// True when keyboard focus is inside the widget: on its shadow host, or (mounted without a
/// shadow root, as in tests) inside its container.
pub fn focus_is_in_widget() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|active| {
            active
                .closest(&format!("#{},.chatout", crate::HOST_ID))
                .ok()
        })
        .flatten()
        .is_some()
}

/// A JS error (or thrown value) as text: its `message`, or the value itself if it is a string.
pub fn error_text(value: &JsValue) -> String {
    value
        .as_string()
        .or_else(|| {
            js_sys::Reflect::get(value, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "network error".into())
}
