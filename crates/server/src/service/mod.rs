//! Use cases: each one a transaction of its own, between the edges (`routes/`, `desk/`) and
//! the database (`db/`).

pub mod change_status;
pub mod place_order;
