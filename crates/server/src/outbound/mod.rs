//! Outbound webhooks (docs/CONTRACT.md section 8): the signature every delivery carries, and the
//! sender that works through the durable outbox `db::webhooks` keeps.

pub mod sender;
pub mod signature;
