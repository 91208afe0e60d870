//! Shared by the integration tests: one fake Marketing Cloud per test binary
//! and a scenario name per test, because the token cache is process-wide.
#![allow(dead_code)] // each test binary uses its own subset

use fake_mc::FakeMc;
use mcauth::Auth;
use once_cell::sync::Lazy;
use std::sync::atomic::{AtomicU32, Ordering};

pub static FAKE: Lazy<FakeMc> = Lazy::new(|| FakeMc::start().expect("the fake server starts"));

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
