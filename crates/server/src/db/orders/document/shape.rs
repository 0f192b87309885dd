//! The shape of an order document as it goes out on the wire (docs/CONTRACT.md section 7).

use chatout_core::OptionsObject;
use serde::Serialize;

/// An order, whole.
#[derive(Debug, Clone, Serialize)]
pub struct OrderDocument {
    /// The reference the shopper sees.
    pub reference: String,
    /// Where it is in its lifecycle.
    pub status: &'static str,
    /// ISO 4217 code.
    pub currency: String,
    /// The shopper's locale.
    pub locale: String,
    /// Its lines.
    pub items: Vec<DocumentLine>,
    /// Sum of the lines.
    pub subtotal: i64,
    /// Shipping staff set (0 until they do).
    pub shipping: i64,
    /// Discount staff set (0 until they do).
    pub discount: i64,
    /// `subtotal + shipping − discount`.
    pub total: i64,
    /// Who ordered.
    pub customer: DocumentCustomer,
    /// How the goods travel.
    pub delivery: DocumentDelivery,
    /// How it is paid.
    pub payment: DocumentPayment,
    /// The shopper's note.
    pub note: Option<String>,
    /// What the shopper agreed to, per purpose.
    pub consent: DocumentConsent,
    /// The shopper's WhatsApp, once their message is linked to the order.
    pub whatsapp: DocumentWhatsApp,
    /// Who responds to it.
    pub assigned_to: Option<String>,
    /// When it was registered.
    pub created_at: String,
    /// When it expires if nobody confirms it.
    pub expires_at: String,
    /// Every step, oldest first.
    pub history: Vec<DocumentStep>,
}

/// One line.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentLine {
    /// The product's sku.
    pub sku: String,
    /// Its name as the shopper saw it.
    pub name: String,
    /// The options chosen.
    pub options: OptionsObject,
    /// One unit's price.
    pub unit_price: i64,
    /// How many.
    pub quantity: i64,
    /// `unit_price × quantity`.
    pub line_total: i64,
}

/// Who ordered.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentCustomer {
    /// Name as typed.
    pub name: String,
    /// WhatsApp number (E.164), if given.
    pub phone: Option<String>,
    /// Email, if given.
    pub email: Option<String>,
}

/// How the goods travel.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentDelivery {
    /// `shipping` or `pickup`.
    pub method: String,
    /// The address, for shipping.
    pub address: Option<String>,
}

/// How the order is paid.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentPayment {
    /// The shopper's preference (`bank_transfer`, `payment_link`…).
    pub preference: String,
    /// `none` until a payment page exists.
    pub status: &'static str,
    /// The payment provider, once there is a payment page.
    pub provider: Option<String>,
    /// The payment page.
    pub url: Option<String>,
    /// What was paid.
    pub paid_amount: Option<i64>,
    /// When.
    pub paid_at: Option<String>,
}

/// Consent per purpose.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentConsent {
    /// Order updates on WhatsApp.
    pub order_updates: DocumentPurpose,
    /// Offers and news.
    pub marketing: DocumentPurpose,
}

/// One purpose's consent as given with the order.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentPurpose {
    /// Whether the box was ticked.
    pub given: bool,
    /// When the server received it.
    pub at: Option<String>,
    /// The text the shopper saw.
    pub text: Option<String>,
}

/// The shopper's WhatsApp.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentWhatsApp {
    /// When the shopper's order message reached the shop.
    pub received_at: Option<String>,
    /// The WhatsApp id it came from.
    pub wa_id: Option<String>,
}

/// One lifecycle step.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentStep {
    /// When.
    pub at: String,
    /// From (`null` for the first).
    pub from: Option<&'static str>,
    /// To.
    pub to: &'static str,
    /// `shopper`, `system`, a staff username, or `api:<token name>`.
    pub actor: String,
}
