//! What a contact can reply to stop or restart WhatsApp order updates, and what the shop
//! answers once when the choice changes.
//!
//! A keyword counts only as the whole message (a reply like "don't stop" is a conversation,
//! not an opt-out), in any letter case, with or without accents and surrounding punctuation:
//! `stop`, `Stop!`, `ARRÊT` and `arret` all count.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// What a keyword asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentCommand {
    /// Revoke the opt-in: no message of any kind until the contact opts in again.
    Stop,
    /// Opt in again.
    Start,
}

/// A recognised keyword and, when the word belongs to one language, that language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentKeyword {
    /// Stop or start.
    pub command: ConsentCommand,
    /// `Some("nl")` for STOPPEN; `None` for words used everywhere (STOP, START), where the
    /// contact's own language should pick the answer.
    pub language: Option<&'static str>,
}

/// The keywords, already folded (uppercase, no accents).
const KEYWORDS: [(&str, ConsentCommand, Option<&str>); 13] = [
    ("STOP", ConsentCommand::Stop, None),
    ("UNSUBSCRIBE", ConsentCommand::Stop, Some("en")),
    ("STOPP", ConsentCommand::Stop, Some("de")),
    ("ABMELDEN", ConsentCommand::Stop, Some("de")),
    ("STOPPEN", ConsentCommand::Stop, Some("nl")),
    ("ARRET", ConsentCommand::Stop, Some("fr")),
    ("BASTA", ConsentCommand::Stop, Some("it")),
    ("ALTO", ConsentCommand::Stop, Some("es")),
    ("CANCELAR", ConsentCommand::Stop, Some("es")),
    ("PARAR", ConsentCommand::Stop, Some("pt")),
    ("START", ConsentCommand::Start, None),
    ("UNSTOP", ConsentCommand::Start, Some("en")),
    ("AANMELDEN", ConsentCommand::Start, Some("nl")),
];

/// Folds a message for comparison: trimmed of spaces and punctuation, accents and width variants removed,
/// uppercase. `"  Arrêt ! "` becomes `"ARRET"`.
fn fold_keyword(text: &str) -> String {
    let trimmed = text.trim_matches(|c: char| !c.is_alphanumeric());
    trimmed
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_uppercase)
        .collect()
}

/// The keyword a whole message is, if it is one.
pub fn consent_keyword(text: &str) -> Option<ConsentKeyword> {
    // A keyword is one short word; anything longer is a conversation and is not folded.
    if text.len() > 64 {
        return None;
    }
    let folded = fold_keyword(text);
    KEYWORDS
        .iter()
        .find(|(word, _, _)| *word == folded)
        .map(|&(_, command, language)| ConsentKeyword { command, language })
}

/// The one answer sent when a keyword changes the contact's choice, in `language` (a BCP 47
/// tag or its language part; English when there is no translation).
pub fn consent_acknowledgement(command: ConsentCommand, language: &str) -> &'static str {
    let language = crate::labels::language_of(language);
    match (command, language.as_str()) {
        (ConsentCommand::Stop, "nl") => {
            "Je ontvangt geen bestelupdates meer via WhatsApp. Stuur START om ze weer te ontvangen."
        }
        (ConsentCommand::Stop, "it") => {
            "Non riceverai più aggiornamenti sugli ordini su WhatsApp. Rispondi START per riceverli di nuovo."
        }
        (ConsentCommand::Stop, "es") => {
            "Ya no recibirás novedades de tus pedidos por WhatsApp. Responde START para volver a recibirlas."
        }
        (ConsentCommand::Stop, "de") => {
            "Du erhältst keine Bestell-Updates mehr über WhatsApp. Antworte START, um sie wieder zu erhalten."
        }
        (ConsentCommand::Stop, "fr") => {
            "Vous ne recevrez plus les nouvelles de vos commandes sur WhatsApp. Répondez START pour les recevoir à nouveau."
        }
        (ConsentCommand::Stop, "pt") => {
            "Você não receberá mais atualizações de pedidos pelo WhatsApp. Responda START para recebê-las novamente."
        }
        (ConsentCommand::Stop, _) => {
            "You will no longer receive order updates on WhatsApp. Reply START to receive them again."
        }
        (ConsentCommand::Start, "nl") => {
            "Je ontvangt weer bestelupdates via WhatsApp. Stuur STOP om ze te stoppen."
        }
        (ConsentCommand::Start, "it") => {
            "Riceverai di nuovo gli aggiornamenti sugli ordini su WhatsApp. Rispondi STOP per interromperli."
        }
        (ConsentCommand::Start, "es") => {
            "Volverás a recibir novedades de tus pedidos por WhatsApp. Responde STOP para dejar de recibirlas."
        }
        (ConsentCommand::Start, "de") => {
            "Du erhältst wieder Bestell-Updates über WhatsApp. Antworte STOP, um sie abzubestellen."
        }
        (ConsentCommand::Start, "fr") => {
            "Vous recevrez à nouveau les nouvelles de vos commandes sur WhatsApp. Répondez STOP pour les arrêter."
        }
        (ConsentCommand::Start, "pt") => {
            "Você voltará a receber atualizações de pedidos pelo WhatsApp. Responda STOP para pará-las."
        }
        (ConsentCommand::Start, _) => {
            "You will receive order updates on WhatsApp again. Reply STOP to stop them."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_word_stops_in_any_case_and_accent() {
        for text in [
            "STOP",
            "stop",
            " Stop! ",
            "STOPP",
            "stoppen",
            "Stoppen.",
            "ARRET",
            "arrêt",
            "Arrêt",
            "ARRÊT",
            "basta",
            "Alto",
            "parar",
            "CANCELAR",
            "abmelden",
            "Unsubscribe",
            "ｓｔｏｐ",
        ] {
            let keyword = consent_keyword(text);
            assert_eq!(
                keyword.map(|k| k.command),
                Some(ConsentCommand::Stop),
                "{text:?} should stop"
            );
        }
    }

    #[test]
    fn only_the_whole_message_counts() {
        for text in [
            "don't stop",
            "stop it please",
            "stopwatch",
            "",
            "!!!",
            "Can you start my order?",
            &"stop ".repeat(40),
        ] {
            assert_eq!(consent_keyword(text), None, "{text:?} is not a keyword");
        }
        assert_eq!(
            consent_keyword("start").map(|k| k.command),
            Some(ConsentCommand::Start)
        );
    }

    #[test]
    fn a_language_specific_word_answers_in_its_language() {
        let k = consent_keyword("stoppen").unwrap();
        assert_eq!(k.language, Some("nl"));
        assert!(consent_acknowledgement(k.command, "nl").starts_with("Je ontvangt geen"));
        assert_eq!(consent_keyword("BASTA").unwrap().language, Some("it"));
        assert_eq!(consent_keyword("stop").unwrap().language, None);
        assert!(consent_acknowledgement(ConsentCommand::Stop, "nl-NL").starts_with("Je ontvangt"));
        assert!(consent_acknowledgement(ConsentCommand::Stop, "ja").starts_with("You will"));
        assert!(consent_acknowledgement(ConsentCommand::Start, "de_DE").contains("wieder"));
    }

    #[test]
    fn folding_removes_accents_and_punctuation_only() {
        assert_eq!(fold_keyword("  Arrêt ! "), "ARRET");
        assert_eq!(fold_keyword("çà-va"), "CA-VA");
    }
}
