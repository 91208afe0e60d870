//! The one error type of the crate: a fixed status code plus a message that is
//! safe to show anywhere (it never contains the client secret or a token).

pub use crate::status::Status;
use std::fmt;

/// A failure with its status and a human-readable detail.
///
/// Messages are built only from things that are safe to log: the endpoint,
/// the client id, HTTP statuses and the server's own `message`/`errorcode`.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    status: Status,
    message: String,
    /// Another try with more time or attempts could succeed: a timeout, or
    /// a retryable failure (network, 5xx, 429) that ran out of attempts or
    /// budget. Lets a caller that joined another caller's request, with a
    /// longer budget, try again itself.
    transient: bool,
}

impl Error {
    pub fn new(status: Status, message: impl Into<String>) -> Error {
        debug_assert!(status != Status::Ok, "an error needs a failure status");
        Error {
            status,
            message: message.into(),
            transient: status == Status::Timeout,
        }
    }

    /// Marks the error as one that more time or attempts could cure.
    pub(crate) fn transient(mut self) -> Error {
        self.transient = true;
        self
    }

    pub(crate) fn is_transient(&self) -> bool {
        self.transient
    }

    pub fn invalid_argument(message: impl Into<String>) -> Error {
        Error::new(Status::InvalidArgument, message)
    }

    pub fn status(&self) -> Status {
        self.status
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// A last line of defence (server text is checked before it is quoted,
    /// `crate::redact`): the secret's occurrences are replaced, by the rule
    /// of `crate::redact`, and a message that still shows a piece of it is
    /// withheld whole.
    pub(crate) fn redacted(mut self, secret: &str) -> Error {
        if crate::redact::echoes_secret(&self.message, secret) {
            self.message = crate::redact::replace_secret(&self.message, secret);
            if crate::redact::echoes_secret(&self.message, secret) {
                self.message = "the detail was withheld: it showed the client secret".to_owned();
            }
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status.description(), self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("status", &self.status)
            .field("message", &self.message)
            .finish()
    }
}

impl std::error::Error for Error {}

/// Text from outside (user input, a server's answer) made safe to put in a
/// message: at most `max_chars` characters, control characters blanked.
pub(crate) fn quote(text: &str, max_chars: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max_chars)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    // Stops at the first character past the bound: the text may be a megabyte.
    if text.chars().nth(max_chars).is_some() {
        out.push('…');
    }
    out
}

/// Echoes user input in messages without control characters and within bounds.
pub(crate) fn printable(s: &str) -> String {
    quote(s, 80)
}

/// Longest client id quoted in a message: ids are short, and a caller's
/// megabyte of text does not belong in an error.
const MAX_QUOTED_ID: usize = 64;

/// A client id as messages show it: `quote`d to `MAX_QUOTED_ID` characters.
pub(crate) fn quote_client_id(id: &str) -> String {
    quote(id, MAX_QUOTED_ID)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_text_is_bounded_and_printable() {
        let quoted = quote(&format!("{}\u{7}", "x".repeat(1000)), 300);
        assert_eq!(quoted.chars().count(), 301);
        assert!(!quoted.contains('\u{7}'));
        assert_eq!(quote("a\u{1b}b", 10), "a b");
    }

    #[test]
    fn client_ids_are_quoted_to_a_short_bound() {
        let shown = quote_client_id(&"x".repeat(1 << 20));
        assert_eq!(shown.chars().count(), MAX_QUOTED_ID + 1);
        assert_eq!(quote_client_id("my-client"), "my-client");
    }

    #[test]
    fn a_short_secret_is_not_blanked_inside_words() {
        let e = Error::new(Status::Http, "https://x/v1/requestToken answered 500").redacted("e");
        assert_eq!(e.message(), "https://x/v1/requestToken answered 500");
    }

    #[test]
    fn redaction_removes_every_occurrence() {
        let e = Error::new(Status::Http, "echo s3cr3t and s3cr3t").redacted("s3cr3t");
        assert_eq!(e.message(), "echo [redacted] and [redacted]");
        assert_eq!(
            Error::new(Status::Http, "plain").redacted("").message(),
            "plain"
        );
    }
}
