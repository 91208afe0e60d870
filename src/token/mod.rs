//! The token request protocols mcauth speaks, behind one small interface so
//! that the cache and the retry loop never depend on the wire format: legacy
//! packages' `POST /v1/requestToken` (`legacy`) and enhanced packages'
//! `POST /v2/token` (`enhanced`, whose answers name the API's addresses,
//! checked by `instance_urls`).

mod answer;
mod enhanced;
mod error_body;
mod instance_urls;
mod legacy;

#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use enhanced::parse_enhanced_answer;
pub use enhanced::{EnhancedGrant, EnhancedTokenRequest};
pub(crate) use error_body::ErrorBody;
pub use instance_urls::InstanceUrls;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use legacy::parse_legacy_answer;
pub use legacy::LegacyTokenRequest;

use crate::error::{Error, Status};
use crate::http::retry::AttemptError;
use crate::http::transport::{HttpReply, Transport, MAX_BODY};
use crate::secret::AccessToken;
use crate::secret::ClientSecret;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// Tokens are never trusted to live longer than this, whatever the server says.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// A parsed answer whose strings (a token, a server's echo of the secret)
/// are wiped when it is dropped.
pub(crate) struct WipedJson(pub serde_json::Value);

impl std::ops::Deref for WipedJson {
    type Target = serde_json::Value;
    fn deref(&self) -> &serde_json::Value {
        &self.0
    }
}

impl Drop for WipedJson {
    fn drop(&mut self) {
        fn wipe(value: &mut serde_json::Value) {
            use zeroize::Zeroize;
            match value {
                serde_json::Value::String(s) => s.zeroize(),
                serde_json::Value::Array(items) => items.iter_mut().for_each(wipe),
                serde_json::Value::Object(map) => map.values_mut().for_each(wipe),
                _ => {}
            }
        }
        wipe(&mut self.0);
    }
}

/// A token and how long the server says it lives.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: AccessToken,
    pub lifetime: Duration,
    /// How long ago its lifetime began: zero for a server's answer, the
    /// entry's age for a token found in a shared cache.
    pub age: Duration,
    /// The API addresses the answer named (enhanced packages), already checked.
    pub instance_urls: Option<InstanceUrls>,
}

/// Which token endpoint a handle talks to: legacy packages' or enhanced ones'.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenPath {
    /// `POST /v1/requestToken`.
    Legacy,
    /// `POST /v2/token`.
    Enhanced,
}

impl TokenPath {
    pub fn path(self) -> &'static str {
        match self {
            TokenPath::Legacy => "/v1/requestToken",
            TokenPath::Enhanced => "/v2/token",
        }
    }

    pub fn other(self) -> TokenPath {
        match self {
            TokenPath::Legacy => TokenPath::Enhanced,
            TokenPath::Enhanced => TokenPath::Legacy,
        }
    }
}

/// What a token is for, besides the credentials: the identity of a token in
/// the cache. An enhanced package's token is per business unit and scope.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Grant {
    Legacy,
    Enhanced(EnhancedGrant),
}

/// One protocol: what it sends, how a 2xx answer carries the token, and
/// what its error answers mean. What both protocols do alike (sending, 2xx
/// answers too large or unreadable, 3xx answers, keeping the secret out of
/// every message) is done once, by the provided methods.
pub trait TokenProtocol: Send + Sync {
    /// Where the request goes, and the credentials it carries.
    fn client(&self) -> &Client;

    /// What the request carries, wiped when dropped.
    fn body(&self) -> Zeroizing<Vec<u8>>;

    /// The token in a 2xx body, or why there is none. The reason never
    /// quotes the body, which may hold a token.
    fn parse_answer(&self, body: &[u8]) -> Result<IssuedToken, String>;

    /// What an answer other than 2xx and 3xx says, from its status and the
    /// details its body gave. Not yet redacted: `interpret` does that.
    fn refusal(&self, status: u16, detail: &ErrorBody) -> Refusal;

    /// One attempt at getting a token.
    fn request_token(
        &self,
        transport: &Transport,
        deadline: Instant,
    ) -> Result<IssuedToken, AttemptError> {
        let Client { url, secret, .. } = self.client();
        let reply = answer::send(url, &self.body(), secret, transport, deadline)?;
        self.interpret(reply)
    }

    /// What an answer means. Every message is redacted here, the protocols'
    /// refusals included: a server may echo the secret anywhere.
    fn interpret(&self, reply: HttpReply) -> Result<IssuedToken, AttemptError> {
        let HttpReply {
            status,
            retry_after,
            body,
        } = reply;
        let Client { url, secret, .. } = self.client();
        let fail = |status_code: Status, message: String| {
            Error::new(status_code, message).redacted(secret.expose())
        };
        match status {
            200..=299 => {
                let body = body.ok_or_else(|| {
                    let why = format!("the answer from {url} is larger than {MAX_BODY} bytes");
                    AttemptError::Final(fail(Status::BadResponse, why))
                })?;
                self.parse_answer(&body).map_err(|why| {
                    let why =
                        format!("unexpected answer from {url}: {why}; the token was not used");
                    AttemptError::Final(fail(Status::BadResponse, why))
                })
            }
            300..=399 => Err(AttemptError::Final(fail(
                Status::Http,
                format!(
                    "{url} answered HTTP {status}, a redirect; mcauth never follows redirects, \
                     which would send the client secret to another address \
                     (use the Authentication Base URI from Installed Packages)"
                ),
            ))),
            _ => {
                // Server text that echoes the secret is withheld as it is
                // parsed; the message as a whole is redacted by `fail`.
                let detail = ErrorBody::parse(body.as_deref().map(Vec::as_slice), secret.expose());
                match self.refusal(status, &detail) {
                    Refusal::Credentials(why) => {
                        Err(AttemptError::Final(fail(Status::Unauthorized, why)))
                    }
                    Refusal::Other(why) => Err(answer::by_status(
                        status,
                        fail(Status::Http, why),
                        retry_after,
                    )),
                }
            }
        }
    }
}

/// Where a token request goes and the credentials it carries, alike in both
/// protocols. The secret is never in a message.
pub struct Client {
    pub url: String,
    pub id: String,
    pub secret: ClientSecret,
}

impl Client {
    pub fn new(url: &str, id: &str, secret: ClientSecret) -> Client {
        Client {
            url: url.to_owned(),
            id: id.to_owned(),
            secret,
        }
    }
}

/// An error answer, as a protocol reads it.
pub enum Refusal {
    /// The server refused the credentials: final whatever the status, since
    /// trying again cannot make them good.
    Credentials(String),
    /// Any other error: retried if the status says it may be (429, 5xx).
    Other(String),
}

#[cfg(test)]
pub(crate) mod test_support;

#[cfg(test)]
#[path = "protocol_tests.rs"]
mod tests;
