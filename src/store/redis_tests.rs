//! The Redis URL, and the store against a real `redis-server` each.

use super::*;
use std::net::TcpListener;
use std::thread::sleep;

#[path = "../../tests/common/redis_server.rs"]
mod redis_server;

use crate::store::contract_tests::{self as contract, read, soon, NAME};
use redis_server::{RedisServer, TlsFiles};

const LONG: Duration = Duration::from_secs(60);

fn store_at(url: &str) -> Arc<dyn Store> {
    RedisStore::shared(&RedisUrl::parse(url).unwrap(), &TrustRoots::default())
}

fn store_of(server: &RedisServer) -> Arc<dyn Store> {
    store_at(&server.url())
}

/// A store of its own on `server`, as itself: for raw commands (`run`).
fn own_store(server: &RedisServer) -> Arc<RedisStore> {
    let key = StoreKey {
        url: RedisUrl::parse(&server.url()).unwrap(),
        roots: TrustRoots::default(),
    };
    RedisStore::new(&fork::enter(), &key)
}

#[test]
fn a_server_error_that_quotes_a_secret_is_cut_to_its_code() {
    assert_eq!(
        error_reply("WRONGPASS invalid username-password pair", &[b"hunter2"]),
        "WRONGPASS invalid username-password pair"
    );
    let shown = error_reply("ERR bad argument 'hunter2'", &[b"hunter2"]);
    assert!(
        shown.starts_with("ERR ") && !shown.contains("hunter2"),
        "{shown}"
    );
}

// --- the store ---

#[test]
fn keeps_the_store_contract() {
    let server = RedisServer::start();
    let store = store_of(&server);
    contract::writes_read_back_until_they_expire(&*store);
    contract::remove_if_removes_only_the_expected_value(&*store);
    contract::a_lock_excludes_others_until_released(&*store);
}

#[test]
fn a_key_holding_another_kind_of_value_is_a_bad_entry_that_a_write_replaces() {
    let server = RedisServer::start();
    let store = own_store(&server);
    let entry = entry_key(NAME);
    let list: [&[u8]; 3] = [b"LPUSH", entry.as_bytes(), b"not an entry"];
    store.run(&list, &[], soon(), |_| Some(())).unwrap();
    let error = store.read(NAME, soon()).unwrap_err();
    assert!(error.is_bad_entry(), "{error}");
    let pooled = {
        let _gate = fork::enter();
        store.idle.lock().unwrap().len()
    };
    assert_eq!(pooled, 1, "a key's error leaves its connection pooled");
    // Any other error (READONLY after a failover, say) drops it.
    let unknown: [&[u8]; 1] = [b"NOSUCHCOMMAND"];
    assert!(store.run(&unknown, &[], soon(), |_| Some(())).is_err());
    let pooled = {
        let _gate = fork::enter();
        store.idle.lock().unwrap().len()
    };
    assert_eq!(pooled, 0, "another server error drops its connection");
    store.write(NAME, b"sealed", LONG, soon()).unwrap();
    assert_eq!(read(&*store).as_deref(), Some(&b"sealed"[..]));
}

#[test]
fn a_lock_key_that_never_expires_is_no_lock() {
    let server = RedisServer::start();
    let store = own_store(&server);
    let lock = lock_key(NAME);
    for stray in [
        &[b"SET", lock.as_bytes(), b"x"][..],
        &[b"RPUSH", lock.as_bytes(), b"x"],
    ] {
        store.run(stray, &[], soon(), |_| Some(())).unwrap();
        let taken = store.try_lock(NAME, LONG, soon()).unwrap();
        assert!(taken.is_some(), "{:?}", String::from_utf8_lossy(stray[0]));
        assert!(
            store.try_lock(NAME, LONG, soon()).unwrap().is_none(),
            "and held"
        );
    }
}

