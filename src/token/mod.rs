//! The token request protocols mcauth speaks, behind one small interface so
//! that the cache and the retry loop never depend on the wire format. Today:
//! legacy packages' `POST /v1/requestToken` (`legacy`).

mod legacy;
mod server_error;

pub use legacy::LegacyTokenRequest;

use crate::http::retry::AttemptError;
use crate::http::transport::Transport;
use crate::secret::AccessToken;
use std::time::{Duration, Instant};

/// Tokens are never trusted to live longer than this, whatever the server says.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// A token and how long the server says it lives.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: AccessToken,
    pub lifetime: Duration,
}

/// One attempt at getting a token with one protocol.
pub trait TokenProtocol: Send + Sync {
    fn request_token(
        &self,
        transport: &Transport,
        deadline: Instant,
    ) -> Result<IssuedToken, AttemptError>;
}
