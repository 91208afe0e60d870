//! The process-wide token cache: one entry per (token URL, client id, client
//! secret), shared by every handle with those credentials, with single-flight
//! fetching and stale-while-refresh inside the refresh margin.
//!
//! The cache knows nothing of HTTP: callers pass the fetch as a closure.

use crate::error::{Error, Status};
use crate::secret::{AccessToken, ClientSecret};
use crate::token_request::IssuedToken;
use once_cell::sync::Lazy;
use parking_lot::{Condvar, Mutex};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// After a failed refresh inside the margin, the next try waits this share
/// of the token's remaining validity (bounded below), so a down server is
/// not asked again on every call.
const REFRESH_RETRY_SHARE: u32 = 8;
const MIN_REFRESH_RETRY: Duration = Duration::from_secs(1);

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: ClientSecret,
}

static REGISTRY: Lazy<Mutex<HashMap<CacheKey, Arc<Entry>>>> = Lazy::new(Default::default);

/// The shared entry for `key`, created empty if there is none. Also forgets
/// entries that no handle uses and whose token has expired, which is where
/// their copy of the secret is wiped.
pub fn entry_for(key: CacheKey) -> Arc<Entry> {
    let mut registry = REGISTRY.lock();
    sweep(&mut registry);
    registry.entry(key).or_default().clone()
}

/// Called when a handle lets go of its entry.
pub fn release(entry: Arc<Entry>) {
    drop(entry);
    sweep(&mut REGISTRY.lock());
}

fn sweep(registry: &mut HashMap<CacheKey, Arc<Entry>>) {
    let now = Instant::now();
    registry.retain(|_, entry| Arc::strong_count(entry) > 1 || entry.holds_valid_token(now));
}

#[derive(Default)]
pub struct Entry {
    state: Mutex<State>,
    flight_done: Condvar,
    /// Names the token now in `state` (a value never used before, by any
    /// entry); changes, under the lock, whenever the token does. Lets a
    /// thread serve its own copy of the token after one atomic load.
    generation: AtomicU64,
}

/// Source of `Entry::generation` values, unique across all entries so that
/// a thread's copy can never be mistaken for another entry's token.
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// This thread's copy of the last token it was served, with its
    /// generation. The hot path reads only this and the entry's generation,
    /// writing nothing shared, so threads do not contend for a lock or a
    /// reference count on every call.
    static RECENT: RefCell<Option<ThreadCopy>> = const { RefCell::new(None) };
}

/// A thread's copy of a token, with when it stops being fresh for the
/// margin it was read with: the hot path then compares two instants instead
/// of doing duration arithmetic.
///
/// `fresh_until` is on the coarse monotonic clock (CLOCK_MONOTONIC_COARSE on
/// Linux): the hot path reads it for a fraction of the precise clock's cost,
/// and a refresh point minutes before expiry needs no better than
/// millisecond resolution.
struct ThreadCopy {
    generation: u64,
    margin: Duration,
    fresh_until: coarsetime::Instant,
    token: AccessToken,
}

/// How much earlier than the precise refresh point a thread's copy stops
/// being used: covers the coarse clock's lag (a kernel tick, at most 10 ms).
const COARSE_CLOCK_SLACK: Duration = Duration::from_millis(20);

#[derive(Default)]
struct State {
    token: Option<CachedToken>,
    /// A request for this entry is under way; everyone else waits or serves
    /// the still-valid token instead of sending another.
    in_flight: bool,
    completed_flights: u64,
    /// The error of the latest flight, handed to the callers that waited on it.
    last_failure: Option<Error>,
    /// After a failed refresh inside the margin: no new try before this.
    next_refresh_try: Option<Instant>,
}

struct CachedToken {
    token: AccessToken,
    fetched_at: Instant,
    lifetime: Duration,
}

impl CachedToken {
    /// When the token stops being served without a refresh: `margin` before
    /// expiry, or half-way for a token that lives less than twice the
    /// margin, so a short-lived token is not fetched on every call.
    fn fresh_until(&self, margin: Duration) -> Instant {
        let refresh_after = if self.lifetime >= margin.saturating_mul(2) {
            self.lifetime - margin
        } else {
            self.lifetime / 2
        };
        self.fetched_at + refresh_after
    }

