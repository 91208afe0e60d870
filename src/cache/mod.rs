//! The process-wide token cache.
//!
//! - `registry`: one shared `Entry` per (token URL, client id, client secret,
//!   grant).
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

pub use cached_token::refresh_after;
pub use registry::{entry_for, release, CacheKey};

use crate::error::Error;
use crate::fork;
use crate::secret::AccessToken;
use crate::token::{InstanceUrls, IssuedToken};
use cached_token::CachedToken;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// std's lock and condition variable (futexes on Linux), not parking_lot's:
/// a forked child may find them exactly as the parent's threads left them,
/// and they keep no process-wide table of parked threads (see `fork`).
#[derive(Default)]
pub struct Entry {
    state: Mutex<State>,
    flight_done: Condvar,
    /// Names the token now in `state` (a value never used before, by any
    /// entry); changes, under the lock, whenever the token does. Lets a
    /// thread serve its own copy of the token after one atomic load.
    generation: AtomicU64,
    /// The API addresses named by the latest token answer that had them
    /// (enhanced packages), so that every handle sharing the token sees them.
    instance_urls: Mutex<Option<InstanceUrls>>,
}

/// Source of `Entry::generation` values, unique across all entries so that
/// a thread's copy can never be mistaken for another entry's token.
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

#[derive(Default)]
struct State {
    token: Option<CachedToken>,
    /// A request for this entry is under way; everyone else waits or serves
    /// the still-valid token instead of sending another. Only if it was
    /// started in this process (see `flying`).
    in_flight: Option<FlightInfo>,
    completed_flights: u64,
    /// The outcome of the latest flight, handed to the callers that waited
    /// on it: the token it got (even one that expired on the way), or its
    /// error with the deadline it had.
    landed: Option<Result<Snapshot, (Error, Instant)>>,
    /// After a failed refresh inside the margin: no new try before this.
    next_refresh_try: Option<Instant>,
}

#[derive(Clone, Copy)]
struct FlightInfo {
    /// The process generation that started it: a forked child inherits the
    /// flag but not the thread that would clear it.
    fork_generation: u64,
}

impl State {
    /// A request of this process is under way.
    fn flying(&self) -> bool {
        self.in_flight
            .is_some_and(|f| f.fork_generation == fork::generation())
    }
}

/// The entry's state, locked, with the fork gate held for as long (dropped
/// after the state: fields drop in order).
struct Locked<'a> {
    state: MutexGuard<'a, State>,
    _gate: fork::Gate,
}

impl Deref for Locked<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        &self.state
    }
}

impl DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.state
    }
}

/// A token as handed to a caller, with what a caller that keeps its own
/// copy needs to know about it.
#[derive(Clone, Copy, Debug)]
pub struct Served<'a> {
    pub token: &'a AccessToken,
    /// Until the token expires.
    pub valid_for: Duration,
    /// Until the cache would refresh it: zero inside the refresh margin.
    pub fresh_for: Duration,
    /// The entry's generation when the token was read: while
    /// `Entry::generation` still holds this value, the token has been neither
    /// replaced nor invalidated.
    pub generation: u64,
}

/// A served token, owned: what the slow path hands back.
#[derive(Clone)]
struct Snapshot {
    token: AccessToken,
    expires_at: Instant,
    fresh_until: Instant,
    generation: u64,
}

impl Snapshot {
    fn served(&self, now: Instant) -> Served<'_> {
        Served {
            token: &self.token,
            valid_for: self.expires_at.saturating_duration_since(now),
            fresh_for: self.fresh_until.saturating_duration_since(now),
            generation: self.generation,
        }
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
        self.with_token(margin, timeout, fetch, |served| served.token.clone())
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
        read: impl FnOnce(Served<'_>) -> R,
    ) -> Result<R, Error> {
        let (read, state, now) = match self.read_fresh(margin, read) {
            Ok(value) => return Ok(value),
            Err(miss) => miss,
        };
        let snapshot = self.token_slow(state, margin, now + timeout, fetch)?;
        Ok(read(snapshot.served(Instant::now())))
    }

