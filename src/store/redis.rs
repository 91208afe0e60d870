//! The Redis store: an entry is the key `mcauth:{name}` with a Redis expiry,
//! its lock the key `mcauth:{name}:lock` set only if absent (or holding a
//! key without expiry, which is no lock), with a lease.
//! Each store keeps a few idle connections (`resp`) for the next operation.

use super::redis_url::RedisUrl;
use super::resp::{Connection, Reply, RespError};
use super::{random_bytes, Store, StoreError, StoreLock, StoreResult};
use crate::fork;
use crate::http::tls::TrustRoots;
use crate::shared_instances::SharedInstances;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

/// The longest one operation may take, connect included, whatever is left
/// of the caller's deadline. A Redis answers in milliseconds: a second means
/// it is unreachable or stuck, and the store is only a shortcut, so the
/// token request that follows a miss keeps the rest of the caller's budget.
const OPERATION_BOUND: Duration = Duration::from_secs(1);

/// The longest dropping a lock guard may wait to release it: it runs on the
/// caller's path, and a lock not released expires with its lease anyway.
const RELEASE_BOUND: Duration = Duration::from_millis(200);

/// Idle connections kept per store: a process seldom has more store
/// operations in flight at once, and Redis counts every open connection.
const MAX_IDLE: usize = 4;

/// Deletes KEYS[1] only if it still holds ARGV[1], atomically (a script
/// runs alone on the server): an invalidation or a lock release that never
/// removes what another process wrote since.
const COMPARE_AND_DELETE: &str =
    "if redis.call('get',KEYS[1])==ARGV[1] then return redis.call('del',KEYS[1]) else return 0 end";

/// Takes the lock KEYS[1] for owner ARGV[1] and ARGV[2] milliseconds if no
/// one holds it. A key there without an expiry is not a lock (every lock
/// is taken with one): a stray `SET`, a list… It would never expire and
/// make every process wait half its budget on every miss, so it goes.
const TAKE_LOCK: &str = "if redis.call('pttl',KEYS[1])==-1 then redis.call('del',KEYS[1]) end \
     return redis.call('set',KEYS[1],ARGV[1],'NX','PX',ARGV[2])";

/// What makes two stores the same: the URL and, for `rediss://`, the roots.
#[derive(Clone, PartialEq, Eq, Hash)]
struct StoreKey {
    url: RedisUrl,
    roots: TrustRoots,
}

/// Stores in use, one per server and roots per process, so that every
/// handle on one server shares one connection pool and one TLS
/// configuration.
static SHARED: SharedInstances<StoreKey, RedisStore> = SharedInstances::new();

pub(crate) struct RedisStore {
    url: RedisUrl,
    /// For `rediss://`: built once, trusting what the auth server's TLS does.
    tls: Option<Arc<ClientConfig>>,
    /// Locked only under the fork gate, never during I/O.
    idle: Mutex<Vec<Pooled>>,
    /// Itself, for lock guards, which release through the store.
    this: Weak<RedisStore>,
}

/// A connection and the process generation that made it: a forked child
/// must not talk on its parent's sockets.
struct Pooled {
    connection: Connection,
    generation: u64,
}

impl RedisStore {
    /// The store for `url`, shared by every caller in this process that
    /// names the same server (and, for TLS, trusts the same roots). Takes
    /// the fork gate: not to be called with it held.
    pub fn shared(url: &RedisUrl, roots: &TrustRoots) -> Arc<dyn Store> {
        let gate = fork::enter();
        let key = StoreKey {
            url: url.clone(),
            // Plain connections trust nothing: one store whatever the roots.
            roots: if url.tls {
                roots.clone()
            } else {
                TrustRoots::default()
            },
        };
        // A store's connections know their process generation: any will do.
        SHARED.get_or_make(&gate, key, |_| true, |key| RedisStore::new(&gate, key))
    }

    fn new(gate: &fork::Gate, key: &StoreKey) -> Arc<RedisStore> {
        Arc::new_cyclic(|this| RedisStore {
            url: key.url.clone(),
            tls: key.url.tls.then(|| client_config(gate, &key.roots)),
            idle: Mutex::new(Vec::new()),
            this: this.clone(),
        })
    }