    fn is_fresh(&self, now: Instant, margin: Duration) -> bool {
        now < self.fresh_until(margin)
    }

    fn is_valid(&self, now: Instant) -> bool {
        now < self.fetched_at + self.lifetime
    }

    fn remaining(&self, now: Instant) -> Duration {
        (self.fetched_at + self.lifetime).saturating_duration_since(now)
    }
}

impl Entry {
    /// The cached token, fetching it with `fetch(deadline)` when needed. Only
    /// one caller fetches at a time; `timeout` bounds this call, waiting for
    /// another caller's fetch included.
    #[cfg(test)]
    fn token(
        &self,
        margin: Duration,
        timeout: Duration,
        fetch: impl FnOnce(Instant) -> Result<IssuedToken, Error>,
    ) -> Result<AccessToken, Error> {
        self.with_token(margin, timeout, fetch, AccessToken::clone)
    }

    /// As `token`, but hands the token to `read` instead of returning it.
    /// On a hit `read` gets this thread's own copy, so a caller that copies
    /// the token pays for a clock read, an atomic load and that copy: this is
    /// the hot path of `mc_get_token`.
    pub fn with_token<R>(
        &self,
        margin: Duration,
        timeout: Duration,
        fetch: impl FnOnce(Instant) -> Result<IssuedToken, Error>,
        read: impl FnOnce(&AccessToken) -> R,
    ) -> Result<R, Error> {
        let coarse_now = coarsetime::Instant::now_without_cache_update();
        let generation = self.generation.load(Ordering::Acquire);
        let mut read = Some(read);
        let hit = RECENT.try_with(|recent| match &*recent.borrow() {
            Some(copy)
                if copy.generation == generation
                    && copy.margin == margin
                    && coarse_now < copy.fresh_until =>
            {
                read.take().map(|read| read(&copy.token))
            }
            _ => None,
        });
        if let Ok(Some(value)) = hit {
            return Ok(value);
        }
        let read = read.expect("`read` runs only on a hit");
        let now = Instant::now();
        let state = self.state.lock();
        if let Some(cached) = &state.token {
            let fresh_until = cached.fresh_until(margin);
            if now < fresh_until {
                let fresh_for = (fresh_until - now).saturating_sub(COARSE_CLOCK_SLACK);
                let copy = ThreadCopy {
                    generation: self.generation.load(Ordering::Relaxed),
                    margin,
                    fresh_until: coarse_now + fresh_for.into(),
                    token: cached.token.clone(),
                };
                // Ignored when the thread is exiting: the next call misses.
                let _ = RECENT.try_with(|recent| *recent.borrow_mut() = Some(copy));
                return Ok(read(&cached.token));
            }
        }
        let token = self.token_slow(state, margin, now + timeout, fetch)?;
        Ok(read(&token))
    }

    /// Records that the token in `state` changed. Called with the lock held.
    fn token_changed(&self) {
        let next = NEXT_GENERATION.fetch_add(1, Ordering::Relaxed);
        self.generation.store(next, Ordering::Release);
    }

