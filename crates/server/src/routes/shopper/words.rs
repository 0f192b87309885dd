//! The shopper's order page in each language it speaks.

use chatout_core::language_of;

/// The page's words in one language.
pub(super) struct Words {
    pub title: &'static str,
    pub statuses: [&'static str; 6],
    pub payments: [&'static str; 7],
    pub pay_now: &'static str,
    pub discount: &'static str,
    pub total: &'static str,
    pub contact: &'static str,
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

/// The words for `locale`'s language, else English.
pub(super) fn words(locale: &str) -> &'static Words {
    let language = language_of(locale);
    WORDS
        .iter()
        .find(|(code, _)| *code == language)
        .map_or(&WORDS[0].1, |(_, w)| w)
}