#[test]
fn a_lease_ends_the_lock_and_a_late_release_frees_only_its_own() {
    let server = RedisServer::start();
    let store = store_of(&server);
    let first = store
        .try_lock(NAME, Duration::from_millis(100), soon())
        .unwrap();
    assert!(first.is_some());
    assert!(store.try_lock(NAME, LONG, soon()).unwrap().is_none());
    sleep(Duration::from_millis(250));
    let second = store.try_lock(NAME, LONG, soon()).unwrap();
    assert!(second.is_some(), "the lease has passed");
    drop(first); // its lock is gone: it must not release the second's
    assert!(store.try_lock(NAME, LONG, soon()).unwrap().is_none());
    drop(second);
    assert!(store.try_lock(NAME, LONG, soon()).unwrap().is_some());
}

#[test]
fn authenticates_with_the_urls_password() {
    let password = "p@ss/w:rd S3CR3T";
    let server = RedisServer::start_with_password(password);
    let encoded = "p%40ss%2Fw%3Ard%20S3CR3T";
    let url = server.url().replace("://", &format!("://:{encoded}@"));
    let store = store_at(&url);
    store.write(NAME, b"v", LONG, soon()).unwrap();
    assert_eq!(read(&*store).as_deref(), Some(&b"v"[..]));

    let url = server.url().replace("://", "://default:wrong-S3CR3T@");
    let error = store_at(&url).read(NAME, soon()).unwrap_err().to_string();
    assert!(error.contains("replied -WRONGPASS"), "{error}");
    assert!(!error.contains("S3CR3T"), "{error}");

    let error = store_of(&server)
        .read(NAME, soon())
        .unwrap_err()
        .to_string();
    let expected = format!("redis 127.0.0.1:{}: replied -NOAUTH", server.port());
    assert!(error.starts_with(&expected), "{error}");
}

#[test]
fn selects_the_urls_database() {
    let server = RedisServer::start();
    let db3 = store_at(&format!("{}/3", server.url()));
    db3.write(NAME, b"in 3", LONG, soon()).unwrap();
    assert_eq!(store_of(&server).read(NAME, soon()).unwrap(), None);
    let again = store_at(&format!("{}/3", server.url()));
    assert_eq!(read(&*again).as_deref(), Some(&b"in 3"[..]));
}

#[test]
fn one_store_per_server_per_process() {
    let server = RedisServer::start();
    let address = |store: &Arc<dyn Store>| Arc::as_ptr(store) as *const u8;
    let (a, b) = (store_of(&server), store_of(&server));
    assert_eq!(address(&a), address(&b));
    let other_db = store_at(&format!("{}/1", server.url()));
    assert_ne!(address(&a), address(&other_db));
}

#[test]
fn a_host_name_is_looked_up_again_after_a_server_error_or_a_refused_connection() {
    // By name: an address needs no lookup.
    let mut server = RedisServer::start_with_password("look-again");
    let port = server.port();
    let due = || crate::store::resolve::lookup_is_due("localhost", port);
    let found_again = || {
        let give_up = Instant::now() + Duration::from_secs(5);
        while due() && Instant::now() < give_up {
            sleep(Duration::from_millis(1));
        }
        !due()
    };
    let store = store_at(&format!("redis://:look-again@localhost:{port}"));
    store.write(NAME, b"v", LONG, soon()).unwrap();
    assert!(found_again(), "looked up, for a minute");
    // -NOAUTH: a server that is not the one expected.
    let without_password = store_at(&format!("redis://localhost:{port}"));
    without_password.read(NAME, soon()).unwrap_err();
    assert!(
        due(),
        "a server error did not make the name looked up again"
    );
    // A store of its own (another database) connects, and so looks up.
    let other = store_at(&format!("redis://:look-again@localhost:{port}/1"));
    other.read(NAME, soon()).unwrap();
    assert!(found_again());
    server.stop();
    other.read(NAME, soon()).unwrap_err();
    assert!(
        due(),
        "a refused connection did not make the name looked up again"
    );
}

