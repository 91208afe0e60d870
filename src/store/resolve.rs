//! A Redis host name resolved within the caller's deadline. std's resolution
//! (getaddrinfo) takes no timeout, and a slow DNS (a dead first nameserver
//! costs 5 s a lookup) would hold a token call past its budget for the sake
//! of a cache. So a name is looked up on a thread of its own, one at a time
//! per host; a caller out of time goes on without it (the store is a miss)
//! and the answer, whenever it comes, serves the next callers: for a minute
//! or until a caller finds no server or the wrong one there (`look_again`),
//! and after that while the next lookup runs, or if it fails (a DNS outage
//! need not take the cache with it). An address needs no lookup.

use crate::fork;
use once_cell::sync::Lazy;
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long addresses found are used before they are looked up again.
const FOUND_FOR: Duration = Duration::from_secs(60);
/// How long a failed lookup stands before another is tried.
const FAILED_FOR: Duration = Duration::from_secs(5);
/// Between two looks at a lookup in flight: a name in /etc/hosts answers
/// in microseconds, and the first connect should not wait much longer.
const POLL: Duration = Duration::from_millis(1);

type Resolver = fn(&str, u16) -> io::Result<Vec<SocketAddr>>;

#[derive(Default)]
struct Host {
    /// The latest lookup's outcome (a failure's text), and when it came; a
    /// failure does not replace addresses found before, which stay in use.
    latest: Option<(Result<Vec<SocketAddr>, String>, Instant)>,
    /// When the host is to be looked up again (`None`: now).
    next_lookup: Option<Instant>,
    /// The process generation whose thread is looking the host up now: a
    /// forked child, where that thread does not exist, starts its own.
    looking: Option<u64>,
}

/// By host and port. Locked only under the fork gate, never during a lookup.
static HOSTS: Lazy<Mutex<HashMap<(String, u16), Host>>> = Lazy::new(Default::default);

pub(crate) fn resolve(host: &str, port: u16, deadline: Instant) -> io::Result<Vec<SocketAddr>> {
    resolve_with(host, port, deadline, |host, port| {
        Ok((host, port).to_socket_addrs()?.collect())
    })
}

fn resolve_with(
    host: &str,
    port: u16,
    deadline: Instant,
    resolver: Resolver,
) -> io::Result<Vec<SocketAddr>> {
    if let Ok(address) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(address, port)]);
    }
    let key = (host.to_owned(), port);
    let called = Instant::now();
    loop {
        if let Some(outcome) = look(&key, called, resolver)? {
            return outcome.map_err(io::Error::other);
        }
        if Instant::now() + POLL >= deadline {
            // Not a socket timeout's kind: the message must say what waited.
            return Err(io::Error::other(format!(
                "resolving {host} outlasted the operation's bound"
            )));
        }
        std::thread::sleep(POLL);
    }
}

/// What the caller can use now: addresses found (even old ones while a new
/// lookup runs), or a failure that is recent or came during this call.
/// Starts a lookup when none runs and the latest outcome is out of date.
fn look(
    key: &(String, u16),
    called: Instant,
    resolver: Resolver,
) -> io::Result<Option<Result<Vec<SocketAddr>, String>>> {
    let _gate = fork::enter();
    let mut hosts = HOSTS.lock().unwrap_or_else(PoisonError::into_inner);
    let host = hosts.entry(key.clone()).or_default();
    let current = host.next_lookup.is_some_and(|at| Instant::now() < at);
    let generation = fork::generation();
    if !current && host.looking != Some(generation) {
        start_lookup(key.clone(), generation, resolver)?;
        host.looking = Some(generation);
    }
    Ok(match &host.latest {
        Some((Ok(addresses), _)) => Some(Ok(addresses.clone())),
        Some((Err(why), at)) if current || *at >= called => Some(Err(why.clone())),
        _ => None,
    })
}

/// Makes the next call look `host` up again, for a caller that found no
/// server at its addresses or the wrong one (a failover may move the name):
/// the addresses found stay in use until the new answer comes.
pub(crate) fn look_again(host: &str, port: u16) {
    let _gate = fork::enter();
    let mut hosts = HOSTS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(host) = hosts.get_mut(&(host.to_owned(), port)) {
        host.next_lookup = None;
    }
}

