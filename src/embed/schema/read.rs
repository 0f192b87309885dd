//! Reading schema.org products from the page: JSON-LD blocks and microdata, each read once.

use super::SEEN;
use crate::browser::console_warn;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element};

/// One variant (or the product itself): what its button carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The sku.
    pub sku: String,
    /// Its name (the variant's own, or the product's).
    pub name: String,
    /// The price in major units, as the markup wrote it (`29.90`).
    pub price: String,
    /// Whether it can be ordered.
    pub available: bool,
    /// Its page.
    pub url: Option<String>,
}

/// A product the page describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Its name.
    pub name: String,
    /// Its picture.
    pub image: Option<String>,
    /// One offer, or one per variant.
    pub offers: Vec<Offer>,
    /// Its element (microdata), where its button goes by default.
    pub container: Option<Element>,
}

/// A JSON-LD value's field.
fn get(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// A field as text: a string as it is, a number as JSON writes it (`29.9`).
fn text(value: &JsValue) -> Option<String> {
    if let Some(s) = value.as_string() {
        return Some(s.trim().to_string()).filter(|s| !s.is_empty());
    }
    if value.as_f64().is_some() {
        return js_sys::JSON::stringify(value).ok().map(String::from);
    }
    None
}

/// A value that may be one thing or a list of them.
fn items(value: &JsValue) -> Vec<JsValue> {
    if value.is_undefined() || value.is_null() {
        Vec::new()
    } else if js_sys::Array::is_array(value) {
        js_sys::Array::from(value).iter().collect()
    } else {
        vec![value.clone()]
    }
}

/// Whether a node's `@type` (one or a list) names `kind` (`Product`, `schema:Product`).
fn is_a(value: &JsValue, kind: &str) -> bool {
    items(&get(value, "@type"))
        .iter()
        .filter_map(JsValue::as_string)
        .any(|t| t.rsplit(['/', ':']).next() == Some(kind))
}

/// The first of `keys` that holds text.
fn first_text(value: &JsValue, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| text(&get(value, k)))
}

/// An image field: a URL, a list of them, or an `ImageObject`.
fn image_of(value: &JsValue) -> Option<String> {
    let first = items(&get(value, "image")).into_iter().next()?;
    text(&first).or_else(|| text(&get(&first, "url")))
}

/// Whether an `availability` says it cannot be ordered.
pub(super) fn sold_out(availability: Option<&str>) -> bool {
    availability.is_some_and(|a| {
        let a = a.rsplit(['/', ':']).next().unwrap_or(a);
        matches!(a, "OutOfStock" | "SoldOut" | "Discontinued")
    })
}

/// Reads the offers of a JSON-LD product node; warnings for what it skips.
fn offers_of(node: &JsValue, name: &str, sku: Option<&str>, currency: &str) -> Vec<Offer> {
    let mut offers = Vec::new();
    for offer in items(&get(node, "offers")) {
        if is_a(&offer, "AggregateOffer") {
            console_warn(&format!(
                "Chatout: '{name}' has an AggregateOffer (a price range, not a price); skipped"
            ));
            continue;
        }
        // The price may sit in a priceSpecification instead.
        let spec = items(&get(&offer, "priceSpecification")).into_iter().next();
        let price = text(&get(&offer, "price"))
            .or_else(|| spec.as_ref().and_then(|s| text(&get(s, "price"))));
        let offer_currency = text(&get(&offer, "priceCurrency"))
            .or_else(|| spec.as_ref().and_then(|s| text(&get(s, "priceCurrency"))));
        let Some(price) = price else { continue };
        if offer_currency.as_deref().is_some_and(|c| c != currency) {
            console_warn(&format!(
                "Chatout: '{name}' is priced in {}, the shop sells in {currency}; skipped",
                offer_currency.unwrap_or_default()
            ));
            continue;
        }
        let Some(sku) =
            first_text(&offer, &["sku", "productID", "mpn"]).or_else(|| sku.map(str::to_string))
        else {
            continue;
        };
        offers.push(Offer {
            sku,
            name: name.to_string(),
            price,
            available: !sold_out(text(&get(&offer, "availability")).as_deref()),
            url: text(&get(&offer, "url")),
        });
    }
    offers
}

/// One JSON-LD product (or product group) node.
fn product_of(node: &JsValue, currency: &str) -> Option<Found> {
    let name = first_text(node, &["name"])?;
    let sku = first_text(node, &["sku", "productID", "mpn"]);
    let mut offers = Vec::new();
    if is_a(node, "ProductGroup") {
        for variant in items(&get(node, "hasVariant")) {
            let variant_name = first_text(&variant, &["name"]).unwrap_or_else(|| name.clone());
            let variant_sku = first_text(&variant, &["sku", "productID", "mpn"]);
            offers.extend(offers_of(
                &variant,
                &variant_name,
                variant_sku.as_deref(),
                currency,
            ));
        }
    } else {
        offers = offers_of(node, &name, sku.as_deref(), currency);
    }
    if offers.is_empty() {
        return None;
    }
    let url = text(&get(node, "url"));
    for offer in &mut offers {
        if offer.url.is_none() {
            offer.url.clone_from(&url);
        }
    }
    Some(Found {
        image: image_of(node),
        name,
        offers,
        container: None,
    })
}

