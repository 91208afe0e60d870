//! Shared by the integration tests: one fake Marketing Cloud per test binary
//! and a scenario name per test, because the token cache is process-wide.
#![allow(dead_code)] // each test binary uses its own subset

mod redis_server;
mod workers;
// As dead_code above: binaries without a shared-cache test.
#[allow(unused_imports)]
pub use redis_server::*;
#[allow(unused_imports)]
pub use workers::*;

use fake_mc::{FakeMc, TokenEndpoint};
use mcauth::{Auth, Error};
use once_cell::sync::Lazy;
use std::sync::atomic::{AtomicU32, Ordering};

/// A static is never dropped, so its CA goes to one file per test binary
/// under target/, rewritten each run: `FakeMc::start`'s temporary folder
/// would be left in /tmp by every run.
pub static FAKE: Lazy<FakeMc> = Lazy::new(|| {
    let ca_file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(concat!(
        "fake-mc-ca-",
        env!("CARGO_CRATE_NAME"),
        ".pem"
    ));
    FakeMc::start_with_ca_file(&ca_file).expect("the fake server starts")
});

pub const SECRET: &str = "very-secret-value-4242";

/// A scenario path unique to this call, ending in the given directives,
/// e.g. `scenario("retry", "fail=503x2")` → `retry-7/fail=503x2`.
pub fn scenario(label: &str, directives: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    if directives.is_empty() {
        format!("{label}-{n}")
    } else {
        format!("{label}-{n}/{directives}")
    }
}

pub fn http_base(scenario: &str) -> String {
    format!("{}/{scenario}/", FAKE.http_url())
}

pub fn https_base(scenario: &str) -> String {
    format!("{}/{scenario}/", FAKE.https_url())
}

/// A handle on the fake over plain HTTP, with the shared test secret.
pub fn http_auth(scenario: &str) -> Auth {
    Auth::new(&http_base(scenario), "client-id", SECRET).expect("a valid handle")
}

pub fn requests(scenario: &str) -> u64 {
    FAKE.requests(scenario)
}

/// The kind of installed package a behaviour test runs with: every behaviour
/// of the cache, retries and limits holds for both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `Auth::new`, `/v1/requestToken`.
    Legacy,
    /// `Auth::new_enhanced` (no account_id, no scope), `/v2/token`.
    Enhanced,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Legacy, Kind::Enhanced];

    /// A handle of this kind on `subdomain` (a tenant or a base URL).
    pub fn auth_at(self, subdomain: &str, id: &str, secret: &str) -> Result<Auth, Error> {
        match self {
            Kind::Legacy => Auth::new(subdomain, id, secret),
            Kind::Enhanced => Auth::new_enhanced(subdomain, id, secret, None, None),
        }
    }

    /// A handle of this kind on the fake over plain HTTP, with the shared test secret.
    pub fn auth(self, scenario: &str) -> Auth {
        self.auth_at(&http_base(scenario), "client-id", SECRET)
            .expect("a valid handle")
    }

    /// The token requests the fake saw for `scenario`, all of which must
    /// have gone to this kind's endpoint.
    pub fn requests(self, scenario: &str) -> u64 {
        let endpoint = match self {
            Kind::Legacy => TokenEndpoint::V1,
            Kind::Enhanced => TokenEndpoint::V2,
        };
        let seen = FAKE.token_requests(scenario);
        assert!(
            seen.iter().all(|r| r.endpoint == endpoint),
            "a {self:?} handle reached another endpoint than {}",
            endpoint.path()
        );
        seen.len() as u64
    }
}

/// Instantiates each listed `fn name(kind: Kind)` as two tests,
/// `legacy::name` and `enhanced::name`. (Unused by some test binaries, as
/// the rest of this module.)
#[allow(unused_macros)]
macro_rules! for_both_kinds {
    ($($name:ident),* $(,)?) => {
        mod legacy {
            $(#[test]
            fn $name() {
                super::$name(super::common::Kind::Legacy)
            })*
        }
        mod enhanced {
            $(#[test]
            fn $name() {
                super::$name(super::common::Kind::Enhanced)
            })*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use for_both_kinds;
