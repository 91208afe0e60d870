//! One instance per key per process, shared by every caller that asks with
//! that key for as long as one of them holds it: so that handles reaching a
//! server the same way share one connection pool and one TLS configuration
//! (`http::transport`, `store::redis`). Held weakly: the last user to drop an
//! instance closes it, and the next caller makes a new one.

use crate::fork;
use once_cell::sync::Lazy;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError, Weak};

/// Locked only under the fork gate, so a forked child never finds it locked.
pub(crate) struct SharedInstances<K, V> {
    in_use: Lazy<Mutex<HashMap<K, Weak<V>>>>,
}

impl<K: Eq + Hash, V> SharedInstances<K, V> {
    pub const fn new() -> Self {
        SharedInstances {
            in_use: Lazy::new(Default::default),
        }
    }

    /// The instance for `key`: the one in use, if `usable` accepts it, else
    /// a new one from `make`, which the next caller with `key` gets. `make`
    /// runs under the lock, so that two callers never make two instances.
    pub fn get_or_make(
        &self,
        _gate: &fork::Gate,
        key: K,
        usable: impl FnOnce(&V) -> bool,
        make: impl FnOnce(&K) -> Arc<V>,
    ) -> Arc<V> {
        let mut in_use = self.in_use.lock().unwrap_or_else(PoisonError::into_inner);
        let found = in_use.get(&key).and_then(Weak::upgrade);
        if let Some(instance) = found.filter(|instance| usable(instance)) {
            return instance;
        }
        // Instances nobody holds any more would otherwise stay listed forever.
        in_use.retain(|_, instance| instance.strong_count() > 0);
        let instance = make(&key);
        in_use.insert(key, Arc::downgrade(&instance));
        instance
    }

    #[cfg(test)]
    fn listed(&self) -> usize {
        self.in_use
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(instances: &SharedInstances<u8, String>, key: u8) -> Arc<String> {
        let gate = fork::enter();
        instances.get_or_make(&gate, key, |_| true, |key| Arc::new(key.to_string()))
    }

    #[test]
    fn callers_with_one_key_share_one_instance_while_it_is_held() {
        let instances = SharedInstances::new();
        let a = get(&instances, 1);
        assert!(Arc::ptr_eq(&a, &get(&instances, 1)));
        assert!(!Arc::ptr_eq(&a, &get(&instances, 2)));
        drop(a);
        assert_eq!(*get(&instances, 1), "1", "made again once nobody held it");
    }

    #[test]
    fn an_instance_refused_by_usable_is_replaced() {
        let instances = SharedInstances::new();
        let old = get(&instances, 1);
        let gate = fork::enter();
        let new = instances.get_or_make(&gate, 1, |_| false, |_| Arc::new("new".into()));
        drop(gate);
        assert_eq!(*new, "new");
        assert!(Arc::ptr_eq(&new, &get(&instances, 1)));
        assert_eq!(*old, "1");
    }

    #[test]
    fn instances_nobody_holds_are_unlisted_when_another_is_made() {
        let instances = SharedInstances::new();
        drop(get(&instances, 1));
        drop(get(&instances, 2));
        let _held = get(&instances, 3);
        assert_eq!(instances.listed(), 1);
    }
}