/// Whether the next call for `host` starts a lookup: for the store's tests,
/// which see only what the store does.
#[cfg(test)]
pub(crate) fn lookup_is_due(host: &str, port: u16) -> bool {
    let _gate = fork::enter();
    let hosts = HOSTS.lock().unwrap_or_else(PoisonError::into_inner);
    let next = hosts
        .get(&(host.to_owned(), port))
        .and_then(|h| h.next_lookup);
    next.is_none_or(|at| Instant::now() >= at)
}

fn start_lookup(key: (String, u16), generation: u64, resolver: Resolver) -> io::Result<()> {
    let name = key.0.clone();
    std::thread::Builder::new()
        .name("mcauth-resolve".into())
        .spawn(move || {
            let outcome = match resolver(&key.0, key.1) {
                Ok(found) if found.is_empty() => Err(format!("{} has no address", key.0)),
                Ok(found) => Ok(found),
                Err(e) => Err(format!("resolving {}: {e}", key.0)),
            };
            let _gate = fork::enter();
            let mut hosts = HOSTS.lock().unwrap_or_else(PoisonError::into_inner);
            let host = hosts.entry(key).or_default();
            if host.looking == Some(generation) {
                host.looking = None;
            }
            let now = Instant::now();
            let found_before = matches!(host.latest, Some((Ok(_), _)));
            host.next_lookup = Some(
                now + if outcome.is_ok() {
                    FOUND_FOR
                } else {
                    FAILED_FOR
                },
            );
            if outcome.is_ok() || !found_before {
                host.latest = Some((outcome, now));
            }
        })
        .map(drop)
        // Not a timeout (EAGAIN would read as one): a thread limit reached.
        .map_err(|e| io::Error::other(format!("no thread to resolve {name}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    #[test]
    fn an_address_is_used_as_it_is() {
        let found = resolve_with("::1", 6379, soon(), |_, _| panic!("looked up")).unwrap();
        assert_eq!(found, ["[::1]:6379".parse().unwrap()]);
    }

    #[test]
    fn a_name_is_resolved() {
        let found = resolve("localhost", 6379, soon()).unwrap();
        assert!(!found.is_empty());
        assert!(found
            .iter()
            .all(|a| a.ip().is_loopback() && a.port() == 6379));
    }

    static SLOW_LOOKUPS: AtomicUsize = AtomicUsize::new(0);
    static SLOW_RELEASED: AtomicBool = AtomicBool::new(false);

    /// Answers when released, or after 30 s: a call that waited for it would
    /// get the address instead of giving up.
    fn slow(_: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        SLOW_LOOKUPS.fetch_add(1, Ordering::SeqCst);
        let started = Instant::now();
        while !SLOW_RELEASED.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(vec![SocketAddr::from(([127, 0, 0, 1], port))])
    }

    #[test]
    fn a_slow_lookup_is_left_at_the_deadline_and_its_answer_serves_later_calls() {
        for _ in 0..2 {
            let shortly = Instant::now() + Duration::from_millis(30);
            let error = resolve_with("slow.example", 6379, shortly, slow).unwrap_err();
            assert!(
                error.to_string().contains("resolving slow.example"),
                "{error}"
            );
        }
        SLOW_RELEASED.store(true, Ordering::SeqCst);
        let found = resolve_with("slow.example", 6379, soon(), slow).unwrap();
        assert_eq!(found, [SocketAddr::from(([127, 0, 0, 1], 6379))]);
        assert_eq!(
            SLOW_LOOKUPS.load(Ordering::SeqCst),
            1,
            "one lookup at a time"
        );
        resolve_with("slow.example", 6379, soon(), slow).unwrap();
        assert_eq!(
            SLOW_LOOKUPS.load(Ordering::SeqCst),
            1,
            "a fresh answer is reused"
        );
    }

    // A new fork generation reaches the whole process: beside the other
    // tests it would orphan their requests and lookups in flight. So this
    // test runs again alone, in a process of its own.
    #[cfg(unix)]
    mod in_a_forked_child {
        use super::*;

        /// Set in the environment of the process `run_alone` starts.
        const ALONE: &str = "MCAUTH_TEST_ALONE";

        /// Runs `test` (its full name) in a fresh run of this test binary,
        /// alone, and fails if it fails there.
        fn run_alone(test: &str) {
            let run = std::process::Command::new(std::env::current_exe().unwrap())
                .args([test, "--exact", "--test-threads=1"])
                .env(ALONE, "1")
                .output()
                .unwrap();
            let said = String::from_utf8_lossy(&run.stdout);
            assert!(
                run.status.success() && said.contains("1 passed"),
                "{said}{}",
                String::from_utf8_lossy(&run.stderr)
            );
        }

        static LOOKUPS: AtomicUsize = AtomicUsize::new(0);

        /// The first lookup, the parent's, hangs (30 s, past the test): in
        /// a forked child its thread does not exist and never answers. Any
        /// later lookup answers at once.
        fn hangs_in_the_parent(_: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
            if LOOKUPS.fetch_add(1, Ordering::SeqCst) == 0 {
                std::thread::sleep(Duration::from_secs(30));
            }
            Ok(vec![SocketAddr::from(([127, 0, 0, 3], port))])
        }

        #[test]
        fn the_host_is_looked_up_again_instead_of_waiting_for_the_parents_thread() {
            if std::env::var_os(ALONE).is_none() {
                return run_alone(
                    "store::resolve::tests::in_a_forked_child::\
                     the_host_is_looked_up_again_instead_of_waiting_for_the_parents_thread",
                );
            }
            let shortly = Instant::now() + Duration::from_millis(30);
            resolve_with("forked.example", 6379, shortly, hangs_in_the_parent).unwrap_err();
            // What the atfork handlers do around a fork, minus the fork (a
            // child of the test harness would lack its threads).
            fork::before_fork();
            fork::after_fork_in_child();
            let found = resolve_with("forked.example", 6379, soon(), hangs_in_the_parent).unwrap();
            assert_eq!(found, [SocketAddr::from(([127, 0, 0, 3], 6379))]);
            assert_eq!(LOOKUPS.load(Ordering::SeqCst), 2, "the child's own");
        }
    }

    static FLAKY_LOOKUPS: AtomicUsize = AtomicUsize::new(0);

    /// Finds the host once, then fails.
    fn flaky(_: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        match FLAKY_LOOKUPS.fetch_add(1, Ordering::SeqCst) {
            0 => Ok(vec![SocketAddr::from(([127, 0, 0, 2], port))]),
            _ => Err(io::Error::other("the DNS is down")),
        }
    }

    #[test]
    fn after_look_again_addresses_found_stay_in_use_while_the_new_lookup_fails() {
        let found = resolve_with("flaky.example", 6379, soon(), flaky).unwrap();
        let key = ("flaky.example".to_owned(), 6379);
        look_again("flaky.example", 6379);
        // Served at once from what was found, while the new lookup runs.
        assert_eq!(
            resolve_with("flaky.example", 6379, soon(), flaky).unwrap(),
            found
        );
        let looking = || {
            let _gate = fork::enter();
            HOSTS.lock().unwrap()[&key].looking.is_some()
        };
        while looking() {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(FLAKY_LOOKUPS.load(Ordering::SeqCst), 2);
        assert_eq!(
            resolve_with("flaky.example", 6379, soon(), flaky).unwrap(),
            found
        );
        assert_eq!(
            FLAKY_LOOKUPS.load(Ordering::SeqCst),
            2,
            "a failure stands a while"
        );
    }

    static FAILING_LOOKUPS: AtomicUsize = AtomicUsize::new(0);

    fn failing(_: &str, _: u16) -> io::Result<Vec<SocketAddr>> {
        FAILING_LOOKUPS.fetch_add(1, Ordering::SeqCst);
        Err(io::Error::other("no such name"))
    }

    #[test]
    fn a_failed_lookup_is_said_and_stands_a_while() {
        for _ in 0..2 {
            let error = resolve_with("nowhere.example", 6379, soon(), failing).unwrap_err();
            assert!(error.to_string().contains("no such name"), "{error}");
        }
        assert_eq!(FAILING_LOOKUPS.load(Ordering::SeqCst), 1);
    }
}
