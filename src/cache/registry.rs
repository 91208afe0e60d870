//! The process-wide registry: one shared `Entry` per set of credentials, so
//! that every handle with the same credentials shares one token.
//!
//! Creating and releasing a handle costs O(1) whatever the number of live
//! handles and cached tenants: an entry is dropped when its last handle goes
//! and it holds no valid token, and the entries no handle uses whose token
//! expired later are swept all at once only when the map has doubled since
//! the last sweep (amortised O(1) per insertion).

use super::Entry;
use crate::fork;
use crate::secret::ClientSecret;
use crate::token::Grant;
use once_cell::sync::Lazy;
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// A map this small is never swept: the sweep would cost more than it frees.
const MIN_SWEEP_LEN: usize = 64;

/// What makes two handles share a token: the same token URL, client id and
/// client secret, and the same grant (the kind of package and, for an
/// enhanced one, the business unit and scope). Anything else never shares.
///
/// The secret is not kept: only a keyed digest of it, so no copy of a secret
/// outlives the handles that hold it (the registry keeps an entry, with its
/// token, until that token expires). The digest is two SipHash values with
/// keys drawn at random once per process: 128 bits no one can aim at without
/// the keys.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    token_url: String,
    client_id: String,
    secret_digest: [u64; 2],
    grant: Grant,
}

static DIGEST_KEYS: Lazy<[RandomState; 2]> = Lazy::new(|| [RandomState::new(), RandomState::new()]);

impl CacheKey {
    /// Takes the gate because the digest keys are made on first use.
    pub fn new(token_url: &str, client_id: &str, secret: &ClientSecret, grant: &Grant) -> CacheKey {
        let _gate = fork::enter();
        let digest = |keys: &RandomState| {
            let mut hasher = keys.build_hasher();
            hasher.write(secret.expose().as_bytes());
            hasher.finish()
        };
        CacheKey {
            token_url: token_url.to_owned(),
            client_id: client_id.to_owned(),
            secret_digest: [digest(&DIGEST_KEYS[0]), digest(&DIGEST_KEYS[1])],
            grant: grant.clone(),
        }
    }

    /// What the token is for: the handle's kind of package, business unit
    /// and scope.
    pub fn grant(&self) -> &Grant {
        &self.grant
    }
}

struct Registry {
    entries: HashMap<CacheKey, Arc<Entry>>,
    /// The next sweep runs when the map reaches this size.
    sweep_at: usize,
}

static REGISTRY: Lazy<Mutex<Registry>> = Lazy::new(|| {
    Mutex::new(Registry {
        entries: HashMap::new(),
        sweep_at: MIN_SWEEP_LEN,
    })
});

/// The shared entry for `key`, created empty if there is none.
pub fn entry_for(key: &CacheKey) -> Arc<Entry> {
    let gate = fork::enter();
    let mut registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(entry) = registry.entries.get(key) {
        return entry.clone();
    }
    if registry.entries.len() >= registry.sweep_at {
        sweep(&gate, &mut registry.entries);
        registry.sweep_at = (registry.entries.len() * 2).max(MIN_SWEEP_LEN);
    }
    let entry = Arc::new(Entry::default());
    registry.entries.insert(key.clone(), entry.clone());
    entry
}

/// Called when a handle lets go of its entry: the entry goes too if no
/// other handle uses it and it holds no valid token.
pub fn release(key: &CacheKey, entry: Arc<Entry>) {
    let gate = fork::enter();
    let mut registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
    drop(entry);
    let unused = registry.entries.get(key).is_some_and(|entry| {
        Arc::strong_count(entry) == 1 && !entry.holds_valid_token(&gate, Instant::now())
    });
    if unused {
        registry.entries.remove(key);
    }
}

/// Drops the entries no handle uses whose token has expired.
fn sweep(gate: &fork::Gate, entries: &mut HashMap<CacheKey, Arc<Entry>>) {
    let now = Instant::now();
    entries.retain(|_, entry| Arc::strong_count(entry) > 1 || entry.holds_valid_token(gate, now));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::test_support::{issued, MARGIN, TIMEOUT};
    use std::time::Duration;

    fn key(id: &str) -> CacheKey {
        CacheKey::new(
            "https://x/v1/requestToken",
            id,
            &ClientSecret::new("s"),
            &Grant::Legacy,
        )
    }

    fn registered(key: &CacheKey) -> bool {
        REGISTRY.lock().unwrap().entries.contains_key(key)
    }

    #[test]
    fn registry_shares_entries_and_forgets_unused_expired_ones() {
        let a1 = entry_for(&key("registry-a"));
        let a2 = entry_for(&key("registry-a"));
        let b = entry_for(&key("registry-b"));
        assert!(Arc::ptr_eq(&a1, &a2));
        assert!(!Arc::ptr_eq(&a1, &b));
        a1.token(MARGIN, TIMEOUT, |_| {
            Ok(issued("kept", Duration::from_secs(3600)))
        })
        .unwrap();
        release(&key("registry-a"), a1);
        release(&key("registry-a"), a2);
        release(&key("registry-b"), b);
        assert!(registered(&key("registry-a")), "valid token was forgotten");
        assert!(!registered(&key("registry-b")), "unused entry was kept");
    }

    #[test]
    fn an_entry_whose_token_expired_unused_is_swept_once_the_map_doubles() {
        // Long enough to outlast a busy machine's (or Miri's) delay between
        // the token and the first check; 1 ms did not, under Miri.
        let lifetime = Duration::from_millis(300);
        let expiring = key("registry-expiring");
        let entry = entry_for(&expiring);
        entry
            .token(MARGIN, TIMEOUT, |_| Ok(issued("short", lifetime)))
            .unwrap();
        release(&expiring, entry);
        assert!(registered(&expiring), "kept while its token may be valid");
        std::thread::sleep(lifetime + Duration::from_millis(50));
        // Other tests share the registry: add handles until the map has
        // doubled, which must happen well before this bound.
        let mut held = Vec::new();
        while registered(&expiring) && held.len() < 100_000 {
            let k = key(&format!("registry-filler-{}", held.len()));
            let entry = entry_for(&k);
            held.push((k, entry));
        }
        assert!(
            !registered(&expiring),
            "the expired entry survived the sweeps"
        );
        for (k, entry) in held {
            release(&k, entry);
        }
    }

    #[test]
    fn different_secrets_never_share_an_entry() {
        let url = "https://x/v1/requestToken";
        let a = CacheKey::new(
            url,
            "registry-secrets",
            &ClientSecret::new("one"),
            &Grant::Legacy,
        );
        let b = CacheKey::new(
            url,
            "registry-secrets",
            &ClientSecret::new("two"),
            &Grant::Legacy,
        );
        assert!(a != b);
        assert!(
            a == CacheKey::new(
                url,
                "registry-secrets",
                &ClientSecret::new("one"),
                &Grant::Legacy
            )
        );
    }
}
