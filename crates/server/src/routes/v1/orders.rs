//! `/api/v1/orders`: the list (newest first, filtered, paged by an opaque cursor), one order
//! with its history, and moving an order along as the desk does.

use super::{body, Caller, V1Error};
use crate::clock::UnixMillis;
use crate::db::orders::document::{self, OrderDocument, OrderFilter};
use crate::db::orders::Step;
use crate::policy::access::Scope;
use crate::service::change_status::{change_status, StatusError};
use crate::AppState;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use chatout_core::OrderStatus;
use serde::{Deserialize, Serialize};

/// The most orders one page holds.
pub const MAX_LIMIT: i64 = 200;
/// A page's size when the client does not say.
const DEFAULT_LIMIT: i64 = 50;

#[derive(Deserialize)]
pub(super) struct ListQuery {
    status: Option<String>,
    since: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

#[derive(Serialize)]
pub(super) struct Page {
    orders: Vec<OrderDocument>,
    next_cursor: Option<String>,
}

/// `GET /api/v1/orders?status=&since=&limit=&cursor=`.
pub(super) async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Page>, V1Error> {
    // A query that does not read (`status` given twice) is refused like any other value.
    let Query(query) = query.map_err(|e| V1Error::Invalid(e.body_text()))?;
    let filter = OrderFilter {
        status: query.status.as_deref().map(status).transpose()?,
        since: query.since.as_deref().map(since).transpose()?,
        until: None,
        before_id: query.cursor.as_deref().map(cursor_id).transpose()?,
        // One more than asked tells whether another page follows.
        limit: limit(query.limit.as_deref())? + 1,
    };
    let mut conn = state.db.read.acquire().await?;
    let mut found = document::list(&mut conn, &filter).await?;
    let next_cursor = if found.len() as i64 == filter.limit {
        found.pop();
        found.last().map(|(id, _)| cursor_of(*id))
    } else {
        None
    };
    Ok(Json(Page {
        orders: found.into_iter().map(|(_, order)| order).collect(),
        next_cursor,
    }))
}

/// `GET /api/v1/orders/{reference}`.
pub(super) async fn one(
    State(state): State<AppState>,
    Path(reference): Path<String>,
) -> Result<Json<OrderDocument>, V1Error> {
    let mut conn = state.db.read.acquire().await?;
    document::document(&mut conn, &reference)
        .await?
        .map(Json)
        .ok_or(V1Error::NotFound("order"))
}

#[derive(Deserialize)]
pub(super) struct TransitionBody {
    to: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    tracking_url: Option<String>,
}

/// `POST /api/v1/orders/{reference}/transitions` `{"to", "note", "tracking_url"}`: the same
/// rules as the desk, recorded as `api:<token name>`.
pub(super) async fn transition(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(reference): Path<String>,
    request: Result<Json<TransitionBody>, JsonRejection>,
) -> Result<Json<OrderDocument>, V1Error> {
    caller.needs(Scope::Write)?;
    let request = body(request)?;
    let to = status(&request.to)?;
    if request
        .note
        .as_ref()
        .is_some_and(|n| n.chars().count() > 1000)
    {
        return Err(V1Error::Invalid("note: at most 1000 characters".into()));
    }
    let actor = caller.actor();
    let step = Step {
        tracking_url: request.tracking_url.as_deref(),
        note: request.note.as_deref(),
        ..Step::by(&actor, to)
    };
    match change_status(&state, &reference, step).await {
        Ok(_) => {}
        Err(StatusError::NotFound) => return Err(V1Error::NotFound("order")),
        Err(StatusError::Illegal { from, to }) => {
            return Err(V1Error::Illegal {
                from: from.as_str(),
                to: to.as_str(),
            })
        }
        Err(StatusError::OutOfStock(short)) => return Err(V1Error::OutOfStock(short)),
        Err(e @ (StatusError::TrackingRequired | StatusError::BadTracking)) => {
            return Err(V1Error::Invalid(format!("tracking_url: {e}")))
        }
        Err(StatusError::Payment(e)) => return Err(V1Error::Upstream(e)),
        Err(StatusError::Db(e)) => return Err(e.into()),
    }
    let mut conn = state.db.read.acquire().await?;
    document::document(&mut conn, &reference)
        .await?
        .map(Json)
        .ok_or(V1Error::NotFound("order"))
}

fn status(name: &str) -> Result<OrderStatus, V1Error> {
    OrderStatus::parse(name).ok_or_else(|| {
        let names: Vec<_> = OrderStatus::ALL.iter().map(|s| s.as_str()).collect();
        V1Error::Invalid(format!(
            "status '{name}' is not one of {}",
            names.join(", ")
        ))
    })
}

fn since(text: &str) -> Result<UnixMillis, V1Error> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
        .map_err(|_| V1Error::Invalid(format!("since: '{text}' is not an RFC 3339 time")))
}

fn limit(text: Option<&str>) -> Result<i64, V1Error> {
    let Some(text) = text else {
        return Ok(DEFAULT_LIMIT);
    };
    text.parse::<i64>()
        .ok()
        .filter(|n| (1..=MAX_LIMIT).contains(n))
        .ok_or_else(|| V1Error::Invalid(format!("limit: 1 to {MAX_LIMIT}, not '{text}'")))
}

/// The cursor after the order with row id `id`: opaque to clients (they pass it back).
fn cursor_of(id: i64) -> String {
    hex::encode(format!("o1:{id}"))
}

fn cursor_id(cursor: &str) -> Result<i64, V1Error> {
    hex::decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("o1:")?.parse::<i64>().ok())
        .filter(|id| *id > 0)
        .ok_or_else(|| V1Error::Invalid("cursor: pass back a next_cursor as it came".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_and_nothing_else_reads() {
        assert_eq!(cursor_id(&cursor_of(42)).unwrap(), 42);
        for bad in ["", "zz", "6f313a", "6f313a2d31", &hex::encode("o2:5")] {
            assert!(cursor_id(bad).is_err(), "{bad}");
        }
        assert_eq!(limit(None).unwrap(), DEFAULT_LIMIT);
        assert!(limit(Some("201")).is_err());
        assert!(limit(Some("0")).is_err());
        assert!(since("2026-12-01T10:00:00Z").is_ok());
        assert!(since("yesterday").is_err());
    }
}
