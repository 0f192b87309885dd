//! `/admin/inbox`: every contact who wrote to the shop's WhatsApp number, unanswered ones
//! first by how long they have waited, and a conversation page per contact: the thread both
//! ways, a reply inside the 24-hour window, who answers, and "mark done".

use super::conversation::{contact_view, offer_templates, ConversationView};
use super::error::DeskError;
use super::layout::{day, duration, render, when};
use super::notice::{Notice, NoticeQuery};
use super::reply::{send_reply, send_template, ReplyForm, TemplateForm};
use super::session::Staff;
use crate::clock::now_ms;
use crate::db::messaging::InboxRow;
use crate::policy::response::{summarise, Answered, Summary};
use crate::service::reply::ReplyTo;
use crate::service::staff::{assign_conversation, AssignError};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

/// Most conversations the inbox lists.
const INBOX_LIMIT: i64 = 500;

/// The inbox's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/inbox", get(page))
        .route("/admin/inbox/{id}", get(conversation))
        .route("/admin/inbox/{id}/reply", post(reply))
        .route("/admin/inbox/{id}/template", post(template))
        .route("/admin/inbox/{id}/assign", post(assign))
        .route("/admin/inbox/{id}/done", post(done))
        .route("/admin/inbox/{id}/topic", post(tag))
        .route("/admin/topics", post(add_topic))
        .route("/admin/topics/remove", post(remove_topic))
}

struct RowView {
    id: i64,
    who: String,
    last: String,
    unanswered: bool,
    waiting: String,
    state: &'static str,
    window: String,
    assigned_to: String,
}

/// `Anna de Vries (+31612345678)`, `Sheena (@sheena)`: the profile's name and the number, or
/// the username of a user known only by business-scoped id.
fn who(row: &InboxRow) -> String {
    let handle = match (&row.wa_id, &row.username) {
        (Some(wa_id), _) => Some(format!("+{wa_id}")),
        (None, Some(username)) => Some(username.clone()),
        (None, None) => None,
    };
    match (&row.profile_name, handle) {
        (Some(name), Some(handle)) => format!("{name} ({handle})"),
        (Some(name), None) => name.clone(),
        (None, Some(handle)) => handle,
        (None, None) => format!("contact {}", row.contact_id),
    }
}

fn window(row: &InboxRow, now: i64) -> String {
    if row.window_until > now {
        format!("open, {} left", duration(row.window_until - now))
    } else {
        "closed: templates only".into()
    }
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    shop: String,
    user: Option<String>,
    csrf: String,
    enabled: bool,
    rows: Vec<RowView>,
    /// First responses of the last 7 days: (day or staff, answered, median, p90).
    by_day: Vec<(String, usize, String, String)>,
    by_staff: Vec<(String, usize, String, String)>,
    /// Enquiries of the last 30 days: (topic, started, converted, share).
    conversion: Vec<(String, i64, i64, String)>,
    topics: Vec<String>,
}

/// How far back the inbox's enquiry-to-order conversion looks.
const CONVERSION_DAYS: i64 = 30;

/// A share as people read it (`33%`, `–` of nothing).
fn share(n: i64, of: i64) -> String {
    if of == 0 {
        "–".into()
    } else {
        format!("{:.0}%", n as f64 * 100.0 / of as f64)
    }
}

/// How far back the inbox's response times look.
const RESPONSE_DAYS: i64 = 7;

async fn page(State(state): State<AppState>, staff: Staff) -> Result<Response, DeskError> {
    let now = now_ms();
    let rows = state
        .db
        .inbox(INBOX_LIMIT)
        .await?
        .into_iter()
        .map(|row| RowView {
            id: row.contact_id,
            who: who(&row),
            last: row.last_text.clone().unwrap_or_default(),
            unanswered: row.unanswered(),
            waiting: row
                .waiting_since
                .map(|since| duration(now - since))
                .unwrap_or_default(),
            state: if row.unanswered() {
                "waiting"
            } else if row.done_at.is_some_and(|at| at >= row.last_inbound_at) {
                "done"
            } else {
                "answered"
            },
            window: window(&row, now),
            assigned_to: row.assigned_to.unwrap_or_default(),
        })
        .collect();
    let answered: Vec<Answered> = state
        .db
        .responses_since(now - RESPONSE_DAYS * 86_400_000)
        .await?
        .into_iter()
        .map(|r| Answered {
            at: r.answered_at,
            staff: r.staff,
            waited_ms: r.answered_at - r.waited_from,
        })
        .collect();
    let (days, staff_times) = summarise(&answered, |at| day(&state, at));
    let view = |groups: Vec<(String, Summary)>| {
        groups
            .into_iter()
            .map(|(name, s)| (name, s.answered, duration(s.median_ms), duration(s.p90_ms)))
            .collect()
    };
    let groups = state
        .db
        .conversion(now - CONVERSION_DAYS * 86_400_000, now + 1)
        .await?;
    let (started, converted) = groups
        .iter()
        .fold((0, 0), |(s, c), g| (s + g.started, c + g.converted));
    let mut conversion = vec![(
        "all".to_string(),
        started,
        converted,
        share(converted, started),
    )];
    conversion.extend(groups.into_iter().map(|g| {
        let name = g.topic.unwrap_or_else(|| "no topic".into());
        (name, g.started, g.converted, share(g.converted, g.started))
    }));
    render(&InboxPage {
        conversion,
        topics: state.db.topics().await?,
        shop: state.catalog.shop.name.clone(),
        user: Some(staff.0.username),
        csrf: staff.0.csrf_token,
        enabled: state.messaging.is_some(),
        rows,
        by_day: view(days),
        by_staff: view(staff_times),
    })
}

