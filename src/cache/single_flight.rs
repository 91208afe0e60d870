//! Single flight: when the token is missing or due for a refresh, one caller
//! sends the request and every concurrent caller waits for it (or, inside the
//! refresh margin, keeps getting the still-valid token at once).

use super::cached_token::CachedToken;
use super::{Entry, FlightInfo, Locked, Snapshot};
use crate::error::{Error, Status};
use crate::fork;
use crate::token::IssuedToken;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

/// After a failed refresh inside the margin, the next try waits this share
/// of the token's remaining validity (bounded below), so a down server is
/// not asked again on every call.
const REFRESH_RETRY_SHARE: u32 = 8;
const MIN_REFRESH_RETRY: Duration = Duration::from_secs(1);

impl Entry {
    /// The path of every call that found no fresh token: wait for the flight
    /// under way, start one, or serve the valid token while one refreshes.
    ///
    /// A caller that waited for another's flight takes its outcome: the
    /// token it got, even one that expired on the way (waiters do not each
    /// send a request of their own), or its error. One exception: when that
    /// flight failed for lack of time or attempts (a timeout, a network
    /// error, a 5xx or 429 retried to the end) and this caller's budget
    /// outlasts the flight's, the caller tries again with its own budget,
    /// as a new single flight.
    #[cold]
    pub(super) fn token_slow<'a>(
        &'a self,
        mut state: Locked<'a>,
        margin: Duration,
        deadline: Instant,
        fetch: impl FnOnce(Instant) -> Result<IssuedToken, Error>,
    ) -> Result<Snapshot, Error> {
        let fetch = move || fetch(deadline);
        loop {
            let now = Instant::now();
            match &state.token {
                Some(cached) if cached.is_fresh(now, margin) => {
                    return Ok(self.snapshot(cached, margin))
                }
                Some(cached) if cached.is_valid(now) => {
                    let current = self.snapshot(cached, margin);
                    let retry_pending = state.next_refresh_try.is_some_and(|t| now < t);
                    if state.flying() || retry_pending {
                        return Ok(current);
                    }
                    let remaining = cached.remaining(now);
                    return self.refresh(state, margin, deadline, fetch, current, remaining);
                }
                _ if state.flying() => {
                    let seen = state.completed_flights;
                    while state.flying() && state.completed_flights == seen {
                        let timed_out;
                        (state, timed_out) = self.wait_for_flight(state, deadline);
                        if timed_out {
                            return Err(Error::new(
                                Status::Timeout,
                                "the time budget ran out while waiting for another thread's token request",
                            ));
                        }
                    }
                    if state.completed_flights != seen {
                        match &state.landed {
                            Some(Ok(snapshot)) => return Ok(snapshot.clone()),
                            Some(Err((error, flight_deadline)))
                                if !(error.is_transient() && deadline > *flight_deadline) =>
                            {
                                return Err(error.clone())
                            }
                            _ => {}
                        }
                    }
                }
                _ => return self.fly(state, margin, deadline, fetch),
            }
        }
    }

    /// Waits until a flight lands or `deadline`, without the gate (a fork
    /// must not wait for this). Gives the state back locked, behind the gate
    /// again, and whether the deadline passed.
    fn wait_for_flight<'a>(&'a self, locked: Locked<'a>, deadline: Instant) -> (Locked<'a>, bool) {
        let Locked { state, _gate } = locked;
        drop(_gate);
        let timeout = deadline.saturating_duration_since(Instant::now());
        let (state, result) = self
            .flight_done
            .wait_timeout(state, timeout)
            .unwrap_or_else(PoisonError::into_inner);
        // Gate before lock, always: re-take both in that order.
        drop(state);
        (self.lock(), result.timed_out())
    }

    /// Refreshes a still-valid token. On failure the valid token keeps being
    /// served (unless someone dropped it as rejected meanwhile) and the next
    /// try waits a share of its remaining life.
    fn refresh(
        &self,
        state: Locked<'_>,
        margin: Duration,
        deadline: Instant,
        fetch: impl FnOnce() -> Result<IssuedToken, Error>,
        current: Snapshot,
        remaining: Duration,
    ) -> Result<Snapshot, Error> {
        let error = match self.fly(state, margin, deadline, fetch) {
            Ok(fresh) => return Ok(fresh),
            Err(error) => error,
        };
        let mut state = self.lock();
        let retry_in = (remaining / REFRESH_RETRY_SHARE).max(MIN_REFRESH_RETRY);
        state.next_refresh_try = Some(Instant::now() + retry_in);
        match &state.token {
            Some(c) if c.token == current.token => Ok(current),
            _ => Err(error),
        }
    }

    /// Runs `fetch` as this entry's one flight, without holding the lock or
    /// the gate, and publishes the outcome to the waiters.
    fn fly(
        &self,
        mut state: Locked<'_>,
        margin: Duration,
        deadline: Instant,
        fetch: impl FnOnce() -> Result<IssuedToken, Error>,
    ) -> Result<Snapshot, Error> {
        state.in_flight = Some(FlightInfo {
            fork_generation: fork::generation(),
        });
        drop(state);
        let started = Instant::now();
        let flight = Flight {
            entry: self,
            deadline,
            landed: false,
        };
        let outcome = fetch().map(|issued| {
            // A token from a shared cache keeps its own age, so that the
            // margin rules see the lifetime it was issued with.
            let (fetched_at, lifetime) = match started.checked_sub(issued.age) {
                Some(issued_at) => (issued_at, issued.lifetime),
                None => (started, issued.lifetime.saturating_sub(issued.age)),
            };
            CachedToken {
                token: issued.token,
                fetched_at,
                lifetime,
            }
        });
        flight.land(outcome, margin)
    }
}

/// A flight under way. Landing publishes its outcome to the waiters; a
/// flight dropped without landing (its fetch panicked) publishes an internal
/// error instead of leaving the entry in flight forever.
struct Flight<'a> {
    entry: &'a Entry,
    deadline: Instant,
    landed: bool,
}

impl Flight<'_> {
    fn land(
        mut self,
        outcome: Result<CachedToken, Error>,
        margin: Duration,
    ) -> Result<Snapshot, Error> {
        self.landed = true;
        let entry = self.entry;
        let mut state = entry.lock();
        state.in_flight = None;
        state.completed_flights += 1;
        let result = match outcome {
            Ok(token) => {
                state.next_refresh_try = None;
                entry.token_changed();
                let snapshot = entry.snapshot(&token, margin);
                state.token = Some(token);
                state.landed = Some(Ok(snapshot.clone()));
                Ok(snapshot)
            }
            Err(error) => {
                state.landed = Some(Err((error.clone(), self.deadline)));
                Err(error)
            }
        };
        drop(state);
        entry.flight_done.notify_all();
        result
    }
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        if self.landed {
            return;
        }
        let mut state = self.entry.lock();
        state.in_flight = None;
        state.completed_flights += 1;
        let error = Error::new(
            Status::Internal,
            "the token request panicked (a bug in mcauth)",
        );
        state.landed = Some(Err((error, self.deadline)));
        drop(state);
        self.entry.flight_done.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use crate::cache::test_support::{issued, primed, MARGIN, TIMEOUT};
    use crate::cache::Entry;
    use crate::error::{Error, Status};
    use crate::secret::AccessToken;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Barrier;
    use std::time::Duration;

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
}
