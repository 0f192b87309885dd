//! Staff accounts and their desk sessions. Passwords arrive here already hashed
//! ([`crate::auth`]); sessions are stored by the SHA-256 of their cookie.

use super::is_unique_violation;
use super::Db;
use crate::clock::now_ms;
use sqlx::Row;

/// A signed-in staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Their username.
    pub username: String,
    /// The token every form of this session must carry.
    pub csrf_token: String,
}

impl Db {
    /// Whether any staff account exists.
    pub async fn has_staff(&self) -> Result<bool, sqlx::Error> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff")
            .fetch_one(&self.read)
            .await?;
        Ok(count > 0)
    }

    /// Adds an account; false when the username is taken.
    pub async fn add_staff(
        &self,
        username: &str,
        password_hash: &str,
    ) -> Result<bool, sqlx::Error> {
        let added = sqlx::query(
            "INSERT INTO staff (username, password_hash, created_at) VALUES ($1, $2, $3)",
        )
        .bind(username)
        .bind(password_hash)
        .bind(now_ms())
        .execute(&self.write)
        .await;
        match added {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// An account's id and password hash.
    pub async fn staff_hash(&self, username: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
        let row = sqlx::query("SELECT id, password_hash FROM staff WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| Ok((r.try_get("id")?, r.try_get("password_hash")?)))
            .transpose()
    }

    /// Every username, alphabetically (who an order can be assigned to).
    pub async fn staff_names(&self) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT username FROM staff ORDER BY username")
            .fetch_all(&self.read)
            .await
    }

    /// Stores a session until `expires_at` (ms).
    pub async fn start_session(
        &self,
        token_hash: &str,
        staff_id: i64,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<(), sqlx::Error> {
        let now = now_ms();
        // Sign-ins are rare: a good moment to forget ended sessions.
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.write)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, staff_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(staff_id)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The live session with this token hash.
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT s.username, x.csrf_token FROM sessions x JOIN staff s ON s.id = x.staff_id \
             WHERE x.token_hash = $1 AND x.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_ms())
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            Ok(Session {
                username: r.try_get("username")?,
                csrf_token: r.try_get("csrf_token")?,
            })
        })
        .transpose()
    }

    /// The server's secret called `name`: made (32 random bytes) the first time it is asked
    /// for, then the same for every server on this database.
    pub async fn secret(&self, name: &str) -> Result<Vec<u8>, sqlx::Error> {
        let fresh = crate::auth::random_token();
        sqlx::query(
            "INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(&fresh)
        .execute(&self.write)
        .await?;
        let value: String = sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&self.write)
            .await?;
        Ok(value.into_bytes())
    }

    /// Ends a session.
    pub async fn end_session(&self, token_hash: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}