    /// Sends one command on an idle or a new connection, within
    /// `OPERATION_BOUND`, and reads its reply with `accept`, which returns
    /// `None` for a reply that makes no sense for the command. `secrets`:
    /// the arguments a server error must not be quoted with.
    fn run<T>(
        &self,
        args: &[&[u8]],
        secrets: &[&[u8]],
        deadline: Instant,
        accept: impl FnOnce(Reply) -> Option<T>,
    ) -> StoreResult<T> {
        let deadline = deadline.min(Instant::now() + OPERATION_BOUND);
        let mut pooled = match self.take_idle() {
            Some(pooled) => pooled,
            None => self.connect(deadline)?,
        };
        // On an error other than WRONGTYPE (about a key) the connection is
        // dropped here, never pooled: after a failover, READONLY, MASTERDOWN,
        // LOADING or MOVED mean it leads to the wrong server, and so may the
        // host's address: it is looked up again.
        let reply = pooled
            .connection
            .command(args, deadline)
            .map_err(|e| self.failed(e))?;
        if let Reply::Error(text) = &reply {
            // Our key holds a list, a hash…: an unusable entry, like
            // garbage, so that the lock holder's SET replaces it.
            if text.starts_with("WRONGTYPE ") {
                self.put_back(pooled);
                return Err(StoreError::bad_entry(format!(
                    "redis {}: the entry's key holds another kind of value",
                    self.url.address()
                )));
            }
            super::resolve::look_again(&self.url.host, self.url.port);
            return Err(self.refused(text, secrets));
        }
        let value = accept(reply).ok_or_else(|| self.unexpected(args))?;
        self.put_back(pooled);
        Ok(value)
    }

    fn connect(&self, deadline: Instant) -> StoreResult<Pooled> {
        let url = &self.url;
        let mut connection = Connection::open(&url.host, url.port, self.tls.as_ref(), deadline)
            .map_err(|e| self.failed(e))?;
        if let Some(password) = &url.password {
            let password = password.0.as_bytes();
            let auth: Vec<&[u8]> = match &url.user {
                Some(user) => vec![b"AUTH", user.as_bytes(), password],
                None => vec![b"AUTH", password],
            };
            self.expect_ok(&mut connection, &auth, &[password], deadline)?;
        }
        if url.db != 0 {
            let db = url.db.to_string();
            self.expect_ok(&mut connection, &[b"SELECT", db.as_bytes()], &[], deadline)?;
        }
        Ok(Pooled {
            connection,
            generation: fork::generation(),
        })
    }

    fn expect_ok(
        &self,
        connection: &mut Connection,
        args: &[&[u8]],
        secrets: &[&[u8]],
        deadline: Instant,
    ) -> StoreResult<()> {
        match connection.command(args, deadline) {
            Ok(reply) if is_ok(&reply) => Ok(()),
            Ok(Reply::Error(text)) => Err(self.refused(&text, secrets)),
            Ok(_) => Err(self.unexpected(args)),
            Err(e) => Err(self.failed(e)),
        }
    }

    /// An idle connection of this process that the server has not closed.
    fn take_idle(&self) -> Option<Pooled> {
        loop {
            let pooled = {
                let _gate = fork::enter();
                self.idle
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .pop()
            }?;
            if pooled.generation == fork::generation() && pooled.connection.is_open() {
                return Some(pooled);
            }
            // Dropping only closes our descriptor: a parent's socket stays
            // open in the parent (and TLS sends nothing on drop).
        }
    }

    fn put_back(&self, pooled: Pooled) {
        let _gate = fork::enter();
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE && pooled.generation == fork::generation() {
            idle.push(pooled);
        }
    }

    fn compare_and_delete(
        &self,
        key: &str,
        expected: &[u8],
        deadline: Instant,
    ) -> StoreResult<bool> {
        let args: [&[u8]; 5] = [
            b"EVAL",
            COMPARE_AND_DELETE.as_bytes(),
            b"1",
            key.as_bytes(),
            expected,
        ];
        self.run(&args, &[expected], deadline, |reply| match reply {
            Reply::Integer(deleted) => Some(deleted == 1),
            _ => None,
        })
    }

    fn failed(&self, error: RespError) -> StoreError {
        StoreError::new(format!("redis {}: {error}", self.url.address()))
    }

    fn refused(&self, text: &str, secrets: &[&[u8]]) -> StoreError {
        let shown = error_reply(text, secrets);
        StoreError::new(format!("redis {}: replied -{shown}", self.url.address()))
    }

    fn unexpected(&self, args: &[&[u8]]) -> StoreError {
        let command = String::from_utf8_lossy(args[0]);
        StoreError::new(format!(
            "redis {}: an unexpected reply to {command}",
            self.url.address()
        ))
    }
}

