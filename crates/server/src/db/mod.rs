//! The database: one code path for SQLite (embedded default) and PostgreSQL, through sqlx's
//! `Any` driver. Queries use `$n` placeholders, which both understand.

pub mod alerts;
pub mod campaigns;
pub mod desk;
pub mod figures;
pub mod messaging;
pub mod orders;
pub mod payments;
pub mod staff;
pub mod stock;
pub mod tokens;
pub mod webhooks;

use sqlx::any::AnyPoolOptions;
use sqlx::pool::PoolConnectionMetadata;
use sqlx::{AnyConnection, AnyPool, Executor};
use std::future::Future;
use std::pin::Pin;

/// Which engine the URL named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// Pools for reads and for writes. SQLite takes one writer at a time, so its write pool has
/// one connection and transactions queue in the pool instead of failing with "busy".
#[derive(Debug, Clone)]
pub struct Db {
    /// Reads (and writes on PostgreSQL).
    pub read: AnyPool,
    /// Writes.
    pub write: AnyPool,
    /// The engine.
    pub backend: Backend,
}

impl Db {
    /// Connects, creating a SQLite file when missing, and applies the migrations.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(sqlx::Error::Configuration(
                format!("DATABASE_URL must start with sqlite:// or postgres:// (got '{url}')")
                    .into(),
            ));
        };
        let db = match backend {
            Backend::Sqlite => {
                let url = if url.contains("mode=") {
                    url.to_string()
                } else {
                    let sep = if url.contains('?') { '&' } else { '?' };
                    format!("{url}{sep}mode=rwc")
                };
                let write = AnyPoolOptions::new()
                    .max_connections(1)
                    .after_connect(sqlite_pragmas)
                    .connect(&url)
                    .await?;
                // WAL lets readers run beside the writer; the setting is stored in the file.
                write.execute("PRAGMA journal_mode = WAL").await?;
                let read = AnyPoolOptions::new()
                    .max_connections(8)
                    .after_connect(sqlite_pragmas)
                    .connect(&url)
                    .await?;
                Db {
                    read,
                    write,
                    backend,
                }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .connect(url)
                    .await?;
                Db {
                    read: pool.clone(),
                    write: pool,
                    backend,
                }
            }
        };
        let migrator = match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        migrator.run(&db.write).await?;
        Ok(db)
    }
}

/// A write transaction: what a use case does in it happens together or not at all (dropping
/// it undoes everything).
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

impl Db {
    /// Begins a use case's transaction.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        self.write.begin().await
    }

    /// Takes or renews the lease `name` for `holder` until `now + ttl_ms`: granted when nobody
    /// holds it, `holder` does already, or the last holder's lease lapsed. One statement, so two
    /// servers asking at once cannot both get it.
    pub async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: i64,
        ttl_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        let granted = sqlx::query(
            "INSERT INTO leases (name, holder, until_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms \
             WHERE leases.holder = excluded.holder OR leases.until_ms < $4 RETURNING holder",
        )
        .bind(name)
        .bind(holder)
        .bind(now.saturating_add(ttl_ms))
        .bind(now)
        .fetch_optional(&self.write)
        .await?;
        Ok(granted.is_some())
    }
}

/// Whether `e` says a unique index refused the row (it exists already), on either engine.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

type Pending<'c> = Pin<Box<dyn Future<Output = Result<(), sqlx::Error>> + Send + 'c>>;

/// Per-connection SQLite settings: durable at commit against a crash of the process
/// (WAL + NORMAL), foreign keys enforced.
fn sqlite_pragmas(conn: &mut AnyConnection, _: PoolConnectionMetadata) -> Pending<'_> {
    Box::pin(async move {
        conn.execute("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .await
            .map(|_| ())
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// What each engine must write its own way; everything else in a migration is the same.
    const ENGINE_WORDS: [(&str, &str); 3] = [
        (
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        ),
        ("(SQLite)", "(PostgreSQL)"),
        ("(sqlite)", "(postgres)"),
    ];

    fn migrations(engine: &str) -> Vec<(String, String)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(engine);
        let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&path).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    /// A change made to one engine's copy of a migration and not the other's is a schema that
    /// differs by engine: the same files, the same statements, but for the words each engine
    /// must spell its own way.
    #[test]
    fn the_engines_migrations_differ_only_where_the_engines_must() {
        let (sqlite, postgres) = (migrations("sqlite"), migrations("postgres"));
        let names =
            |files: &[(String, String)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&sqlite),
            names(&postgres),
            "the same migrations for both"
        );
        for ((name, lite), (_, pg)) in sqlite.iter().zip(&postgres) {
            let as_postgres = ENGINE_WORDS
                .iter()
                .fold(lite.clone(), |text, (l, p)| text.replace(l, p));
            for (n, (a, b)) in as_postgres.lines().zip(pg.lines()).enumerate() {
                assert_eq!(a, b, "{name} line {}", n + 1);
            }
            assert_eq!(as_postgres.lines().count(), pg.lines().count(), "{name}");
        }
    }
}
