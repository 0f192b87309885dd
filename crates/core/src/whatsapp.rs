//! wa.me links: the shop's number plus the message, percent-encoded so it decodes exactly.

use crate::labels::Labels;
use crate::order::Order;
use crate::phone::PhoneNumber;
use crate::summary::{render_compact_summary, render_summary};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986's unreserved characters is encoded, so `&`, `#`, `+`, `%`,
/// newlines, emoji and right-to-left text all survive the trip.
const TEXT_PARAM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Longest link the widget opens before switching to the compact message.
pub const URL_BUDGET: usize = 2_000;

/// `https://wa.me/<digits>?text=<percent-encoded UTF-8>`; no `text` when the message is empty.
pub fn whatsapp_url(phone: &PhoneNumber, text: &str) -> String {
    let mut url = String::with_capacity(32 + text.len() * 3);
    url.push_str("https://wa.me/");
    url.push_str(phone.digits());
    if !text.is_empty() {
        url.push_str("?text=");
        // Chunks pushed directly: going through `fmt` costs more than the encoding itself.
        url.extend(utf8_percent_encode(text, TEXT_PARAM));
    }
    url
}

/// The same wa.me link addressed to `phone` instead: how an order the shop's server wrote
/// (for the shop's main number) reaches the agent it is routed to, message unchanged.
/// `None` when `url` is not a wa.me link.
pub fn readdress(url: &str, phone: &PhoneNumber) -> Option<String> {
    let rest = url.strip_prefix("https://wa.me/")?;
    let query = rest.find('?').map_or("", |at| &rest[at..]);
    let digits = &rest[..rest.len() - query.len()];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!("https://wa.me/{}{query}", phone.digits()))
}

/// The message and link for an order, chosen to fit the link budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderMessage {
    /// The text in the link (full, or compact when the full one was too long).
    pub text: String,
    /// The full message, for the shopper to copy when the link carries the compact one.
    pub full_text: String,
    /// The wa.me link.
    pub url: String,
    /// True when the link carries the compact message.
    pub compact: bool,
    /// True when even the compact link is longer than the budget (it is still complete).
    pub over_budget: bool,
}

/// Renders the order and its link; switches to the compact message when the full link would
/// pass `budget` characters. Text is never cut.
pub fn order_message(
    phone: &PhoneNumber,
    order: &Order,
    labels: &Labels,
    budget: usize,
) -> OrderMessage {
    let full_text = render_summary(order, labels);
    let url = whatsapp_url(phone, &full_text);
    if url.len() <= budget {
        return OrderMessage {
            text: full_text.clone(),
            full_text,
            url,
            compact: false,
            over_budget: false,
        };
    }
    let text = render_compact_summary(order, labels);
    let url = whatsapp_url(phone, &text);
    OrderMessage {
        over_budget: url.len() > budget,
        text,
        full_text,
        url,
        compact: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use percent_encoding::percent_decode_str;

    #[test]
    fn readdress_changes_only_the_number() {
        let shop = PhoneNumber::parse("+31 6 1234 5678", None).unwrap();
        let agent = PhoneNumber::parse("+39 347 123 4567", None).unwrap();
        let url = whatsapp_url(&shop, "Order K7F3 & co?\nSubtotal");
        let moved = readdress(&url, &agent).unwrap();
        assert_eq!(moved, whatsapp_url(&agent, "Order K7F3 & co?\nSubtotal"));
        assert_eq!(
            readdress("https://wa.me/31612345678", &agent).as_deref(),
            Some("https://wa.me/393471234567")
        );
        assert_eq!(
            readdress("https://evil.example/31612345678?text=x", &agent),
            None
        );
        assert_eq!(readdress("https://wa.me/31x6?text=x", &agent), None);
        assert_eq!(readdress("https://wa.me/?text=x", &agent), None);
    }

    fn phone() -> PhoneNumber {
        PhoneNumber::parse("+31 6 1234 5678", None).unwrap()
    }

    fn decoded_text(url: &str) -> String {
        let (_, encoded) = url.split_once("?text=").unwrap();
        percent_decode_str(encoded)
            .decode_utf8()
            .unwrap()
            .into_owned()
    }

    #[test]
    fn awkward_characters_survive_the_link() {
        let text = "A&B #1 +2 100% \n🎉 قميص ? = /";
        let url = whatsapp_url(&phone(), text);
        assert!(url.starts_with("https://wa.me/31612345678?text="));
        assert!(!url["https://wa.me/".len()..].contains([' ', '\n', '&', '#', '+']));
        assert_eq!(decoded_text(&url), text);
    }

    #[test]
    fn an_empty_message_opens_a_plain_chat() {
        assert_eq!(whatsapp_url(&phone(), ""), "https://wa.me/31612345678");
    }
}
