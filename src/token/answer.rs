//! What both token protocols do alike: send the request and map transport
//! failures, and read the token and its lifetime out of a JSON answer.

use super::{WipedJson, MAX_LIFETIME};
use crate::error::{Error, Status};
use crate::http::retry::AttemptError;
use crate::http::transport::{HttpReply, Transport, TransportError, MAX_HEAD};
use crate::secret::{AccessToken, ClientSecret};
use crate::soap::is_xml_text;
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

/// POSTs `body` to `url`. A timeout is final; so are an untrusted
/// certificate (trying again cannot make it trusted) and an answer whose
/// head is over `MAX_HEAD` (a bad response, as a body over `MAX_BODY` is);
/// other network failures may be retried.
pub(super) fn send(
    url: &str,
    body: &[u8],
    secret: &ClientSecret,
    transport: &Transport,
    deadline: Instant,
) -> Result<HttpReply, AttemptError> {
    let failed = |detail: String| {
        Error::new(
            Status::Network,
            format!("requesting a token from {url} failed: {detail}"),
        )
        .redacted(secret.expose())
    };
    match transport.post_json(url, body, deadline) {
        Ok(reply) => Ok(reply),
        Err(TransportError::Timeout) => Err(AttemptError::Final(Error::new(
            Status::Timeout,
            format!("the time budget ran out while requesting a token from {url}"),
        ))),
        Err(TransportError::Certificate(detail)) => Err(AttemptError::Final(failed(format!(
            "{detail}; the certificate cannot become trusted by trying again \
             (mc_auth_set_ca_file adds a CA)"
        )))),
        Err(TransportError::OversizeHead) => Err(AttemptError::Final(Error::new(
            Status::BadResponse,
            format!(
                "the answer from {url} has a head (status line and headers) over {MAX_HEAD} bytes"
            ),
        ))),
        Err(TransportError::Network(detail)) => Err(AttemptError::Retryable {
            error: failed(detail),
            retry_after: None,
        }),
    }
}

/// An error answer's outcome: 429 and 5xx may be retried (after the
/// server's `Retry-After`, else the retry loop's jittered backoff); other
/// answers are final.
pub(super) fn by_status(status: u16, error: Error, retry_after: Option<Duration>) -> AttemptError {
    if status == 429 || status >= 500 {
        AttemptError::Retryable { error, retry_after }
    } else {
        AttemptError::Final(error)
    }
}

/// A 2xx body as a JSON object, wiped when dropped. The reason never quotes
/// the body, which may hold a token.
pub(super) fn json_object(body: &[u8]) -> Result<WipedJson, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|_| "the body is not JSON".to_owned())?;
    let value = WipedJson(value);
    if !value.is_object() {
        return Err("the body is not a JSON object".to_owned());
    }
    Ok(value)
}

/// The token under `key`: a non-empty string that HTTP headers and SOAP XML
/// can carry (a token no call can use is refused rather than handed out).
pub(super) fn token(object: &Map<String, Value>, key: &str) -> Result<AccessToken, String> {
    let token = match object.get(key) {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(Value::String(_)) => return Err(format!("{key} is empty")),
        Some(_) => return Err(format!("{key} is not a string")),
        None => return Err(format!("{key} is missing")),
    };
    if token.chars().any(char::is_control) || !is_xml_text(token) {
        return Err(format!("{key} holds control characters or non-characters"));
    }
    Ok(AccessToken::new(token))
}

/// The lifetime under `key`: a positive whole number of seconds, never
/// trusted beyond `MAX_LIFETIME`.
pub(super) fn lifetime(object: &Map<String, Value>, key: &str) -> Result<Duration, String> {
    let seconds = object
        .get(key)
        .ok_or_else(|| format!("{key} is missing"))?
        .as_u64()
        .filter(|s| *s > 0)
        .ok_or_else(|| format!("{key} is not a positive integer"))?;
    Ok(Duration::from_secs(seconds).min(MAX_LIFETIME))
}