    #[cold]
    fn token_slow(
        &self,
        mut state: parking_lot::MutexGuard<'_, State>,
        margin: Duration,
        deadline: Instant,
        fetch: impl FnOnce(Instant) -> Result<IssuedToken, Error>,
    ) -> Result<AccessToken, Error> {
        let fetch = move || fetch(deadline);
        loop {
            let now = Instant::now();
            match &state.token {
                Some(cached) if cached.is_fresh(now, margin) => return Ok(cached.token.clone()),
                Some(cached) if cached.is_valid(now) => {
                    let current = cached.token.clone();
                    let retry_pending = state.next_refresh_try.is_some_and(|t| now < t);
                    if state.in_flight || retry_pending {
                        return Ok(current);
                    }
                    let remaining = cached.remaining(now);
                    return match self.fly(state, fetch) {
                        Ok(fresh) => Ok(fresh),
                        Err(_) => {
                            let mut state = self.state.lock();
                            let retry_in = (remaining / REFRESH_RETRY_SHARE).max(MIN_REFRESH_RETRY);
                            state.next_refresh_try = Some(Instant::now() + retry_in);
                            // Serve the old token only if nobody dropped it
                            // as rejected in the meantime.
                            match &state.token {
                                Some(c) if c.token == current => Ok(current),
                                _ => Err(state.last_failure.clone().unwrap_or_else(|| {
                                    Error::new(Status::Internal, "refresh failed without an error")
                                })),
                            }
                        }
                    };
                }
                _ if state.in_flight => {
                    let seen = state.completed_flights;
                    while state.in_flight && state.completed_flights == seen {
                        if self
                            .flight_done
                            .wait_until(&mut state, deadline)
                            .timed_out()
                        {
                            return Err(Error::new(
                                Status::Timeout,
                                "the time budget ran out while waiting for another thread's token request",
                            ));
                        }
                    }
                    if state.completed_flights != seen {
                        if let Some(error) = &state.last_failure {
                            return Err(error.clone());
                        }
                    }
                }
                _ => return self.fly(state, fetch),
            }
        }
    }

    /// Runs `fetch` as this entry's one flight, without holding the lock, and
    /// publishes the outcome to the waiters.
    fn fly(
        &self,
        mut state: parking_lot::MutexGuard<'_, State>,
        fetch: impl FnOnce() -> Result<IssuedToken, Error>,
    ) -> Result<AccessToken, Error> {
        state.in_flight = true;
        drop(state);
        let started = Instant::now();
        let mut flight = Flight {
            entry: self,
            outcome: None,
        };
        let result = fetch();
        flight.outcome = Some(match &result {
            Ok(issued) => Ok(CachedToken {
                token: issued.token.clone(),
                // The lifetime began when the server answered, after we
                // asked: counting from the request errs on the safe side.
                fetched_at: started,
                lifetime: issued.lifetime,
            }),
            Err(e) => Err(e.clone()),
        });
        drop(flight);
        result.map(|issued| issued.token)
    }

    /// Drops the cached token if it is `rejected` (any token when `None`).
    /// Returns whether a token was dropped.
    pub fn invalidate(&self, rejected: Option<&str>) -> bool {
        let mut state = self.state.lock();
        let matches = match (&state.token, rejected) {
            (Some(_), None) => true,
            (Some(cached), Some(r)) => cached.token.as_str() == r,
            (None, _) => false,
        };
        if matches {
            state.token = None;
            state.next_refresh_try = None;
            self.token_changed();
        }
        matches
    }

    fn holds_valid_token(&self, now: Instant) -> bool {
        let state = self.state.lock();
        state.in_flight || state.token.as_ref().is_some_and(|t| t.is_valid(now))
    }
}

