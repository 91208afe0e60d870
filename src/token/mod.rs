//! The token request protocols mcauth speaks, behind one small interface so
//! that the cache and the retry loop never depend on the wire format: legacy
//! packages' `POST /v1/requestToken` (`legacy`) and enhanced packages'
//! `POST /v2/token` (`enhanced`, whose answers name the API's addresses,
//! checked by `instance_urls`).

mod answer;
mod enhanced;
mod instance_urls;
mod legacy;
mod oauth_error;
mod server_error;

pub use enhanced::{EnhancedGrant, EnhancedTokenRequest};
pub use instance_urls::InstanceUrls;
#[cfg(feature = "fuzzing")]
pub(crate) use legacy::parse_legacy_answer;
pub use legacy::LegacyTokenRequest;

use crate::http::retry::AttemptError;
use crate::http::transport::{HttpReply, Transport};
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

/// One protocol: what it sends, and what an answer means.
pub trait TokenProtocol: Send + Sync {
    fn request(&self) -> Request<'_>;

    fn interpret(&self, reply: HttpReply) -> Result<IssuedToken, AttemptError>;

    /// One attempt at getting a token.
    fn request_token(
        &self,
        transport: &Transport,
        deadline: Instant,
    ) -> Result<IssuedToken, AttemptError> {
        let Request { url, body, secret } = self.request();
        let reply = answer::send(url, &body, secret, transport, deadline)?;
        self.interpret(reply)
    }
}

/// A token request: where it goes, what it carries (wiped when dropped),
/// and whose secret must stay out of messages.
pub struct Request<'a> {
    pub url: &'a str,
    pub body: Zeroizing<Vec<u8>>,
    pub secret: &'a ClientSecret,
}
