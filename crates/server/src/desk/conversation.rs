//! The WhatsApp part of the desk's order and conversation pages: the customer's consent and
//! its history, the 24-hour window, the conversation both ways with each message's state, the
//! taps on order buttons and the templates staff may send. The forms that send are in
//! `reply`.

use super::layout::{when, Moment};
use crate::clock::{now_ms, UnixMillis};
use crate::db::messaging::{AnswerRow, ConsentEvent, Contact, ConversationItem};
use crate::policy::consent::{Consent, ConsentSource, Refusal};
use crate::policy::inbound::WINDOW_MS;
use crate::policy::outbox::{MessageKind, OutboxStatus};
use crate::service::change_status::needs_tracking;
use crate::service::reply::{template_choices, TemplateChoice};
use crate::AppState;

/// What the order page shows about WhatsApp.
pub struct ConversationView {
    /// Messaging is configured.
    pub enabled: bool,
    /// "Opted in …", "Opted out …" or "No opt-in".
    pub consent: String,
    /// The same for offers and news.
    pub marketing: String,
    /// Every change of consent, newest first: (time, what).
    pub consent_history: Vec<(String, String)>,
    /// "Open until …" or why it is closed.
    pub window: String,
    /// A reply can be sent now.
    pub can_reply: bool,
    /// Why not, when not.
    pub why_not: String,
    /// Messages both ways, oldest first.
    pub items: Vec<ItemView>,
    /// Makes a double-submitted reply one message.
    pub reply_key: String,
    /// Marking the order fulfilled needs a tracking link (its template sends one).
    pub tracking_required: bool,
    /// Where the reply form posts.
    pub reply_action: String,
    /// Where "Send again" posts, before `/<id>/retry` (none: not offered here).
    pub retry_base: Option<String>,
    /// Taps on the order buttons, newest first.
    pub answers: Vec<AnswerView>,
    /// Outside the window, with an active opt-in: the templates staff may send, filled.
    pub templates: Vec<TemplateChoice>,
    /// Where the template form posts.
    pub template_action: String,
}

/// A tap on an order's button, for staff.
pub struct AnswerView {
    /// "+31… tapped “Cancel order” on K7F3-9Q2M: cancelled the order".
    pub text: String,
    /// It changed nothing it asked for: staff should answer in the chat.
    pub warn: bool,
    /// When it arrived.
    pub at: Moment,
}

impl AnswerView {
    fn new(state: &AppState, a: AnswerRow) -> Self {
        let who = a
            .wa_id
            .map_or_else(|| "A user without a number".into(), |id| format!("+{id}"));
        Self {
            text: format!(
                "{who} tapped “{}” ({}) on {}: {}",
                a.title,
                a.action.as_str(),
                a.reference,
                a.outcome.text()
            ),
            warn: a.outcome.needs_staff(),
            at: Moment::new(state, a.at),
        }
    }
}

/// The answers naming order `reference`, or tapped by contact `contact_id`.
async fn answers(
    state: &AppState,
    reference: Option<&str>,
    contact_id: Option<i64>,
) -> Result<Vec<AnswerView>, sqlx::Error> {
    Ok(state
        .db
        .answers(reference, contact_id)
        .await?
        .into_iter()
        .map(|a| AnswerView::new(state, a))
        .collect())
}

/// One message on the page.
pub struct ItemView {
    /// `out` or `in`.
    pub direction: &'static str,
    /// Its text.
    pub text: String,
    /// Outbound state (empty for inbound).
    pub status: String,
    /// Who queued it, or the message type for inbound ones.
    pub by: String,
    /// Why it failed, if it did.
    pub error: Option<String>,
    /// When.
    pub at: Moment,
    /// The outbox row, when it can be sent again.
    pub retry_id: Option<i64>,
    /// What a reaction, an edit or a deletion is about.
    pub about: Option<String>,
}

/// Builds the view for an order.
pub async fn view(state: &AppState, reference: &str) -> Result<ConversationView, sqlx::Error> {
    let contact = state.db.contact_of_order(reference).await?;
    let mut view = contact_view(state, contact.as_ref()).await?;
    view.tracking_required = needs_tracking(state, contact.as_ref());
    view.reply_action = format!("/admin/orders/{reference}/reply");
    view.retry_base = Some(format!("/admin/orders/{reference}/messages"));
    // The order's answers, whoever tapped (a copy tapped by another number too).
    view.answers = answers(state, Some(reference), None).await?;
    let action = format!("/admin/orders/{reference}/template");
    offer_templates(
        state,
        &mut view,
        contact.as_ref(),
        &[reference.to_string()],
        action,
    )
    .await?;
    Ok(view)
}

