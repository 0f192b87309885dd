//! What the server itself writes into a chat, per language: the answer to a WhatsApp catalog
//! cart, the confirmation with its reply buttons, and the acknowledgement of a cancel. The
//! language is the contact's (its last order's), English when unknown. `{name}` placeholders
//! are filled with `chatout_core::fill`.

use chatout_core::language_of;

/// The longest title a reply button may have (the Cloud API's limit).
pub const MAX_BUTTON_TITLE: usize = 20;

/// One language's chat texts.
#[derive(Debug)]
pub struct ChatTexts {
    /// Heads the cart answer: `{reference}`.
    pub cart_thanks: &'static str,
    /// A line that could not be ordered at all: `{name}`.
    pub cart_sold_out: &'static str,
    /// A line with less stock than asked: `{name}`, `{available}`.
    pub cart_only: &'static str,
    /// A catalog item the shop's catalog does not have: `{item}`.
    pub cart_unknown: &'static str,
    /// A product whose options the catalog item did not name: `{name}`, `{option}`.
    pub cart_choose: &'static str,
    /// Nothing in the cart can be ordered.
    pub cart_nothing: &'static str,
    /// The number holds as much stock as it may in orders nobody has confirmed.
    pub cart_held: &'static str,
    /// Closes the cart answer: what happens next.
    pub cart_next: &'static str,
    /// The confirmation's body: `{shop}`, `{reference}`, `{total}`.
    pub confirm_body: &'static str,
    /// The button that agrees.
    pub button_confirm: &'static str,
    /// The button that cancels.
    pub button_cancel: &'static str,
    /// The answer to a cancel: `{reference}`.
    pub cancelled: &'static str,
    /// An order staff changed, when they tell the customer: `{reference}`, `{total}`.
    pub updated: &'static str,
    /// Where to pay, under a confirmation: `{url}`.
    pub pay_here: &'static str,
    /// What the shopper sends to ask for a back-in-stock alert: `{product}`, `{reference}`.
    pub alert_request: &'static str,
    /// The shop's answer once that message arrived: `{product}`.
    pub alert_confirmed: &'static str,
    /// Under that answer, the unsubscribe link: `{url}`.
    pub alert_stop_link: &'static str,
    /// The unsubscribe page's title.
    pub alert_page_title: &'static str,
    /// Its button.
    pub alert_page_button: &'static str,
    /// What it says once the alerts are stopped.
    pub alert_page_done: &'static str,
    /// What it says for a token nobody has.
    pub alert_page_unknown: &'static str,
}

const EN: ChatTexts = ChatTexts {
    cart_thanks: "Thank you! We have your order *{reference}*:",
    cart_sold_out: "{name} is sold out.",
    cart_only: "Only {available} × {name} left: your order has {available}.",
    cart_unknown: "We could not find {item} in our shop.",
    cart_choose: "{name}: tell us which {option} you would like.",
    cart_nothing: "Sorry, nothing in this cart can be ordered right now.",
    cart_held: "We cannot hold more items for you while your other orders wait for us; we will get back to you here.",
    cart_next: "We will confirm delivery, shipping costs and payment with you here.",
    confirm_body: "{shop} has confirmed your order {reference} ({total}). Shall we go ahead?",
    button_confirm: "Yes, confirm",
    button_cancel: "Cancel order",
    cancelled: "Your order {reference} is cancelled. Write to us any time.",
    updated: "We have updated your order {reference}: it now comes to {total}.",
    pay_here: "Pay securely here: {url}",
    alert_request: "Hello! Please tell me on WhatsApp when {product} is back in stock. ({reference})",
    alert_confirmed: "You are on the list: we will send you one message when {product} is back in stock. Reply STOP to unsubscribe.",
    alert_stop_link: "Stop these alerts: {url}",
    alert_page_title: "Back-in-stock alerts",
    alert_page_button: "Stop my alerts",
    alert_page_done: "You will get no back-in-stock alerts from us any more.",
    alert_page_unknown: "This link is not valid any more.",
};

