//! A forked child starts from a consistent state whatever the parent's other
//! threads were doing: it gets a token within its budget, never hangs, never
//! uses the parent's connections, and serves a still-valid cached token
//! without a request. 20 children per scenario, each under an `alarm`
//! watchdog; the fake counts the requests.
//!
//! Unix only, as `fork` is.
#![cfg(unix)]

mod common;

use common::*;
use mcauth::Auth;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TRIALS: usize = 20;
/// A child that has not exited by then is hung (SIGALRM kills it).
const WATCHDOG_SECS: u32 = 15;

/// Exit codes of a child.
const OK: i32 = 0;
const FAILED: i32 = 1;
const WRONG_TOKEN: i32 = 2;
const PANICKED: i32 = 3;
const INHERITED_LOCK: i32 = 4;
/// A trial whose fork came after the first HTTPS request had ended.
const FORKED_AFTER_REQUEST: i32 = 5;

/// Forks a child that runs `body` under a watchdog and exits with its code.
fn fork_child(body: impl FnOnce() -> i32) -> libc::pid_t {
    // SAFETY: the child only runs `body`, then _exit: no destructor or test
    // harness code of the parent runs twice.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        unsafe { libc::alarm(WATCHDOG_SECS) };
        let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).unwrap_or(PANICKED);
        unsafe { libc::_exit(code) };
    }
    pid
}

/// Says why a child fails, on the real stderr: the test harness captures
/// `eprintln!` into the child's memory, which `_exit` throws away.
fn tell(why: std::fmt::Arguments) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{why}");
}

