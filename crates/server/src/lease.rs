//! One server at a time: the holder of a named lease row does the work (sending the
//! WhatsApp outbox, delivering webhooks), renewing it every 1.5 s; when it stops, the lease
//! lapses after 5 s and another server takes over.

use crate::clock::{self, now_ms};
use crate::db::Db;
use std::time::{Duration, Instant};

/// How long a lease lasts unless renewed: a stopped holder is replaced within this.
pub const LEASE_FOR: Duration = Duration::from_secs(5);
/// How often the holder renews it, and the others ask for it.
pub const ASK_EVERY: Duration = Duration::from_millis(1500);

/// This server's claim on one lease.
pub struct Lease {
    name: &'static str,
    what: &'static str,
    me: String,
    held: bool,
    ask_at: Instant,
}

impl Lease {
    /// A claim on lease `name`, for the work `what` (named in the logs).
    pub fn new(name: &'static str, what: &'static str) -> Self {
        Self {
            name,
            what,
            me: format!(
                "{}-{}",
                std::process::id(),
                &crate::auth::random_token()[..16]
            ),
            held: false,
            ask_at: Instant::now(),
        }
    }

    /// Whether this server holds the lease now, renewing or asking for it when it is time.
    pub async fn held(&mut self, db: &Db) -> bool {
        if Instant::now() < self.ask_at {
            return self.held;
        }
        let granted = db
            .take_lease(self.name, &self.me, now_ms(), clock::millis(LEASE_FOR))
            .await;
        let held = granted.as_ref().is_ok_and(|granted| *granted);
        if let Err(e) = granted {
            tracing::error!(error = %e, lease = self.name, "renewing a lease failed");
        }
        match (self.held, held) {
            (false, true) => tracing::info!("this server {} now", self.what),
            (true, false) => tracing::info!("another server {} now", self.what),
            _ => {}
        }
        self.held = held;
        self.ask_at = Instant::now() + ASK_EVERY;
        held
    }

    /// When the lease must be renewed next (work stops before then to renew it).
    pub fn renew_at(&self) -> Instant {
        self.ask_at
    }
}