const NL: ChatTexts = ChatTexts {
    cart_thanks: "Dank je! We hebben je bestelling *{reference}*:",
    cart_sold_out: "{name} is uitverkocht.",
    cart_only: "Nog maar {available} × {name}: je bestelling heeft er {available}.",
    cart_unknown: "We konden {item} niet vinden in onze winkel.",
    cart_choose: "{name}: laat ons weten welke {option} je wilt.",
    cart_nothing: "Sorry, niets in dit mandje kan nu besteld worden.",
    cart_held: "We kunnen niet meer voor je vasthouden zolang je andere bestellingen op ons wachten; we komen hier bij je terug.",
    cart_next: "We spreken levering, verzendkosten en betaling hier met je af.",
    confirm_body: "{shop} heeft je bestelling {reference} ({total}) bevestigd. Zullen we doorgaan?",
    button_confirm: "Ja, bevestigen",
    button_cancel: "Bestelling annuleren",
    cancelled: "Je bestelling {reference} is geannuleerd. Schrijf ons gerust.",
    updated: "We hebben je bestelling {reference} aangepast: het totaal is nu {total}.",
    pay_here: "Betaal veilig hier: {url}",
    alert_request: "Hallo! Laat me via WhatsApp weten wanneer {product} weer op voorraad is. ({reference})",
    alert_confirmed: "Je staat op de lijst: we sturen je één bericht zodra {product} weer op voorraad is. Antwoord STOP om je af te melden.",
    alert_stop_link: "Stop deze meldingen: {url}",
    alert_page_title: "Meldingen bij nieuwe voorraad",
    alert_page_button: "Stop mijn meldingen",
    alert_page_done: "Je krijgt van ons geen voorraadmeldingen meer.",
    alert_page_unknown: "Deze link is niet meer geldig.",
};

const DE: ChatTexts = ChatTexts {
    cart_thanks: "Danke! Wir haben deine Bestellung *{reference}*:",
    cart_sold_out: "{name} ist ausverkauft.",
    cart_only: "Nur noch {available} × {name}: deine Bestellung enthält {available}.",
    cart_unknown: "Wir konnten {item} in unserem Shop nicht finden.",
    cart_choose: "{name}: sag uns, welche {option} du möchtest.",
    cart_nothing: "Leider kann nichts aus diesem Warenkorb gerade bestellt werden.",
    cart_held: "Wir können nicht mehr für dich reservieren, solange deine anderen Bestellungen auf uns warten; wir melden uns hier.",
    cart_next: "Lieferung, Versandkosten und Zahlung klären wir hier mit dir.",
    confirm_body:
        "{shop} hat deine Bestellung {reference} ({total}) bestätigt. Sollen wir weitermachen?",
    button_confirm: "Ja, bestätigen",
    button_cancel: "Stornieren",
    cancelled: "Deine Bestellung {reference} ist storniert. Schreib uns jederzeit.",
    updated: "Wir haben deine Bestellung {reference} angepasst: Sie kostet jetzt {total}.",
    pay_here: "Hier sicher bezahlen: {url}",
    alert_request: "Hallo! Bitte sagt mir auf WhatsApp Bescheid, wenn {product} wieder vorrätig ist. ({reference})",
    alert_confirmed: "Du stehst auf der Liste: Wir schicken dir eine Nachricht, sobald {product} wieder vorrätig ist. Antworte STOP zum Abmelden.",
    alert_stop_link: "Diese Hinweise abbestellen: {url}",
    alert_page_title: "Hinweise bei neuem Vorrat",
    alert_page_button: "Meine Hinweise abbestellen",
    alert_page_done: "Du bekommst von uns keine Vorratshinweise mehr.",
    alert_page_unknown: "Dieser Link ist nicht mehr gültig.",
};

const FR: ChatTexts = ChatTexts {
    cart_thanks: "Merci ! Nous avons votre commande *{reference}* :",
    cart_sold_out: "{name} est épuisé.",
    cart_only: "Plus que {available} × {name} : votre commande en contient {available}.",
    cart_unknown: "Nous n'avons pas trouvé {item} dans notre boutique.",
    cart_choose: "{name} : dites-nous quelle {option} vous souhaitez.",
    cart_nothing: "Désolé, rien dans ce panier ne peut être commandé pour le moment.",
    cart_held: "Nous ne pouvons pas réserver davantage tant que vos autres commandes nous attendent ; nous revenons vers vous ici.",
    cart_next: "Nous confirmerons ici la livraison, les frais de port et le paiement.",
    confirm_body: "{shop} a confirmé votre commande {reference} ({total}). On continue ?",
    button_confirm: "Oui, je confirme",
    button_cancel: "Annuler la commande",
    cancelled: "Votre commande {reference} est annulée. Écrivez-nous quand vous voulez.",
    updated: "Nous avons mis à jour votre commande {reference} : elle s'élève maintenant à {total}.",
    pay_here: "Payez en toute sécurité ici : {url}",
    alert_request: "Bonjour ! Prévenez-moi sur WhatsApp quand {product} sera de nouveau en stock. ({reference})",
    alert_confirmed: "C'est noté : nous vous enverrons un seul message quand {product} sera de nouveau en stock. Répondez STOP pour vous désinscrire.",
    alert_stop_link: "Arrêter ces alertes : {url}",
    alert_page_title: "Alertes de retour en stock",
    alert_page_button: "Arrêter mes alertes",
    alert_page_done: "Vous ne recevrez plus d'alertes de retour en stock.",
    alert_page_unknown: "Ce lien n'est plus valide.",
};