/// Every product node in a JSON-LD document: the top, a list, `@graph`, and what they nest.
fn walk(value: &JsValue, currency: &str, found: &mut Vec<Found>, depth: u8) {
    if depth > 6 || found.len() >= MAX_PRODUCTS {
        return;
    }
    for node in items(value) {
        if !node.is_object() {
            continue;
        }
        if is_a(&node, "Product") || is_a(&node, "ProductGroup") {
            if let Some(product) = product_of(&node, currency) {
                found.push(product);
            }
            continue;
        }
        walk(&get(&node, "@graph"), currency, found, depth + 1);
        walk(&get(&node, "mainEntity"), currency, found, depth + 1);
        walk(&get(&node, "itemListElement"), currency, found, depth + 1);
        walk(&get(&node, "item"), currency, found, depth + 1);
    }
}

/// The most products one page gets buttons for.
const MAX_PRODUCTS: usize = 100;

/// The text of microdata property `name` under `scope` (its `content`, `href` or text),
/// not looking into nested items.
fn property(scope: &Element, name: &str) -> Option<String> {
    let nodes = scope
        .query_selector_all(&format!("[itemprop~=\"{name}\"]"))
        .ok()?;
    (0..nodes.length())
        .filter_map(|i| nodes.item(i)?.dyn_into::<Element>().ok())
        .find(|el| {
            // Its nearest item is `scope` itself (the element may be an item, like offers).
            let parent = el.parent_element();
            let owner = parent.and_then(|p| p.closest("[itemscope]").ok().flatten());
            owner.as_ref() == Some(scope)
        })
        .and_then(|el| {
            el.get_attribute("content")
                .or_else(|| el.get_attribute("href"))
                .or_else(|| el.text_content())
        })
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// A microdata product element.
fn microdata_product(scope: &Element, currency: &str) -> Option<Found> {
    let name = property(scope, "name")?;
    let sku = property(scope, "sku")
        .or_else(|| property(scope, "productID"))
        .or_else(|| property(scope, "mpn"))?;
    let offers = scope
        .query_selector("[itemprop~=\"offers\"][itemscope]")
        .ok()
        .flatten()
        .unwrap_or_else(|| scope.clone());
    if offers
        .get_attribute("itemtype")
        .is_some_and(|t| t.ends_with("AggregateOffer"))
    {
        console_warn(&format!(
            "Chatout: '{name}' has an AggregateOffer (a price range, not a price); skipped"
        ));
        return None;
    }
    let price = property(&offers, "price")?;
    if let Some(other) = property(&offers, "priceCurrency").filter(|c| c != currency) {
        console_warn(&format!(
            "Chatout: '{name}' is priced in {other}, the shop sells in {currency}; skipped"
        ));
        return None;
    }
    let available = !sold_out(property(&offers, "availability").as_deref());
    Some(Found {
        offers: vec![Offer {
            sku,
            name: name.clone(),
            price,
            available,
            url: property(scope, "url"),
        }],
        image: property(scope, "image"),
        name,
        container: Some(scope.clone()),
    })
}

/// The products on the page that were not read yet; marks them read.
pub fn scan(document: &Document, currency: &str) -> Vec<Found> {
    let mut found = Vec::new();
    let fresh = |selector: &str| -> Vec<Element> {
        let Ok(nodes) = document.query_selector_all(selector) else {
            return Vec::new();
        };
        (0..nodes.length())
            .filter_map(|i| nodes.item(i)?.dyn_into::<Element>().ok())
            .filter(|el| !el.has_attribute(SEEN))
            .collect()
    };
    for script in fresh(r#"script[type="application/ld+json"]"#) {
        let _ = script.set_attribute(SEEN, "");
        let text = script.text_content().unwrap_or_default();
        match js_sys::JSON::parse(&text) {
            Ok(value) => walk(&value, currency, &mut found, 0),
            Err(_) => console_warn("Chatout: a JSON-LD block does not read as JSON; skipped"),
        }
    }
    for scope in fresh(r#"[itemscope][itemtype*="schema.org/Product"]"#) {
        let _ = scope.set_attribute(SEEN, "");
        // A product inside another is its variant: the outer one is read.
        let nested = scope
            .parent_element()
            .and_then(|p| {
                p.closest(r#"[itemscope][itemtype*="schema.org/Product"]"#)
                    .ok()
                    .flatten()
            })
            .is_some();
        if !nested {
            found.extend(microdata_product(&scope, currency));
        }
    }
    found
}
