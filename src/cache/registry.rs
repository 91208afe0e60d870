//! The process-wide registry: one shared `Entry` per set of credentials, so
//! that every handle with the same credentials shares one token.

use super::Entry;
use crate::secret::ClientSecret;
use crate::token::Grant;
use once_cell::sync::Lazy;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// What makes two handles share a token: the same token URL, client id and
/// client secret, and the same grant (the kind of package and, for an
/// enhanced one, the business unit and scope). Anything else never shares.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: ClientSecret,
    pub grant: Grant,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::test_support::{issued, MARGIN, TIMEOUT};
    use std::time::Duration;

    fn key(id: &str) -> CacheKey {
        CacheKey {
            token_url: "https://x/v1/requestToken".into(),
            client_id: id.into(),
            client_secret: ClientSecret::new("s"),
            grant: Grant::Legacy,
        }
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
