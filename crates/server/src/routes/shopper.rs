//! The shopper's order page, `GET /orders/{token}` (CONTRACT.md section 9): where a payment
//! page sends the customer back, and what a message may link to. Status, items, the total,
//! the payment's state and how to reach the shop, in the order's language; no staff data,
//! `noindex`, and nothing to guess: the token is 128 random bits, a wrong one is `404`, and
//! requests are rate limited per address like orders.

use crate::db::orders::order_lines;
use crate::db::payments::{payable_by_token, payments_of, Payable, PaymentRow};
use crate::policy::payment::{summarise, PaymentStatus, Summary};
use crate::{limit, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use chatout_core::{fill, language_of, whatsapp_url, Labels, Money, MoneyStyle, OrderStatus};

/// The shopper's page, rate limited.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/orders/{token}", get(page))
        .route("/pay/{token}", get(pay))
        .layer(axum::middleware::from_fn_with_state(
            state.order_limit.clone(),
            limit::enforce,
        ))
}

/// The page's words in one language.
struct Words {
    title: &'static str,
    statuses: [&'static str; 6],
    payments: [&'static str; 7],
    pay_now: &'static str,
    discount: &'static str,
    total: &'static str,
    contact: &'static str,
}

/// Statuses in `OrderStatus::ALL` order; payments: none, then `PaymentStatus::ALL` order.
const WORDS: [(&str, Words); 8] = [
    (
        "en",
        Words {
            title: "Your order {reference}",
            statuses: [
                "Waiting for the shop to confirm",
                "Confirmed",
                "Paid",
                "Sent or ready for pickup",
                "Cancelled",
                "Expired",
            ],
            payments: [
                "Not paid yet",
                "Waiting for your payment",
                "Paid",
                "The payment failed",
                "The payment link expired",
                "Payment cancelled",
                "Refunded",
            ],
            pay_now: "Pay now",
            discount: "Discount",
            total: "Total",
            contact: "Questions? Chat with {shop} on WhatsApp",
        },
    ),
    (
        "nl",
        Words {
            title: "Je bestelling {reference}",
            statuses: [
                "Wacht op bevestiging van de winkel",
                "Bevestigd",
                "Betaald",
                "Verzonden of klaar om op te halen",
                "Geannuleerd",
                "Verlopen",
            ],
            payments: [
                "Nog niet betaald",
                "Wacht op je betaling",
                "Betaald",
                "De betaling is mislukt",
                "De betaallink is verlopen",
                "Betaling geannuleerd",
                "Terugbetaald",
            ],
            pay_now: "Nu betalen",
            discount: "Korting",
            total: "Totaal",
            contact: "Vragen? Chat met {shop} op WhatsApp",
        },
    ),
    (
        "de",
        Words {
            title: "Deine Bestellung {reference}",
            statuses: [
                "Wartet auf Bestätigung durch den Shop",
                "Bestätigt",
                "Bezahlt",
                "Versandt oder abholbereit",
                "Storniert",
                "Abgelaufen",
            ],
            payments: [
                "Noch nicht bezahlt",
                "Wartet auf deine Zahlung",
                "Bezahlt",
                "Die Zahlung ist fehlgeschlagen",
                "Der Zahlungslink ist abgelaufen",
                "Zahlung abgebrochen",
                "Erstattet",
            ],
            pay_now: "Jetzt bezahlen",
            discount: "Rabatt",
            total: "Gesamt",
            contact: "Fragen? Schreib {shop} auf WhatsApp",
        },
    ),
    (
        "fr",
        Words {
            title: "Votre commande {reference}",
            statuses: [
                "En attente de confirmation",
                "Confirmée",
                "Payée",
                "Expédiée ou prête à retirer",
                "Annulée",
                "Expirée",
            ],
            payments: [
                "Pas encore payée",
                "En attente de votre paiement",
                "Payée",
                "Le paiement a échoué",
                "Le lien de paiement a expiré",
                "Paiement annulé",
                "Remboursée",
            ],
            pay_now: "Payer maintenant",
            discount: "Remise",
            total: "Total",
            contact: "Des questions ? Écrivez à {shop} sur WhatsApp",
        },
    ),
    (
        "es",
        Words {
            title: "Tu pedido {reference}",
            statuses: [
                "Esperando la confirmación de la tienda",
                "Confirmado",
                "Pagado",
                "Enviado o listo para recoger",
                "Cancelado",
                "Caducado",
            ],
            payments: [
                "Aún no pagado",
                "Esperando tu pago",
                "Pagado",
                "El pago ha fallado",
                "El enlace de pago ha caducado",
                "Pago cancelado",
                "Reembolsado",
            ],
            pay_now: "Pagar ahora",
            discount: "Descuento",
            total: "Total",
            contact: "¿Preguntas? Escribe a {shop} por WhatsApp",
        },
    ),
    (
        "it",
        Words {
            title: "Il tuo ordine {reference}",
            statuses: [
                "In attesa di conferma dal negozio",
                "Confermato",
                "Pagato",
                "Spedito o pronto per il ritiro",
                "Annullato",
                "Scaduto",
            ],
            payments: [
                "Non ancora pagato",
                "In attesa del tuo pagamento",
                "Pagato",
                "Il pagamento non è riuscito",
                "Il link di pagamento è scaduto",
                "Pagamento annullato",
                "Rimborsato",
            ],
            pay_now: "Paga ora",
            discount: "Sconto",
            total: "Totale",
            contact: "Domande? Scrivi a {shop} su WhatsApp",
        },
    ),
    (
        "pt",
        Words {
            title: "O seu pedido {reference}",
            statuses: [
                "À espera da confirmação da loja",
                "Confirmado",
                "Pago",
                "Enviado ou pronto para levantar",
                "Cancelado",
                "Expirado",
            ],
            payments: [
                "Ainda não pago",
                "À espera do seu pagamento",
                "Pago",
                "O pagamento falhou",
                "O link de pagamento expirou",
                "Pagamento cancelado",
                "Reembolsado",
            ],
            pay_now: "Pagar agora",
            discount: "Desconto",
            total: "Total",
            contact: "Dúvidas? Fale com {shop} no WhatsApp",
        },
    ),
    (
        "ar",
        Words {
            title: "طلبك {reference}",
            statuses: [
                "بانتظار تأكيد المتجر",
                "مؤكد",
                "مدفوع",
                "تم الشحن أو جاهز للاستلام",
                "ملغى",
                "منتهي",
            ],
            payments: [
                "لم يُدفع بعد",
                "بانتظار دفعتك",
                "مدفوع",
                "فشل الدفع",
                "انتهت صلاحية رابط الدفع",
                "أُلغي الدفع",
                "تم الاسترداد",
            ],
            pay_now: "ادفع الآن",
            discount: "خصم",
            total: "الإجمالي",
            contact: "أسئلة؟ راسل {shop} على واتساب",
        },
    ),
];

fn words(locale: &str) -> &'static Words {
    let language = language_of(locale);
    WORDS
        .iter()
        .find(|(code, _)| *code == language)
        .map_or(&WORDS[0].1, |(_, w)| w)
}

struct Line {
    quantity: i64,
    name: String,
    options: String,
    total: String,
}

#[derive(Template)]
#[template(path = "shopper_order.html")]
struct ShopperPage {
    lang: String,
    rtl: bool,
    title: String,
    shop: String,
    status: &'static str,
    lines: Vec<Line>,
    items_label: String,
    subtotal_label: String,
    shipping_label: String,
    discount_label: &'static str,
    total_label: &'static str,
    subtotal: String,
    shipping: Option<String>,
    discount: Option<String>,
    total: String,
    payment_label: String,
    payment: &'static str,
    pay_url: Option<String>,
    pay_now: &'static str,
    contact: String,
    chat_url: String,
}

/// A shopper's own page or link: not indexed, not stored, its address (which holds the
/// token) not passed on to the next site, and never shown inside another site's frame (where
/// a click could be stolen).
pub(super) fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

async fn page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match render(&state, &token).await {
        Ok(Some(page)) => private(Html(page).into_response()),
        Ok(None) => (StatusCode::NOT_FOUND, "no such order").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "the shopper's order page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "please try again").into_response()
        }
    }
}

