//! Use cases: each one a transaction of its own, between the edges (`routes/`, `desk/`, the
//! background tasks) and the database (`db/`). They ask `policy/` what is allowed and
//! `whatsapp/` how a message is written; `db/` only runs statements in the connection or
//! transaction it is given (only `Db::begin` makes one).

pub mod adjust_order;
pub mod answer;
pub mod back_in_stock;
pub mod campaigns;
pub mod change_status;
pub mod chat_order;
pub mod expire;
pub mod housekeeping;
pub mod lifecycle;
pub mod notify;
pub mod opt_in;
pub mod payments;
pub mod place_order;
pub mod preferences;
pub mod record_inbound;
pub mod record_payment;
pub mod remind;
pub mod reply;
pub mod sign_in;
pub mod staff;
pub mod stock;
pub mod store_pending;
pub mod tokens;
