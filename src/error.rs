//! The one error type of the crate: a fixed status code plus a message that is
//! safe to show anywhere (it never contains the client secret or a token).

use std::ffi::CStr;
use std::fmt;

/// Outcome codes shared with the C ABI. The numbers are part of the public
/// contract: they are never renumbered or reused, only appended to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(C)]
pub enum Status {
    Ok = 0,
    InvalidArgument = 1,
    Unauthorized = 2,
    Http = 3,
    Network = 4,
    Timeout = 5,
    BadResponse = 6,
    Internal = 7,
}

impl Status {
    /// Every status, in numeric order.
    pub const ALL: [Status; 8] = [
        Status::Ok,
        Status::InvalidArgument,
        Status::Unauthorized,
        Status::Http,
        Status::Network,
        Status::Timeout,
        Status::BadResponse,
        Status::Internal,
    ];

    /// A short, static description of the status. A `match` rather than a
    /// table so that a new variant without a text does not compile; NUL
    /// terminated so that the C ABI can hand it out as it is.
    pub const fn c_description(self) -> &'static CStr {
        match self {
            Status::Ok => c"success",
            Status::InvalidArgument => c"invalid argument",
            Status::Unauthorized => c"the auth server rejected the credentials",
            Status::Http => c"the auth server answered with an HTTP error",
            Status::Network => c"network error (DNS, connect, TLS, proxy or a dropped connection)",
            Status::Timeout => c"the call's time budget ran out",
            Status::BadResponse => c"the auth server's answer was not the expected JSON",
            Status::Internal => c"internal error in mcauth (a bug; please report it)",
        }
    }

    pub fn description(self) -> &'static str {
        self.c_description()
            .to_str()
            .expect("descriptions are ASCII")
    }

    /// The status for a raw code, if it is one.
    pub fn from_code(code: i64) -> Option<Status> {
        Status::ALL.into_iter().find(|s| *s as i64 == code)
    }
}

/// A failure with its status and a human-readable detail.
///
/// Messages are built only from things that are safe to log: the endpoint,
/// the client id, HTTP statuses and the server's own `message`/`errorcode`.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    status: Status,
    message: String,
}

impl Error {
    pub fn new(status: Status, message: impl Into<String>) -> Error {
        debug_assert!(status != Status::Ok, "an error needs a failure status");
        Error {
            status,
            message: message.into(),
        }
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

    /// Replaces every occurrence of `secret` in the message. A last line of
    /// defence for text that came from the server, which could echo what it
    /// was sent.
    pub(crate) fn redacted(mut self, secret: &str) -> Error {
        if !secret.is_empty() && self.message.contains(secret) {
            self.message = self.message.replace(secret, "[redacted]");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_fixed() {
        let codes: Vec<i64> = Status::ALL.iter().map(|s| *s as i64).collect();
        assert_eq!(codes, vec![0, 1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn every_status_has_a_distinct_description() {
        let mut texts: Vec<&str> = Status::ALL.iter().map(|s| s.description()).collect();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), Status::ALL.len());
    }

    #[test]
    fn from_code_round_trips_and_rejects_unknown() {
        for s in Status::ALL {
            assert_eq!(Status::from_code(s as i64), Some(s));
        }
        assert_eq!(Status::from_code(8), None);
        assert_eq!(Status::from_code(-1), None);
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
