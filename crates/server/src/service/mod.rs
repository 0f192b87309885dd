//! Use cases: each one a transaction of its own, between the edges (`routes/`, `desk/`, the
//! background tasks) and the database (`db/`). They ask `policy/` what is allowed and
//! `whatsapp/` how a message is written; `db/` only stores and reads.

pub mod adjust_order;
pub mod answer;
pub mod back_in_stock;
pub mod campaigns;
pub mod change_status;
pub mod chat_order;
pub mod housekeeping;
pub mod notify;
pub mod payments;
pub mod place_order;
pub mod preferences;
pub mod record_inbound;
pub mod record_payment;
pub mod remind;
pub mod reply;
pub mod staff;
pub mod tokens;
