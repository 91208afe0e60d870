//! What the fake has seen: per-scenario request counts and last requests, and proxy usage.
//! Tests assert on these numbers ("32 threads, exactly 1 request").

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// What a token request looked like, for tests that check the client's headers and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub user_agent: Option<String>,
    pub content_type: Option<String>,
    /// The body as text (lossy for non-UTF-8). It holds the secret: never log it.
    pub body: String,
}

#[derive(Default)]
struct Scenario {
    count: u64,
    last: Option<RecordedRequest>,
}

#[derive(Default)]
struct Proxy {
    count: u64,
    last_authorization: Option<String>,
}

#[derive(Default)]
pub struct State {
    scenarios: Mutex<HashMap<String, Scenario>>,
    proxy: Mutex<Proxy>,
}

/// A panicking request thread must not take the counters down with it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl State {
    /// Records one request to a (normalised) scenario; returns its 1-based index there,
    /// which `fail=` and `drop=` use. Counting and recording under one lock keeps the
    /// index and the count consistent under concurrency.
    pub fn record(&self, scenario: &str, request: RecordedRequest) -> u64 {
        let mut map = lock(&self.scenarios);
        let entry = map.entry(scenario.to_string()).or_default();
        entry.count += 1;
        entry.last = Some(request);
        entry.count
    }

    pub fn count(&self, scenario: &str) -> u64 {
        lock(&self.scenarios).get(scenario).map_or(0, |s| s.count)
    }

    pub fn last(&self, scenario: &str) -> Option<RecordedRequest> {
        lock(&self.scenarios)
            .get(scenario)
            .and_then(|s| s.last.clone())
    }

    /// Records one proxied CONNECT or request. The authorization is that of the latest
    /// request (None if it had none), so a test sees exactly what its own client sent.
    pub fn record_proxy(&self, authorization: Option<String>) {
        let mut p = lock(&self.proxy);
        p.count += 1;
        p.last_authorization = authorization;
    }

    pub fn proxy_count(&self) -> u64 {
        lock(&self.proxy).count
    }

    pub fn last_proxy_authorization(&self) -> Option<String> {
        lock(&self.proxy).last_authorization.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(body: &str) -> RecordedRequest {
        RecordedRequest {
            user_agent: None,
            content_type: None,
            body: body.into(),
        }
    }

    #[test]
    fn counts_and_last() {
        let s = State::default();
        assert_eq!(s.count("a"), 0);
        assert_eq!(s.last("a"), None);
        assert_eq!(s.record("a", req("1")), 1);
        assert_eq!(s.record("a", req("2")), 2);
        assert_eq!(s.count("a"), 2);
        assert_eq!(s.last("a").unwrap().body, "2");
        s.record_proxy(Some("Basic eA==".into()));
        s.record_proxy(None);
        assert_eq!(s.proxy_count(), 2);
        assert_eq!(s.last_proxy_authorization(), None);
    }
}
