//! Pure rules, with no database or network: what a contact's consent allows, and how an
//! outbound message's state may move.

pub mod consent;
pub mod outbox;
