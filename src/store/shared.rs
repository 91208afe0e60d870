//! Single flight across processes. A process that has no fresh token in
//! memory (and is its process's one caller fetching it: `cache`'s single
//! flight) reads the store; on a miss it takes the store's lock, reads again
//! and only then requests, and stores what it got. A process that finds the
//! lock taken waits for the holder's token, reading the store between tries,
//! for at most half of its budget, and then requests on its own with the
//! other half.
//!
//! Every store failure is a miss: the caller requests its own token as if
//! there were no store, and the failure is kept for diagnostics.

use super::sealed::{Sealer, StoredToken};
use super::{Store, StoreError, StoreResult, StoreUrl};
use crate::cache::refresh_after;
use crate::error::Error;
use crate::http::tls::TrustRoots;
use crate::token::IssuedToken;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// The first wait for a held lock, doubled up to `MAX_LOCK_POLL`: a token
/// request takes tens to hundreds of milliseconds.
const FIRST_LOCK_POLL: Duration = Duration::from_millis(5);
const MAX_LOCK_POLL: Duration = Duration::from_millis(50);

/// One handle's shared cache: a store, and the name and key of the
/// handle's credentials in it.
pub struct SharedCache {
    url: StoreUrl,
    store: Arc<dyn Store>,
    sealer: Sealer,
}

impl SharedCache {
    pub fn new(url: StoreUrl, roots: &TrustRoots, sealer: Sealer) -> SharedCache {
        let store = url.open(roots);
        SharedCache { url, store, sealer }
    }

