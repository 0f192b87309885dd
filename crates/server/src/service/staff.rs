//! The shop's staff: adding an account (the first account's right, with the username and
//! password rules) and choosing who responds to an order.

use crate::auth::{Busy, MIN_PASSWORD};
use crate::AppState;

/// The account the server creates first; only it adds others.
pub const FIRST_ACCOUNT: &str = "admin";

/// Why an account was not added.
#[derive(Debug, thiserror::Error)]
pub enum AddStaffError {
    /// Only the first account adds others.
    #[error("only {FIRST_ACCOUNT} adds accounts")]
    NotAllowed,
    /// The username or the password breaks the rules.
    #[error(
        "a username has 1 to 40 of a-z 0-9 . _ -, a password at least {MIN_PASSWORD} characters"
    )]
    Invalid,
    /// Someone has that username.
    #[error("that username is taken")]
    Taken,
    /// Too many password checks at once.
    #[error(transparent)]
    Busy(#[from] Busy),
    /// Hashing the password failed.
    #[error("hashing the password failed")]
    Hash,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Whether `name` may name a staff account or an API token: 1 to 40 of `a-z 0-9 . _ -`.
pub fn valid_name(name: &str) -> bool {
    (1..=40).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// `actor` adds the account `username` with `password`.
#[tracing::instrument(skip_all)]
pub async fn add_staff(
    state: &AppState,
    actor: &str,
    username: &str,
    password: String,
) -> Result<(), AddStaffError> {
    if actor != FIRST_ACCOUNT {
        return Err(AddStaffError::NotAllowed);
    }
    let username = username.trim();
    if !valid_name(username) || password.chars().count() < MIN_PASSWORD {
        return Err(AddStaffError::Invalid);
    }
    let hash = state
        .password_checks
        .hash(password)
        .await?
        .ok_or(AddStaffError::Hash)?;
    if state.db.add_staff(username, &hash).await? {
        Ok(())
    } else {
        Err(AddStaffError::Taken)
    }
}

/// Why an order was not assigned.
#[derive(Debug, thiserror::Error)]
pub enum AssignError {
    /// No account has that username.
    #[error("no staff member is called that")]
    UnknownStaff,
    /// No order has that reference.
    #[error("no such order")]
    NotFound,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// `who` as an assignment: `None` for empty (nobody), else an existing username.
async fn assignee<'a>(state: &AppState, who: &'a str) -> Result<Option<&'a str>, AssignError> {
    let who = who.trim();
    if who.is_empty() {
        Ok(None)
    } else if state.db.staff_names().await?.iter().any(|n| n == who) {
        Ok(Some(who))
    } else {
        Err(AssignError::UnknownStaff)
    }
}

/// Makes `who` (a username; empty clears it) the one who responds to order `reference`.
#[tracing::instrument(skip_all, fields(reference = %reference))]
pub async fn assign(state: &AppState, reference: &str, who: &str) -> Result<(), AssignError> {
    let who = assignee(state, who).await?;
    if state.db.assign(reference, who).await? {
        Ok(())
    } else {
        Err(AssignError::NotFound)
    }
}

/// Makes `who` (a username; empty clears it) the one who answers contact `contact_id`'s
/// conversation.
pub async fn assign_conversation(
    state: &AppState,
    contact_id: i64,
    who: &str,
) -> Result<(), AssignError> {
    let who = assignee(state, who).await?;
    if state.db.assign_conversation(contact_id, who).await? {
        Ok(())
    } else {
        Err(AssignError::NotFound)
    }
}
