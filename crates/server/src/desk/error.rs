//! A desk page that failed: shown as a page, never as a stack trace.

use super::layout::render;
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
    /// The database failed (logged with its source).
    #[error("the database failed")]
    Db(#[from] sqlx::Error),
    /// Something else broke on our side (logged).
    #[error(transparent)]
    Internal(Box<dyn std::error::Error + Send + Sync>),
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
            failure @ (Self::Db(_) | Self::Internal(_)) => {
                tracing::error!(error = %failure, source = ?std::error::Error::source(&failure), "desk page failed");
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
        (status, render(&page)).into_response()
    }
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
