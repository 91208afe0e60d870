//! A fake Salesforce Marketing Cloud auth server for mcauth's tests: the legacy
//! `POST …/v1/requestToken` endpoint over HTTP and HTTPS, whose behaviour each test picks with
//! path "directives" (`expires=2`, `fail=503x2`, `drop=1`, …), control endpoints that count
//! what arrived, and an HTTP proxy. Used in-process by the Rust tests (`FakeMc::start`) and as
//! the `fake-mc` binary by the C, Python and C# tests.

#[cfg(test)]
mod e2e;
mod endpoint;
mod http;
mod proxy;
mod routes;
mod scenario;
mod server;
mod state;
mod tls;
mod token;

pub use server::FakeMc;

/// A host name that resolves nowhere, but that the fake's proxy reaches (it is the fake
/// itself) and its certificate covers: a request to it succeeds only through the proxy.
pub const PROXY_ONLY_HOST: &str = "auth.fake-mc.test";
pub use state::RecordedRequest;