/// `GET /pay/{token}`: to the order's open payment page, else to the shopper's order page.
/// A template's URL button can point here with a fixed base (`…/pay/{{1}}`, the `pay_token`
/// parameter), as WhatsApp requires, and still reach whichever link is current.
async fn pay(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let target = async {
        if !plausible(&token) {
            return Ok::<_, sqlx::Error>(None);
        }
        let mut conn = state.db.read.acquire().await?;
        let Some(order) = payable_by_token(&mut conn, &token).await? else {
            return Ok(None);
        };
        let payments = payments_of(&mut conn, order.id).await?;
        let (_, open) = standing(&order, &payments);
        Ok(Some(open.unwrap_or_else(|| format!("/orders/{token}"))))
    };
    match target.await {
        Ok(Some(url)) => {
            let mut response = Redirect::to(&url).into_response();
            response.headers_mut().insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            response
        }
        Ok(None) => (StatusCode::NOT_FOUND, "no such order").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "the payment redirect failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "please try again").into_response()
        }
    }
}

/// Where `order`'s payment stands, and the link to pay on while it waits for payment.
fn standing(order: &Payable, payments: &[PaymentRow]) -> (Summary, Option<String>) {
    let items: Vec<_> = payments.iter().map(PaymentRow::item).collect();
    let summary = summarise(&items, order.totals.total.minor_units());
    let open = summary
        .current
        .map(|at| &payments[at])
        .filter(|p| p.status() == PaymentStatus::Open && order.status == OrderStatus::Confirmed)
        .and_then(|p| p.url.clone());
    (summary, open)
}

