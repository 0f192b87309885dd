//! The order a shopper sends: cart lines plus checkout details, validated field by field.

use crate::cart::{subtotal_of, Cart, LineItem};
use crate::money::{Currency, Money, MoneyError};
use crate::phone::{CallingCode, PhoneNumber};
use crate::reference::OrderReference;
use serde::{Deserialize, Serialize};

/// How the shopper gets the goods, as the shop offers it (`data-delivery`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    /// Sent to the shopper's address (address required).
    Shipping,
    /// Click-and-collect.
    Pickup,
}

impl DeliveryMethod {
    /// Parses the contract ids `shipping` and `pickup`.
    pub fn parse(id: &str) -> Option<Self> {
        match id {
            "shipping" => Some(Self::Shipping),
            "pickup" => Some(Self::Pickup),
            _ => None,
        }
    }

    /// The contract id.
    pub fn id(&self) -> &'static str {
        match self {
            Self::Shipping => "shipping",
            Self::Pickup => "pickup",
        }
    }
}

/// The chosen delivery, with the address where one is needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Delivery {
    /// Shipping to this address.
    Shipping {
        /// The address as the shopper typed it.
        address: String,
    },
    /// Pickup at the shop.
    Pickup,
}

/// A payment preference id (`bank_transfer`, or a shop's own id). Never card data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PaymentPreference(String);

impl PaymentPreference {
    /// Accepts ids of lowercase letters, digits and `_`, 1 to 40 long.
    pub fn parse(id: &str) -> Option<Self> {
        let ok = (1..=40).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        ok.then(|| Self(id.to_string()))
    }

    /// The id.
    pub fn id(&self) -> &str {
        &self.0
    }
}

/// A character of an internationalised address (`josé@café.fr`): anything beyond ASCII but
/// spaces and control characters. (Every ASCII symbol that markup is made of stays refused;
/// telling Unicode letters from symbols would ship Unicode's tables in the widget.)
fn is_intl_letter(c: char) -> bool {
    !c.is_ascii() && !c.is_whitespace() && !c.is_control()
}

/// An email address, checked for shape only (the shop confirms in chat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    /// `local@domain`, at most 254 characters. The local part is RFC 5322's dot-atom (letters,
    /// digits, ``!#$%&'*+/=?^_`{|}~-`` and dots between them; non-ASCII characters too, as
    /// RFC 6531 allows); the domain is two or more labels of letters, digits and inner
    /// hyphens. Quoted local parts and address literals are refused: no shop needs them, and
    /// their `<`, `"` and `\` are what markup injection is made of.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (local, domain) = text.split_once('@')?;
        let atext = |c: char| {
            c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c) || is_intl_letter(c)
        };
        let dot_atom = |part: &str, allowed: &dyn Fn(char) -> bool| {
            !part.is_empty()
                && part
                    .split('.')
                    .all(|atom| !atom.is_empty() && atom.chars().all(allowed))
        };
        let label_ok = |label: &str| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || is_intl_letter(c))
        };
        let ok = text.len() <= 254
            && local.len() <= 64
            && dot_atom(local, &atext)
            && domain.contains('.')
            && domain.split('.').all(label_ok)
            && !domain
                .rsplit('.')
                .next()
                .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()));
        ok.then(|| Self(text.to_string()))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Name as typed.
    pub name: String,
    /// WhatsApp number, if given.
    pub phone: Option<PhoneNumber>,
    /// Email, if given.
    pub email: Option<Email>,
}

/// The shopper's explicit opt-in to order updates on WhatsApp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// The exact checkbox text the shopper saw.
    pub text: String,
    /// When it was given (RFC 3339, from the caller's clock).
    pub at: String,
}

/// The checkout form as typed, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckoutInput {
    /// Name field.
    pub name: String,
    /// Phone field.
    pub phone: String,
    /// Email field.
    pub email: String,
    /// Delivery method id.
    pub delivery: String,
    /// Address field.
    pub address: String,
    /// Payment preference id.
    pub payment: String,
    /// Note field.
    pub note: String,
}

/// What the shop offers, against which checkout input is validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopRules {
    /// Payment preference ids the shop accepts, in display order.
    pub payments: Vec<PaymentPreference>,
    /// Delivery methods the shop offers.
    pub deliveries: Vec<DeliveryMethod>,
    /// Country assumed for phone numbers typed without a country code.
    pub default_country: Option<CallingCode>,
}

/// A checkout field, as named in the HTTP contract's `errors[].field`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Customer name.
    Name,
    /// Customer phone.
    Phone,
    /// Customer email.
    Email,
    /// Delivery method.
    Delivery,
    /// Delivery address.
    Address,
    /// Payment preference.
    Payment,
    /// Note.
    Note,
}

/// What is wrong with a field, as named in the HTTP contract's `errors[].code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldProblem {
    /// Empty but needed.
    Required,
    /// Longer than allowed.
    TooLong,
    /// Not a valid value of its kind (phone, email).
    Invalid,
    /// A choice the shop does not offer.
    NotOffered,
}