/// Waits for a child: its exit code, or how it died.
fn exit_code(pid: libc::pid_t) -> Result<i32, String> {
    let mut status = 0;
    // SAFETY: `pid` is our child; `status` is a valid out-pointer.
    let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(waited, pid);
    if libc::WIFEXITED(status) {
        Ok(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGALRM {
        Err(format!("child {pid} hung (watchdog)"))
    } else {
        Err(format!("child {pid} died: status {status}"))
    }
}

/// Waits for every child; describes the ones that failed or hung.
fn outcomes(children: Vec<libc::pid_t>) -> Vec<String> {
    outcomes_counting(children, None).1
}

/// As `outcomes`, but counts the children that exited `counted` (trials
/// that proved nothing) instead of describing them.
fn outcomes_counting(children: Vec<libc::pid_t>, counted: Option<i32>) -> (usize, Vec<String>) {
    let (mut count, mut failures) = (0, Vec::new());
    for pid in children {
        match exit_code(pid) {
            Ok(OK) => {}
            Ok(code) if Some(code) == counted => count += 1,
            Ok(code) => failures.push(format!("child {pid} exited {code}")),
            Err(why) => failures.push(why),
        }
    }
    (count, failures)
}

fn assert_all_succeeded(children: Vec<libc::pid_t>) {
    let failures = outcomes(children);
    assert!(failures.is_empty(), "{failures:#?}");
}

/// In a child: a token within `budget`, else why not.
fn child_token(auth: &Auth, budget: Duration) -> Result<String, i32> {
    auth.set_timeout(budget).unwrap();
    match auth.token() {
        Ok(token) => Ok(token.as_str().to_owned()),
        Err(error) => {
            tell(format_args!("child {}: {error}", std::process::id()));
            Err(FAILED)
        }
    }
}

/// In a child: the parent's cached `token`, from the inherited handle and from
/// a new one on scenario `s`.
fn serves_the_cached_token(auth: &Auth, s: &str, token: &str) -> i32 {
    let again = Auth::new(&http_base(s), "client-id", SECRET).unwrap();
    let budget = Duration::from_secs(5);
    let same = |t: Result<String, i32>| t.is_ok_and(|t| t == token);
    if same(child_token(auth, budget)) && same(child_token(&again, budget)) {
        OK
    } else {
        WRONG_TOKEN
    }
}

#[test]
fn a_child_serves_the_cached_token_without_a_request() {
    let s = scenario("fork-cached", "");
    let auth = http_auth(&s);
    let token = auth.token().unwrap().as_str().to_owned();
    let children = (0..TRIALS)
        .map(|_| fork_child(|| serves_the_cached_token(&auth, &s, &token)))
        .collect();
    assert_all_succeeded(children);
    assert_eq!(requests(&s), 1, "a child sent a request for a valid token");
}

#[test]
fn a_child_forked_during_another_threads_request_gets_its_own_token() {
    let s = scenario("fork-flight", "delay=2000");
    let auth = http_auth(&s);
    std::thread::scope(|scope| {
        let parent = scope.spawn(|| auth.token());
        std::thread::sleep(Duration::from_millis(300));
        let children = (0..TRIALS)
            .map(|i| {
                fork_child(|| {
                    // Half on the inherited handle, half on a new one.
                    let fresh;
                    let auth = if i % 2 == 0 {
                        &auth
                    } else {
                        fresh = http_auth(&s);
                        &fresh
                    };
                    child_token(auth, Duration::from_secs(6)).map_or(FAILED, |_| OK)
                })
            })
            .collect();
        assert_all_succeeded(children);
        parent.join().unwrap().unwrap();
    });
    assert_eq!(requests(&s), 1 + TRIALS as u64);
}

#[test]
fn a_child_forked_during_a_refresh_gets_a_token_after_the_old_one_expired() {
    // Lifetime 4 s with a large margin: refreshed from half-life, 2 s after
    // the first request was sent; each answer takes 1.2 s.
    let s = scenario("fork-refresh", "expires=4/delay=1200");
    let auth = http_auth(&s);
    auth.set_refresh_margin(Duration::from_secs(1000));
    let sent = Instant::now();
    let old = auth.token().unwrap();
    std::thread::sleep(Duration::from_millis(2100).saturating_sub(sent.elapsed()));
    std::thread::scope(|scope| {
        let refresher = scope.spawn(|| auth.token());
        std::thread::sleep(Duration::from_millis(300));
        let children = (0..TRIALS)
            .map(|_| {
                fork_child(|| {
                    // Past the old token's expiry: only a new request helps.
                    std::thread::sleep(Duration::from_secs(4).saturating_sub(sent.elapsed()));
                    match child_token(&auth, Duration::from_secs(6)) {
                        Ok(token) if token != old.as_str() => OK,
                        Ok(_) => WRONG_TOKEN,
                        Err(code) => code,
                    }
                })
            })
            .collect();
        assert_all_succeeded(children);
        refresher.join().unwrap().unwrap();
    });
}

#[test]
fn a_child_forked_during_handle_churn_neither_hangs_nor_sends() {
    let s = scenario("fork-churn", "");
    let auth = http_auth(&s);
    let token = auth.token().unwrap().as_str().to_owned();
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for thread in 0..3 {
            let (stop, s) = (&stop, &s);
            scope.spawn(move || {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    // Same credentials (a registry hit) and new ones (an
                    // insertion, a removal and now and then a sweep).
                    let same = Auth::new(&http_base(s), "client-id", SECRET).unwrap();
                    let other = Auth::new(&http_base(s), &format!("churn-{thread}-{n}"), SECRET);
                    drop((same, other));
                    n += 1;
                }
            });
        }
        let children = (0..TRIALS)
            .map(|i| {
                std::thread::sleep(Duration::from_millis(3 + i as u64 % 7));
                fork_child(|| serves_the_cached_token(&auth, &s, &token))
            })
            .collect();
        let failures = outcomes(children);
        stop.store(true, Ordering::Relaxed);
        assert!(failures.is_empty(), "{failures:#?}");
    });
    assert_eq!(requests(&s), 1);
}

/// A CA bundle big enough that loading it takes a while: the system's
/// bundle many times over (or the fake's CA, where there is none): 10 MB,
/// which took 24 ms to load here, while the trials fork 0 to 9.5 ms after
/// the load starts (the test fails where more than a quarter fork after
/// the first request, load, handshake and answer, has ended). Removed when
/// the value drops.
fn slow_bundle() -> tempfile::NamedTempFile {
    let system = std::fs::read("/etc/ssl/certs/ca-certificates.crt")
        .unwrap_or_else(|_| std::fs::read(FAKE.ca_file()).unwrap());
    let copies = (10_000_000 / system.len()).max(20);
    let bundle = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(bundle.path(), system.repeat(copies)).unwrap();
    bundle
}

