//! Integration API tokens: creating one (its value shown once), for the desk and the command
//! line alike.

use crate::auth::{random_token, token_hash};
use crate::db::Db;
use crate::policy::access::Scope;

/// What every token starts with, so a leaked one is recognisable (and scannable).
pub const TOKEN_PREFIX: &str = "chatout_";

/// Why a token was not created.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The name breaks the rules.
    #[error("a token name has 1 to 40 of a-z 0-9 . _ -")]
    BadName,
    /// A token (perhaps revoked) has that name.
    #[error("a token called that exists already")]
    Taken,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Creates token `name` with `scope` for `created_by`; returns its value, which is stored
/// only as a hash and cannot be shown again.
#[tracing::instrument(skip_all)]
pub async fn create_token(
    db: &Db,
    name: &str,
    scope: Scope,
    created_by: &str,
) -> Result<String, TokenError> {
    let name = name.trim();
    if !super::staff::valid_name(name) {
        return Err(TokenError::BadName);
    }
    let value = format!("{TOKEN_PREFIX}{}", random_token());
    if db
        .create_token(name, scope, &token_hash(&value), created_by)
        .await?
    {
        Ok(value)
    } else {
        Err(TokenError::Taken)
    }
}
