//! The pending order on the wire, in the shape of docs/CONTRACT.md section 5: the body the widget
//! POSTs to a shop backend, the body `chatout-server` reads, and the `detail` of the
//! `chatout:checkout` event. Money in integer minor units.
//!
//! The fields are plain JSON types on purpose: a server deserialises whatever a client sends
//! and then validates each field with the newtypes of this crate, so a bad value becomes a
//! field error (`422`) instead of a parse failure.

use crate::cart::LineItem;
use crate::json::{Fields, Json};
use crate::order::{Consent, Delivery, Order};
use crate::product::ProductOptions;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Options as a JSON object (`{"Size": "M"}`), keeping the order they were given in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OptionsObject(pub Vec<(String, String)>);

impl From<&ProductOptions> for OptionsObject {
    fn from(options: &ProductOptions) -> Self {
        Self(options.pairs().to_vec())
    }
}

impl Serialize for OptionsObject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for OptionsObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = OptionsObject;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of option names to string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, String>()? {
                    pairs.push(pair);
                }
                Ok(OptionsObject(pairs))
            }
        }
        deserializer.deserialize_map(Pairs)
    }
}

/// One line of a pending order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireLine {
    /// The product's sku.
    pub sku: String,
    /// The product's name as the shopper saw it.
    pub name: String,
    /// Chosen options.
    #[serde(default)]
    pub options: OptionsObject,
    /// Price of one unit, in minor units.
    pub unit_price: i64,
    /// How many.
    pub quantity: i64,
}

impl From<&LineItem> for WireLine {
    fn from(line: &LineItem) -> Self {
        Self {
            sku: line.sku.as_str().to_string(),
            name: line.name.as_str().to_string(),
            options: OptionsObject::from(&line.options),
            unit_price: line.unit_price.minor_units(),
            quantity: i64::from(line.quantity.get()),
        }
    }
}

/// Who orders.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireCustomer {
    /// Name as typed.
    pub name: String,
    /// WhatsApp number in E.164, if given.
    #[serde(default)]
    pub phone: Option<String>,
    /// Email, if given.
    #[serde(default)]
    pub email: Option<String>,
}

/// How the goods travel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireDelivery {
    /// `shipping` or `pickup`.
    pub method: String,
    /// The address, for shipping.
    #[serde(default)]
    pub address: Option<String>,
}

/// The opt-in to order updates on WhatsApp.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireConsent {
    /// Always true when present: the box was ticked.
    pub whatsapp_updates: bool,
    /// The exact checkbox text the shopper saw.
    pub text: String,
    /// When, by the shopper's clock (RFC 3339). A server keeps its own time as the consent
    /// time and this at most beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The separate opt-in to offers and news (docs/CONTRACT.md section 10), when its own box was
    /// ticked: the same shape, `whatsapp_updates` true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketing: Option<Box<WireConsent>>,
}

impl WireConsent {
    /// The consent part of an order body: the order-update opt-in (`updates`), the marketing
    /// one (`marketing`), each the text the shopper saw and when, by their clock. `None` when
    /// neither box was ticked; with only marketing ticked, order updates are sent as not given
    /// (`whatsapp_updates: false`, the unticked box's text).
    pub fn of(
        updates: Option<&Consent>,
        updates_text: &str,
        marketing: Option<&Consent>,
    ) -> Option<Self> {
        let marketing = marketing.map(|m| {
            Box::new(Self {
                whatsapp_updates: true,
                text: m.text.clone(),
                at: Some(m.at.clone()),
                marketing: None,
            })
        });
        match updates {
            Some(c) => Some(Self {
                whatsapp_updates: true,
                text: c.text.clone(),
                at: Some(c.at.clone()),
                marketing,
            }),
            None => marketing.map(|m| Self {
                whatsapp_updates: false,
                text: updates_text.to_string(),
                at: m.at.clone(),
                marketing: Some(m),
            }),
        }
    }
}

/// A pending order as docs/CONTRACT.md section 5 writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingOrder {
    /// The client's order reference (the server's answer is authoritative).
    pub reference: String,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// The shopper's locale (BCP 47).
    pub locale: String,
    /// What is ordered.
    pub items: Vec<WireLine>,
    /// Sum of the lines, in minor units.
    pub subtotal: i64,
    /// Who orders.
    pub customer: WireCustomer,
    /// How the goods travel.
    pub delivery: WireDelivery,
    /// Payment preference id.
    pub payment: String,
    /// The shopper's note.
    #[serde(default)]
    pub note: Option<String>,
    /// The opt-in, if given.
    #[serde(default)]
    pub consent: Option<WireConsent>,
    /// The page the order was placed on.
    #[serde(default)]
    pub page: String,
    /// The message the shopper sends: set in the `chatout:checkout` event, absent on the wire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The wa.me link that sends it: set in the `chatout:checkout` event, absent on the wire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whatsapp_url: Option<String>,
}