    /// The token, from the store or requested with `request` (by this
    /// process for all of them when it can take the lock). Problems with
    /// the store go to `problem` (the last one), never to the result.
    pub fn fetch(
        &self,
        margin: Duration,
        deadline: Instant,
        request: impl FnOnce(Instant) -> Result<IssuedToken, Error>,
        problem: &mut Option<StoreError>,
    ) -> Result<IssuedToken, Error> {
        match self.fresh_stored(margin, deadline, problem) {
            Ok(Some(stored)) => return Ok(stored),
            Ok(None) => {}
            // The rule after a failure: request alone, and store the token
            // unless a read just failed and no process waits on this call
            // (it holds no lock): that write would only cost its caller time.
            Err(e) => return self.request_alone(e, deadline, request, false, problem),
        }
        let wait_until = Instant::now() + deadline.saturating_duration_since(Instant::now()) / 2;
        let mut pause = FIRST_LOCK_POLL;
        loop {
            let lease = deadline
                .saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1));
            match self.store.try_lock(self.sealer.name(), lease, deadline) {
                Ok(Some(_lock)) => {
                    match self.fresh_stored(margin, deadline, problem) {
                        Ok(Some(stored)) => return Ok(stored),
                        Ok(None) => {}
                        // Noted, but the token is still stored: this call
                        // holds the lock, so the other processes are polling
                        // for this very write, and the store has just
                        // answered the lock.
                        Err(e) => *problem = Some(e),
                    }
                    return self.request_and_store(deadline, request, problem);
                }
                Ok(None) => {}
                // Reads work (the lock alone failed, a refused lock file
                // say): the token still serves the processes that read, so
                // sharing survives a broken lock. Where the store has begun
                // to fail, the write costs at most its bound (1 s for Redis).
                Err(e) => return self.request_alone(e, deadline, request, true, problem),
            }
            if Instant::now() + pause >= wait_until {
                let late = StoreError::new(format!(
                    "{:?}: another process held the lock for half of this call's budget",
                    self.url
                ));
                // Reads work: the token serves the next reader, as the
                // holder's would have.
                return self.request_alone(late, deadline, request, true, problem);
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(MAX_LOCK_POLL);
            match self.fresh_stored(margin, deadline, problem) {
                Ok(Some(stored)) => return Ok(stored),
                Ok(None) => {}
                // As before the loop, not as under the lock: the holder owes
                // the waiting processes its own token, not this call.
                Err(e) => return self.request_alone(e, deadline, request, false, problem),
            }
        }
    }

    /// After `rejected` was refused by an API: removes it from the store if
    /// it is still the stored token, so that the other processes do not
    /// take it again and exactly one of them requests a new one.
    pub fn invalidate(&self, rejected: &str, deadline: Instant, problem: &mut Option<StoreError>) {
        let name = self.sealer.name();
        let outcome = self
            .store
            .read(name, deadline)
            .and_then(|value| match value {
                Some(value)
                    if self
                        .sealer
                        .open(&value)
                        .is_ok_and(|t| t.token.as_str() == rejected) =>
                {
                    self.store.remove_if(name, &value, deadline).map(|_| ())
                }
                _ => Ok(()),
            });
        if let Err(e) = outcome {
            *problem = Some(e);
        }
    }

    /// The stored token if it is fresh by this handle's margin. An entry
    /// that does not open (garbage, another secret) is a miss, noted.
    fn fresh_stored(
        &self,
        margin: Duration,
        deadline: Instant,
        problem: &mut Option<StoreError>,
    ) -> StoreResult<Option<IssuedToken>> {
        let value = match self.store.read(self.sealer.name(), deadline) {
            Ok(Some(value)) => value,
            Ok(None) => return Ok(None),
            Err(e) if e.is_bad_entry() => {
                *problem = Some(e);
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let stored = match self.sealer.open(&value) {
            Ok(stored) => stored,
            Err(e) => {
                *problem = Some(e);
                return Ok(None);
            }
        };
        let lifetime = stored
            .expires_at
            .duration_since(stored.issued_at)
            .unwrap_or_default();
        let now = SystemTime::now();
        if now >= stored.issued_at + refresh_after(lifetime, margin) {
            return Ok(None);
        }
        Ok(Some(IssuedToken {
            token: stored.token,
            lifetime,
            age: now.duration_since(stored.issued_at).unwrap_or_default(),
            instance_urls: stored.instance_urls,
        }))
    }

    /// Requests the token (holding the lock) and stores it for the others.
    fn request_and_store(
        &self,
        deadline: Instant,
        request: impl FnOnce(Instant) -> Result<IssuedToken, Error>,
        problem: &mut Option<StoreError>,
    ) -> Result<IssuedToken, Error> {
        let issued_at = SystemTime::now();
        let issued = request(deadline)?;
        if let Err(e) = self.store_token(&issued, issued_at, deadline) {
            *problem = Some(e);
        }
        Ok(issued)
    }

    /// The store failed (`why`): request as if there were none, and store
    /// the result if `write` (see `fetch` for when).
    fn request_alone(
        &self,
        why: StoreError,
        deadline: Instant,
        request: impl FnOnce(Instant) -> Result<IssuedToken, Error>,
        write: bool,
        problem: &mut Option<StoreError>,
    ) -> Result<IssuedToken, Error> {
        *problem = Some(why);
        if write {
            return self.request_and_store(deadline, request, problem);
        }
        request(deadline)
    }

    fn store_token(
        &self,
        issued: &IssuedToken,
        issued_at: SystemTime,
        deadline: Instant,
    ) -> StoreResult<()> {
        let expires_at = issued_at + issued.lifetime;
        let ttl = expires_at
            .duration_since(SystemTime::now())
            .unwrap_or_default();
        if ttl.is_zero() {
            return Ok(());
        }
        let value = self.sealer.seal(&StoredToken {
            token: issued.token.clone(),
            issued_at,
            expires_at,
            instance_urls: issued.instance_urls.clone(),
        })?;
        self.store.write(self.sealer.name(), &value, ttl, deadline)
    }
}

impl fmt::Debug for SharedCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedCache")
            .field("store", &self.url)
            .field("entry", &self.sealer.name())
            .finish()
    }
}

// Unix only: the folder store, and the folder URL the stand-in store is
// given, exist only there.
#[cfg(all(test, unix))]
mod tests {
    use super::super::StoreLock;
    use super::*;
    use crate::secret::{AccessToken, ClientSecret};
    use crate::token::Grant;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn sealer() -> Sealer {
        let secret = ClientSecret::new("s");
        Sealer::derive(&secret, "https://mc1.example/", "id", &Grant::Legacy)
    }

    /// What the caller's own request gets.
    fn own(_: Instant) -> Result<IssuedToken, Error> {
        Ok(IssuedToken {
            token: AccessToken::new("own"),
            lifetime: Duration::from_secs(3600),
            age: Duration::ZERO,
            instance_urls: None,
        })
    }

