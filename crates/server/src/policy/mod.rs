//! Pure rules, with no database or network: what a contact's consent allows, what a message
//! from a contact changes, and how an outbound message's state may move.

pub mod access;
pub mod alert;
pub mod answer;
pub mod campaign;
pub mod consent;
pub mod inbound;
pub mod link;
pub mod order_template;
pub mod outbox;
pub mod payment;
pub mod response;
pub mod retry;
pub mod webhook;