    /// As `with_token`, but never sends a request nor waits for one: `None`
    /// when the call would have to. A still-valid token inside the margin is
    /// served while another caller refreshes it, as `with_token` does.
    pub fn cached_token<R>(
        &self,
        margin: Duration,
        read: impl FnOnce(Served<'_>) -> R,
    ) -> Option<R> {
        let (read, state, now) = match self.read_fresh(margin, read) {
            Ok(value) => return Some(value),
            Err(miss) => miss,
        };
        let retry_pending = state.next_refresh_try.is_some_and(|t| now < t);
        match &state.token {
            Some(cached) if cached.is_valid(now) && (state.flying() || retry_pending) => {
                Some(read(self.served(cached, margin, now)))
            }
            _ => None,
        }
    }

    /// The hot path: this thread's copy, else a fresh cached token under the
    /// lock. On a miss, gives back `read` with the lock held and the time.
    #[allow(clippy::type_complexity)]
    fn read_fresh<R, F: FnOnce(Served<'_>) -> R>(
        &self,
        margin: Duration,
        read: F,
    ) -> Result<R, (F, Locked<'_>, Instant)> {
        let coarse_now = coarsetime::Instant::now_without_cache_update();
        let generation = self.generation.load(Ordering::Acquire);
        let read = match thread_copy::read_if_current(generation, margin, coarse_now, read) {
            Ok(value) => return Ok(value),
            Err(read) => read,
        };
        let now = Instant::now();
        let state = self.lock();
        match &state.token {
            Some(cached) if cached.is_fresh(now, margin) => {
                let served = self.served(cached, margin, now);
                thread_copy::remember(served, margin, coarse_now);
                Ok(read(served))
            }
            _ => Err((read, state, now)),
        }
    }

    /// `cached` as served at `now`. Called with the lock held, so that the
    /// generation is the token's.
    fn served<'a>(&self, cached: &'a CachedToken, margin: Duration, now: Instant) -> Served<'a> {
        Served {
            token: &cached.token,
            valid_for: cached.remaining(now),
            fresh_for: cached.fresh_until(margin).saturating_duration_since(now),
            generation: self.generation.load(Ordering::Relaxed),
        }
    }

    /// As `served`, owned. Called with the lock held.
    fn snapshot(&self, cached: &CachedToken, margin: Duration) -> Snapshot {
        Snapshot {
            token: cached.token.clone(),
            expires_at: cached.fetched_at + cached.lifetime,
            fresh_until: cached.fresh_until(margin),
            generation: self.generation.load(Ordering::Relaxed),
        }
    }

    /// The API addresses of the latest token answer that named them.
    pub fn instance_urls(&self) -> Option<InstanceUrls> {
        let _gate = fork::enter();
        let urls = self
            .instance_urls
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        urls.clone()
    }

    /// Records the API addresses of a token answer, before its token lands.
    pub fn set_instance_urls(&self, urls: InstanceUrls) {
        let _gate = fork::enter();
        *self
            .instance_urls
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(urls);
    }

    /// The generation counter itself, for bindings that keep their own copy
    /// of the token and check, with one load, that it is still current.
    pub fn generation(&self) -> &AtomicU64 {
        &self.generation
    }

    /// Drops the cached token if it is `rejected` (any token when `None`).
    /// Returns the dropped token.
    pub fn invalidate(&self, rejected: Option<&str>) -> Option<AccessToken> {
        let mut state = self.lock();
        let matches = match (&state.token, rejected) {
            (Some(_), None) => true,
            (Some(cached), Some(r)) => cached.token.as_str() == r,
            (None, _) => false,
        };
        if !matches {
            return None;
        }
        state.landed = None;
        state.next_refresh_try = None;
        self.token_changed();
        state.token.take().map(|cached| cached.token)
    }

    /// Records that the token in `state` changed. Called with the lock held.
    fn token_changed(&self) {
        let next = NEXT_GENERATION.fetch_add(1, Ordering::Relaxed);
        self.generation.store(next, Ordering::Release);
    }

    /// Used by the registry, which holds the gate already.
    fn holds_valid_token(&self, gate: &fork::Gate, now: Instant) -> bool {
        let state = self.lock_under(gate);
        state.flying() || state.token.as_ref().is_some_and(|t| t.is_valid(now))
    }

    /// Locks the state, behind the fork gate.
    fn lock(&self) -> Locked<'_> {
        let gate = fork::enter();
        Locked {
            state: self.state.lock().unwrap_or_else(PoisonError::into_inner),
            _gate: gate,
        }
    }

    /// Locks the state for a caller that holds the gate already.
    fn lock_under(&self, _gate: &fork::Gate) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
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
            age: Duration::ZERO,
            instance_urls: None,
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
        assert!(entry.invalidate(Some("other")).is_none());
        assert_eq!(entry.invalidate(Some("a")).unwrap().as_str(), "a");
        assert!(entry.invalidate(Some("a")).is_none());
        let b = entry
            .token(MARGIN, TIMEOUT, |_| {
                Ok(issued("b", Duration::from_secs(3600)))
            })
            .unwrap();
        assert_eq!(b.as_str(), "b");
        assert!(entry.invalidate(None).is_some());
    }
}
