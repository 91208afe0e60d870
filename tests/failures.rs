//! Every failure mode of the fake server, its status, its retries, and a
//! message that never holds the secret or a token.

mod common;

use common::*;
use mcauth::{Error, Status};
use std::time::{Duration, Instant};

fn fail(kind: Kind, s: &str) -> Error {
    revealing_nothing(kind.auth(s).token().expect_err("the call must fail"))
}

fn revealing_nothing(err: Error) -> Error {
    assert!(!err.message().contains(SECRET), "{err}");
    assert!(!err.to_string().contains("fake_"), "a token leaked: {err}");
    err
}

/// Scenario → what the caller gets → how many requests the fake saw: which
/// answers are retried, which end the call at once, which are recovered from.
fn each_answer_ends_in_its_status_after_its_attempts(kind: Kind) {
    use Status::{BadResponse, Http, Network, Unauthorized};
    #[rustfmt::skip]
    let answers = [
        // (what the server does, directives, the caller gets, requests seen)
        ("a 403 refuses the credentials",   "fail=403x*",           Err(Unauthorized), 1),
        ("a 400 is final",                  "fail=400x*",           Err(Http),         1),
        ("500s are retried, 4 attempts",    "fail=500x*",           Err(Http),         4),
        ("two 503s are recovered from",     "fail=503x2",           Ok(()),            3),
        ("drops are retried, 4 attempts",   "drop=*",               Err(Network),      4),
        ("one drop is recovered from",      "drop=1",               Ok(()),            2),
        // Malformed answers: bad responses, never retried.
        ("an answer that is not JSON",      "body=garbage",         Err(BadResponse),  1),
        ("an answer without a token",       "body=no-token",        Err(BadResponse),  1),
        ("an empty token",                  "body=empty-token",     Err(BadResponse),  1),
        ("a lifetime of 0",                 "body=zero-expiry",     Err(BadResponse),  1),
        ("a lifetime as a string",          "body=string-expiry",   Err(BadResponse),  1),
        ("a negative lifetime",             "body=negative-expiry", Err(BadResponse),  1),
        ("an array, not an object",         "body=not-object",      Err(BadResponse),  1),
        ("an answer of 1 MiB",              "body=oversize",        Err(BadResponse),  1),
        ("a head of 20 KB (over 16 KiB)",   "head-padding=20000",   Err(BadResponse),  1),
        // A head of 15 KB is read: cookies and proxies can make a long one.
        ("a head of 15 KB",                 "head-padding=15000",   Ok(()),            1),
    ];
    for (name, directives, expected, attempts) in answers {
        let s = scenario("fail-answer", directives);
        let outcome = kind.auth(&s).token().map(drop);
        let outcome = outcome.map_err(|err| revealing_nothing(err).status());
        assert_eq!(outcome, expected, "{name} ({directives})");
        assert_eq!(kind.requests(&s), attempts, "{name} ({directives})");
    }
}

fn bad_credentials_are_unauthorized_with_the_server_detail_and_not_retried(kind: Kind) {
    let s = scenario("fail-401", "");
    let auth = kind
        .auth_at(&http_base(&s), "client-id", "wrong-secret-1234")
        .unwrap();
    let err = auth.token().unwrap_err();
    assert_eq!(err.status(), Status::Unauthorized);
    assert!(err.message().contains("HTTP 401"), "{err}");
    let detail = match kind {
        Kind::Legacy => ["\"Unauthorized\"", "errorcode 1"],
        Kind::Enhanced => ["error \"invalid_client\"", "Client authentication failed"],
    };
    assert!(detail.iter().all(|d| err.message().contains(d)), "{err}");
    assert!(!err.message().contains("wrong-secret-1234"));
    assert_eq!(kind.requests(&s), 1);
}

fn max_attempts_is_configurable(kind: Kind) {
    let s = scenario("fail-attempts", "fail=500x*");
    let auth = kind.auth(&s);
    auth.set_max_attempts(2).unwrap();
    assert_eq!(auth.token().unwrap_err().status(), Status::Http);
    assert_eq!(kind.requests(&s), 2);
}

