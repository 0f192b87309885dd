//! Signing in to the desk: the account's lockout, the password check (unknown names cost the
//! same time as known ones), and the session it starts.

use crate::auth::{self, PasswordChecks};
use crate::clock::now_ms;
use crate::db::Db;
use crate::limit::AccountLimit;
use std::time::Duration;

/// What became of a sign-in.
#[derive(Debug)]
pub enum SignIn {
    /// Too many wrong passwords for this account: try again after this long.
    Locked(Duration),
    /// Every password check is taken; try again in a moment.
    Busy,
    /// No such account, or the wrong password.
    Wrong,
    /// Signed in: the session's secret, for its cookie.
    Started(String),
}

/// Checks `username`'s `password` and, when right, starts a session lasting `session_ms`.
#[tracing::instrument(skip_all, fields(username = %username))]
pub async fn sign_in(
    db: &Db,
    accounts: &AccountLimit,
    checks: &PasswordChecks,
    username: &str,
    password: String,
    session_ms: i64,
) -> Result<SignIn, sqlx::Error> {
    let account = db.staff_hash(username).await?;
    if let Some(wait) = account
        .as_ref()
        .and_then(|(id, _)| accounts.locked_for(*id))
    {
        tracing::warn!("sign-in refused: account locked");
        return Ok(SignIn::Locked(wait));
    }
    // Unknown users are checked against a throwaway hash so both cost the same time.
    let (id, hash) = account.unwrap_or((-1, dummy_hash().to_string()));
    let Ok(valid) = checks.verify(password, hash).await else {
        return Ok(SignIn::Busy);
    };
    if !valid || id < 0 {
        tracing::warn!("failed desk sign-in");
        if id >= 0 {
            accounts.failed(id);
        }
        return Ok(SignIn::Wrong);
    }
    accounts.succeeded(id);
    let token = auth::random_token();
    let expires = now_ms() + session_ms;
    db.start_session(
        &auth::token_hash(&token),
        id,
        &auth::random_token(),
        expires,
    )
    .await?;
    Ok(SignIn::Started(token))
}

fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| auth::hash_password(&auth::random_token()).unwrap_or_default())
}
