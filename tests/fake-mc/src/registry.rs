//! Every token the fake has handed out, whose it is and until when it is good: the API side
//! accepts only these, and attributes each call to the scenario that issued its token (the
//! API lives at the origin root, not under a scenario).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::state::lock;

/// How an API call fared with the token it carried. Each call gets exactly one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A valid token of this scenario.
    Accepted(String),
    /// A valid token of this scenario, refused anyway because of `/_reject`.
    Rejected(String),
    /// A token of this scenario that has expired or was revoked.
    Stale(String),
    /// A token this fake never issued.
    Unknown,
    /// No token at all (or an empty one).
    Missing,
}

impl Verdict {
    pub fn scenario(&self) -> Option<&str> {
        match self {
            Verdict::Accepted(s) | Verdict::Rejected(s) | Verdict::Stale(s) => Some(s),
            Verdict::Unknown | Verdict::Missing => None,
        }
    }
}

struct Issued {
    scenario: String,
    expires_at: Instant,
    revoked: bool,
}

#[derive(Default)]
struct Inner {
    tokens: HashMap<String, Issued>,
    /// Per scenario: how many more calls with a valid token to refuse.
    rejections: HashMap<String, u64>,
}

#[derive(Default)]
pub struct Registry {
    inner: Mutex<Inner>,
}

impl Registry {
    /// Remembers `token` as `scenario`'s, good for `lifetime` from now (zero: never good,
    /// like the token of `body=zero-expiry`).
    pub fn issue(&self, scenario: &str, token: &str, lifetime: Duration) {
        let issued = Issued {
            scenario: scenario.to_string(),
            expires_at: Instant::now() + lifetime,
            revoked: false,
        };
        lock(&self.inner).tokens.insert(token.to_string(), issued);
    }

    /// Revokes every token `scenario` has issued so far; returns how many. Tokens issued
    /// later are good, as after a real package's secret rotation.
    pub fn revoke(&self, scenario: &str) -> u64 {
        let mut inner = lock(&self.inner);
        let mine = inner.tokens.values_mut().filter(|t| t.scenario == scenario);
        let mut count = 0;
        for token in mine.filter(|t| !t.revoked) {
            token.revoked = true;
            count += 1;
        }
        count
    }

    /// The next `n` calls that carry a valid token of `scenario` are refused (replacing any
    /// refusals still pending).
    pub fn reject_next(&self, scenario: &str, n: u64) {
        lock(&self.inner).rejections.insert(scenario.to_string(), n);
    }

    /// Judges the token of one API call, using up a pending rejection if it applies.
    pub fn judge(&self, token: Option<&str>) -> Verdict {
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Verdict::Missing;
        };
        let mut inner = lock(&self.inner);
        let Some(issued) = inner.tokens.get(token) else {
            return Verdict::Unknown;
        };
        let scenario = issued.scenario.clone();
        if issued.revoked || Instant::now() >= issued.expires_at {
            return Verdict::Stale(scenario);
        }
        match inner.rejections.get_mut(&scenario) {
            Some(left) if *left > 0 => {
                *left -= 1;
                Verdict::Rejected(scenario)
            }
            _ => Verdict::Accepted(scenario),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn verdicts() {
        let r = Registry::default();
        assert_eq!(r.judge(None), Verdict::Missing);
        assert_eq!(r.judge(Some("")), Verdict::Missing);
        assert_eq!(r.judge(Some("nope")), Verdict::Unknown);
        r.issue("a", "t1", MINUTE);
        r.issue("b", "t2", Duration::ZERO);
        assert_eq!(r.judge(Some("t1")), Verdict::Accepted("a".into()));
        assert_eq!(r.judge(Some("t2")), Verdict::Stale("b".into()));
        assert_eq!(r.judge(Some("t1")).scenario(), Some("a"));
        assert_eq!(r.judge(Some("x")).scenario(), None);
    }

    #[test]
    fn expiry_uses_the_lifetime() {
        let r = Registry::default();
        r.issue("e", "t", Duration::from_millis(100));
        assert_eq!(r.judge(Some("t")), Verdict::Accepted("e".into()));
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(r.judge(Some("t")), Verdict::Stale("e".into()));
    }

    #[test]
    fn revoke_only_what_was_issued_so_far() {
        let r = Registry::default();
        r.issue("a", "old1", MINUTE);
        r.issue("a", "old2", MINUTE);
        r.issue("b", "other", MINUTE);
        assert_eq!(r.revoke("a"), 2);
        assert_eq!(r.revoke("a"), 0);
        r.issue("a", "new", MINUTE);
        assert_eq!(r.judge(Some("old1")), Verdict::Stale("a".into()));
        assert_eq!(r.judge(Some("new")), Verdict::Accepted("a".into()));
        assert_eq!(r.judge(Some("other")), Verdict::Accepted("b".into()));
    }

    #[test]
    fn reject_next_n_valid_calls_of_that_scenario() {
        let r = Registry::default();
        r.issue("a", "t", MINUTE);
        r.issue("a", "stale", Duration::ZERO);
        r.issue("b", "u", MINUTE);
        r.reject_next("a", 2);
        // Neither a stale token nor another scenario's uses a rejection up.
        assert_eq!(r.judge(Some("stale")), Verdict::Stale("a".into()));
        assert_eq!(r.judge(Some("u")), Verdict::Accepted("b".into()));
        assert_eq!(r.judge(Some("t")), Verdict::Rejected("a".into()));
        assert_eq!(r.judge(Some("t")), Verdict::Rejected("a".into()));
        assert_eq!(r.judge(Some("t")), Verdict::Accepted("a".into()));
        r.reject_next("a", 5);
        r.reject_next("a", 1);
        assert_eq!(r.judge(Some("t")), Verdict::Rejected("a".into()));
        assert_eq!(r.judge(Some("t")), Verdict::Accepted("a".into()));
    }
}