    #[test]
    fn a_lock_held_past_half_the_budget_is_waited_out_then_the_token_requested_and_stored() {
        let root = tempfile::tempdir().unwrap(); // removed when the test ends
        let folder = root.path().join("store");
        let url = StoreUrl::parse(&format!("file://{}", folder.display())).unwrap();
        let cache = SharedCache::new(url, &TrustRoots::default(), sealer());
        // Another holder (the lock is per open file, as another process's).
        let deadline = Instant::now() + Duration::from_millis(400);
        let held = cache
            .store
            .try_lock(cache.sealer.name(), Duration::from_secs(60), deadline);
        let _held = held.unwrap().expect("the lock, taken first");

        let mut problem = None;
        let issued = cache
            .fetch(Duration::ZERO, deadline, own, &mut problem)
            .unwrap();
        assert_eq!(issued.token.as_str(), "own", "requested alone");
        let said = problem.expect("the held lock noted").to_string();
        assert!(said.contains("held the lock for half"), "{said}");
        let stored = cache.fresh_stored(
            Duration::ZERO,
            Instant::now() + Duration::from_secs(5),
            &mut None,
        );
        assert_eq!(stored.unwrap().expect("and stored").token.as_str(), "own");
    }

    /// A stand-in store: reads miss until the `failing_from`th (from 0),
    /// then fail; the lock is free, held by another process, or fails;
    /// writes are counted.
    struct FailingStore {
        failing_from: usize,
        lock: Lock,
        reads: AtomicUsize,
        writes: AtomicUsize,
    }

    #[derive(Debug, Clone, Copy)]
    enum Lock {
        Free,
        Held,
        Fails,
    }

    struct Taken;

    impl StoreLock for Taken {}

    impl Store for FailingStore {
        fn read(&self, _: &str, _: Instant) -> StoreResult<Option<Vec<u8>>> {
            if self.reads.fetch_add(1, Ordering::SeqCst) < self.failing_from {
                return Ok(None);
            }
            Err(StoreError::new("the read failed"))
        }

        fn write(&self, _: &str, _: &[u8], _: Duration, _: Instant) -> StoreResult<()> {
            self.writes.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }

        fn remove_if(&self, _: &str, _: &[u8], _: Instant) -> StoreResult<bool> {
            unreachable!("fetch never removes")
        }

        fn try_lock(
            &self,
            _: &str,
            _: Duration,
            _: Instant,
        ) -> StoreResult<Option<Box<dyn StoreLock>>> {
            match self.lock {
                Lock::Free => Ok(Some(Box::new(Taken))),
                Lock::Held => Ok(None),
                Lock::Fails => Err(StoreError::new("the lock failed")),
            }
        }
    }

    #[test]
    fn after_a_store_failure_the_token_is_stored_unless_a_read_failed_outside_the_lock() {
        // (the first read to fail, the lock, the problem said, whether written)
        let cases = [
            (0, Lock::Free, "the read failed", false), // before the lock
            (1, Lock::Free, "the read failed", true),  // under the lock
            (1, Lock::Held, "the read failed", false), // while another holds it
            (usize::MAX, Lock::Fails, "the lock failed", true), // reads work
        ];
        for (failing_from, lock, said, written) in cases {
            let store = Arc::new(FailingStore {
                failing_from,
                lock,
                reads: AtomicUsize::new(0),
                writes: AtomicUsize::new(0),
            });
            let cache = SharedCache {
                url: StoreUrl::parse("file:///unused").unwrap(),
                store: store.clone(),
                sealer: sealer(),
            };
            let mut problem = None;
            let deadline = Instant::now() + Duration::from_secs(5);
            let issued = cache
                .fetch(Duration::ZERO, deadline, own, &mut problem)
                .unwrap();
            assert_eq!(issued.token.as_str(), "own", "requested alone");
            assert_eq!(problem.unwrap().to_string(), said);
            assert_eq!(
                store.writes.load(Ordering::SeqCst),
                usize::from(written),
                "reads failing from read {failing_from}, lock {lock:?}"
            );
        }
    }
}