const ES: ChatTexts = ChatTexts {
    cart_thanks: "¡Gracias! Tenemos tu pedido *{reference}*:",
    cart_sold_out: "{name} está agotado.",
    cart_only: "Solo quedan {available} × {name}: tu pedido tiene {available}.",
    cart_unknown: "No encontramos {item} en nuestra tienda.",
    cart_choose: "{name}: dinos qué {option} prefieres.",
    cart_nothing: "Lo sentimos, nada de este carrito se puede pedir ahora.",
    cart_held:
        "No podemos reservarte más mientras tus otros pedidos nos esperan; te responderemos aquí.",
    cart_next: "Confirmaremos contigo aquí la entrega, el envío y el pago.",
    confirm_body: "{shop} ha confirmado tu pedido {reference} ({total}). ¿Seguimos?",
    button_confirm: "Sí, confirmar",
    button_cancel: "Cancelar pedido",
    cancelled: "Tu pedido {reference} está cancelado. Escríbenos cuando quieras.",
    updated: "Hemos actualizado tu pedido {reference}: ahora el total es {total}.",
    pay_here: "Paga de forma segura aquí: {url}",
    alert_request: "¡Hola! Avísame por WhatsApp cuando {product} vuelva a estar disponible. ({reference})",
    alert_confirmed: "Estás en la lista: te enviaremos un solo mensaje cuando {product} vuelva a estar disponible. Responde STOP para darte de baja.",
    alert_stop_link: "Cancelar estos avisos: {url}",
    alert_page_title: "Avisos de reposición",
    alert_page_button: "Cancelar mis avisos",
    alert_page_done: "Ya no recibirás avisos de reposición.",
    alert_page_unknown: "Este enlace ya no es válido.",
};

const IT: ChatTexts = ChatTexts {
    cart_thanks: "Grazie! Abbiamo il tuo ordine *{reference}*:",
    cart_sold_out: "{name} è esaurito.",
    cart_only: "Ne restano solo {available} × {name}: il tuo ordine ne ha {available}.",
    cart_unknown: "Non abbiamo trovato {item} nel nostro negozio.",
    cart_choose: "{name}: dicci quale {option} preferisci.",
    cart_nothing: "Spiacenti, niente di questo carrello si può ordinare ora.",
    cart_held: "Non possiamo riservarti altro finché i tuoi altri ordini ci aspettano; ti risponderemo qui.",
    cart_next: "Confermeremo qui con te consegna, spedizione e pagamento.",
    confirm_body: "{shop} ha confermato il tuo ordine {reference} ({total}). Procediamo?",
    button_confirm: "Sì, confermo",
    button_cancel: "Annulla ordine",
    cancelled: "Il tuo ordine {reference} è annullato. Scrivici quando vuoi.",
    updated: "Abbiamo aggiornato il tuo ordine {reference}: ora il totale è {total}.",
    pay_here: "Paga in sicurezza qui: {url}",
    alert_request: "Ciao! Avvisatemi su WhatsApp quando {product} torna disponibile. ({reference})",
    alert_confirmed: "Sei in lista: ti invieremo un solo messaggio quando {product} tornerà disponibile. Rispondi STOP per annullare l'iscrizione.",
    alert_stop_link: "Interrompi questi avvisi: {url}",
    alert_page_title: "Avvisi di disponibilità",
    alert_page_button: "Interrompi i miei avvisi",
    alert_page_done: "Non riceverai più avvisi di disponibilità.",
    alert_page_unknown: "Questo link non è più valido.",
};

const PT: ChatTexts = ChatTexts {
    cart_thanks: "Obrigado! Recebemos o seu pedido *{reference}*:",
    cart_sold_out: "{name} está esgotado.",
    cart_only: "Restam apenas {available} × {name}: o seu pedido tem {available}.",
    cart_unknown: "Não encontramos {item} na nossa loja.",
    cart_choose: "{name}: diga-nos qual {option} prefere.",
    cart_nothing: "Desculpe, nada deste carrinho pode ser pedido agora.",
    cart_held: "Não podemos reservar mais enquanto os seus outros pedidos aguardam por nós; responderemos aqui.",
    cart_next: "Vamos confirmar aqui a entrega, o frete e o pagamento.",
    confirm_body: "{shop} confirmou o seu pedido {reference} ({total}). Podemos seguir?",
    button_confirm: "Sim, confirmar",
    button_cancel: "Cancelar pedido",
    cancelled: "O seu pedido {reference} foi cancelado. Escreva-nos quando quiser.",
    updated: "Atualizámos o seu pedido {reference}: o total agora é {total}.",
    pay_here: "Pague com segurança aqui: {url}",
    alert_request: "Olá! Avisem-me pelo WhatsApp quando {product} voltar ao estoque. ({reference})",
    alert_confirmed: "Você está na lista: enviaremos uma única mensagem quando {product} voltar ao estoque. Responda STOP para cancelar.",
    alert_stop_link: "Parar estes alertas: {url}",
    alert_page_title: "Alertas de volta ao estoque",
    alert_page_button: "Parar meus alertas",
    alert_page_done: "Você não receberá mais alertas de volta ao estoque.",
    alert_page_unknown: "Este link não é mais válido.",
};