/// Publishes a flight's outcome on drop, so that a panicking fetch still
/// wakes the waiters (with an internal error) instead of leaving the entry
/// in flight forever.
struct Flight<'a> {
    entry: &'a Entry,
    outcome: Option<Result<CachedToken, Error>>,
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        let mut state = self.entry.state.lock();
        state.in_flight = false;
        state.completed_flights += 1;
        match self.outcome.take() {
            Some(Ok(token)) => {
                state.token = Some(token);
                state.last_failure = None;
                state.next_refresh_try = None;
                self.entry.token_changed();
            }
            Some(Err(error)) => state.last_failure = Some(error),
            None => {
                state.last_failure = Some(Error::new(
                    Status::Internal,
                    "the token request panicked (a bug in mcauth)",
                ))
            }
        }
        drop(state);
        self.entry.flight_done.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Barrier;

    const MARGIN: Duration = Duration::from_secs(300);

    const TIMEOUT: Duration = Duration::from_secs(30);

    fn issued(token: &str, lifetime: Duration) -> IssuedToken {
        IssuedToken {
            token: AccessToken::new(token),
            lifetime,
        }
    }

    /// An entry that already holds `token`, fetched just now.
    fn primed(token: &str, lifetime: Duration) -> Entry {
        let entry = Entry::default();
        entry
            .token(MARGIN, TIMEOUT, |_| Ok(issued(token, lifetime)))
            .unwrap();
        entry
    }

    fn key(id: &str) -> CacheKey {
        CacheKey {
            token_url: "https://x/v1/requestToken".into(),
            client_id: id.into(),
            client_secret: ClientSecret::new("s"),
        }
    }

    #[test]
    fn a_cached_token_is_served_without_fetching() {
        let entry = Entry::default();
        let first = entry
            .token(MARGIN, TIMEOUT, |_| {
                Ok(issued("a", Duration::from_secs(3600)))
            })
            .unwrap();
        let second = entry
            .token(MARGIN, TIMEOUT, |_| panic!("must not fetch"))
            .unwrap();
        assert_eq!(first, second);
    }

    #[test]
    fn freshness_respects_margin_and_short_lifetimes() {
        let t0 = Instant::now();
        let at = |secs| t0 + Duration::from_secs(secs);
        let long = CachedToken {
            token: AccessToken::new("a"),
            fetched_at: t0,
            lifetime: Duration::from_secs(3600),
        };
        assert!(long.is_fresh(at(3299), MARGIN));
        assert!(!long.is_fresh(at(3300), MARGIN));
        assert!(long.is_valid(at(3599)));
        assert!(!long.is_valid(at(3600)));
        assert_eq!(long.remaining(at(3000)), Duration::from_secs(600));
        let short = CachedToken {
            token: AccessToken::new("b"),
            fetched_at: t0,
            lifetime: Duration::from_secs(100),
        };
        assert!(short.is_fresh(at(49), MARGIN));
        assert!(!short.is_fresh(at(50), MARGIN));
        assert!(short.is_fresh(at(89), Duration::from_secs(10)));
        assert_eq!(short.remaining(at(200)), Duration::ZERO);
    }

    #[test]
    fn concurrent_cold_callers_share_one_fetch() {
        let entry = Entry::default();
        let fetches = AtomicUsize::new(0);
        let barrier = Barrier::new(16);
        let tokens: Vec<AccessToken> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..16)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        entry
                            .token(MARGIN, TIMEOUT, |_| {
                                fetches.fetch_add(1, Ordering::SeqCst);
                                std::thread::sleep(Duration::from_millis(100));
                                Ok(issued("shared", Duration::from_secs(3600)))
                            })
                            .unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        assert!(tokens.iter().all(|t| t.as_str() == "shared"));
    }

    #[test]
    fn waiters_get_the_flight_error() {
        let entry = Entry::default();
        let barrier = Barrier::new(2);
        let fetches = AtomicUsize::new(0);
        let results: Vec<Result<AccessToken, Error>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        entry.token(MARGIN, TIMEOUT, |_| {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(100));
                            Err(Error::new(Status::Unauthorized, "no"))
                        })
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        assert!(results
            .iter()
            .all(|r| r.as_ref().unwrap_err().status() == Status::Unauthorized));
    }

    #[test]
    fn a_waiter_gives_up_at_its_deadline() {
        let entry = Entry::default();
        std::thread::scope(|s| {
            s.spawn(|| {
                entry.token(MARGIN, TIMEOUT, |_| {
                    std::thread::sleep(Duration::from_millis(500));
                    Ok(issued("slow", Duration::from_secs(3600)))
                })
            });
            std::thread::sleep(Duration::from_millis(100));
            let short = Duration::from_millis(50);
            let err = entry
                .token(MARGIN, short, |_| panic!("must wait"))
                .unwrap_err();
            assert_eq!(err.status(), Status::Timeout);
        });
    }

    #[test]
    fn inside_the_margin_the_old_token_is_served_while_one_refreshes() {
        let entry = primed("old", Duration::from_secs(4));
        std::thread::sleep(Duration::from_millis(2100));
        std::thread::scope(|s| {
            let refresher = s.spawn(|| {
                entry.token(MARGIN, TIMEOUT, |_| {
                    std::thread::sleep(Duration::from_millis(300));
                    Ok(issued("new", Duration::from_secs(4)))
                })
            });
            std::thread::sleep(Duration::from_millis(100));
            let during = entry
                .token(MARGIN, TIMEOUT, |_| panic!("second refresh"))
                .unwrap();
            assert_eq!(during.as_str(), "old");
            assert_eq!(refresher.join().unwrap().unwrap().as_str(), "new");
        });
    }

    #[test]
    fn a_failed_refresh_keeps_the_valid_token_and_backs_off() {
        let entry = primed("old", Duration::from_secs(4));
        std::thread::sleep(Duration::from_millis(2100));
        let fetches = AtomicUsize::new(0);
        for _ in 0..5 {
            let token = entry
                .token(MARGIN, TIMEOUT, |_| {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    Err(Error::new(Status::Http, "HTTP 503"))
                })
                .unwrap();
            assert_eq!(token.as_str(), "old");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn invalidate_drops_only_the_rejected_token() {
        let entry = primed("a", Duration::from_secs(3600));
        assert!(!entry.invalidate(Some("other")));
        assert!(entry.invalidate(Some("a")));
        assert!(!entry.invalidate(Some("a")));
        let b = entry
            .token(MARGIN, TIMEOUT, |_| {
                Ok(issued("b", Duration::from_secs(3600)))
            })
            .unwrap();
        assert_eq!(b.as_str(), "b");
        assert!(entry.invalidate(None));
    }

    #[test]
    fn a_threads_copy_is_never_served_after_the_token_changed() {
        let entry = Entry::default();
        let hour = Duration::from_secs(3600);
        let a = entry
            .token(MARGIN, TIMEOUT, |_| Ok(issued("a", hour)))
            .unwrap();
        // Served from this thread's copy now.
        assert_eq!(entry.token(MARGIN, TIMEOUT, |_| panic!("hit")).unwrap(), a);
        std::thread::scope(|s| {
            s.spawn(|| assert!(entry.invalidate(Some("a"))));
        });
        let b = entry
            .token(MARGIN, TIMEOUT, |_| Ok(issued("b", hour)))
            .unwrap();
        assert_eq!(b.as_str(), "b");
    }

    #[test]
    fn a_threads_copy_is_only_used_with_the_margin_it_was_read_with() {
        let entry = Entry::default();
        let two_secs = Duration::from_secs(2);
        entry
            .token(Duration::ZERO, TIMEOUT, |_| Ok(issued("a", two_secs)))
            .unwrap();
        // Fresh for 2 s with no margin, so this thread's copy says fresh...
        assert_eq!(
            entry
                .token(Duration::ZERO, TIMEOUT, |_| panic!("hit"))
                .unwrap()
                .as_str(),
            "a"
        );
        std::thread::sleep(Duration::from_millis(1100));
        // ...but past half-life the default margin asks for a refresh.
        let b = entry
            .token(MARGIN, TIMEOUT, |_| Ok(issued("b", two_secs)))
            .unwrap();
        assert_eq!(b.as_str(), "b");
    }

    #[test]
    fn a_panicking_fetch_does_not_wedge_the_entry() {
        let entry = Entry::default();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            entry.token(MARGIN, TIMEOUT, |_| panic!("boom"))
        }));
        assert!(caught.is_err());
        let token = entry
            .token(MARGIN, TIMEOUT, |_| {
                Ok(issued("after", Duration::from_secs(3600)))
            })
            .unwrap();
        assert_eq!(token.as_str(), "after");
    }

    #[test]
    fn registry_shares_entries_and_forgets_unused_expired_ones() {
        let a1 = entry_for(key("registry-a"));
        let a2 = entry_for(key("registry-a"));
        let b = entry_for(key("registry-b"));
        assert!(Arc::ptr_eq(&a1, &a2));
        assert!(!Arc::ptr_eq(&a1, &b));
        a1.token(MARGIN, TIMEOUT, |_| {
            Ok(issued("kept", Duration::from_secs(3600)))
        })
        .unwrap();
        release(a1);
        release(a2);
        release(b);
        let registry = REGISTRY.lock();
        assert!(
            registry.contains_key(&key("registry-a")),
            "valid token was forgotten"
        );
        assert!(
            !registry.contains_key(&key("registry-b")),
            "unused entry was kept"
        );
    }
}
