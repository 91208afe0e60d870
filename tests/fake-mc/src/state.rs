//! What the fake has seen: per-scenario request counts and last requests, API calls by
//! outcome, and proxy usage. Tests assert on these numbers ("32 threads, exactly 1 request").

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use crate::registry::{Registry, Verdict};

/// Which token endpoint a request went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenEndpoint {
    /// Legacy packages' `/v1/requestToken`.
    #[default]
    V1,
    /// Enhanced packages' `/v2/token`.
    V2,
}

impl TokenEndpoint {
    pub fn path(self) -> &'static str {
        match self {
            TokenEndpoint::V1 => "/v1/requestToken",
            TokenEndpoint::V2 => "/v2/token",
        }
    }
}

/// What a token request looked like, for tests that check the client's headers and body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordedRequest {
    pub endpoint: TokenEndpoint,
    pub user_agent: Option<String>,
    pub content_type: Option<String>,
    /// The body as text (lossy for non-UTF-8). It holds the secret: never log it.
    pub body: String,
    /// `/v2/token`: the `account_id` JSON number's text as it arrived, if it was a number.
    pub account_id: Option<String>,
    /// `/v2/token`: the `scope` string, if one arrived.
    pub scope: Option<String>,
}

/// Which API a call went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    Soap,
    Rest,
}

/// Counters for one scenario, or for the whole fake. Every API call counts once in
/// `soap_calls` or `rest_calls` and once in exactly one outcome: `accepted`, `rejected`
/// (by `/_reject`), `token_expired` (expired or revoked), and, only in the totals since they
/// belong to no scenario, `unknown_token`, `login_failed` (no token) and `malformed` (a SOAP
/// envelope that is not XML).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub token_requests: u64,
    pub soap_calls: u64,
    pub rest_calls: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub token_expired: u64,
    pub unknown_token: u64,
    pub login_failed: u64,
    pub malformed: u64,
}

impl Stats {
    pub fn api_calls(&self) -> u64 {
        self.soap_calls + self.rest_calls
    }

    fn count_call(&mut self, api: Api) {
        match api {
            Api::Soap => self.soap_calls += 1,
            Api::Rest => self.rest_calls += 1,
        }
    }

    fn count_verdict(&mut self, verdict: &Verdict) {
        match verdict {
            Verdict::Accepted(_) => self.accepted += 1,
            Verdict::Rejected(_) => self.rejected += 1,
            Verdict::Stale(_) => self.token_expired += 1,
            Verdict::Unknown => self.unknown_token += 1,
            Verdict::Missing => self.login_failed += 1,
        }
    }
}

#[derive(Default)]
struct Scenario {
    count: u64,
    last: Option<RecordedRequest>,
    /// Every token request, in arrival order.
    history: Vec<RecordedRequest>,
    /// Only the API counters: `count` is the token requests.
    api: Stats,
}

#[derive(Default)]
struct Proxy {
    count: u64,
    last_authorization: Option<String>,
}

#[derive(Default)]
pub struct State {
    scenarios: Mutex<HashMap<String, Scenario>>,
    /// API counters over all calls, attributed or not.
    api_totals: Mutex<Stats>,
    proxy: Mutex<Proxy>,
    pub tokens: Registry,
}

/// A panicking request thread must not take the counters down with it.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
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
        entry.history.push(request.clone());
        entry.last = Some(request);
        entry.count
    }

    /// Every token request this scenario has seen, in arrival order.
    pub fn history(&self, scenario: &str) -> Vec<RecordedRequest> {
        lock(&self.scenarios)
            .get(scenario)
            .map_or_else(Vec::new, |s| s.history.clone())
    }

    pub fn count(&self, scenario: &str) -> u64 {
        lock(&self.scenarios).get(scenario).map_or(0, |s| s.count)
    }

    pub fn last(&self, scenario: &str) -> Option<RecordedRequest> {
        lock(&self.scenarios)
            .get(scenario)
            .and_then(|s| s.last.clone())
    }

    /// Counts one API call under its token's scenario (if it has one) and in the totals.
    pub fn record_api(&self, api: Api, verdict: &Verdict) {
        if let Some(scenario) = verdict.scenario() {
            let mut map = lock(&self.scenarios);
            let stats = &mut map.entry(scenario.to_string()).or_default().api;
            stats.count_call(api);
            stats.count_verdict(verdict);
        }
        let mut totals = lock(&self.api_totals);
        totals.count_call(api);
        totals.count_verdict(verdict);
    }

    /// Counts one SOAP call whose envelope could not even be parsed.
    pub fn record_malformed_soap(&self) {
        let mut totals = lock(&self.api_totals);
        totals.count_call(Api::Soap);
        totals.malformed += 1;
    }

    pub fn stats(&self, scenario: &str) -> Stats {
        let map = lock(&self.scenarios);
        map.get(scenario).map_or_else(Stats::default, |s| Stats {
            token_requests: s.count,
            ..s.api
        })
    }

    pub fn total_stats(&self) -> Stats {
        // Scenarios before totals, the order `record_api` takes them in: no deadlock.
        let token_requests = lock(&self.scenarios).values().map(|s| s.count).sum();
        Stats {
            token_requests,
            ..*lock(&self.api_totals)
        }
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
            body: body.into(),
            ..RecordedRequest::default()
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
        let bodies: Vec<String> = s.history("a").into_iter().map(|r| r.body).collect();
        assert_eq!(bodies, ["1", "2"]);
        assert!(s.history("b").is_empty());
        s.record_proxy(Some("Basic eA==".into()));
        s.record_proxy(None);
        assert_eq!(s.proxy_count(), 2);
        assert_eq!(s.last_proxy_authorization(), None);
    }

    #[test]
    fn api_stats_per_scenario_and_in_total() {
        let s = State::default();
        s.record("a", req(""));
        s.record_api(Api::Soap, &Verdict::Accepted("a".into()));
        s.record_api(Api::Rest, &Verdict::Rejected("a".into()));
        s.record_api(Api::Rest, &Verdict::Stale("a".into()));
        s.record_api(Api::Rest, &Verdict::Accepted("b".into()));
        s.record_api(Api::Soap, &Verdict::Missing);
        s.record_api(Api::Rest, &Verdict::Unknown);
        s.record_malformed_soap();
        let a = s.stats("a");
        let expected = Stats {
            token_requests: 1,
            soap_calls: 1,
            rest_calls: 2,
            accepted: 1,
            rejected: 1,
            token_expired: 1,
            ..Stats::default()
        };
        assert_eq!(a, expected);
        assert_eq!(a.api_calls(), 3);
        assert_eq!(s.stats("b").token_requests, 0);
        assert_eq!(s.stats("b").accepted, 1);
        assert_eq!(s.stats("never"), Stats::default());
        let total = s.total_stats();
        let expected = Stats {
            token_requests: 1,
            soap_calls: 3,
            rest_calls: 4,
            accepted: 2,
            rejected: 1,
            token_expired: 1,
            unknown_token: 1,
            login_failed: 1,
            malformed: 1,
        };
        assert_eq!(total, expected);
    }
}