const AR: ChatTexts = ChatTexts {
    cart_thanks: "شكرًا لك! وصلنا طلبك *{reference}*:",
    cart_sold_out: "{name} نفد من المخزون.",
    cart_only: "تبقّى {available} × {name} فقط: طلبك يتضمن {available}.",
    cart_unknown: "لم نجد {item} في متجرنا.",
    cart_choose: "{name}: أخبرنا أي {option} تريد.",
    cart_nothing: "عذرًا، لا يمكن طلب أي شيء من هذه السلة الآن.",
    cart_held: "لا يمكننا حجز المزيد لك بينما تنتظرنا طلباتك الأخرى؛ سنعود إليك هنا.",
    cart_next: "سنؤكد معك هنا التوصيل وتكلفة الشحن والدفع.",
    confirm_body: "أكّد {shop} طلبك {reference} ({total}). هل نتابع؟",
    button_confirm: "نعم، أؤكد",
    button_cancel: "إلغاء الطلب",
    cancelled: "تم إلغاء طلبك {reference}. راسلنا في أي وقت.",
    updated: "حدّثنا طلبك {reference}: أصبح الإجمالي الآن {total}.",
    pay_here: "ادفع بأمان هنا: {url}",
    alert_request: "مرحبًا! أخبروني على واتساب عندما يعود {product} إلى المخزون. ({reference})",
    alert_confirmed: "أنت على القائمة: سنرسل لك رسالة واحدة عندما يعود {product} إلى المخزون. أرسل STOP لإلغاء الاشتراك.",
    alert_stop_link: "إيقاف هذه التنبيهات: {url}",
    alert_page_title: "تنبيهات عودة المخزون",
    alert_page_button: "أوقف تنبيهاتي",
    alert_page_done: "لن تصلك منا تنبيهات عودة المخزون بعد الآن.",
    alert_page_unknown: "هذا الرابط لم يعد صالحًا.",
};

/// Every language with chat texts, English first.
pub const LANGUAGES: [(&str, &ChatTexts); 8] = [
    ("en", &EN),
    ("nl", &NL),
    ("de", &DE),
    ("fr", &FR),
    ("es", &ES),
    ("it", &IT),
    ("pt", &PT),
    ("ar", &AR),
];

/// The chat texts for a locale (`nl-BE` → Dutch); English when there are none.
pub fn chat_texts(locale: &str) -> &'static ChatTexts {
    let language = language_of(locale);
    LANGUAGES
        .iter()
        .find(|(code, _)| *code == language)
        .map_or(&EN, |(_, texts)| texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn button_titles_fit_and_every_placeholder_is_there() {
        for (code, texts) in LANGUAGES {
            for title in [texts.button_confirm, texts.button_cancel] {
                let length = title.chars().count();
                assert!(
                    (1..=MAX_BUTTON_TITLE).contains(&length),
                    "{code}: '{title}' has {length} characters"
                );
            }
            let placeholders = [
                (texts.cart_thanks, &["{reference}"][..]),
                (texts.cart_sold_out, &["{name}"]),
                (texts.cart_only, &["{name}", "{available}"]),
                (texts.cart_unknown, &["{item}"]),
                (texts.cart_choose, &["{name}", "{option}"]),
                (texts.confirm_body, &["{shop}", "{reference}", "{total}"]),
                (texts.cancelled, &["{reference}"]),
                (texts.updated, &["{reference}", "{total}"]),
                (texts.pay_here, &["{url}"]),
                (texts.alert_request, &["{product}", "{reference}"]),
                (texts.alert_confirmed, &["{product}"]),
                (texts.alert_stop_link, &["{url}"]),
            ];
            for (text, names) in placeholders {
                for name in names {
                    assert!(text.contains(name), "{code}: '{text}' lacks {name}");
                }
            }
        }
        assert_eq!(chat_texts("nl-BE").button_cancel, "Bestelling annuleren");
        assert_eq!(chat_texts("ja").button_cancel, "Cancel order");
    }
}