fn client_config(gate: &fork::Gate, roots: &TrustRoots) -> Arc<ClientConfig> {
    let mut store = RootCertStore::empty();
    // The same certificates ureq is given; one it cannot parse it skips too.
    let certificates = roots.certificates(gate);
    store.add_parsable_certificates(certificates.iter().map(|c| CertificateDer::from(c.der())));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring's provider supports TLS 1.2 and 1.3")
        .with_root_certificates(store)
        .with_no_client_auth();
    Arc::new(config)
}

fn is_ok(reply: &Reply) -> bool {
    matches!(reply, Reply::Status(status) if status == "OK")
}

/// A server's error text, fit for a message: Redis errors do not quote
/// arguments, but one that quoted the password or a value would be cut to
/// its code (`ERR`, `WRONGPASS`…).
fn error_reply(text: &str, secrets: &[&[u8]]) -> String {
    let quotes = |secret: &&[u8]| {
        !secret.is_empty()
            && text
                .as_bytes()
                .windows(secret.len())
                .any(|window| window == *secret)
    };
    if secrets.iter().any(quotes) {
        let code = text.split(' ').next().unwrap_or_default();
        format!(
            "{} (the rest is withheld: it quoted a secret)",
            crate::error::quote(code, 32)
        )
    } else {
        crate::error::quote(text, 200)
    }
}

fn entry_key(name: &str) -> String {
    format!("mcauth:{name}")
}

fn lock_key(name: &str) -> String {
    format!("mcauth:{name}:lock")
}

/// Whole milliseconds, at least one: Redis refuses `PX 0`.
fn milliseconds(duration: Duration) -> String {
    duration.as_millis().clamp(1, u64::MAX.into()).to_string()
}

/// Who holds a lock: unguessable, so no other process releases it by mistake.
fn new_owner() -> StoreResult<String> {
    Ok(crate::hex::encode(&random_bytes::<16>()?))
}

impl Store for RedisStore {
    fn read(&self, name: &str, deadline: Instant) -> StoreResult<Option<Vec<u8>>> {
        let key = entry_key(name);
        self.run(
            &[b"GET", key.as_bytes()],
            &[],
            deadline,
            |reply| match reply {
                Reply::Bulk(value) => Some(value),
                _ => None,
            },
        )
    }

    fn write(&self, name: &str, value: &[u8], ttl: Duration, deadline: Instant) -> StoreResult<()> {
        let key = entry_key(name);
        let ttl = milliseconds(ttl);
        let args: [&[u8]; 5] = [b"SET", key.as_bytes(), value, b"PX", ttl.as_bytes()];
        self.run(&args, &[value], deadline, |reply| {
            is_ok(&reply).then_some(())
        })
    }

    fn remove_if(&self, name: &str, expected: &[u8], deadline: Instant) -> StoreResult<bool> {
        self.compare_and_delete(&entry_key(name), expected, deadline)
    }

    fn try_lock(
        &self,
        name: &str,
        lease: Duration,
        deadline: Instant,
    ) -> StoreResult<Option<Box<dyn StoreLock>>> {
        let key = lock_key(name);
        let owner = new_owner()?;
        let lease = milliseconds(lease);
        let args: [&[u8]; 6] = [
            b"EVAL",
            TAKE_LOCK.as_bytes(),
            b"1",
            key.as_bytes(),
            owner.as_bytes(),
            lease.as_bytes(),
        ];
        let taken = self.run(&args, &[owner.as_bytes()], deadline, |reply| match reply {
            Reply::Bulk(None) => Some(false),
            reply => is_ok(&reply).then_some(true),
        })?;
        if !taken {
            return Ok(None);
        }
        // Always there: `self` is borrowed from it.
        Ok(self.this.upgrade().map(|store| {
            Box::new(RedisLock {
                store,
                key,
                owner,
                generation: fork::generation(),
            }) as Box<dyn StoreLock>
        }))
    }
}

/// A held Redis lock: its key holds `owner` until the lease passes.
struct RedisLock {
    store: Arc<RedisStore>,
    key: String,
    owner: String,
    generation: u64,
}

impl StoreLock for RedisLock {}

impl Drop for RedisLock {
    /// Releases the lock if it is still ours: once the lease has passed,
    /// another process may hold it. A forked child's copy of the guard
    /// releases nothing: the lock is its parent's.
    /// Takes the fork gate (for the pool): never drop a guard with it held.
    fn drop(&mut self) {
        if self.generation == fork::generation() {
            let deadline = Instant::now() + RELEASE_BOUND;
            let _ = self
                .store
                .compare_and_delete(&self.key, self.owner.as_bytes(), deadline);
        }
    }
}

#[cfg(test)]
#[path = "redis_tests.rs"]
mod tests;
