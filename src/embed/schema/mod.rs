//! Products without data attributes (docs/CONTRACT.md section 11): with `data-products="auto"` the
//! widget reads schema.org `Product` (and `ProductGroup` with `hasVariant`, and a product's
//! several offers with their own skus) from the page's JSON-LD and microdata, and adds an
//! "Order on WhatsApp" button for each, a plain `data-chatout-add` hook, so the rest of the
//! widget treats it like one the shop wrote. Variants become a `<select>` beside it. Markup
//! added later (SPA navigation) is read when it appears. Anything that does not read (broken
//! JSON, an `AggregateOffer`'s range, another currency, a price the core refuses) is skipped
//! with one console warning: never a product with a wrong price.

mod read;

pub use read::{scan, Found, Offer};

use crate::browser::console_warn;
use crate::config::Config;
use crate::split::split_point;
use chatout_core::Money;
use std::sync::Arc;
use web_sys::{Document, Element};

/// Marks what was read, so a rescan adds nothing twice.
const SEEN: &str = "data-chatout-seen";

split_point!(
    schema,
    /// "Order on WhatsApp" buttons for the page's schema.org products (`data-products="auto"`).
    pub fn add_schema_buttons(config: Arc<Config>) -> () {
        add_buttons(&config)
    }
);

split_point!(
    schema,
    /// A variant chosen beside a schema.org product's button.
    pub fn schema_variant(select: web_sys::Element) -> () {
        on_variant(&select)
    }
);

/// one warning) for one it refuses, so no product gets a wrong price.
fn checked_price(config: &Config, offer: &Offer) -> Option<String> {
    match Money::parse_major(&offer.price, config.currency) {
        Ok(money) if money.minor_units() >= 0 => Some(offer.price.clone()),
        _ => {
            console_warn(&format!(
                "Chatout: '{}' has the price '{}', which is not a {} amount; skipped",
                offer.name,
                offer.price,
                config.currency.code()
            ));
            None
        }
    }
}

/// The element a product's button goes after, and whether it goes inside it instead (at
/// the end of the product's container).
fn anchor(
    document: &Document,
    config: &Config,
    product: &Found,
    first: bool,
) -> Option<(Element, bool)> {
    let by = |selector: &str| document.query_selector(selector).ok().flatten();
    if first {
        let chosen = config
            .products_after
            .as_deref()
            .map_or_else(|| by(r#"form[action*="cart"]"#), by);
        if let Some(element) = chosen {
            return Some((element, false));
        }
    }
    if let Some(container) = &product.container {
        return Some((container.clone(), true));
    }
    by("main")
        .or_else(|| document.body().map(Into::into))
        .map(|e| (e, true))
}

/// Adds the buttons of every product not read yet.
pub fn add_buttons(config: &Config) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let products = scan(&document, config.currency.code());
    for (at, product) in products.iter().enumerate() {
        let offers: Vec<(&Offer, String)> = product
            .offers
            .iter()
            .filter_map(|o| checked_price(config, o).map(|p| (o, p)))
            .collect();
        let Some((place, inside)) = anchor(&document, config, product, at == 0) else {
            continue;
        };
        let Some(wrapper) = product_wrapper(&document, config, product, &offers) else {
            continue;
        };
        let _ = if inside {
            place.append_child(&wrapper).map(|_| ())
        } else {
            place.after_with_node_1(&wrapper)
        };
    }
}

/// Sets an attribute; a name the DOM refuses cannot occur, these are all fixed.
fn set(el: &Element, key: &str, value: &str) {
    let _ = el.set_attribute(key, value);
}

/// A product's button, after a variant `<select>` when several variants can be bought, in
/// their `div.chatout-auto`; `None` when no offer has a price the core accepts.
fn product_wrapper(
    document: &Document,
    config: &Config,
    product: &Found,
    offers: &[(&Offer, String)],
) -> Option<Element> {
    let (first, price) = offers
        .iter()
        .find(|(o, _)| o.available)
        .or(offers.first())?;
    let wrapper = document.create_element("div").ok()?;
    set(&wrapper, "class", "chatout-auto");
    set(&wrapper, SEEN, "");
    let button = product_button(document, config, product, first, price, offers)?;
    let buyable: Vec<&(&Offer, String)> = offers.iter().filter(|(o, _)| o.available).collect();
    if buyable.len() > 1 {
        if let Some(select) = variant_select(document, config, product, &buyable) {
            let variant = &config.labels.variant;
            let options = format!("{variant}={}", variant_label(first, &product.name));
            set(&button, "data-options", &options);
            let _ = wrapper.append_child(&select);
        }
    }
    let _ = wrapper.append_child(&button);
    Some(wrapper)
}

/// The `data-chatout-add` button of `first` (the first offer that can be bought), or
/// "tell me when it's back" when none can.
fn product_button(
    document: &Document,
    config: &Config,
    product: &Found,
    first: &Offer,
    price: &str,
    offers: &[(&Offer, String)],
) -> Option<Element> {
    let labels = &config.labels;
    let button = document.create_element("button").ok()?;
    set(&button, "type", "button");
    set(&button, "data-sku", &first.sku);
    set(&button, "data-name", &product.name);
    if offers.iter().all(|(o, _)| !o.available) {
        // Sold out: "tell me when it's back" instead of an add button.
        set(&button, "data-chatout-notify", "");
        button.set_text_content(Some(&labels.notify_title));
    } else {
        set(&button, "data-chatout-add", "");
        set(&button, "data-price", price);
        if let Some(url) = &first.url {
            set(&button, "data-url", url);
        }
        if let Some(image) = &product.image {
            set(&button, "data-image", image);
        }
        button.set_text_content(Some(&labels.order_on_whatsapp));
    }
    Some(button)
}

/// The `<select>` of the variants that can be bought; each option carries what the button
/// takes when it is chosen (`on_variant`).
fn variant_select(
    document: &Document,
    config: &Config,
    product: &Found,
    buyable: &[&(&Offer, String)],
) -> Option<Element> {
    let variant = &config.labels.variant;
    let select = document.create_element("select").ok()?;
    set(&select, "data-chatout-variant", "");
    set(&select, "aria-label", variant);
    for (offer, price) in buyable {
        let Ok(option) = document.create_element("option") else {
            continue;
        };
        let label = variant_label(offer, &product.name);
        set(&option, "data-sku", &offer.sku);
        set(&option, "data-price", price);
        set(&option, "data-options", &format!("{variant}={label}"));
        option.set_text_content(Some(&label));
        let _ = select.append_child(&option);
    }
    Some(select)
}

/// What a variant is called in its option: its own name less the product's, else its sku.
fn variant_label(offer: &Offer, product: &str) -> String {
    let own = offer.name.strip_prefix(product).unwrap_or(&offer.name);
    let own = own.trim_matches(|c: char| c.is_whitespace() || c == '-' || c == '–' || c == '—');
    if own.is_empty() || offer.name == product {
        offer.sku.clone()
    } else {
        own.to_string()
    }
}

/// A variant was chosen: its button takes that variant's sku, price and option.
pub fn on_variant(select: &Element) {
    let Some(option) = select.query_selector("option:checked").ok().flatten() else {
        return;
    };
    let Some(button) = select
        .parent_element()
        .and_then(|w| w.query_selector("button[data-chatout-add]").ok().flatten())
    else {
        return;
    };
    for key in ["data-sku", "data-price", "data-options"] {
        if let Some(value) = option.get_attribute(key) {
            let _ = button.set_attribute(key, &value);
        }
    }
}

#[cfg(test)]
mod tests;
