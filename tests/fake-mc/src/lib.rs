//! A fake Salesforce Marketing Cloud for mcauth's tests, over HTTP and HTTPS: the legacy
//! `POST …/v1/requestToken` and enhanced `POST …/v2/token` endpoints, whose behaviour each
//! test picks with path "directives"
//! (`expires=2`, `fail=503x2`, `drop=1`, …); an API that accepts only the tokens it issued
//! (SOAP `/Service.asmx` with its WSDL, REST `/platform/v1/…` and `/data/v1/…`); control
//! endpoints that count what arrived and steer the API; and an HTTP proxy. Used in-process by
//! the Rust tests (`FakeMc::start`) and as the `fake-mc` binary by the C, Python and C# tests.

#[cfg(test)]
mod e2e;
#[cfg(test)]
mod e2e_api;
mod endpoint;
mod endpoint_v2;
mod http;
mod partner;
mod proxy;
mod registry;
mod rest;
mod routes;
mod scenario;
mod server;
mod soap;
mod state;
mod tls;
mod token;
mod xml;

pub use server::FakeMc;

/// A host name that resolves nowhere, but that the fake's proxy reaches (it is the fake
/// itself) and its certificate covers: a request to it succeeds only through the proxy.
pub const PROXY_ONLY_HOST: &str = "auth.fake-mc.test";
pub use state::{RecordedRequest, TokenEndpoint};
