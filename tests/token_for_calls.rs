//! What integrations need to make calls with a token, against the fake:
//! its remaining life, a cached-only read that never sends, and the
//! generation that tells a binding's copy is stale. (The API addresses:
//! `src/auth_url.rs` for a loopback URL, `enhanced.rs` for the ones an
//! answer names.)

mod common;

use common::*;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn a_token_comes_with_its_remaining_life(kind: Kind) {
    let s = scenario("ttl", "expires=120");
    let auth = kind.auth(&s);
    let (valid_for, fresh_for) = auth
        .with_token(|served| (served.valid_for, served.fresh_for))
        .unwrap();
    assert!(
        (Duration::from_secs(118)..=Duration::from_secs(120)).contains(&valid_for),
        "{valid_for:?}"
    );
    // 120 s is less than twice the default 300 s margin: refreshed half-way.
    assert!(fresh_for <= Duration::from_secs(60), "{fresh_for:?}");
    // A hit from this thread's copy says the same.
    let again = auth.with_token(|served| served.valid_for).unwrap();
    assert!(again <= valid_for && again >= valid_for - Duration::from_secs(2));
}

fn a_cached_only_read_never_sends_a_request(kind: Kind) {
    let s = scenario("cached-only", "");
    let auth = kind.auth(&s);
    assert!(auth.with_cached_token(|_| ()).is_none());
    assert_eq!(kind.requests(&s), 0);
    let token = auth.token().unwrap();
    let cached = auth.with_cached_token(|served| served.token.clone());
    assert_eq!(cached, Some(token.clone()));
    assert!(auth.invalidate(Some(token.as_str())));
    assert!(auth.with_cached_token(|_| ()).is_none());
    assert_eq!(kind.requests(&s), 1);
}

fn the_generation_changes_when_any_handle_changes_the_token(kind: Kind) {
    let s = scenario("generation", "");
    let first = kind.auth(&s);
    let second = kind.auth(&s);
    let (token, generation) = first
        .with_token(|served| (served.token.clone(), served.generation))
        .unwrap();
    assert_eq!(first.token_generation().load(Ordering::Acquire), generation);
    assert_eq!(
        second.token_generation().load(Ordering::Acquire),
        generation
    );
    assert!(second.invalidate(Some(token.as_str())));
    assert_ne!(first.token_generation().load(Ordering::Acquire), generation);
    let renewed = first.with_token(|served| served.generation).unwrap();
    assert_eq!(first.token_generation().load(Ordering::Acquire), renewed);
    assert_eq!(kind.requests(&s), 2);
}

for_both_kinds!(
    a_token_comes_with_its_remaining_life,
    a_cached_only_read_never_sends_a_request,
    the_generation_changes_when_any_handle_changes_the_token,
);
