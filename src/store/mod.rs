//! The shared cache: tokens shared with other processes (and machines)
//! through a store, with the token request itself coordinated across them.
//!
//! - `sealed`: what is stored: the token encrypted under a key derived from
//!   the client secret, under a name that reveals no credential.
//! - `shared`: the cross-process flow: read, lock, read again, request,
//!   write; invalidation by compare-and-delete.
//! - `file`, `redis` (`redis_url`, `resp`, `resolve`): the two stores. A store only keeps opaque
//!   bytes under opaque names, with an expiry, and a lock per name. The
//!   folder store is unix-only: elsewhere `file_unsupported` refuses its URLs.
//!
//! A store can never make a call fail that would have succeeded without
//! it: every store failure is a miss, recorded for diagnostics.

#[cfg(test)]
mod contract_tests;
#[cfg(unix)]
mod file;
#[cfg(not(unix))]
#[path = "file_unsupported.rs"]
mod file;
// Compiled on unix too, for its test to run somewhere: only `parse` is used.
#[cfg(all(unix, test))]
#[allow(dead_code)]
mod file_unsupported;
mod redis;
mod redis_url;
mod resolve;
mod resp;
mod sealed;
mod shared;

#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use resp::parse as parse_resp_reply;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use sealed::decode as decode_sealed_plaintext;
pub use sealed::Sealer;
pub use shared::SharedCache;

use crate::error::{printable, Error};
use crate::http::tls::TrustRoots;
use ring::rand::{SecureRandom, SystemRandom};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

/// A store operation's outcome, as `io::Result` is a file's.
pub(crate) type StoreResult<T> = Result<T, StoreError>;

/// A place where processes keep sealed tokens for one another.
///
/// `name`s are 32 lowercase hex digits. What an operation may wait for (a
/// network exchange; the folder store's lock, which its `remove_if` takes
/// to compare and delete) ends by `deadline`, or the operation fails with
/// a timeout; local file reads and writes are not bounded.
pub(crate) trait Store: Send + Sync {
    /// The value under `name`, unless there is none or it has expired.
    fn read(&self, name: &str, deadline: Instant) -> StoreResult<Option<Vec<u8>>>;

    /// Replaces the value under `name`; it expires after `ttl`.
    fn write(&self, name: &str, value: &[u8], ttl: Duration, deadline: Instant) -> StoreResult<()>;

    /// Removes the value under `name` if it is still exactly `expected`,
    /// atomically with respect to other processes' `write`s. Whether it did.
    fn remove_if(&self, name: &str, expected: &[u8], deadline: Instant) -> StoreResult<bool>;

    /// One attempt at the lock of `name`, held until the guard drops or
    /// `lease` passes (so a crashed holder blocks no one longer). `None`
    /// when another process holds it.
    fn try_lock(
        &self,
        name: &str,
        lease: Duration,
        deadline: Instant,
    ) -> StoreResult<Option<Box<dyn StoreLock>>>;
}

/// A held store lock, released when dropped.
pub(crate) trait StoreLock: Send {}

/// Why a store operation failed: a description fit for any log (never a
/// token, a secret or a store password).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoreError {
    message: String,
    /// Only the entry is wrong (damaged, refused): the store itself works,
    /// and a new token written over the entry repairs it.
    bad_entry: bool,
}

impl StoreError {
    /// The store failed: unreachable, refused, out of time.
    pub fn new(message: impl Into<String>) -> StoreError {
        StoreError {
            message: message.into(),
            bad_entry: false,
        }
    }

    /// The entry is unusable, but the store works.
    pub fn bad_entry(message: impl Into<String>) -> StoreError {
        StoreError {
            message: message.into(),
            bad_entry: true,
        }
    }

