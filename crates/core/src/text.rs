//! Neutralising text that shoppers and host pages control before it enters a message.
//!
//! A product called `"Shirt\nSubtotal: €0.01"` or `"*FREE*"` must not be able to fake a
//! line or WhatsApp formatting in the order message.

/// Makes user text safe for one line of a WhatsApp message.
///
/// Line breaks and other control characters become spaces; bidirectional overrides (which can
/// visually reorder a line) are dropped; WhatsApp markup characters are replaced by look-alikes
/// that WhatsApp does not interpret; runs of white space are folded and the ends trimmed.
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    inline_into(&mut out, text);
    out
}

/// [`inline`], appended to `out` (the message renderer writes into one buffer).
pub fn inline_into(out: &mut String, text: &str) {
    let mut pending_space = false;
    let mut wrote = false;
    for c in text.chars() {
        let mapped = match c {
            '*' => '\u{2217}', // ∗ asterisk operator
            '_' => '\u{ff3f}', // ＿ fullwidth low line
            '~' => '\u{223c}', // ∼ tilde operator
            '`' => '\u{02cb}', // ˋ modifier grave accent
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => continue,
            c if c.is_control() || c.is_whitespace() => ' ',
            c => c,
        };
        if mapped == ' ' {
            pending_space = wrote;
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(mapped);
        wrote = true;
    }
}

/// Characters that WhatsApp reads as formatting; [`inline`] output never contains them.
pub const MARKUP: [char; 4] = ['*', '_', '~', '`'];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newlines_cannot_fake_a_line() {
        assert_eq!(inline("Shirt\nSubtotal: €0.01"), "Shirt Subtotal: €0.01");
        assert_eq!(inline("a\r\n\u{2028}\u{85}b"), "a b");
    }

    #[test]
    fn markup_cannot_fake_formatting() {
        let out = inline("*FREE* _now_ ~was~ `code`");
        assert!(!out.contains(MARKUP), "{out}");
        assert_eq!(
            out.chars().count(),
            "*FREE* _now_ ~was~ `code`".chars().count()
        );
    }

    #[test]
    fn bidi_overrides_are_dropped_but_rtl_text_stays() {
        assert_eq!(inline("abc\u{202e}fed"), "abcfed");
        assert_eq!(inline("قميص كتان"), "قميص كتان");
    }

    #[test]
    fn white_space_is_folded_and_trimmed() {
        assert_eq!(inline("  Linen \t  shirt  "), "Linen shirt");
        assert_eq!(inline("\n\n"), "");
    }
}
