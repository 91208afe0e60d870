//! The error details Marketing Cloud puts in its answers, quoted safely.

use crate::redact::quote_server_text;
use serde_json::Value;

/// Server-provided text quoted in our messages is cut to this many characters.
const MAX_QUOTED: usize = 300;

/// The `message`/`errorcode` Marketing Cloud puts in its error bodies (or the
/// OAuth `error`/`error_description` pair), when the body has them.
#[derive(Default)]
pub struct ServerError {
    message: Option<String>,
    pub errorcode: Option<i64>,
}

impl ServerError {
    /// Quotes the server's text unless it echoes `secret` (checked on the
    /// whole text, before it is cut: `crate::redact`).
    pub fn parse(body: Option<&[u8]>, secret: &str) -> ServerError {
        let Some(parsed) = body.and_then(|b| serde_json::from_slice(b).ok()) else {
            return ServerError::default();
        };
        let parsed = super::WipedJson(parsed);
        let Value::Object(object) = &*parsed else {
            return ServerError::default();
        };
        let text = |key: &str| {
            object
                .get(key)
                .and_then(Value::as_str)
                .map(|text| quote_server_text(text, secret, MAX_QUOTED))
        };
        ServerError {
            message: text("message")
                .or_else(|| text("error_description"))
                .or_else(|| text("error")),
            errorcode: object.get("errorcode").and_then(Value::as_i64),
        }
    }

    pub fn describe(&self) -> String {
        match (&self.message, self.errorcode) {
            (Some(m), Some(c)) => format!(": \"{m}\" (errorcode {c})"),
            (Some(m), None) => format!(": \"{m}\""),
            (None, Some(c)) => format!(" (errorcode {c})"),
            (None, None) => String::new(),
        }
    }
}
