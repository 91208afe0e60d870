//! mcauth: get, cache and refresh Salesforce Marketing Cloud access tokens
//! for legacy and enhanced installed packages, for Rust and (through `ffi`)
//! for C, C++, Python and .NET.
//!
//! The layers, from the C ABI down:
//! - `ffi`: the C ABI, the only `unsafe` code (exports, panic boundary,
//!   marshalling); `status`: the codes it returns.
//! - `auth`: `Auth`, a handle on one set of credentials, the safe API.
//! - `cache`: the process-wide cache, single flight, per-thread copies.
//! - `token`: the token request protocols (legacy `/v1/requestToken`,
//!   enhanced `/v2/token` and the instance URLs its answers name).
//! - `store`: the shared cache, across processes and machines (a folder or
//!   Redis; sealed entries, cross-process single flight).
//! - `http`: transport, retry, TLS roots, proxy, the URLs a secret may go to.
//! - `shared_instances`: one transport or Redis store per key per process.
//! - `fork`: the gate every process-wide lock is taken under, so that a
//!   forked child never inherits one locked (`pthread_atfork` on unix).
//! - `auth_url`, `soap`, `rejection`, `secret`, `redact`, `error`, `hex`:
//!   what the user gave as subdomain, the SOAP header, whether an API answer
//!   rejected the token, credential types, server text without secrets, the
//!   error type, hex for store names.
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
mod auth_url;
mod cache;
mod error;
#[allow(unsafe_code)]
pub mod ffi;
mod fork;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod hex;
mod http;
mod redact;
mod rejection;
mod secret;
mod shared_instances;
mod soap;
mod status;
mod store;
mod token;

pub use auth::{Auth, DEFAULT_REFRESH_MARGIN, DEFAULT_TIMEOUT, SHARED_CACHE_VARIABLE};
pub use cache::Served;
pub use error::{Error, Status};
pub use http::retry::{DEFAULT_MAX_ATTEMPTS, MAX_ATTEMPTS_LIMIT};
pub use rejection::is_token_rejected;
pub use secret::AccessToken;
pub use soap::fueloauth_header;
