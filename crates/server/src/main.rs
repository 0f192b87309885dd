use chatout_server::cli::{self, Command};
use chatout_server::db::Db;
use chatout_server::settings::variables::{Fallback, RUST_LOG};
use chatout_server::{Application, Settings};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    init_logging();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match cli::parse(&args) {
        Ok(command) => command,
        Err(e) => {
            eprintln!("chatout-server: {e}\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => return failed(e),
    };
    if command != Command::Serve {
        return run_command(&settings, command).await;
    }
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(e) => return failed(e),
    };
    announce(&app);
    match app.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => failed(e),
    }
}

/// `RUST_LOG` as declared in the settings table, with its default.
fn init_logging() {
    let default = match RUST_LOG.fallback {
        Fallback::Value(filter) => filter,
        Fallback::Absent(_) => "info",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env(RUST_LOG.name)
                .unwrap_or_else(|_| default.into()),
        )
        .init();
}

fn failed(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("chatout-server: {e}");
    ExitCode::FAILURE
}

/// A command other than serving (`token …`): its answer on standard output.
async fn run_command(settings: &Settings, command: Command) -> ExitCode {
    let db = match Db::connect(&settings.database_url).await {
        Ok(db) => db,
        Err(e) => return failed(format!("DATABASE_URL: {e}")),
    };
    match cli::run(&db, command).await {
        Ok(answer) => {
            println!("{answer}");
            ExitCode::SUCCESS
        }
        Err(e) => failed(e),
    }
}

/// The lines an operator needs: where it listens, the desk, messaging, the first password.
fn announce(app: &Application) {
    match app.address() {
        Ok(addr) => {
            println!("chatout-server listening on http://{addr}");
            println!("order desk: http://{addr}/admin");
            match &app.state().settings.whatsapp {
                Some(w) => println!(
                    "WhatsApp messaging: on (phone number id {}; webhook URL \
                     https://<your host>/webhooks/whatsapp)",
                    w.phone_number_id
                ),
                None => println!(
                    "WhatsApp messaging: off (set WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_TOKEN, \
                     WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN to turn it on)"
                ),
            }
        }
        Err(e) => eprintln!("chatout-server: {e}"),
    }
    if let Some(password) = app.generated_password() {
        println!(
            "first desk account: admin / {password}  (shown once; set CHATOUT_ADMIN_PASSWORD to choose it)"
        );
    }
}
