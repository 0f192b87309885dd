//! Starting the server: the catalog, the database and its migrations, the first account,
//! messaging, the bound port; then serving beside the background tasks (expiry, released
//! holds, pending reminders, the outbox worker).

use crate::clock::now_ms;
use crate::db::Db;
use crate::service::back_in_stock::send_alerts;
use crate::service::campaigns::{own_hosts_of, run_campaigns};
use crate::service::notify::Shop;
use crate::service::remind::queue_reminders;
use crate::whatsapp::templates::Event;
use crate::{auth, limit, outbound, routes, serve, whatsapp, AppState, Settings, DEMO_CATALOG};
use chatout_core::Catalog;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The catalog file is unreadable or invalid.
    #[error("CHATOUT_CATALOG: {0}")]
    Catalog(String),
    /// The database is unreachable or its migration failed.
    #[error("DATABASE_URL: {0}")]
    Database(#[from] sqlx::Error),
    /// The first account could not be made.
    #[error("CHATOUT_ADMIN_PASSWORD: {0}")]
    Admin(String),
    /// The address cannot be bound.
    #[error("CHATOUT_ADDR: {0}")]
    Bind(#[from] std::io::Error),
    /// The templates file is unreadable or invalid.
    #[error("WHATSAPP_TEMPLATES: {0}")]
    Templates(String),
}

/// A server bound to its port, ready to run.
pub struct Application {
    listener: TcpListener,
    generated_password: Option<String>,
    state: AppState,
}

impl Application {
    /// Loads the catalog, opens and migrates the database and binds the address.
    pub async fn build(settings: Settings) -> Result<Self, StartError> {
        let text = match &settings.catalog_path {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| StartError::Catalog(format!("{path}: {e}")))?,
            None => DEMO_CATALOG.to_string(),
        };
        let catalog = Catalog::from_json(&text).map_err(|e| StartError::Catalog(e.to_string()))?;
        let db = Db::connect(&settings.database_url).await?;
        db.sync_stock(&catalog).await?;
        let generated_password = first_account(&db, settings.admin_password.as_deref()).await?;
        let login_key = db.secret("login_form").await?;
        let messaging = match settings.whatsapp.clone() {
            Some(whatsapp) => Some(Arc::new(
                whatsapp::Messaging::new(whatsapp).map_err(StartError::Templates)?,
            )),
            None => None,
        };
        let listener = TcpListener::bind(&settings.addr).await?;
        Ok(Self {
            listener,
            generated_password,
            state: AppState {
                db,
                order_limit: limit::Limit::per_minute(settings.rate_limit),
                sign_in_limit: limit::Limit::sign_in(),
                provider_webhook_limit: limit::Limit::provider_webhooks(),
                body_budget: limit::BodyBudget::new(crate::routes::body_limit_of),
                api_limit: limit::Limit::per_minute(settings.api_rate_limit),
                account_limit: limit::AccountLimit::default(),
                password_checks: auth::PasswordChecks::default(),
                login_key: Arc::new(login_key),
                messaging,
                webhook_wake: Arc::new(tokio::sync::Notify::new()),
                payments: Arc::new(crate::payments::Payments::new(&settings.payments)),
                own_hosts: Arc::new(own_hosts_of(&settings, &catalog)),
                catalog: Arc::new(catalog),
                settings: Arc::new(settings),
            },
        })
    }

    /// The bound address (the real port when `:0` was asked for).
    pub fn address(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// The password generated for `admin` when this start created the account without
    /// `CHATOUT_ADMIN_PASSWORD`: shown once, stored only as a hash.
    pub fn generated_password(&self) -> Option<&str> {
        self.generated_password.as_deref()
    }

    /// The shared state (the database, for tests and tools).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until the process ends, expiring forgotten orders and (with messaging on)
    /// sending the outbox beside it. Dropping this future stops all of it.
    pub async fn run(self) -> std::io::Result<()> {
        let expiry = housekeeping(self.state.clone());
        let alerts = marketing(self.state.clone());
        let outbox = {
            let (db, messaging) = (self.state.db.clone(), self.state.messaging.clone());
            async move {
                match messaging {
                    Some(messaging) => whatsapp::worker::run(db, messaging).await,
                    None => std::future::pending().await,
                }
            }
        };
        let webhooks = {
            let (db, settings) = (self.state.db.clone(), self.state.settings.webhooks.clone());
            let wake = self.state.webhook_wake.clone();
            async move {
                match settings {
                    Some(settings) => outbound::sender::run(db, settings, wake).await,
                    None => std::future::pending().await,
                }
            }
        };
        let settings = &self.state.settings;
        let limits = serve::Limits {
            header_timeout: settings.header_timeout,
            body_timeout: settings.body_timeout,
            max_connections: settings.max_connections,
            per_client: settings.max_connections_per_client,
            trusted: settings.trusted_proxies.clone(),
        };
        let app = routes::router(self.state);
        let serve = serve::serve(self.listener, app, limits);
        tokio::select! {
            served = serve => served,
            () = expiry => Ok(()),
            () = outbox => Ok(()),
            () = webhooks => Ok(()),
            () = alerts => Ok(()),
        }
    }
}

/// Creates the desk's first account, `admin`, when there is none; returns the password
/// when it was generated here.
async fn first_account(db: &Db, password: Option<&str>) -> Result<Option<String>, StartError> {
    if db.has_staff().await? {
        return Ok(None);
    }
    let (password, generated) = match password {
        Some(p) => (p.to_string(), false),
        None => (auth::generate_password(), true),
    };
    let hash = auth::hash_password(&password).map_err(|e| StartError::Admin(e.to_string()))?;
    db.add_staff("admin", &hash).await?;
    Ok(generated.then_some(password))
}

/// How often the marketing job looks for restocks and due campaigns (two indexed reads when
/// there are none).
const RESTOCK_POLL: Duration = Duration::from_secs(1);

/// Marketing, with messaging on: back-in-stock alerts for each restock, soon after the stock
/// change that made it (nothing without a `back_in_stock` template), and the campaigns whose
/// time came.
async fn marketing(state: AppState) {
    if state.messaging.is_none() {
        return std::future::pending().await;
    }
    loop {
        match send_alerts(&state).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(alerts = n, "queued back-in-stock alerts");
                state.wake_outbox();
            }
            Err(e) => tracing::error!(error = %e, "sending back-in-stock alerts failed"),
        }
        match run_campaigns(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(messages = n, "queued campaign messages"),
            Err(e) => tracing::error!(error = %e, "running campaigns failed"),
        }
        tokio::time::sleep(RESTOCK_POLL).await;
    }
}

