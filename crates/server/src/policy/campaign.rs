//! Campaigns (issue 19): what a template needs to be used for one (an opt-out the customer can
//! act on), where a campaign is, who its audience is, and which links may be tracked (only to
//! the shop's own pages, so `/r/{token}` is never an open redirect).

use chatout_core::{consent_keyword, ConsentCommand};
use serde::{Deserialize, Serialize};

/// Whether a template tells the customer how to stop: its text names a STOP keyword the
/// server honours ("Reply STOP to unsubscribe"), or one of its quick replies is a stop button
/// ("Stop promotions").
pub fn has_opt_out(text: &str, quick_replies: &[String]) -> bool {
    let names_stop = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|word| {
            consent_keyword(word).is_some_and(|k| k.command == ConsentCommand::Stop)
                && word.chars().all(|c| !c.is_lowercase())
        });
    names_stop || quick_replies.iter().any(|q| is_stop_button(q))
}

/// Whether a quick reply's text (as it comes back when tapped) stops promotions: Meta's
/// "Stop promotions" button, or a button that is a STOP keyword.
pub fn is_stop_button(text: &str) -> bool {
    let text = text.trim();
    let lower = text.to_lowercase();
    lower.starts_with("stop promotions")
        || lower.starts_with("stop offers")
        || consent_keyword(text).is_some_and(|k| k.command == ConsentCommand::Stop)
}

/// How far back the frequency cap looks.
pub const CAP_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;

/// Whether a contact who got `sent` marketing messages in the last [`CAP_WINDOW_MS`] is at
/// the shop's cap of `cap` (`CHATOUT_MARKETING_CAP`): campaigns and alerts skip them.
pub fn over_cap(sent: i64, cap: u32) -> bool {
    sent >= i64::from(cap)
}

/// Where a campaign is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignStatus {
    /// Waiting for its time.
    Scheduled,
    /// Its messages are being queued.
    Sending,
    /// Every message of its audience is queued (or skipped).
    Sent,
    /// Called off before it was sent.
    Cancelled,
}

impl CampaignStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [Self::Scheduled, Self::Sending, Self::Sent, Self::Cancelled];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Cancelled => "cancelled",
        }
    }

    /// Reads a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether staff may still call it off.
    pub fn can_cancel(self) -> bool {
        self == Self::Scheduled
    }
}

/// Who a campaign goes to: contacts whose opt-in to offers is active, narrowed by these
/// (each optional, all must hold).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audience {
    /// Their language (the primary subtag of their last order's locale: `nl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// They ordered within this many days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered_within_days: Option<u32>,
    /// They have not ordered within this many days (but may have before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_ordered_within_days: Option<u32>,
    /// They once bought a product of this catalog category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// They never ordered.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub never_ordered: bool,
}

/// The longest audience filter window, in days.
pub const MAX_DAYS: u32 = 3650;

impl Audience {
    /// The filters that contradict each other or are out of range, in words.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.never_ordered && (self.ordered_within_days.is_some() || self.category.is_some()) {
            problems.push("“never ordered” cannot be combined with an order filter".into());
        }
        for days in [self.ordered_within_days, self.not_ordered_within_days]
            .into_iter()
            .flatten()
        {
            if days == 0 || days > MAX_DAYS {
                problems.push(format!("a number of days is 1 to {MAX_DAYS}"));
            }
        }
        if let (Some(within), Some(not_within)) =
            (self.ordered_within_days, self.not_ordered_within_days)
        {
            if within <= not_within {
                problems.push(
                    "“ordered within” must be longer than “not ordered within” to leave anyone"
                        .into(),
                );
            }
        }
        if let Some(language) = &self.language {
            if language.is_empty()
                || language.len() > 8
                || !language.chars().all(|c| c.is_ascii_alphabetic())
            {
                problems.push(format!("'{language}' is not a language code like nl"));
            }
        }
        problems
    }

    /// The filters in words, for the desk.
    pub fn describe(&self) -> String {
        let mut parts = vec!["opted in to offers".to_string()];
        if let Some(language) = &self.language {
            parts.push(format!("language {language}"));
        }
        if let Some(days) = self.ordered_within_days {
            parts.push(format!("ordered in the last {days} days"));
        }
        if let Some(days) = self.not_ordered_within_days {
            parts.push(format!("no order in the last {days} days"));
        }
        if let Some(category) = &self.category {
            parts.push(format!("bought from “{category}”"));
        }
        if self.never_ordered {
            parts.push("never ordered".into());
        }
        parts.join(", ")
    }
}

