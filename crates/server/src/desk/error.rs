//! A desk page that failed: shown as a page, never as a stack trace. This is the one place a
//! desk failure is logged, with its whole cause chain.

use super::layout::html;
use crate::service::staff::AddStaffError;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// A desk page failed: shown as a page, never as a stack trace.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// Not signed in: to the sign-in page.
    #[error("not signed in")]
    SignIn,
    /// A form without the session's token (forged or stale).
    #[error("form without a valid token")]
    Csrf,
    /// No such order.
    #[error("no such order")]
    NotFound,
    /// A page only the first account (`admin`) may use.
    #[error("admin only")]
    AdminOnly,
    /// The database failed.
    #[error("the database failed")]
    Db(#[from] sqlx::Error),
    /// A page's template did not render.
    #[error("a desk template did not render")]
    Template(#[from] askama::Error),
    /// A CSV download could not be written.
    #[error("writing a CSV file failed")]
    Csv(#[from] csv::Error),
    /// Adding a staff account broke on our side (busy password checks, hashing).
    #[error("adding a staff account failed")]
    AddStaff(#[source] AddStaffError),
}

impl IntoResponse for DeskError {
    fn into_response(self) -> Response {
        let (status, heading, detail) = match self {
            Self::SignIn => return Redirect::to("/admin/login").into_response(),
            Self::Csrf => (
                StatusCode::FORBIDDEN,
                "This form has expired",
                "Go back, reload the page and try again.",
            ),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "No such order",
                "The reference may be mistyped.",
            ),
            Self::AdminOnly => (
                StatusCode::FORBIDDEN,
                "Only the admin account can do this",
                "Ask whoever signs in as admin.",
            ),
            failure @ (Self::Db(_) | Self::Template(_) | Self::Csv(_) | Self::AddStaff(_)) => {
                tracing::error!(error = %cause_chain(&failure), "desk page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Nothing was changed. Please try again in a moment.",
                )
            }
        };
        let page = ErrorPage {
            shop: String::new(),
            user: None,
            csrf: String::new(),
            heading,
            detail,
        };
        match html(&page) {
            Ok(page) => (status, page).into_response(),
            Err(e) => {
                // The error page itself failed: nothing left to render it with.
                tracing::error!(error = %cause_chain(&e), "desk error page failed");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

/// `error: its cause: its cause's cause`, for one log line.
fn cause_chain(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let text = e.to_string();
        // Some errors print their source in their own text: say it once.
        if !line.ends_with(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        cause = e.source();
    }
    line
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    shop: String,
    user: Option<String>,
    csrf: String,
    heading: &'static str,
    detail: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_logged_with_every_cause() {
        let io = std::io::Error::other("disk full");
        let failure = DeskError::Db(sqlx::Error::Io(io));
        let line = cause_chain(&failure);
        assert!(line.starts_with("the database failed: "), "{line}");
        assert!(line.ends_with("disk full"), "{line}");
        assert_eq!(line.matches("disk full").count(), 1, "{line}");
    }
}
