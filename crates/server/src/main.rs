use chatout_server::cli::{self, Command};
use chatout_server::db::Db;
use chatout_server::settings::variables::Fallback;
use chatout_server::{Application, Settings};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let log = &chatout_server::settings::variables::RUST_LOG;
    let default = match log.fallback {
        Fallback::Value(filter) => filter,
        Fallback::Absent(_) => "info",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env(log.name)
                .unwrap_or_else(|_| default.into()),
        )
        .init();
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
        Err(e) => {
            eprintln!("chatout-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    if command != Command::Serve {
        let db = match Db::connect(&settings.database_url).await {
            Ok(db) => db,
            Err(e) => {
                eprintln!("chatout-server: DATABASE_URL: {e}");
                return ExitCode::FAILURE;
            }
        };
        return match cli::run(&db, command).await {
            Ok(answer) => {
                println!("{answer}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("chatout-server: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("chatout-server: {e}");
            return ExitCode::FAILURE;
        }
    };
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
    if let Err(e) = app.run().await {
        eprintln!("chatout-server: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
