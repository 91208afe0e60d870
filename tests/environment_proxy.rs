//! Proxies named by the environment. A test binary of its own, because it sets
//! process-wide environment variables; one test function, so nothing races them.

use fake_mc::{FakeMc, PROXY_ONLY_HOST};
use mcauth::{Auth, Status};
use std::time::Duration;

fn auth(fake: &FakeMc, host: &str, scenario: &str) -> Auth {
    let port = fake.https_url().rsplit(':').next().unwrap().to_owned();
    let auth = Auth::new(
        &format!("https://{host}:{port}/{scenario}/"),
        "client-id",
        "env-proxy-secret",
    )
    .unwrap();
    auth.set_ca_file(fake.ca_file()).unwrap();
    auth.set_max_attempts(1).unwrap();
    auth.set_timeout(Duration::from_secs(10)).unwrap();
    auth
}

/// A direct attempt at the unresolvable name fails in DNS, or runs out of
/// time where the resolver is slow to say no.
fn assert_not_reached(error: &mcauth::Error) {
    assert!(
        matches!(error.status(), Status::Network | Status::Timeout),
        "{error}"
    );
}

#[test]
fn https_proxy_all_proxy_and_no_proxy_are_honoured() {
    let fake = FakeMc::start().unwrap();
    for name in [
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        std::env::remove_var(name);
    }

    // Without a proxy the name does not resolve: only the proxy can reach it.
    assert_not_reached(
        &auth(&fake, PROXY_ONLY_HOST, "env-none")
            .token()
            .unwrap_err(),
    );

    std::env::set_var("HTTPS_PROXY", fake.proxy_url());
    auth(&fake, PROXY_ONLY_HOST, "env-https").token().unwrap();
    assert_eq!(fake.requests("env-https"), 1);

    // Loopback hosts never take a proxy from the environment.
    let before = fake.proxy_requests();
    auth(&fake, "127.0.0.1", "env-loopback").token().unwrap();
    assert_eq!(fake.proxy_requests(), before);

    std::env::set_var("NO_PROXY", "example.com, fake-mc.test");
    assert_not_reached(
        &auth(&fake, PROXY_ONLY_HOST, "env-no-proxy")
            .token()
            .unwrap_err(),
    );
    std::env::remove_var("NO_PROXY");

    std::env::remove_var("HTTPS_PROXY");
    std::env::set_var("ALL_PROXY", fake.proxy_url());
    auth(&fake, PROXY_ONLY_HOST, "env-all").token().unwrap();
    assert_eq!(fake.requests("env-all"), 1);

    std::env::set_var("ALL_PROXY", "socks5://127.0.0.1:1");
    let malformed = auth(&fake, PROXY_ONLY_HOST, "env-bad").token().unwrap_err();
    assert_eq!(malformed.status(), Status::InvalidArgument, "{malformed}");
    assert!(malformed.message().contains("ALL_PROXY"), "{malformed}");
    std::env::remove_var("ALL_PROXY");
}
