//! Integration API tokens: stored by the SHA-256 of their value (shown once, never stored
//! or logged), with a name, a scope, the last time they were used, and when revoked.

use super::{is_unique_violation, Db};
use crate::clock::{now_ms, UnixMillis};
use crate::policy::access::Scope;

/// A token as the desk and the command line list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Row id (what the per-token rate limit counts by).
    pub id: i64,
    /// The name it was created with (the actor `api:<name>`).
    pub name: String,
    /// What it may do.
    pub scope: Scope,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: UnixMillis,
    /// When it was last used (to the minute).
    pub last_used_at: Option<UnixMillis>,
    /// When it was revoked.
    pub revoked_at: Option<UnixMillis>,
}

/// Last-used times are written at most this often per token, so reads stay reads.
const TOUCH_EVERY_MS: i64 = 60_000;

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    name: String,
    scope: String,
    created_by: String,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl TryFrom<TokenRow> for ApiToken {
    type Error = sqlx::Error;

    fn try_from(row: TokenRow) -> Result<Self, Self::Error> {
        let scope = Scope::parse(&row.scope).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "scope".into(),
            source: format!("unknown scope '{}'", row.scope).into(),
        })?;
        Ok(Self {
            id: row.id,
            name: row.name,
            scope,
            created_by: row.created_by,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
        })
    }
}

const COLUMNS: &str =
    "SELECT id, name, scope, created_by, created_at, last_used_at, revoked_at FROM api_tokens";

impl Db {
    /// Stores a new token's hash; false when the name is taken (also by a revoked token:
    /// names stay unique, so the history's `api:<name>` always means one token).
    pub async fn create_token(
        &self,
        name: &str,
        scope: Scope,
        hash: &str,
        created_by: &str,
    ) -> Result<bool, sqlx::Error> {
        let created = sqlx::query(
            "INSERT INTO api_tokens (name, scope, token_hash, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(name)
        .bind(scope.as_str())
        .bind(hash)
        .bind(created_by)
        .bind(now_ms())
        .execute(&self.write)
        .await;
        match created {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Every token, newest first.
    pub async fn tokens(&self) -> Result<Vec<ApiToken>, sqlx::Error> {
        sqlx::query_as::<_, TokenRow>(&format!("{COLUMNS} ORDER BY id DESC"))
            .fetch_all(&self.read)
            .await?
            .into_iter()
            .map(ApiToken::try_from)
            .collect()
    }

    /// Revokes the token `name` at once; false when there is no live token of that name.
    pub async fn revoke_token(&self, name: &str) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
        )
        .bind(now_ms())
        .bind(name)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The live token whose value hashes to `hash`, noting that it was used.
    pub async fn use_token(&self, hash: &str) -> Result<Option<ApiToken>, sqlx::Error> {
        let row = sqlx::query_as::<_, TokenRow>(&format!(
            "{COLUMNS} WHERE token_hash = $1 AND revoked_at IS NULL"
        ))
        .bind(hash)
        .fetch_optional(&self.read)
        .await?;
        let Some(token) = row.map(ApiToken::try_from).transpose()? else {
            return Ok(None);
        };
        let now = now_ms();
        if token
            .last_used_at
            .is_none_or(|at| at <= now - TOUCH_EVERY_MS)
        {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(token.id)
                .execute(&self.write)
                .await?;
        }
        Ok(Some(token))
    }
}
