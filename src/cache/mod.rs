//! The process-wide token cache.
//!
//! - `registry`: one shared `Entry` per (token URL, client id, client secret).
//! - `Entry` (here): the cached token of one set of credentials.
//! - `thread_copy`: each thread's copy of the token, the lock-free hot path.
//! - `single_flight`: one request at a time per entry, stale-while-refresh.
//! - `cached_token`: the margin and expiry rules.
//!
//! The cache knows nothing of HTTP: callers pass the fetch as a closure.

mod cached_token;
mod registry;
mod single_flight;
mod thread_copy;

pub use registry::{entry_for, release, CacheKey};

use crate::error::Error;
use crate::secret::AccessToken;
use crate::token::IssuedToken;
use cached_token::CachedToken;
use parking_lot::{Condvar, Mutex};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

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
        let read = match thread_copy::read_if_current(generation, margin, coarse_now, read) {
            Ok(value) => return Ok(value),
            Err(read) => read,
        };
        let now = Instant::now();
        let state = self.state.lock();
        if let Some(cached) = &state.token {
            let fresh_until = cached.fresh_until(margin);
            if now < fresh_until {
                let generation = self.generation.load(Ordering::Relaxed);
                let token = cached.token.clone();
                thread_copy::remember(generation, margin, coarse_now, fresh_until - now, token);
                return Ok(read(&cached.token));
            }
        }
        let token = self.token_slow(state, margin, now + timeout, fetch)?;
        Ok(read(&token))
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

    /// Records that the token in `state` changed. Called with the lock held.
    fn token_changed(&self) {
        let next = NEXT_GENERATION.fetch_add(1, Ordering::Relaxed);
        self.generation.store(next, Ordering::Release);
    }

    fn holds_valid_token(&self, now: Instant) -> bool {
        let state = self.state.lock();
        state.in_flight || state.token.as_ref().is_some_and(|t| t.is_valid(now))
    }
}

#[cfg(test)]
mod test_support {
    use super::Entry;
    use crate::secret::AccessToken;
    use crate::token::IssuedToken;
    use std::time::Duration;

    pub const MARGIN: Duration = Duration::from_secs(300);
    pub const TIMEOUT: Duration = Duration::from_secs(30);

    pub fn issued(token: &str, lifetime: Duration) -> IssuedToken {
        IssuedToken {
            token: AccessToken::new(token),
            lifetime,
        }
    }

    /// An entry that already holds `token`, fetched just now.
    pub fn primed(token: &str, lifetime: Duration) -> Entry {
        let entry = Entry::default();
        entry
            .token(MARGIN, TIMEOUT, |_| Ok(issued(token, lifetime)))
            .unwrap();
        entry
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{issued, primed, MARGIN, TIMEOUT};
    use super::*;

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
}