#[test]
fn a_stopped_server_fails_fast_and_a_restarted_one_serves_again() {
    let mut server = RedisServer::start();
    let store = store_of(&server);
    store.write(NAME, b"v", LONG, soon()).unwrap();
    server.stop();
    let started = Instant::now();
    let error = store.read(NAME, soon()).unwrap_err().to_string();
    assert!(started.elapsed() < Duration::from_millis(1500));
    let expected = format!("redis 127.0.0.1:{}: connection refused", server.port());
    assert_eq!(error, expected);

    server.start_again();
    assert_eq!(
        store.read(NAME, soon()).unwrap(),
        None,
        "a new, empty server"
    );
}

#[test]
fn a_pooled_connection_to_a_restarted_server_is_replaced() {
    let mut server = RedisServer::start();
    let store = store_of(&server);
    store.write(NAME, b"v", LONG, soon()).unwrap(); // leaves a pooled connection
    server.start_again();
    store.write(NAME, b"w", LONG, soon()).unwrap();
    assert_eq!(read(&*store).as_deref(), Some(&b"w"[..]));
}

#[test]
fn a_silent_server_costs_one_operation_bound_at_most() {
    // Accepts connections (the kernel does, from the backlog), never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("redis://{}", silent.local_addr().unwrap());
    let store = store_at(&url);
    let started = Instant::now();
    let error = store
        .read(NAME, Instant::now() + LONG)
        .unwrap_err()
        .to_string();
    let took = started.elapsed();
    assert!(error.ends_with(": timed out"), "{error}");
    assert!(
        took >= OPERATION_BOUND - Duration::from_millis(50),
        "{took:?}"
    );
    assert!(
        took < OPERATION_BOUND + Duration::from_millis(500),
        "{took:?}"
    );

    let error = store.read(NAME, Instant::now()).unwrap_err().to_string();
    assert!(error.ends_with(": timed out"), "a passed deadline: {error}");
}

#[test]
fn a_connection_from_before_a_fork_is_never_used() {
    let server = RedisServer::start();
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = silent.local_addr().unwrap();
    let store = own_store(&server);
    // A connection of another generation, to a server that never answers:
    // using it would time out.
    let connection = Connection::open("127.0.0.1", address.port(), None, soon()).unwrap();
    let inherited = Pooled {
        connection,
        generation: fork::generation() + 1,
    };
    {
        let _gate = fork::enter();
        store.idle.lock().unwrap().push(inherited);
    }
    let started = Instant::now();
    assert_eq!(store.read(NAME, soon()).unwrap(), None);
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[test]
fn rediss_verifies_the_server_with_the_handles_roots() {
    let dir = tempfile::tempdir().unwrap(); // removed when the test ends
    let files = TlsFiles::generate(dir.path());
    let ca = files.ca.clone();
    let server = RedisServer::start_tls(files);
    let url = RedisUrl::parse(&server.url()).unwrap();

    let gate = fork::enter();
    let roots = TrustRoots::with_ca_file(&gate, &ca).unwrap();
    let key = StoreKey {
        url: url.clone(),
        roots: roots.clone(),
    };
    let store = RedisStore::new(&gate, &key);
    drop(gate);
    store.write(NAME, b"over tls", LONG, soon()).unwrap();
    assert_eq!(read(&*store).as_deref(), Some(&b"over tls"[..]));
    let pooled = {
        let _gate = fork::enter();
        store.idle.lock().unwrap().pop().unwrap()
    };
    // Session tickets and all: nothing is left unread on an idle connection.
    assert!(pooled.connection.is_open(), "the TLS connection is reused");

    let untrusted = RedisStore::shared(&url, &TrustRoots::default());
    let error = untrusted.read(NAME, soon()).unwrap_err().to_string();
    assert!(error.contains("certificate"), "{error}");

    // By name: resolved (::1 refused, then 127.0.0.1), verified as localhost.
    let by_name = RedisUrl::parse(&format!("rediss://localhost:{}", server.port())).unwrap();
    let store = RedisStore::shared(&by_name, &roots);
    assert_eq!(read(&*store).as_deref(), Some(&b"over tls"[..]));
}
