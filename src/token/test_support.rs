//! What the tests of both token protocols build answers with and read
//! errors from.

use super::IssuedToken;
use crate::error::Error;
use crate::http::retry::AttemptError;
use crate::http::transport::HttpReply;
use zeroize::Zeroizing;

/// An answer with `status` and `body`, without `Retry-After`.
pub fn reply(status: u16, body: &str) -> HttpReply {
    HttpReply {
        status,
        retry_after: None,
        body: Some(Zeroizing::new(body.as_bytes().to_vec())),
    }
}

/// A 2xx answer the transport stopped reading: larger than `MAX_BODY`.
pub fn too_large() -> HttpReply {
    HttpReply {
        status: 200,
        retry_after: None,
        body: None,
    }
}

/// The error of an attempt that failed for good; panics on anything else.
pub fn final_error(result: Result<IssuedToken, AttemptError>) -> Error {
    match result {
        Err(AttemptError::Final(e)) => e,
        other => panic!("expected a final error, got {other:?}"),
    }
}

/// The error of an attempt that failed, for good or not.
pub fn any_error(result: Result<IssuedToken, AttemptError>) -> Error {
    match result {
        Err(AttemptError::Final(e)) | Err(AttemptError::Retryable { error: e, .. }) => e,
        Ok(_) => panic!("a token from an error"),
    }
}