/// Outside the window, for a customer whose opt-in is active: the templates that can be sent
/// for `references`, posting to `action`.
pub async fn offer_templates(
    state: &AppState,
    view: &mut ConversationView,
    contact: Option<&Contact>,
    references: &[String],
    action: String,
) -> Result<(), sqlx::Error> {
    let allowed = contact.is_some_and(|c| {
        c.consent
            .may_receive(MessageKind::Template, c.window_until, now_ms())
            .is_ok()
    });
    if view.enabled && !view.can_reply && allowed {
        view.templates = template_choices(state, references).await?;
        view.template_action = action;
    }
    Ok(())
}

/// Builds the view of a contact's conversation (none: the order has no contact).
pub async fn contact_view(
    state: &AppState,
    contact: Option<&Contact>,
) -> Result<ConversationView, sqlx::Error> {
    let now = now_ms();
    let mut view = ConversationView::unknown(state);
    if let Some(contact) = contact {
        view.answers = answers(state, None, Some(contact.id)).await?;
        let all = state.db.consent_history(contact.id).await?;
        if let Some(text) = offers_consent(state, contact.marketing, &all) {
            view.marketing = text;
        }
        if let Some(text) = updates_consent(state, contact.consent, &all) {
            view.consent = text;
        }
        view.consent_history = ConversationView::consent_history(state, &all);
        view.describe_window(state, contact, now);
        view.items = state
            .db
            .conversation(contact.id)
            .await?
            .into_iter()
            .map(|item| ItemView::new(state, item))
            .collect();
    }
    view.decide_reply(contact, now);
    Ok(view)
}

impl ConversationView {
    /// Messaging as configured, and nothing known about the customer.
    fn unknown(state: &AppState) -> Self {
        Self {
            enabled: state.messaging.is_some(),
            consent: "No opt-in for WhatsApp updates.".into(),
            marketing: "No opt-in to offers and news.".into(),
            consent_history: Vec::new(),
            window: "Closed: the customer has not written to the shop's WhatsApp number.".into(),
            can_reply: false,
            why_not: String::new(),
            items: Vec::new(),
            reply_key: crate::auth::random_token(),
            tracking_required: false,
            reply_action: String::new(),
            retry_base: None,
            answers: Vec::new(),
            templates: Vec::new(),
            template_action: String::new(),
        }
    }

    /// Every change of consent, newest first: (time, what).
    fn consent_history(state: &AppState, all: &[ConsentEvent]) -> Vec<(String, String)> {
        all.iter()
            .map(|e| {
                let page = e.page.as_deref().unwrap_or("?");
                let what = match (e.opted_in, e.source.as_str()) {
                    (true, "checkout") => {
                        format!("opted in at checkout: “{}” on {page}", e.text)
                    }
                    (true, "checkout_after_stop") => format!(
                        "opted in at checkout, not applied (the customer had replied STOP): “{}” \
                         on {page}",
                        e.text
                    ),
                    (true, "message") => {
                        format!("confirmed the opt-in by writing “{}”", e.text)
                    }
                    (true, _) => format!("opted in by replying “{}”", e.text),
                    (false, "lapsed") => format!("the web opt-in lapsed: {}", e.text),
                    (false, "whatsapp_settings") => {
                        format!("stopped in WhatsApp's own settings: “{}”", e.text)
                    }
                    (false, "stop_promotions") => format!("opted out by tapping “{}”", e.text),
                    (false, _) => format!("opted out by replying “{}”", e.text),
                };
                let what = if e.marketing {
                    format!("offers and news: {what}")
                } else {
                    what
                };
                (when(state, e.at), what)
            })
            .collect()
    }

    /// Whether the 24-hour window is open, and until when or since when it is closed.
    fn describe_window(&mut self, state: &AppState, contact: &Contact, now: UnixMillis) {
        if contact.window_until > now {
            let hours = (contact.window_until - now) as f64 / 3_600_000.0;
            self.window = format!(
                "Open until {} ({hours:.1} h left): free-form replies are allowed.",
                when(state, contact.window_until)
            );
        } else if contact.window_until > 0 {
            self.window = format!(
                "Closed since {}: more than 24 hours since the customer last wrote, so only \
                 approved templates can be sent.",
                when(state, contact.window_until)
            );
        }
    }

