//! `GET /api/v1/contacts/{wa_id}`: a WhatsApp contact's consent per purpose, its window and
//! its orders.

use super::V1Error;
use crate::clock::{now_ms, rfc3339};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct ContactAnswer {
    wa_id: String,
    consent: Purposes,
    /// Until when the customer-service window is open (`null`: closed).
    window_open_until: Option<String>,
    orders: Vec<OrderSummary>,
}

#[derive(Serialize)]
struct Purposes {
    order_updates: Purpose,
    marketing: Purpose,
}

#[derive(Serialize)]
struct Purpose {
    /// `none`, `pending` (a web opt-in the number has not confirmed by writing), `active`
    /// or `stopped`.
    state: &'static str,
}

#[derive(Serialize)]
struct OrderSummary {
    reference: String,
    status: String,
    created_at: String,
}

/// `GET /api/v1/contacts/{wa_id}`.
pub(super) async fn one(
    State(state): State<AppState>,
    Path(wa_id): Path<String>,
) -> Result<Json<ContactAnswer>, V1Error> {
    let wa_id: String = wa_id.chars().filter(char::is_ascii_digit).collect();
    let (contact, orders) = state
        .db
        .contact_with_orders(&wa_id)
        .await?
        .ok_or(V1Error::NotFound("contact"))?;
    let now = now_ms();
    Ok(Json(ContactAnswer {
        wa_id,
        consent: Purposes {
            order_updates: Purpose {
                state: contact.consent.as_str(),
            },
            marketing: Purpose {
                state: contact.marketing.as_str(),
            },
        },
        window_open_until: (contact.window_until > now).then(|| rfc3339(contact.window_until)),
        orders: orders
            .into_iter()
            .map(|o| OrderSummary {
                reference: o.reference,
                status: o.status,
                created_at: rfc3339(o.created_at),
            })
            .collect(),
    }))
}
