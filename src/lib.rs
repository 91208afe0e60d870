//! mcauth: get, cache and refresh Salesforce Marketing Cloud access tokens
//! for legacy installed packages, for Rust and (through `ffi`) for C, C++,
//! Python and .NET.
//!
//! ```no_run
//! let auth = mcauth::Auth::new("mc563885gzs27c5t9-63k636ttgm", "client-id", "client-secret")?;
//! let token = auth.token()?; // cached process-wide, refreshed before it expires
//! let header = auth.soap_header()?;
//! # Ok::<(), mcauth::Error>(())
//! ```
#![deny(unsafe_code)]
#![warn(missing_debug_implementations)]

mod auth;
mod cache;
mod endpoint;
mod error;
#[allow(unsafe_code)]
pub mod ffi;
mod proxy;
mod retry;
mod secret;
mod soap;
mod tls;
mod token_request;
mod transport;

pub use auth::{Auth, DEFAULT_REFRESH_MARGIN, DEFAULT_TIMEOUT};
pub use error::{Error, Status};
pub use retry::{DEFAULT_MAX_ATTEMPTS, MAX_ATTEMPTS_LIMIT};
pub use secret::AccessToken;
pub use soap::fueloauth_header;
