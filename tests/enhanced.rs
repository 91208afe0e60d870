//! What only enhanced packages (`/v2/token`) have, against the fake: the
//! grant in the request and in the cache key, the API addresses their
//! answers name, their OAuth errors and throttling. Everything they share
//! with legacy packages is proved for both kinds by the other suites.

mod common;

use common::*;
use mcauth::{Auth, Status};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Barrier;
use std::time::{Duration, Instant};

fn enhanced(s: &str, account_id: Option<&str>, scope: Option<&str>) -> Auth {
    Auth::new_enhanced(&http_base(s), "client-id", SECRET, account_id, scope).unwrap()
}

/// The JSON bodies of every token request of `s`, in arrival order.
fn bodies(s: &str) -> Vec<Value> {
    let seen = FAKE.token_requests(s);
    seen.iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect()
}

#[test]
fn two_business_units_on_32_cold_threads_each_send_exactly_two_requests() {
    let s = scenario("v2-units", "delay=300");
    let barrier = Barrier::new(64);
    let tokens: Vec<(usize, String)> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..64)
            .map(|i| {
                let (barrier, s) = (&barrier, &s);
                scope.spawn(move || {
                    let unit = i % 2;
                    // A handle per thread: the cache, not the handle, is shared.
                    let auth = enhanced(s, Some(["510000123", "510000456"][unit]), None);
                    barrier.wait();
                    (unit, auth.token().unwrap().as_str().to_owned())
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(Kind::Enhanced.requests(&s), 2);
    let per_unit: Vec<BTreeSet<&str>> = (0..2)
        .map(|u| {
            let mine = tokens.iter().filter(|(unit, _)| *unit == u);
            mine.map(|(_, t)| t.as_str()).collect()
        })
        .collect();
    assert!(per_unit.iter().all(|t| t.len() == 1), "{per_unit:?}");
    assert_ne!(
        per_unit[0], per_unit[1],
        "two business units shared a token"
    );
    let mut sent = bodies(&s);
    sent.sort_by_key(|b| b["account_id"].as_u64());
    let expected = |mid: u64| {
        json!({"grant_type": "client_credentials", "client_id": "client-id",
               "client_secret": SECRET, "account_id": mid})
    };
    assert_eq!(sent, [expected(510000123), expected(510000456)]);
}

#[test]
fn the_api_addresses_are_the_latest_answers_instance_urls() {
    // The answer names the fake as `localhost`; the handle reached it as 127.0.0.1.
    let s = scenario("v2-instance", "instance=localhost");
    let auth = enhanced(&s, None, None);
    let origin = FAKE.http_url().replace("127.0.0.1", "localhost");
    // A loopback URL names no tenant: the first call gets a token to learn them.
    assert_eq!(auth.rest_base_url().unwrap(), format!("{origin}/"));
    assert_eq!(Kind::Enhanced.requests(&s), 1);
    assert_eq!(
        auth.soap_endpoint().unwrap(),
        format!("{origin}/Service.asmx")
    );
    // Another handle reusing the cached token sees them, without a request.
    let other = enhanced(&s, None, None);
    assert_eq!(other.rest_base_url().unwrap(), format!("{origin}/"));
    assert_eq!(Kind::Enhanced.requests(&s), 1);
    // A legacy handle on the same URL derives its own, and sends nothing.
    let legacy = Auth::new(&http_base(&s), "client-id", SECRET).unwrap();
    assert_eq!(
        legacy.rest_base_url().unwrap(),
        format!("{}/", FAKE.http_url())
    );
    assert_eq!(FAKE.requests(&s), 1);
}

#[test]
fn a_hostile_instance_url_is_refused_and_never_used() {
    for (directive, evil) in [
        ("instance=evil-http", "http://evil.example/"),
        ("instance=evil-https", "https://evil.example/"),
    ] {
        let s = scenario("v2-evil", directive);
        let auth = enhanced(&s, None, None);
        let err = auth.token().unwrap_err();
        assert_eq!(err.status(), Status::BadResponse, "{err}");
        assert!(err.message().contains(&format!("'{evil}'")), "{err}");
        assert!(err.message().contains("instance_url"), "{err}");
        assert!(!err.message().contains("fake_") && !err.message().contains(SECRET));
        assert_eq!(
            Kind::Enhanced.requests(&s),
            1,
            "a bad answer is not retried"
        );
        // Not cached, so not served: the next call asks again, and fails again.
        assert!(auth.with_cached_token(|_| ()).is_none());
        let again = auth.rest_base_url().unwrap_err();
        assert_eq!(again.status(), Status::BadResponse, "{again}");
        assert!(auth.soap_endpoint().is_err());
        assert_eq!(Kind::Enhanced.requests(&s), 3);
    }
}

#[test]
fn each_v2_error_maps_to_its_status_quoting_the_server_and_never_the_secret() {
    for (directive, status, error, said) in [
        (
            "invalid_client",
            Status::Unauthorized,
            "invalid_client",
            "Invalid client ID. Use the client ID in Marketing Cloud Installed Packages.",
        ),
        (
            "unauthorized_client",
            Status::Unauthorized,
            "unauthorized_client",
            "The client is not authorized",
        ),
        (
            "unsupported_grant_type",
            Status::Http,
            "unsupported_grant_type",
            "Use client_credentials",
        ),
        (
            "invalid_grant",
            Status::Http,
            "invalid_grant",
            "The account_id is not accessible",
        ),
        (
            "invalid_scope",
            Status::Http,
            "invalid_scope",
            "The requested scope is invalid.",
        ),
    ] {
        let s = scenario("v2-error", &format!("v2-error={directive}"));
        let err = enhanced(&s, Some("42"), Some("email_read"))
            .token()
            .unwrap_err();
        assert_eq!(err.status(), status, "{err}");
        let m = err.message();
        assert!(m.contains(&format!("error \"{error}\": \"{said}")), "{m}");
        assert!(m.contains("account_id 42"), "{m}");
        assert!(!m.contains(SECRET) && !m.contains("mc_auth_new"), "{m}");
        assert_eq!(Kind::Enhanced.requests(&s), 1, "{directive} is not retried");
    }
}

#[test]
fn each_kind_of_package_on_the_other_endpoint_is_told_which_constructor_to_use() {
    let s = scenario("v2-legacy-package", "v2-error=legacy-package");
    let err = enhanced(&s, None, None).token().unwrap_err();
    assert_eq!(err.status(), Status::Unauthorized);
    assert!(err.message().contains("/v1/requestToken"), "{err}");
    assert!(
        err.message()
            .contains("create the handle with mc_auth_new,"),
        "{err}"
    );
    let s = scenario("v1-enhanced-package", "enhanced");
    let err = Kind::Legacy.auth(&s).token().unwrap_err();
    assert_eq!(err.status(), Status::Unauthorized);
    assert!(err.message().contains("/v2/token"), "{err}");
    assert!(err.message().contains("10007"), "{err}");
    assert!(err.message().contains("mc_auth_new_enhanced"), "{err}");
}

#[test]
fn blocked_requests_without_retry_after_back_off_with_jitter_inside_the_budget() {
    // 50200, no Retry-After: backoffs of 100-200 ms, then 200-400 ms.
    let s = scenario("v2-blocked", "throttle=50200x2");
    let start = Instant::now();
    assert!(enhanced(&s, None, None).token().is_ok());
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(Kind::Enhanced.requests(&s), 3);

    // Always blocked: a 1 s budget, up to 10 attempts allowed, holds only a few.
    let s = scenario("v2-blocked-always", "throttle=50200");
    let auth = enhanced(&s, None, None);
    auth.set_max_attempts(10).unwrap();
    auth.set_timeout(Duration::from_secs(1)).unwrap();
    let start = Instant::now();
    let err = auth.token().unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(err.status(), Status::Http, "{err}");
    let m = err.message();
    assert!(
        m.contains("\"Your requests are temporarily blocked.\" (errorcode 50200)"),
        "{m}"
    );
    assert!(m.contains("no time budget left"), "{m}");
    assert!((2..=4).contains(&Kind::Enhanced.requests(&s)), "hammered");
}
