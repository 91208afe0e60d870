//! A handle's shared cache (`crate::store`): which store it shares through,
//! opened when a fetch first needs it, and what last went wrong with it.

use super::Auth;
use crate::error::Error;
use crate::fork;
use crate::http::tls::TrustRoots;
use crate::store::{Sealer, SharedCache, StoreError, StoreUrl};
use std::sync::atomic::Ordering;
use std::sync::{Arc, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Gives every handle's shared cache when no `set_shared_cache` says
/// otherwise, so that a fleet can opt in without code changes.
pub const SHARED_CACHE_VARIABLE: &str = "MCAUTH_SHARED_CACHE";

/// The shared cache, opened on the first fetch that needs it and reopened
/// after a setting that shapes it changes; and the latest store problem.
#[derive(Default)]
pub(super) struct SharedSlot {
    url: Option<StoreUrl>,
    opened: Option<Arc<SharedCache>>,
    problem: Option<String>,
}

impl SharedSlot {
    /// `MCAUTH_SHARED_CACHE`'s store, if set. A malformed value must not
    /// make creating a handle fail: it is ignored, and said so.
    pub(super) fn from_environment() -> SharedSlot {
        let mut slot = SharedSlot::default();
        match std::env::var(SHARED_CACHE_VARIABLE) {
            Ok(value) if !value.is_empty() => match StoreUrl::parse(&value) {
                Ok(url) => slot.url = Some(url),
                Err(e) => {
                    slot.problem = Some(format!(
                        "{SHARED_CACHE_VARIABLE} is ignored: {}",
                        e.message()
                    ))
                }
            },
            _ => {}
        }
        slot
    }

    /// After a setting that shapes the store (the trust roots) changed.
    pub(super) fn reopen(&mut self) {
        self.opened = None;
    }
}

impl Auth {
    /// Shares this handle's tokens with other processes through the store
    /// at `store_url` (`file:///folder`, `redis://…`, `rediss://…`), or stops
    /// sharing (`None`, or `""` as in the environment variable: what a
    /// binding whose "not set" is `None` passes to opt a handle out).
    /// Overrides `MCAUTH_SHARED_CACHE`. Opens nothing yet.
    pub fn set_shared_cache(&self, store_url: Option<&str>) -> Result<(), Error> {
        let url = store_url
            .filter(|url| !url.is_empty())
            .map(StoreUrl::parse)
            .transpose()?;
        let gate = fork::enter();
        *self.shared_slot(&gate) = SharedSlot {
            url,
            ..SharedSlot::default()
        };
        Ok(())
    }

    /// What went wrong with the shared cache in this handle's latest use of
    /// it (`None`: nothing). A store failure never fails a call: the call
    /// goes on as without a store, and the detail waits here.
    pub fn shared_cache_error(&self) -> Option<String> {
        let gate = fork::enter();
        self.shared_slot(&gate).problem.clone()
    }

    pub(super) fn shared_slot(&self, _gate: &fork::Gate) -> MutexGuard<'_, SharedSlot> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The store's URL, for `Debug` (which never shows its password).
    pub(super) fn shared_cache_url(&self) -> Option<StoreUrl> {
        let gate = fork::enter();
        self.shared_slot(&gate).url.clone()
    }

    /// The shared cache, if one is set: opened outside the gate (opening a
    /// Redis store takes the gate itself) and kept unless the settings
    /// changed meanwhile.
    pub(super) fn shared_cache(&self) -> Option<Arc<SharedCache>> {
        let (url, roots) = {
            let gate = fork::enter();
            let slot = self.shared_slot(&gate);
            if let Some(opened) = &slot.opened {
                return Some(opened.clone());
            }
            let url = slot.url.clone()?;
            drop(slot);
            (url, self.slot(&gate).options.roots.clone())
        };
        let opened = self.open_shared_cache(&url, &roots);
        self.keep_if_current(&url, &roots, &opened);
        Some(opened)
    }

    fn open_shared_cache(&self, url: &StoreUrl, roots: &TrustRoots) -> Arc<SharedCache> {
        let client = self.request.client();
        let sealer = Sealer::derive(&client.secret, &client.url, &client.id, self.key.grant());
        Arc::new(SharedCache::new(url.clone(), roots, sealer))
    }

    /// Keeps `opened` for the next calls only if it was opened with the
    /// handle's current settings: the store and, as a `rediss://` store
    /// trusts them, the roots. `set_shared_cache` or `set_ca_file` may have
    /// run while it was being opened.
    fn keep_if_current(&self, url: &StoreUrl, roots: &TrustRoots, opened: &Arc<SharedCache>) {
        let gate = fork::enter();
        // The transport slot first, as `set_ca_file` locks them.
        let transport = self.slot(&gate);
        let mut slot = self.shared_slot(&gate);
        let current = slot.url.as_ref() == Some(url) && transport.options.roots == *roots;
        if current && slot.opened.is_none() {
            slot.opened = Some(opened.clone());
        }
    }

    /// Keeps the outcome of a use of the store for `shared_cache_error`.
    pub(super) fn note_store_problem(&self, problem: Option<StoreError>) {
        let gate = fork::enter();
        self.shared_slot(&gate).problem = problem.map(|e| e.to_string());
    }

    /// Removes `rejected` from the store if it is still the one there, so
    /// that every process drops it and one of them requests the next.
    pub(super) fn forget_in_store(&self, rejected: &str) {
        let Some(shared) = self.shared_cache() else {
            return;
        };
        let timeout = Duration::from_millis(self.timeout_ms.load(Ordering::Relaxed));
        let mut problem = None;
        shared.invalidate(rejected, Instant::now() + timeout, &mut problem);
        self.note_store_problem(problem);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_opened_with_roots_replaced_meanwhile_is_not_kept() {
        let fake = fake_mc::FakeMc::start().unwrap();
        let auth = Auth::new("http://127.0.0.1:9/", "id", "s").unwrap();
        let url = StoreUrl::parse("rediss://127.0.0.1:9").unwrap();
        auth.set_shared_cache(Some("rediss://127.0.0.1:9")).unwrap();
        let roots_before = TrustRoots::default();
        let stale = auth.open_shared_cache(&url, &roots_before);
        // Another thread trusts a new CA file while `stale` is being opened.
        auth.set_ca_file(fake.ca_file()).unwrap();
        auth.keep_if_current(&url, &roots_before, &stale);
        let used = auth.shared_cache().unwrap();
        assert!(
            !Arc::ptr_eq(&used, &stale),
            "kept a store with the old roots"
        );
        // With nothing changed meanwhile, the store opened is the one kept.
        let again = auth.shared_cache().unwrap();
        assert!(Arc::ptr_eq(&used, &again), "reopened an unchanged store");
    }
}
