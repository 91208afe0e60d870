//! What every `Store` promises, whatever keeps the values: each store's own
//! tests run these against a real one (a folder, a `redis-server`).

use super::Store;
use std::time::{Duration, Instant};

pub(super) const NAME: &str = "0123456789abcdef0123456789abcdef";
const OTHER: &str = "ffffffffffffffffffffffffffffffff";
const LONG: Duration = Duration::from_secs(60);

pub(super) fn soon() -> Instant {
    Instant::now() + Duration::from_secs(5)
}

/// The value stored under `NAME`.
pub(super) fn read(store: &dyn Store) -> Option<Vec<u8>> {
    store.read(NAME, soon()).unwrap()
}

/// Values are bytes (a NUL too), replaced by a write, gone once expired.
pub(super) fn writes_read_back_until_they_expire(store: &dyn Store) {
    assert_eq!(read(store), None);
    store.write(NAME, b"sealed\0one", LONG, soon()).unwrap();
    assert_eq!(read(store).as_deref(), Some(&b"sealed\0one"[..]));
    let short = Duration::from_millis(50);
    store.write(NAME, b"short", short, soon()).unwrap();
    assert_eq!(read(store).as_deref(), Some(&b"short"[..]));
    std::thread::sleep(short * 4);
    assert_eq!(read(store), None, "expired");
}

/// `remove_if` removes a value only while it is exactly the one expected.
pub(super) fn remove_if_removes_only_the_expected_value(store: &dyn Store) {
    assert!(!store.remove_if(NAME, b"one", soon()).unwrap(), "nothing");
    store.write(NAME, b"two", LONG, soon()).unwrap();
    assert!(!store.remove_if(NAME, b"one", soon()).unwrap());
    assert_eq!(read(store).as_deref(), Some(&b"two"[..]));
    assert!(store.remove_if(NAME, b"two", soon()).unwrap());
    assert_eq!(read(store), None);
}

/// A lock excludes every other taker (in this process too) until it is
/// dropped; each name has its own, and taking one is not writing a value.
pub(super) fn a_lock_excludes_others_until_released(store: &dyn Store) {
    let held = store.try_lock(NAME, LONG, soon()).unwrap();
    assert!(held.is_some());
    assert!(store.try_lock(NAME, LONG, soon()).unwrap().is_none());
    assert!(store.try_lock(OTHER, LONG, soon()).unwrap().is_some());
    assert_eq!(read(store), None);
    drop(held);
    assert!(store.try_lock(NAME, LONG, soon()).unwrap().is_some());
}