impl PendingOrder {
    /// The order as the HTTP contract writes it; `locale` and `page` describe where it was
    /// placed.
    pub fn from_order(order: &Order, locale: &str, page: &str) -> Self {
        let customer = &order.details.customer;
        let (method, address) = match &order.details.delivery {
            Delivery::Shipping { address } => ("shipping", Some(address.clone())),
            Delivery::Pickup => ("pickup", None),
        };
        Self {
            reference: order.reference.as_str().to_string(),
            currency: order.currency.code().to_string(),
            locale: locale.to_string(),
            items: order.lines.iter().map(WireLine::from).collect(),
            subtotal: order
                .subtotal()
                .map(|m| m.minor_units())
                .unwrap_or_default(),
            customer: WireCustomer {
                name: customer.name.clone(),
                phone: customer.phone.as_ref().map(ToString::to_string),
                email: customer.email.as_ref().map(|e| e.as_str().to_string()),
            },
            delivery: WireDelivery {
                method: method.to_string(),
                address,
            },
            payment: order.details.payment.id().to_string(),
            note: order.details.note.clone(),
            consent: WireConsent::of(order.consent.as_ref(), "", None),
            page: page.to_string(),
            message: None,
            whatsapp_url: None,
        }
    }
}

// The same shapes without serde, for the widget (crate::json). The tests check them against
// serde's, which the server reads with.

impl OptionsObject {
    /// `{"Size": "M"}`.
    pub fn to_json(&self) -> Json {
        Json::Object(
            self.0
                .iter()
                .map(|(name, value)| (name.clone(), value.as_str().into()))
                .collect(),
        )
    }
}

impl WireLine {
    /// The line as the contract writes it.
    pub fn to_json(&self) -> Json {
        Json::object([
            ("sku", self.sku.as_str().into()),
            ("name", self.name.as_str().into()),
            ("options", self.options.to_json()),
            ("unit_price", self.unit_price.into()),
            ("quantity", self.quantity.into()),
        ])
    }

    /// A line as a server sent it (its `409`'s corrected items), found at `path`.
    pub fn from_json(value: &Json, path: &str) -> Result<Self, String> {
        let line = Fields::of(value, path)?;
        Ok(Self {
            sku: line.str("sku")?.to_string(),
            name: line.str("name")?.to_string(),
            options: OptionsObject(line.pairs("options")?),
            unit_price: line.i64("unit_price")?,
            quantity: line.i64("quantity")?,
        })
    }
}

impl WireConsent {
    fn to_json(&self) -> Json {
        let mut fields = vec![
            ("whatsapp_updates", self.whatsapp_updates.into()),
            ("text", self.text.as_str().into()),
        ];
        if let Some(at) = &self.at {
            fields.push(("at", at.as_str().into()));
        }
        if let Some(marketing) = &self.marketing {
            fields.push(("marketing", marketing.to_json()));
        }
        Json::object(fields)
    }
}

impl PendingOrder {
    /// The order as the contract writes it: the body the widget POSTs and the
    /// `chatout:checkout` event's detail.
    pub fn to_json(&self) -> Json {
        let mut fields = vec![
            ("reference", self.reference.as_str().into()),
            ("currency", self.currency.as_str().into()),
            ("locale", self.locale.as_str().into()),
            (
                "items",
                Json::Array(self.items.iter().map(WireLine::to_json).collect()),
            ),
            ("subtotal", self.subtotal.into()),
            (
                "customer",
                Json::object([
                    ("name", self.customer.name.as_str().into()),
                    ("phone", self.customer.phone.as_deref().into()),
                    ("email", self.customer.email.as_deref().into()),
                ]),
            ),
            (
                "delivery",
                Json::object([
                    ("method", self.delivery.method.as_str().into()),
                    ("address", self.delivery.address.as_deref().into()),
                ]),
            ),
            ("payment", self.payment.as_str().into()),
            ("note", self.note.as_deref().into()),
            (
                "consent",
                self.consent
                    .as_ref()
                    .map_or(Json::Null, WireConsent::to_json),
            ),
            ("page", self.page.as_str().into()),
        ];
        if let Some(message) = &self.message {
            fields.push(("message", message.as_str().into()));
        }
        if let Some(url) = &self.whatsapp_url {
            fields.push(("whatsapp_url", url.as_str().into()));
        }
        Json::object(fields)
    }
}

/// Why a server answered `409`: the cart must change before the order can be registered
/// (docs/CONTRACT.md section 5). The server sends it and the widget matches it: one list of names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictReason {
    /// A unit price or the subtotal is not the catalog's.
    PriceChanged,
    /// Not enough stock; the corrected lines carry what is left.
    OutOfStock,
    /// A sku the catalog does not have.
    UnknownSku,
}

impl ConflictReason {
    /// Every reason.
    pub const ALL: [Self; 3] = [Self::PriceChanged, Self::OutOfStock, Self::UnknownSku];

    /// Reads a name on the wire (without serde's visitor, which would weigh on the widget).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.as_str() == name)
    }

    /// The name on the wire (`price_changed`, `out_of_stock`, `unknown_sku`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PriceChanged => "price_changed",
            Self::OutOfStock => "out_of_stock",
            Self::UnknownSku => "unknown_sku",
        }
    }
}

#[cfg(test)]
mod tests;