    /// Whether a free-form reply may go to `contact` now, and why not.
    fn decide_reply(&mut self, contact: Option<&Contact>, now: UnixMillis) {
        let reply = contact.map_or(Err(Refusal::WindowClosed), |c| {
            c.consent
                .may_receive(MessageKind::Reply, c.window_until, now)
        });
        self.can_reply = self.enabled && reply.is_ok();
        let updates = contact.map_or(Consent::None, |c| c.consent);
        self.why_not = match (self.enabled, reply) {
            (false, _) => {
                "WhatsApp messaging is off: set the WHATSAPP_* variables to send from the desk."
                    .into()
            }
            (true, Ok(())) => String::new(),
            (true, Err(Refusal::Stopped)) => "The customer replied STOP and is not opted in to \
                 WhatsApp messages: nothing can be sent until they send START. Use “Open chat” to \
                 write from the shop's phone."
                .into(),
            (true, Err(_)) => format!(
                "Replies are possible only within {} hours of the customer's last message. {}",
                WINDOW_MS / 3_600_000,
                if updates == Consent::Active {
                    "Order updates still go out as approved templates."
                } else {
                    "Order updates go out only to customers whose opt-in is active."
                }
            ),
        };
    }
}

/// Where consent to offers and news stands, from `all` the contact's changes of consent
/// (newest first); none when it was never given.
fn offers_consent(state: &AppState, consent: Consent, all: &[ConsentEvent]) -> Option<String> {
    let offers_at = |source: &str| {
        all.iter()
            .find(|e| e.marketing && e.source.as_str() == source)
            .map_or_else(String::new, |e| when(state, e.at))
    };
    let stopped_offers = all
        .iter()
        .find(|e| e.marketing && !e.opted_in && e.source != ConsentSource::Lapsed);
    Some(match consent {
        Consent::None => return None,
        Consent::Pending { since } => format!(
            "Opted in to offers and news on the web on {}, pending until the customer \
             writes from this number with that request's own reference (lapses on {}).",
            when(state, since),
            lapses(state, since)
        ),
        Consent::Active => format!(
            "Opted in to offers and news at checkout on {}, confirmed when the customer wrote.",
            offers_at("checkout")
        ),
        Consent::Stopped => match stopped_offers.map(|e| (e.source.as_str(), e.at)) {
            Some(("whatsapp_settings", at)) => format!(
                "Offers and news stopped in WhatsApp's own settings on {} (START brings \
                 back order updates only).",
                when(state, at)
            ),
            Some(("stop_promotions", at)) => format!(
                "Offers and news stopped by tapping “Stop promotions” on {} (START brings \
                 back order updates only).",
                when(state, at)
            ),
            _ => format!(
                "Offers and news stopped by replying on {} (START brings back order updates \
                 only).",
                offers_at("keyword")
            ),
        },
    })
}

/// Where consent to order updates stands, as [`offers_consent`].
fn updates_consent(state: &AppState, consent: Consent, all: &[ConsentEvent]) -> Option<String> {
    let history: Vec<&ConsentEvent> = all.iter().filter(|e| !e.marketing).collect();
    let last_at = |source: &str| {
        history
            .iter()
            .find(|e| e.source.as_str() == source)
            .map_or_else(String::new, |e| when(state, e.at))
    };
    Some(match consent {
        Consent::None => return None,
        Consent::Pending { since } => format!(
            "Opted in at checkout on {}, pending: it becomes active once the customer writes \
             from this number with the order's own reference (the order message). Any other \
             message leaves it pending; it lapses on {}. Until then no updates are sent.",
            when(state, since),
            lapses(state, since)
        ),
        Consent::Active => match history.first().map(|e| e.source.as_str()) {
            Some("keyword") => format!("Opted in again by replying on {}.", last_at("keyword")),
            Some("message") => format!(
                "Opted in at checkout on {}, confirmed when the customer wrote on {}.",
                last_at("checkout"),
                last_at("message")
            ),
            _ => "Opted in.".into(),
        },
        Consent::Stopped => format!(
            "Opted out by replying on {}. An opt-in at checkout does not change this; the \
             customer can send START.",
            last_at("keyword")
        ),
    })
}

/// When a web opt-in given at `since` lapses unless its message comes.
fn lapses(state: &AppState, since: UnixMillis) -> String {
    when(
        state,
        since.saturating_add(state.settings.opt_in_pending_ms()),
    )
}

impl ItemView {
    fn new(state: &AppState, item: ConversationItem) -> Self {
        Self {
            direction: if item.outbound { "out" } else { "in" },
            retry_id: item.outbox_id.filter(|_| {
                item.outbound_kind != Some(MessageKind::Ack)
                    && item.status.is_some_and(OutboxStatus::can_send_again)
            }),
            text: item.text,
            status: item
                .status
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            by: if item.outbound {
                item.author
            } else {
                item.kind
            },
            error: item.error,
            at: Moment::new(state, item.at),
            about: item.about,
        }
    }
}