/// One field's problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Which field.
    pub field: Field,
    /// What is wrong.
    pub problem: FieldProblem,
}

/// Checkout details that passed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutDetails {
    /// Who orders.
    pub customer: Customer,
    /// How the goods travel.
    pub delivery: Delivery,
    /// Payment preference.
    pub payment: PaymentPreference,
    /// Free text for the shop.
    pub note: Option<String>,
}

/// Longest name, address and note accepted, in characters.
pub const MAX_NAME: usize = 100;
/// Longest address accepted, in characters.
pub const MAX_ADDRESS: usize = 300;
/// Longest note accepted, in characters.
pub const MAX_NOTE: usize = 500;

impl CheckoutInput {
    /// Validates every field at once, so the form can show all problems together.
    pub fn validate(&self, rules: &ShopRules) -> Result<CheckoutDetails, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field, problem| errors.push(FieldError { field, problem });
        let name = bounded(&self.name, MAX_NAME, Field::Name, true, &mut fail);
        let address = bounded(&self.address, MAX_ADDRESS, Field::Address, false, &mut fail);
        let note = bounded(&self.note, MAX_NOTE, Field::Note, false, &mut fail);

        let phone = match self.phone.trim() {
            "" => None,
            text => PhoneNumber::parse(text, rules.default_country)
                .map_err(|_| fail(Field::Phone, FieldProblem::Invalid))
                .ok(),
        };
        let email = match self.email.trim() {
            "" => None,
            text => Email::parse(text)
                .ok_or_else(|| fail(Field::Email, FieldProblem::Invalid))
                .ok(),
        };
        let method =
            DeliveryMethod::parse(self.delivery.trim()).filter(|m| rules.deliveries.contains(m));
        if method.is_none() {
            fail(Field::Delivery, FieldProblem::NotOffered);
        }
        if method == Some(DeliveryMethod::Shipping) && address.as_deref().unwrap_or("").is_empty() {
            fail(Field::Address, FieldProblem::Required);
        }
        let payment =
            PaymentPreference::parse(self.payment.trim()).filter(|p| rules.payments.contains(p));
        if payment.is_none() {
            let problem = if self.payment.trim().is_empty() {
                FieldProblem::Required
            } else {
                FieldProblem::NotOffered
            };
            fail(Field::Payment, problem);
        }

        match (name, method, payment) {
            (Some(name), Some(method), Some(payment)) if errors.is_empty() => Ok(CheckoutDetails {
                customer: Customer { name, phone, email },
                delivery: match method {
                    DeliveryMethod::Shipping => Delivery::Shipping {
                        address: address.unwrap_or_default(),
                    },
                    DeliveryMethod::Pickup => Delivery::Pickup,
                },
                payment,
                note: note.filter(|n| !n.is_empty()),
            }),
            _ => Err(errors),
        }
    }
}

/// Trims a text field and checks its length; `None` when it failed.
fn bounded(
    text: &str,
    max: usize,
    field: Field,
    required: bool,
    fail: &mut impl FnMut(Field, FieldProblem),
) -> Option<String> {
    let trimmed = text.trim();
    if required && trimmed.is_empty() {
        fail(field, FieldProblem::Required);
        return None;
    }
    if trimmed.chars().count() > max {
        fail(field, FieldProblem::TooLong);
        return None;
    }
    Some(trimmed.to_string())
}

/// Why an order could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// Nothing to order.
    #[error("the cart is empty")]
    EmptyCart,
    /// The totals do not add up within limits.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// A complete order, ready to be written as a message or stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// The shop's name.
    pub shop: String,
    /// The order reference.
    pub reference: OrderReference,
    /// The currency of every amount.
    pub currency: Currency,
    /// What is ordered.
    pub lines: Vec<LineItem>,
    /// The shop's shipping expectation, if it gave one.
    pub shipping_note: Option<String>,
    /// Checkout details.
    pub details: CheckoutDetails,
    /// Opt-in to WhatsApp updates, if given.
    pub consent: Option<Consent>,
}

impl Order {
    /// An order of everything in `cart`.
    pub fn new(
        shop: &str,
        reference: OrderReference,
        cart: &Cart,
        details: CheckoutDetails,
        shipping_note: Option<&str>,
        consent: Option<Consent>,
    ) -> Result<Self, OrderError> {
        if cart.is_empty() {
            return Err(OrderError::EmptyCart);
        }
        cart.subtotal()?;
        Ok(Self {
            shop: shop.to_string(),
            reference,
            currency: cart.currency(),
            lines: cart.lines().to_vec(),
            shipping_note: shipping_note.map(str::to_string),
            details,
            consent,
        })
    }

    /// Sum of the line totals.
    pub fn subtotal(&self) -> Result<Money, MoneyError> {
        subtotal_of(self.currency, &self.lines)
    }
}

#[cfg(test)]
mod tests;