/// Expires pending orders past their TTL, releases the stock of unseen orders past their
/// hold (checking often enough for short times), queues pending reminders and forgets quiet
/// addresses of the limits.
async fn housekeeping(state: AppState) {
    let reminder_after = state
        .messaging
        .as_deref()
        .and_then(|m| m.templates.get(Event::PendingReminder))
        .and_then(|t| t.after.first().copied())
        .unwrap_or(Duration::MAX);
    let shortest = state
        .settings
        .order_ttl
        .min(state.settings.stock_hold)
        .min(state.settings.opt_in_pending)
        .min(reminder_after);
    let every = (shortest / 10).clamp(Duration::from_millis(200), Duration::from_secs(30));
    loop {
        let now = now_ms();
        match state.db.expire_due(now, state.webhook_urls()).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(expired = n, "released stock of expired orders");
                state.wake_webhooks();
            }
            Err(e) => tracing::error!(error = %e, "expiring orders failed"),
        }
        match crate::service::housekeeping::lapse_pending(
            &state.db,
            now,
            state.settings.opt_in_pending_ms(),
        )
        .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(opt_ins = n, "lapsed web opt-ins whose message never came"),
            Err(e) => tracing::error!(error = %e, "lapsing pending opt-ins failed"),
        }
        match state.db.release_lapsed_holds(now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                orders = n,
                "released stock of orders nobody confirmed in time"
            ),
            Err(e) => tracing::error!(error = %e, "releasing lapsed holds failed"),
        }
        if let Some(messaging) = &state.messaging {
            let shop = Shop {
                templates: &messaging.templates,
                settings: &state.catalog.shop,
                public_url: state.settings.public_url.as_deref(),
            };
            match queue_reminders(&state.db, shop).await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(orders = n, "queued pending reminders");
                    state.wake_outbox();
                }
                Err(e) => tracing::error!(error = %e, "queueing pending reminders failed"),
            }
        }
        state.order_limit.forget_quiet();
        state.sign_in_limit.forget_quiet();
        state.api_limit.forget_quiet();
        state.account_limit.forget_quiet();
        tokio::time::sleep(every).await;
    }
}