fn throttling_honours_retry_after(kind: Kind) {
    let s = scenario("fail-429", "fail=429x1/retry-after=1");
    let start = Instant::now();
    assert!(kind.auth(&s).token().is_ok());
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "Retry-After was not honoured"
    );
    assert_eq!(kind.requests(&s), 2);
}

fn a_retry_after_longer_than_the_budget_ends_the_call_at_once(kind: Kind) {
    let s = scenario("fail-429-long", "fail=429x*/retry-after=60");
    let auth = kind.auth(&s);
    auth.set_timeout(Duration::from_secs(5)).unwrap();
    let start = Instant::now();
    let err = auth.token().unwrap_err();
    assert_eq!(err.status(), Status::Http);
    assert!(err.message().contains("Retry-After"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(kind.requests(&s), 1);
}

fn a_closed_port_is_a_network_error(kind: Kind) {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let auth = kind
        .auth_at(&format!("http://127.0.0.1:{port}/"), "id", SECRET)
        .unwrap();
    auth.set_max_attempts(1).unwrap();
    assert_eq!(auth.token().unwrap_err().status(), Status::Network);
}

fn a_slow_server_hits_the_time_budget(kind: Kind) {
    let s = scenario("fail-slow", "delay=3000");
    let auth = kind.auth(&s);
    auth.set_timeout(Duration::from_millis(300)).unwrap();
    let start = Instant::now();
    let err = auth.token().unwrap_err();
    assert_eq!(err.status(), Status::Timeout, "{err}");
    assert!(start.elapsed() < Duration::from_millis(2500));
    assert_eq!(
        kind.requests(&s),
        1,
        "a timeout is not retried past the budget"
    );
}

fn the_budget_covers_retries_and_backoff(kind: Kind) {
    let s = scenario("fail-budget", "fail=503x*/delay=150");
    let auth = kind.auth(&s);
    auth.set_timeout(Duration::from_millis(400)).unwrap();
    auth.set_max_attempts(10).unwrap();
    let start = Instant::now();
    let err = auth.token().unwrap_err();
    assert!(
        matches!(err.status(), Status::Http | Status::Timeout),
        "{err}"
    );
    assert!(start.elapsed() < Duration::from_millis(1500));
    assert!(kind.requests(&s) < 10);
}

fn a_backoff_that_does_not_fit_the_budget_ends_with_the_last_attempts_status(kind: Kind) {
    // No Retry-After: the backoff after the first 503 (100-200 ms) fits a
    // 250 ms budget, the one after the second (200-400 ms) never does; the
    // status names the cause, not TIMEOUT.
    let s = scenario("fail-backoff-budget", "fail=503x*");
    let auth = kind.auth(&s);
    auth.set_timeout(Duration::from_millis(250)).unwrap();
    let err = auth.token().unwrap_err();
    assert_eq!(err.status(), Status::Http, "{err}");
    assert!(err.message().contains("no time budget left"), "{err}");
    assert!(kind.requests(&s) < 4);
}

fn redirects_are_refused_and_the_secret_is_not_resent(kind: Kind) {
    let s = scenario("fail-redirect", "redirect");
    let err = fail(kind, &s);
    assert_eq!(err.status(), Status::Http);
    assert!(err.message().contains("redirect"), "{err}");
    assert_eq!(kind.requests(&s), 1);
    assert_eq!(kind.requests(&format!("{s}/redirected")), 0);
}

for_both_kinds!(
    each_answer_ends_in_its_status_after_its_attempts,
    bad_credentials_are_unauthorized_with_the_server_detail_and_not_retried,
    max_attempts_is_configurable,
    throttling_honours_retry_after,
    a_retry_after_longer_than_the_budget_ends_the_call_at_once,
    a_closed_port_is_a_network_error,
    a_slow_server_hits_the_time_budget,
    the_budget_covers_retries_and_backoff,
    a_backoff_that_does_not_fit_the_budget_ends_with_the_last_attempts_status,
    redirects_are_refused_and_the_secret_is_not_resent,
);
