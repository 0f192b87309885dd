//! Integration tests: the real server on a random loopback port, each test on a fresh SQLite
//! file and again on a fresh PostgreSQL database.

/// Runs each named `async fn(Backend)` as two tests: `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if $crate::helpers::postgres_url().is_some() {
                        super::$name($crate::helpers::Backend::Postgres).await
                    }
                }
            )+
        }
    };
}

mod back_in_stock;
mod campaigns;
mod chat_orders;
mod consent;
mod desk;
mod fake_cloud;
mod fake_pay;
mod hardening;
mod helpers;
mod integration;
mod messaging;
mod meta_payloads;
mod metrics;
mod multi_server;
mod orders;
mod payments;
mod process;
mod provider_money;
mod real_inputs;
mod receiver;
mod request_id;
mod sign_in_memory;
mod site;
mod totals;
mod webhook_flood;
