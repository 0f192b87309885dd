//! Pure rules, with no database or network: what a contact's consent allows.

pub mod consent;