/// Whether `url` may be tracked and redirected to: an `https` (or `http`) address on one of
/// the shop's own hosts (`own_hosts`: from `CHATOUT_PUBLIC_URL`, `CHATOUT_ALLOWED_ORIGINS`
/// and the catalog's product pages), without credentials, written without control
/// characters (a line break would pass the parser, which drops it, but not a header).
pub fn is_own_url(url: &str, own_hosts: &[String]) -> bool {
    !has_control(url) && own_url(url, own_hosts).is_some()
}

/// Whether `text` holds a control character (a line break, a tab, NUL…).
pub fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// The address a tracked link redirects to: `url` as parsed, when it leads to one of the
/// shop's own pages (see [`is_own_url`]). Its serialisation is always a valid `Location`,
/// also for a link stored before control characters were refused.
pub fn own_url(url: &str, own_hosts: &[String]) -> Option<url::Url> {
    let parsed = url::Url::parse(url).ok()?;
    let own = matches!(parsed.scheme(), "https" | "http")
        && parsed.username().is_empty()
        && parsed.password().is_none()
        && parsed
            .host_str()
            .is_some_and(|host| own_hosts.iter().any(|own| own.eq_ignore_ascii_case(host)));
    own.then_some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_needs_a_way_to_stop() {
        assert!(has_opt_out(
            "Spring sale: {{1}} is 20% off. Reply STOP to unsubscribe.",
            &[]
        ));
        assert!(has_opt_out(
            "Nieuw: {{1}}. Antwoord STOP om af te melden",
            &[]
        ));
        assert!(has_opt_out("Sale!", &["Stop promotions".into()]));
        assert!(
            !has_opt_out("Sale! Don't stop shopping", &[]),
            "an ordinary 'stop'"
        );
        assert!(!has_opt_out("Sale! {{1}}", &["Shop now".into()]));
        assert!(is_stop_button("STOP"));
        assert!(is_stop_button(" Stop promotions "));
        assert!(!is_stop_button("Stop by our shop"));
    }

    #[test]
    fn only_the_shops_own_pages_are_tracked() {
        let own = vec!["shop.example".to_string(), "orders.shop.example".into()];
        assert!(is_own_url("https://shop.example/sale?x=1", &own));
        assert!(is_own_url("https://SHOP.example/", &own));
        for foreign in [
            "https://evil.example/",
            "https://shop.example.evil.example/",
            "https://shop.example@evil.example/",
            "https://user@shop.example/",
            "javascript:alert(1)",
            "//evil.example",
            "/sale",
            "ftp://shop.example/",
            "data:text/html,hi",
        ] {
            assert!(!is_own_url(foreign, &own), "{foreign}");
        }
    }

    /// Issue 27 item 14: a link with a line break passed the own-host check (the parser
    /// drops it) and every click answered 500 (no header may hold it).
    #[test]
    fn a_link_with_a_control_character_is_refused_and_an_old_one_redirects_cleanly() {
        let own = vec!["shop.example".to_string()];
        for broken in [
            "https://shop.example/sale\nSet-Cookie: x=1",
            "https://shop.example/sale\r\n",
            "https://shop.\texample/",
            "https://shop.example/\u{0}",
        ] {
            assert!(!is_own_url(broken, &own), "{broken:?}");
        }
        let stored = "https://shop.example/sale\nmore";
        let target = own_url(stored, &own).expect("still the shop's page");
        assert_eq!(target.as_str(), "https://shop.example/salemore");
        assert!(axum_free_header_value(target.as_str()));
    }

    /// What a `Location` header may hold: visible ASCII.
    fn axum_free_header_value(text: &str) -> bool {
        text.bytes().all(|b| (0x21..0x7f).contains(&b))
    }

    #[test]
    fn the_cap_counts_what_went_this_week() {
        assert!(!over_cap(1, 2));
        assert!(over_cap(2, 2));
        assert!(over_cap(5, 2));
    }

    #[test]
    fn contradicting_filters_are_named() {
        let fine = Audience {
            language: Some("nl".into()),
            ordered_within_days: Some(90),
            not_ordered_within_days: Some(30),
            ..Audience::default()
        };
        assert!(fine.problems().is_empty(), "{:?}", fine.problems());
        let never = Audience {
            never_ordered: true,
            category: Some("home".into()),
            ..Audience::default()
        };
        assert_eq!(never.problems().len(), 1);
        let empty = Audience {
            ordered_within_days: Some(30),
            not_ordered_within_days: Some(30),
            language: Some("n l".into()),
            ..Audience::default()
        };
        assert_eq!(empty.problems().len(), 2);
        for status in CampaignStatus::ALL {
            assert_eq!(CampaignStatus::parse(status.as_str()), Some(status));
        }
    }
}