#[derive(Template)]
#[template(path = "inbox_conversation.html")]
struct ConversationPage {
    shop: String,
    user: Option<String>,
    csrf: String,
    notice: Option<String>,
    id: i64,
    who: String,
    state: String,
    orders: Vec<String>,
    staff: Vec<(String, bool)>,
    /// The shop's topics, and whether this conversation has each.
    topics: Vec<(String, bool)>,
    wa: ConversationView,
}

async fn conversation(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, DeskError> {
    let row = state.db.inbox_row(id).await?.ok_or(DeskError::NotFound)?;
    let contact = state.db.contact(id).await?;
    let mut wa = contact_view(&state, contact.as_ref()).await?;
    wa.reply_action = format!("/admin/inbox/{id}/reply");
    let orders = state.db.orders_of_contact(id).await?;
    let action = format!("/admin/inbox/{id}/template");
    offer_templates(&state, &mut wa, contact.as_ref(), &orders, action).await?;
    let now = now_ms();
    let conversation_state = match row.waiting_since {
        Some(since) => format!(
            "waiting {} for an answer (since {})",
            duration(now - since),
            when(&state, since)
        ),
        None if row.done_at.is_some_and(|at| at >= row.last_inbound_at) => "marked done".into(),
        None => "answered".into(),
    };
    let names = state.db.staff_names().await?;
    let topic = state.db.topic_of(id).await?;
    let topics = state
        .db
        .topics()
        .await?
        .into_iter()
        .map(|t| {
            let selected = topic.as_deref() == Some(t.as_str());
            (t, selected)
        })
        .collect();
    let page = ConversationPage {
        topics,
        shop: state.catalog.shop.name.clone(),
        user: Some(staff.0.username),
        csrf: staff.0.csrf_token,
        notice: query.notice().map(Notice::text),
        id,
        who: who(&row),
        state: conversation_state,
        orders,
        staff: names
            .into_iter()
            .map(|n| {
                let selected = row.assigned_to.as_deref() == Some(n.as_str());
                (n, selected)
            })
            .collect(),
        wa,
    };
    render(&page)
}

async fn template(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<TemplateForm>,
) -> Result<Response, DeskError> {
    let notice = send_template(&state, &staff, form).await?;
    Ok(back(id, notice).into_response())
}

fn back(id: i64, notice: Notice) -> Redirect {
    Redirect::to(&format!("/admin/inbox/{id}?notice={}", notice.code()))
}

async fn reply(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<ReplyForm>,
) -> Result<Response, DeskError> {
    let notice = send_reply(&state, &staff, ReplyTo::Contact(id), form).await?;
    Ok(back(id, notice).into_response())
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    assigned_to: String,
}

async fn assign(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<AssignForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    match assign_conversation(&state, id, &form.assigned_to).await {
        Ok(()) => Ok(back(id, Notice::Assigned).into_response()),
        Err(AssignError::UnknownStaff) => Ok(StatusCode::UNPROCESSABLE_ENTITY.into_response()),
        Err(AssignError::NotFound) => Err(DeskError::NotFound),
        Err(AssignError::Db(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct DoneForm {
    #[serde(default)]
    csrf: String,
}

async fn done(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<DoneForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    if !state.db.mark_done(id, now_ms()).await? {
        return Err(DeskError::NotFound);
    }
    Ok(Redirect::to("/admin/inbox").into_response())
}

#[derive(Deserialize)]
struct TopicForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    topic: String,
}

/// Whether `name` may be a topic: 1 to 40 characters, no control characters.
fn valid_topic(name: &str) -> bool {
    (1..=40).contains(&name.chars().count()) && !name.chars().any(char::is_control)
}

async fn tag(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<TopicForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    let topic = form.topic.trim();
    let topic = if topic.is_empty() {
        None
    } else if state.db.topics().await?.iter().any(|t| t == topic) {
        Some(topic)
    } else {
        return Ok(StatusCode::UNPROCESSABLE_ENTITY.into_response());
    };
    if !state.db.tag_conversation(id, topic).await? {
        return Err(DeskError::NotFound);
    }
    Ok(back(id, Notice::Tagged).into_response())
}

async fn add_topic(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<TopicForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    let topic = form.topic.trim();
    if !valid_topic(topic) {
        return Ok(StatusCode::UNPROCESSABLE_ENTITY.into_response());
    }
    state.db.add_topic(topic, now_ms()).await?;
    Ok(Redirect::to("/admin/inbox").into_response())
}

async fn remove_topic(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<TopicForm>,
) -> Result<Response, DeskError> {
    staff.check(&form.csrf)?;
    state.db.remove_topic(form.topic.trim()).await?;
    Ok(Redirect::to("/admin/inbox").into_response())
}