#[test]
fn a_child_forked_during_the_first_trust_store_load_gets_a_token() {
    let bundle = slow_bundle();
    let s = scenario("fork-roots", "");
    let base = https_base(&s); // starts the fake before any fork

    // Each trial runs in a fresh process (a child of this one, which never
    // loads the trust store): one thread loads it for its first HTTPS
    // request while the other forks, a little later each trial, and says
    // whether that request was still running then.
    let trials: Vec<_> = (0..TRIALS)
        .map(|trial| {
            fork_child(|| {
                std::env::set_var("SSL_CERT_FILE", bundle.path());
                let base = base.clone();
                let https = move || {
                    let auth = Auth::new(&base, "client-id", SECRET).unwrap();
                    auth.set_ca_file(FAKE.ca_file()).unwrap();
                    auth
                };
                let loaded = Arc::new(AtomicBool::new(false));
                let loader = std::thread::spawn({
                    let (https, loaded) = (https.clone(), loaded.clone());
                    move || {
                        let ok = https().token().is_ok();
                        loaded.store(true, Ordering::SeqCst);
                        ok
                    }
                });
                std::thread::sleep(Duration::from_micros(500 * trial as u64));
                let during_request = !loaded.load(Ordering::SeqCst);
                let child = fork_child(|| {
                    child_token(&https(), Duration::from_secs(8)).map_or(FAILED, |_| OK)
                });
                let failures = outcomes(vec![child]);
                if !failures.is_empty() {
                    tell(format_args!("trial {trial}: {failures:?}"));
                    return FAILED;
                }
                match (loader.join().unwrap(), during_request) {
                    (false, _) => FAILED,
                    (true, true) => OK,
                    (true, false) => FORKED_AFTER_REQUEST,
                }
            })
        })
        .collect();
    let (after_request, failures) = outcomes_counting(trials, Some(FORKED_AFTER_REQUEST));
    assert!(failures.is_empty(), "{failures:#?}");
    // A trial that forked after the request proved nothing: most must not.
    assert!(
        after_request <= TRIALS / 4,
        "{after_request} of {TRIALS} trials forked after the first request had ended: \
         it ends too fast here to test a fork during the trust store's load (grow slow_bundle)"
    );
}

/// A keep-alive token server whose tokens name the connection that carried
/// the request: `tok-c<connection>-r<request>`.
fn connection_naming_server() -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for (connection, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                for request in 0.. {
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let lower = line.to_ascii_lowercase();
                        if let Some(value) = lower.strip_prefix("content-length:") {
                            length = value.trim().parse().unwrap();
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let answer = format!(
                        r#"{{"accessToken":"tok-c{connection}-r{request}","expiresIn":3600}}"#
                    );
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
                        answer.len()
                    );
                    if writer.write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{address}/")
}

fn connection_of(token: &str) -> &str {
    token.split('-').nth(1).unwrap()
}

#[test]
fn a_child_never_uses_the_parents_pooled_connection() {
    let base = connection_naming_server();
    let auth = Auth::new(&base, "client-id", SECRET).unwrap();
    let parents = auth.token().unwrap().as_str().to_owned();
    for _ in 0..TRIALS {
        let child = fork_child(|| {
            auth.invalidate(None);
            match child_token(&auth, Duration::from_secs(5)) {
                Ok(token) if connection_of(&token) != connection_of(&parents) => OK,
                Ok(token) => {
                    tell(format_args!(
                        "the child's {token} came over the parent's connection"
                    ));
                    WRONG_TOKEN
                }
                Err(code) => code,
            }
        });
        assert_all_succeeded(vec![child]);
    }
    // The parent's connection still works, and is still its own.
    auth.invalidate(None);
    let again = auth.token().unwrap();
    assert_eq!(connection_of(again.as_str()), connection_of(&parents));
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "lists descriptors in /proc/self/fd"
)]
fn a_child_forked_while_the_parent_holds_the_store_lock_inherits_no_lock_descriptor() {
    // Open descriptors of this process on a store's lock files.
    fn lock_descriptors() -> usize {
        std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|fd| std::fs::read_link(fd.unwrap().path()).ok())
            .filter(|target| target.extension().is_some_and(|x| x == "lock"))
            .count()
    }
    let s = scenario("fork-store-lock", "delay=1500");
    let root = tempfile::tempdir().unwrap(); // removed when the test ends
    let store = format!("file://{}", root.path().join("store").display());
    let with_store = || {
        let auth = http_auth(&s);
        auth.set_shared_cache(Some(&store)).unwrap();
        auth
    };
    let auth = with_store();
    std::thread::scope(|scope| {
        let parent = scope.spawn(|| auth.token());
        // The parent's request is under way, the store's lock held.
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            lock_descriptors() > 0,
            "the parent holds the lock as it forks"
        );
        let children = (0..4)
            .map(|_| {
                fork_child(|| {
                    if lock_descriptors() > 0 {
                        return INHERITED_LOCK;
                    }
                    child_token(&with_store(), Duration::from_secs(6)).map_or(FAILED, |_| OK)
                })
            })
            .collect();
        assert_all_succeeded(children);
        parent.join().unwrap().unwrap();
    });
}