    pub fn is_bad_entry(&self) -> bool {
        self.bad_entry
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A wall-clock time as stores keep it (the sealed token's times, the
/// folder store's expiry): whole milliseconds since the Unix epoch, 0 for
/// any time before it.
fn unix_ms(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The inverse of `unix_ms`, for a value read from a store: one beyond the
/// year 9999 counts as then, since a corrupt or forged entry must not panic
/// where the clock ends sooner than `u64` milliseconds reach (Windows').
fn from_unix_ms(ms: u64) -> SystemTime {
    const YEAR_9999_ENDS: u64 = 253_402_300_800_000;
    UNIX_EPOCH + Duration::from_millis(ms.min(YEAR_9999_ENDS))
}

/// Bytes from the system's random source: a nonce, a lock owner, a
/// temporary file's name. Its failure is a store failure like any other.
fn random_bytes<const N: usize>() -> StoreResult<[u8; N]> {
    let mut bytes = [0u8; N];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| StoreError::new("the system's random source failed"))?;
    Ok(bytes)
}

/// A store as the user named it in `mc_auth_set_shared_cache`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum StoreUrl {
    File(file::FolderPath),
    Redis(redis_url::RedisUrl),
}

impl StoreUrl {
    /// `file:///absolute/folder`, `redis://…` or `rediss://…`; anything else
    /// is an invalid argument (whose message never shows a password).
    pub fn parse(url: &str) -> Result<StoreUrl, Error> {
        if let Some(path) = url.strip_prefix("file://") {
            return Ok(StoreUrl::File(file::FolderPath::parse(path)?));
        }
        if url.starts_with("redis://") || url.starts_with("rediss://") {
            return Ok(StoreUrl::Redis(redis_url::RedisUrl::parse(url)?));
        }
        Err(Error::invalid_argument(
            "a shared cache URL starts with file:///, redis:// or rediss://",
        ))
    }

    /// The store this URL names, trusting `roots` for `rediss://`.
    pub fn open(&self, roots: &TrustRoots) -> Arc<dyn Store> {
        match self {
            StoreUrl::File(folder) => folder.store(),
            StoreUrl::Redis(url) => redis::RedisStore::shared(url, roots),
        }
    }
}

impl fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreUrl::File(folder) => write!(f, "file://{}", folder.display()),
            StoreUrl::Redis(url) => write!(f, "{url:?}"),
        }
    }
}

/// Why the shared cache URL `file://{path}` is refused, quoting it bounded
/// and printable: it may come from `MCAUTH_SHARED_CACHE`. One text for the
/// folder store's refusals and for its absence outside unix.
fn folder_url_refused(path: &str, why: &str) -> Error {
    Error::invalid_argument(format!(
        "the shared cache URL file://{} is refused: {why}",
        printable(path)
    ))
}

/// `%XX` escapes decoded, for both store URLs; `None` when a `%` is not
/// followed by two hex digits or the result is not UTF-8. Sized once and
/// wiped: the text may be a password, and a reallocation would leave a copy.
fn percent_decode(text: &str) -> Option<Zeroizing<String>> {
    let mut decoded = Zeroizing::new(Vec::with_capacity(text.len()));
    let mut rest = text.as_bytes();
    while let Some((&byte, after)) = rest.split_first() {
        if byte != b'%' {
            decoded.push(byte);
            rest = after;
            continue;
        }
        let hex = after
            .get(..2)
            .and_then(|hex| std::str::from_utf8(hex).ok())?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        decoded.push(u8::from_str_radix(hex, 16).ok()?);
        rest = &after[2..];
    }
    let text = std::str::from_utf8(&decoded).ok()?;
    Some(Zeroizing::new(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_clock_times_are_whole_milliseconds_since_the_epoch() {
        let time = UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456);
        assert_eq!(unix_ms(time), 1_700_000_000_123);
        assert_eq!(
            from_unix_ms(unix_ms(time)),
            UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
            "less than a millisecond is dropped"
        );
        assert_eq!(unix_ms(UNIX_EPOCH - Duration::from_secs(1)), 0);
        assert_eq!(
            from_unix_ms(u64::MAX),
            from_unix_ms(253_402_300_800_000),
            "a time no clock need hold is the end of the year 9999"
        );
    }
}
