//! The happy path against the fake server, over HTTP and HTTPS.

mod common;

use common::*;
use std::time::Duration;

#[test]
fn gets_a_token_over_http_with_the_documented_request() {
    let s = scenario("flow-http", "");
    let token = http_auth(&s).token().unwrap();
    assert!(token.as_str().starts_with("fake_"), "{token:?}");
    assert_eq!(requests(&s), 1);

    let seen = FAKE.last_request(&s).expect("the request was recorded");
    let body: serde_json::Value = serde_json::from_str(&seen.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"clientId": "client-id", "clientSecret": SECRET})
    );
    assert_eq!(seen.content_type.as_deref(), Some("application/json"));
    let agent = seen.user_agent.unwrap();
    assert!(
        agent.starts_with(&format!("mcauth/{}", env!("CARGO_PKG_VERSION"))),
        "{agent}"
    );
}

fn gets_a_token_over_https_with_the_test_ca(kind: Kind) {
    let s = scenario("flow-https", "");
    let auth = kind.auth_at(&https_base(&s), "client-id", SECRET).unwrap();
    auth.set_ca_file(FAKE.ca_file()).unwrap();
    assert!(!auth.token().unwrap().as_str().is_empty());
    assert_eq!(kind.requests(&s), 1);
}

fn creating_a_handle_sends_nothing(kind: Kind) {
    let s = scenario("flow-new", "");
    let _auth = kind.auth(&s);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(kind.requests(&s), 0);
}

fn handles_with_the_same_credentials_share_one_token(kind: Kind) {
    let s = scenario("flow-shared", "");
    let first = kind.auth(&s).token().unwrap();
    for _ in 0..50 {
        // A handle per operation, as careless callers do.
        assert_eq!(kind.auth(&s).token().unwrap(), first);
    }
    assert_eq!(kind.requests(&s), 1);
}

fn different_credentials_never_share(kind: Kind) {
    let s = scenario("flow-distinct", "");
    let base = http_base(&s);
    let a = kind
        .auth_at(&base, "client-a", SECRET)
        .unwrap()
        .token()
        .unwrap();
    let b = kind
        .auth_at(&base, "client-b", SECRET)
        .unwrap()
        .token()
        .unwrap();
    let c = kind
        .auth_at(&base, "client-a", "another-secret")
        .unwrap()
        .token()
        .unwrap();
    assert_ne!(a, b);
    assert_ne!(a, c);
    assert_ne!(b, c);
    assert_eq!(kind.requests(&s), 3);
}

fn the_same_credentials_at_another_url_never_share(kind: Kind) {
    let (s1, s2) = (scenario("flow-url-a", ""), scenario("flow-url-b", ""));
    let a = kind.auth(&s1).token().unwrap();
    let b = kind.auth(&s2).token().unwrap();
    assert_ne!(a, b);
    assert_eq!((kind.requests(&s1), kind.requests(&s2)), (1, 1));
}

fn a_short_lived_token_is_not_fetched_on_every_call(kind: Kind) {
    let s = scenario("flow-short", "expires=2");
    let auth = kind.auth(&s);
    let first = auth.token().unwrap();
    for _ in 0..20 {
        assert_eq!(auth.token().unwrap(), first);
    }
    assert_eq!(kind.requests(&s), 1);
}

fn an_expired_token_is_replaced(kind: Kind) {
    let s = scenario("flow-expire", "expires=1");
    let auth = kind.auth(&s);
    auth.set_refresh_margin(Duration::ZERO);
    let first = auth.token().unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    let second = auth.token().unwrap();
    assert_ne!(first, second);
    assert_eq!(kind.requests(&s), 2);
}

fn the_soap_header_wraps_the_cached_token(kind: Kind) {
    // Tokens with XML's specials: how they are escaped is src/soap.rs's to prove.
    let s = scenario("flow-soap", "xml-token");
    let auth = kind.auth(&s);
    let header = auth.soap_header().unwrap();
    let token = auth.token().unwrap();
    assert!(token.as_str().contains('<') && token.as_str().contains('&'));
    assert_eq!(header, mcauth::fueloauth_header(token.as_str()).unwrap());
    assert_eq!(kind.requests(&s), 1);
}

fn invalidate_replaces_only_the_rejected_token(kind: Kind) {
    let s = scenario("flow-invalidate", "");
    let auth = kind.auth(&s);
    let first = auth.token().unwrap();
    assert!(!auth.invalidate(Some("some-other-token")));
    assert_eq!(auth.token().unwrap(), first);
    assert!(auth.invalidate(Some(first.as_str())));
    let second = auth.token().unwrap();
    assert_ne!(first, second);
    assert!(auth.invalidate(None));
    let third = auth.token().unwrap();
    assert_ne!(second, third);
    assert_eq!(kind.requests(&s), 3);
}

fn invalidate_reaches_every_handle_and_a_late_one_keeps_the_new_token(kind: Kind) {
    let s = scenario("flow-invalidate-shared", "");
    let (auth, other) = (kind.auth(&s), kind.auth(&s));
    let first = auth.token().unwrap();
    // Another handle with the same credentials drops the one shared token.
    assert!(other.invalidate(Some(first.as_str())));
    let second = auth.token().unwrap();
    assert_ne!(first, second);
    // A second caller that was rejected with the old token must not drop the new one.
    assert!(!auth.invalidate(Some(first.as_str())));
    assert_eq!(other.token().unwrap(), second);
    assert_eq!(kind.requests(&s), 2);
}

for_both_kinds!(
    gets_a_token_over_https_with_the_test_ca,
    creating_a_handle_sends_nothing,
    handles_with_the_same_credentials_share_one_token,
    different_credentials_never_share,
    the_same_credentials_at_another_url_never_share,
    a_short_lived_token_is_not_fetched_on_every_call,
    an_expired_token_is_replaced,
    the_soap_header_wraps_the_cached_token,
    invalidate_replaces_only_the_rejected_token,
    invalidate_reaches_every_handle_and_a_late_one_keeps_the_new_token,
);