/// The server's tokens are 32 hex digits; anything else is not one (and costs no query).
pub(super) fn plausible(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn render(state: &AppState, token: &str) -> Result<Option<String>, sqlx::Error> {
    if !plausible(token) {
        return Ok(None);
    }
    let mut conn = state.db.read.acquire().await?;
    let Some(order) = payable_by_token(&mut conn, token).await? else {
        return Ok(None);
    };
    let lines = order_lines(&mut *conn, order.id).await?;
    let payments = payments_of(&mut conn, order.id).await?;
    let w = words(&order.locale);
    let labels = Labels::for_locale(&order.locale);
    let style = MoneyStyle::for_language(&language_of(&order.locale));
    let currency = order.totals.total.currency();
    let amount = |minor: i64| {
        Money::from_minor(minor, currency)
            .map(|m| style.format(m))
            .unwrap_or_default()
    };
    let status_at = OrderStatus::ALL
        .iter()
        .position(|s| *s == order.status)
        .unwrap_or(0);
    let (summary, pay_url) = standing(&order, &payments);
    let payment_at = match summary.status {
        None => 0,
        Some(status) => {
            1 + PaymentStatus::ALL
                .iter()
                .position(|s| *s == status)
                .unwrap_or(0)
        }
    };
    let shop = &state.catalog.shop;
    let language = language_of(&order.locale);
    let page = ShopperPage {
        rtl: language == "ar",
        lang: language,
        title: fill(w.title, &[("reference", &order.reference)]),
        shop: shop.name.clone(),
        status: w.statuses[status_at],
        lines: lines
            .iter()
            .map(|l| Line {
                quantity: l.quantity,
                name: l.name.clone(),
                options: l
                    .options
                    .0
                    .iter()
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                total: Money::from_minor(l.unit_price, currency)
                    .and_then(|u| u.checked_mul(u32::try_from(l.quantity).unwrap_or(0)))
                    .map(|m| style.format(m))
                    .unwrap_or_default(),
            })
            .collect(),
        items_label: labels.items.clone(),
        subtotal_label: labels.subtotal.clone(),
        shipping_label: labels.shipping.clone(),
        discount_label: w.discount,
        total_label: w.total,
        subtotal: amount(order.totals.subtotal.minor_units()),
        shipping: (order.totals.shipping.minor_units() > 0)
            .then(|| amount(order.totals.shipping.minor_units())),
        discount: (order.totals.discount.minor_units() > 0)
            .then(|| amount(order.totals.discount.minor_units())),
        total: amount(order.totals.total.minor_units()),
        payment_label: labels.payment.clone(),
        payment: w.payments[payment_at],
        pay_url,
        pay_now: w.pay_now,
        contact: fill(w.contact, &[("shop", &shop.name)]),
        chat_url: whatsapp_url(&shop.phone, &order.reference),
    };
    Ok(page.render().ok())
}
