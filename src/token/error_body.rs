//! The error details of a token answer, quoted safely, for both endpoints:
//! OAuth 2.0's `error` and `error_description` (`/v2/token`), and Marketing
//! Cloud's own `message` and `errorcode` (`/v1/requestToken`, and the
//! throttling answers of both). Only what the server said is quoted; nothing
//! is invented.

use crate::redact::quote_server_text;
use serde_json::Value;

/// Server-provided text quoted in our messages is cut to this many characters.
const MAX_QUOTED: usize = 300;

#[derive(Default, Debug)]
pub struct ErrorBody {
    pub error: Option<String>,
    description: Option<String>,
    message: Option<String>,
    pub errorcode: Option<i64>,
}

impl ErrorBody {
    /// Quotes the server's text unless it echoes `secret` (checked on the
    /// whole text, before it is cut: `crate::redact`).
    pub fn parse(body: Option<&[u8]>, secret: &str) -> ErrorBody {
        let Some(parsed) = body.and_then(|b| serde_json::from_slice(b).ok()) else {
            return ErrorBody::default();
        };
        let parsed = super::WipedJson(parsed);
        let Value::Object(object) = &*parsed else {
            return ErrorBody::default();
        };
        let text = |key: &str| {
            object
                .get(key)
                .and_then(Value::as_str)
                .map(|text| quote_server_text(text, secret, MAX_QUOTED))
        };
        ErrorBody {
            error: text("error"),
            description: text("error_description"),
            message: text("message"),
            errorcode: object.get("errorcode").and_then(Value::as_i64),
        }
    }

    /// Whether the description mentions `needle`, ignoring ASCII case.
    pub fn says(&self, needle: &str) -> bool {
        let needle = needle.to_ascii_lowercase();
        [&self.description, &self.message]
            .into_iter()
            .flatten()
            .any(|text| text.to_ascii_lowercase().contains(&needle))
    }

    /// `: error "invalid_client": "Invalid client ID. …" (errorcode N)`, with
    /// whichever parts the answer had; empty when it had none.
    pub fn describe(&self) -> String {
        let error = self
            .error
            .as_ref()
            .map(|error| format!("error \"{error}\""));
        let texts = [&self.description, &self.message].into_iter().flatten();
        self.with_code(error.into_iter().chain(texts.map(quoted)))
    }

    /// `: "…" (errorcode N)` with only the first text the answer had, of
    /// `message`, `error_description` and `error`: the legacy endpoint's
    /// messages quote one.
    pub fn describe_briefly(&self) -> String {
        let texts = [&self.message, &self.description, &self.error];
        self.with_code(texts.into_iter().flatten().take(1).map(quoted))
    }

    /// `: part: part (errorcode N)`; empty when there is neither.
    fn with_code(&self, parts: impl Iterator<Item = String>) -> String {
        let parts: Vec<String> = parts.collect();
        let code = self
            .errorcode
            .map(|c| format!(" (errorcode {c})"))
            .unwrap_or_default();
        match parts.is_empty() {
            true => code,
            false => format!(": {}{code}", parts.join(": ")),
        }
    }
}

fn quoted(text: impl std::fmt::Display) -> String {
    format!("\"{text}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe(body: &str) -> String {
        ErrorBody::parse(Some(body.as_bytes()), "the-secret").describe()
    }

    #[test]
    fn quotes_what_the_server_said_and_nothing_else() {
        assert_eq!(
            describe(
                r#"{"error":"invalid_client","error_description":"Invalid client ID.","error_uri":"https://x"}"#
            ),
            r#": error "invalid_client": "Invalid client ID.""#
        );
        assert_eq!(
            describe(r#"{"error":"invalid_grant"}"#),
            r#": error "invalid_grant""#
        );
        assert_eq!(
            describe(r#"{"message":"Your requests are temporarily blocked.","errorcode":50200}"#),
            r#": "Your requests are temporarily blocked." (errorcode 50200)"#
        );
        assert_eq!(describe(r#"{"errorcode":7}"#), " (errorcode 7)");
        for nothing in ["", "<html>", "[]", r#"{"error":5}"#] {
            assert_eq!(describe(nothing), "", "{nothing}");
        }
        assert_eq!(ErrorBody::parse(None, "the-secret").describe(), "");
    }

    #[test]
    fn briefly_is_the_first_text_of_message_description_and_error() {
        let briefly =
            |body: &str| ErrorBody::parse(Some(body.as_bytes()), "the-secret").describe_briefly();
        assert_eq!(
            briefly(r#"{"message":"Unauthorized","errorcode":1,"error":"x"}"#),
            r#": "Unauthorized" (errorcode 1)"#
        );
        assert_eq!(
            briefly(r#"{"error":"invalid_client","error_description":"Bad id."}"#),
            r#": "Bad id.""#
        );
        assert_eq!(
            briefly(r#"{"error":"invalid_grant"}"#),
            r#": "invalid_grant""#
        );
        assert_eq!(briefly(r#"{"errorcode":7}"#), " (errorcode 7)");
        assert_eq!(briefly("<html>"), "");
    }

    #[test]
    fn quoted_text_is_bounded_and_printable() {
        let long = format!(
            r#"{{"error":"x","error_description":"{}\u0007"}}"#,
            "d".repeat(900)
        );
        let described = describe(&long);
        assert!(
            described.len() < 400 && !described.contains('\u{7}'),
            "{described}"
        );
    }

    #[test]
    fn says_looks_in_the_description_ignoring_case() {
        let e = ErrorBody::parse(Some(
            br#"{"error":"invalid_client","error_description":"Use the /V1/requestToken endpoint"}"#,
        ), "the-secret");
        assert!(e.says("/v1/requesttoken"));
        assert!(!e.says("/v2/token"));
        assert_eq!(e.error.as_deref(), Some("invalid_client"));
    }
}
