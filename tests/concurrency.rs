//! Thread-safety claims, proven by counting what the server saw.

mod common;

use common::*;
use mcauth::AccessToken;
use std::sync::Barrier;
use std::time::{Duration, Instant};

fn on_threads<T: Send>(n: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let barrier = Barrier::new(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (barrier, work) = (&barrier, &work);
                s.spawn(move || {
                    barrier.wait();
                    work(i)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn thirty_two_threads_on_a_cold_cache_send_one_request(kind: Kind) {
    // The delay keeps the request in flight while every thread arrives.
    let s = scenario("conc-cold", "delay=300");
    let auth = kind.auth(&s);
    let tokens = on_threads(32, |_| auth.token().unwrap());
    assert_eq!(kind.requests(&s), 1);
    assert!(tokens.iter().all(|t| *t == tokens[0]));
}

fn thirty_two_handles_on_thirty_two_threads_send_one_request(kind: Kind) {
    let s = scenario("conc-handles", "delay=300");
    let tokens = on_threads(32, |_| kind.auth(&s).token().unwrap());
    assert_eq!(kind.requests(&s), 1);
    assert!(tokens.iter().all(|t| *t == tokens[0]));
}

fn waiters_share_the_failure_of_the_one_request(kind: Kind) {
    let s = scenario("conc-fail", "delay=300/fail=401x*");
    let auth = kind.auth(&s);
    let results = on_threads(8, |_| auth.token());
    assert!(results.iter().all(|r| r.is_err()));
    assert_eq!(kind.requests(&s), 1);
}

fn sixteen_threads_invalidating_one_stale_token_cause_one_request(kind: Kind) {
    let s = scenario("conc-stale", "delay=200");
    let auth = kind.auth(&s);
    let stale = auth.token().unwrap();
    let tokens: Vec<AccessToken> = on_threads(16, |_| {
        // Each thread got a 401 with `stale` from the REST API.
        auth.invalidate(Some(stale.as_str()));
        auth.token().unwrap()
    });
    assert_eq!(kind.requests(&s), 2);
    assert!(tokens.iter().all(|t| *t == tokens[0] && *t != stale));
}

fn inside_the_margin_one_thread_refreshes_and_the_rest_get_the_valid_token(kind: Kind) {
    // Lifetime 4 s with a large margin: refresh at half-life, 2 s.
    let s = scenario("conc-margin", "expires=4/delay=1500");
    let auth = kind.auth(&s);
    auth.set_refresh_margin(Duration::from_secs(1000));
    let old = auth.token().unwrap();
    std::thread::sleep(Duration::from_millis(2200));

    let results: Vec<(AccessToken, Duration)> = on_threads(8, |i| {
        // Stagger slightly so one thread starts the refresh first.
        std::thread::sleep(Duration::from_millis(20 * i as u64));
        let start = Instant::now();
        (auth.token().unwrap(), start.elapsed())
    });
    let quick: Vec<_> = results
        .iter()
        .filter(|(_, took)| *took < Duration::from_millis(700))
        .collect();
    assert!(
        quick.len() >= 7,
        "only {} of 8 were served at once",
        quick.len()
    );
    assert!(quick.iter().all(|(token, _)| *token == old));
    assert_eq!(kind.requests(&s), 2, "exactly one refresh");
    assert_ne!(auth.token().unwrap(), old);
    assert_eq!(kind.requests(&s), 2);
}

fn a_failed_refresh_inside_the_margin_keeps_serving_and_is_not_retried_per_call(kind: Kind) {
    // The first request succeeds; from the second on, the server is down.
    let s = scenario("conc-refresh-fail", "expires=4/fail=503from2");
    let auth = kind.auth(&s);
    auth.set_refresh_margin(Duration::from_secs(1000));
    auth.set_max_attempts(1).unwrap();
    let old = auth.token().unwrap();
    std::thread::sleep(Duration::from_millis(2200));
    for _ in 0..20 {
        assert_eq!(
            auth.token().unwrap(),
            old,
            "the valid token must still be served"
        );
    }
    assert_eq!(kind.requests(&s), 2, "one failed refresh, not one per call");
}

fn a_caller_whose_budget_outlasts_the_flight_it_joined_tries_again_itself(kind: Kind) {
    // The server answers after 1 s: too late for the 0.5 s caller whose
    // request the 30 s caller joined.
    let s = scenario("conc-budget", "delay=1000");
    let short = kind.auth(&s);
    short.set_timeout(Duration::from_millis(500)).unwrap();
    let long = kind.auth(&s);
    long.set_timeout(Duration::from_secs(30)).unwrap();
    std::thread::scope(|scope| {
        let first = scope.spawn(|| short.token());
        std::thread::sleep(Duration::from_millis(100));
        let second = scope.spawn(|| long.token());
        let first = first.join().unwrap();
        assert_eq!(first.unwrap_err().status(), mcauth::Status::Timeout);
        let second = second.join().unwrap();
        assert!(second.is_ok(), "{second:?}");
    });
    assert_eq!(
        kind.requests(&s),
        2,
        "one request per budget, still one at a time"
    );
}

fn waiters_take_a_token_that_expired_on_the_way_instead_of_each_sending(kind: Kind) {
    // The token's 1 s lifetime is over when the 1.5 s answer arrives.
    let s = scenario("conc-expired-on-arrival", "expires=1/delay=1500");
    let auth = kind.auth(&s);
    let tokens = on_threads(8, |_| auth.token().unwrap());
    assert!(tokens.iter().all(|t| *t == tokens[0]));
    assert_eq!(kind.requests(&s), 1);
}

for_both_kinds!(
    thirty_two_threads_on_a_cold_cache_send_one_request,
    thirty_two_handles_on_thirty_two_threads_send_one_request,
    waiters_share_the_failure_of_the_one_request,
    sixteen_threads_invalidating_one_stale_token_cause_one_request,
    inside_the_margin_one_thread_refreshes_and_the_rest_get_the_valid_token,
    a_failed_refresh_inside_the_margin_keeps_serving_and_is_not_retried_per_call,
    a_caller_whose_budget_outlasts_the_flight_it_joined_tries_again_itself,
    waiters_take_a_token_that_expired_on_the_way_instead_of_each_sending,
);
