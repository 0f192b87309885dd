//! Chatout's domain: money, cart, order, reference, the order message and its wa.me link.
//!
//! No I/O and no web or async dependencies: the widget (in the browser) and the order server
//! both call these functions, so the message a shopper sends is written in one place.
//!
//! ```
//! use chatout_core::*;
//!
//! let eur = Currency::from_code("EUR")?;
//! let mut cart = Cart::new(eur);
//! cart.add(NewItem {
//!     sku: Sku::parse("shirt-linen")?,
//!     name: ProductName::parse("Linen shirt")?,
//!     options: ProductOptions::parse("Size=M")?,
//!     unit_price: Money::parse_major("29.90", eur)?,
//!     quantity: Quantity::new(2, 10)?,
//!     max_quantity: 10,
//!     url: None,
//!     image: None,
//!     category: Some(Category::parse("shirts")?),
//! })?;
//!
//! let shop_phone = PhoneNumber::parse("+31 6 1234 5678", None)?;
//! let rules = ShopRules {
//!     payments: vec![PaymentPreference::parse("bank_transfer").unwrap()],
//!     deliveries: vec![DeliveryMethod::Pickup],
//!     default_country: Some(shop_phone.calling_code()),
//! };
//! let details = CheckoutInput {
//!     name: "Anna".into(),
//!     delivery: "pickup".into(),
//!     payment: "bank_transfer".into(),
//!     ..Default::default()
//! }
//! .validate(&rules)
//! .expect("valid form");
//!
//! let reference = OrderReference::from_random_bytes([7, 1, 4, 9, 2, 8, 3, 5]);
//! let order = Order::new("Demo Shop", reference, &cart, details, None, None)?;
//! let message = order_message(&shop_phone, &order, &Labels::for_locale("en"), URL_BUDGET);
//!
//! assert!(message.text.contains("2 × Linen shirt (Size: M) — €59.80"));
//! assert!(message.url.starts_with("https://wa.me/31612345678?text="));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod cart;
mod catalog;
mod hours;
pub mod json;
mod keywords;
pub mod labels;
mod money;
mod money_format;
mod order;
mod phone;
mod product;
mod reference;
mod routing;
mod status;
mod summary;
pub mod text;
mod totals;
mod whatsapp;
mod wire;

pub use cart::{Added, Cart, CartError, LineId, LineItem, NewItem};
pub use catalog::{
    Catalog, CatalogError, CatalogProblem, CatalogProduct, OptionValue, PriceError, Repriced,
    ShopSettings,
};
pub use hours::{Availability, HoursError, OpeningHours, WeekTime};
pub use keywords::{consent_acknowledgement, consent_keyword, ConsentCommand, ConsentKeyword};
pub use labels::{fill, language_of, LabelError, Labels, TRANSLATIONS};
pub use money::{Currency, Money, MoneyError, MAX_MINOR_UNITS};
pub use money_format::MoneyStyle;
pub use order::{
    CheckoutDetails, CheckoutInput, Consent, Customer, Delivery, DeliveryMethod, Email, Field,
    FieldError, FieldProblem, Order, OrderError, PaymentPreference, ShopRules, MAX_ADDRESS,
    MAX_NAME, MAX_NOTE,
};
pub use phone::{CallingCode, PhoneError, PhoneNumber};
pub use product::{Category, ProductError, ProductName, ProductOptions, Quantity, Sku};
pub use reference::{OrderReference, ReferenceError};
pub use routing::{Agent, Agents, Routing, RoutingError};
pub use status::OrderStatus;
pub use summary::{render_compact_summary, render_summary};
pub use totals::{Totals, TotalsError};
pub use whatsapp::{order_message, readdress, whatsapp_url, OrderMessage, URL_BUDGET};
pub use wire::{
    ConflictReason, OptionsObject, PendingOrder, WireConsent, WireCustomer, WireDelivery, WireLine,
};
