//! The Cloud API's send endpoint: `POST {base}/{phone-number-id}/messages` with the bearer
//! token, and what its answers mean for the outbox.

use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

/// A client for one business phone number.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    url: String,
    token: String,
}

/// What became of one send request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted: the message id (`wamid.…`) that status webhooks will name.
    Accepted(String),
    /// Worth trying again later (throttling, a server error, the network).
    Retry(ApiError),
    /// Will never succeed as it is (bad number, bad parameters, no window, bad token…).
    Failed(ApiError),
}

/// An error the API (or the way to it) reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The Graph error code (`131047`, `130429`…); 0 when there was no answer to read.
    pub code: i64,
    /// What happened, in the API's words (title, message and details).
    pub detail: String,
}

pub use crate::policy::outbox::WINDOW_CLOSED;

/// Codes that ask to slow down or report a passing fault: retried with backoff.
const RETRYABLE: [i64; 9] = [
    1,      // API unknown
    2,      // API service
    4,      // application request limit
    80007,  // WABA rate limit
    130429, // throughput rate limit
    131000, // something went wrong
    131016, // service unavailable
    131048, // spam rate limit
    131056, // pair rate limit (same contact too often)
];

#[derive(Deserialize)]
struct Accepted {
    #[serde(default)]
    messages: Vec<MessageId>,
}

#[derive(Deserialize)]
struct MessageId {
    id: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: GraphError,
}

/// The error object of Graph API answers (and of failed status webhooks).
#[derive(Debug, Default, Deserialize)]
pub struct GraphError {
    /// The code.
    #[serde(default)]
    pub code: i64,
    /// Short title (newer answers).
    #[serde(default)]
    pub title: Option<String>,
    /// Message (older answers).
    #[serde(default)]
    pub message: Option<String>,
    /// `{details}`.
    #[serde(default)]
    pub error_data: Option<ErrorData>,
}

/// The details of an error.
#[derive(Debug, Default, Deserialize)]
pub struct ErrorData {
    /// What exactly was wrong.
    #[serde(default)]
    pub details: Option<String>,
}

impl GraphError {
    /// Code and readable detail.
    pub fn to_api_error(&self) -> ApiError {
        let mut parts: Vec<&str> = Vec::new();
        for part in [
            self.title.as_deref(),
            self.message.as_deref(),
            self.error_data.as_ref().and_then(|d| d.details.as_deref()),
        ]
        .into_iter()
        .flatten()
        {
            if !part.is_empty() && !parts.contains(&part) {
                parts.push(part);
            }
        }
        ApiError {
            code: self.code,
            detail: parts.join(": ").chars().take(1000).collect(),
        }
    }
}

impl Client {
    /// A client for `{api_base}/{phone_number_id}/messages`.
    pub fn new(api_base: &str, phone_number_id: &str, token: &str, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build()
            .unwrap_or_default();
        Self {
            http,
            url: format!("{api_base}/{phone_number_id}/messages"),
            token: token.to_string(),
        }
    }

    /// Sends one message body (already holding `to` or `recipient`).
    pub async fn send(&self, body: &Value) -> Outcome {
        let response = match self
            .http
            .post(&self.url)
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
        {
            Ok(response) => response,
            Err(e) => {
                return Outcome::Retry(ApiError {
                    code: 0,
                    detail: format!("no answer from the Cloud API: {e}"),
                })
            }
        };
        let status = response.status();
        let bytes = response.bytes().await.unwrap_or_default();
        classify(status.as_u16(), &bytes)
    }
}

/// What an HTTP status and body mean for the message.
pub fn classify(status: u16, body: &[u8]) -> Outcome {
    if (200..300).contains(&status) {
        return match serde_json::from_slice::<Accepted>(body)
            .ok()
            .and_then(|a| a.messages.into_iter().next())
        {
            Some(message) if !message.id.is_empty() => Outcome::Accepted(message.id),
            // Accepted but unreadable: the message may be out, so it must not be sent again.
            _ => Outcome::Failed(ApiError {
                code: 0,
                detail: format!("HTTP {status} without a message id"),
            }),
        };
    }
    let error = serde_json::from_slice::<ErrorBody>(body)
        .map(|b| b.error.to_api_error())
        .unwrap_or_else(|_| ApiError {
            code: 0,
            detail: format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(200)])
            ),
        });
    if status >= 500 || status == 429 || RETRYABLE.contains(&error.code) {
        Outcome::Retry(error)
    } else {
        Outcome::Failed(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: i64) -> String {
        format!(
            r#"{{"error":{{"message":"(#{code}) Something","type":"OAuthException","code":{code},
               "error_data":{{"messaging_product":"whatsapp","details":"Exact detail"}},
               "fbtrace_id":"A1"}}}}"#
        )
    }

    #[test]
    fn answers_become_outcomes() {
        let ok = br#"{"messaging_product":"whatsapp","contacts":[{"input":"31612345678",
                      "wa_id":"31612345678"}],"messages":[{"id":"wamid.HBgL"}]}"#;
        assert_eq!(classify(200, ok), Outcome::Accepted("wamid.HBgL".into()));
        assert!(matches!(classify(200, b"{}"), Outcome::Failed(_)));
        for code in [130429, 131056, 131000] {
            assert!(
                matches!(classify(400, error(code).as_bytes()), Outcome::Retry(e) if e.code == code)
            );
        }
        for code in [131026, 131009, 190, WINDOW_CLOSED, 132001] {
            let outcome = classify(400, error(code).as_bytes());
            let Outcome::Failed(e) = outcome else {
                panic!("{code} is permanent");
            };
            assert_eq!(e.code, code);
            assert_eq!(e.detail, format!("(#{code}) Something: Exact detail"));
        }
        assert!(matches!(classify(503, b"<html>down</html>"), Outcome::Retry(e) if e.code == 0));
        assert!(
            matches!(classify(404, b"not json"), Outcome::Failed(e) if e.detail.contains("404"))
        );
    }
}
