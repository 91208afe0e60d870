//! Every export of the C ABI from 16 threads at once for 3 s, for
//! ThreadSanitizer and AddressSanitizer (`tests/sanitizers/run.sh` builds it
//! and runs it under `tests/with-fake-mc.sh`). All threads share three
//! handles, legacy over HTTP, legacy over HTTPS and enhanced over HTTPS,
//! whose tokens live 1 second (the fake's `expires=1`), so refreshes,
//! expiries and invalidations race the cached path; and on those same
//! handles the threads call the setters (CA file, proxy, shared cache: a
//! `file://` folder, a TLS-only `redis-server` when one is installed (the
//! tests' own fixture, tests/common/redis_server.rs), or none; timeout,
//! margin, attempts), which the header says are safe beside any call: where
//! a race would hide. Handles are also made and freed, and the functions
//! that need none called. As a C caller would:
//! every status checked (never `MC_ERR_INTERNAL`), every string freed. It
//! ends with the calls of each export the header declares, and fails if one
//! got none. A Rust harness lets rustc link its own sanitizer runtime.
//!
//! `MCAUTH_STRESS_DELIBERATE=race` makes every thread also increment one
//! plain counter (for ThreadSanitizer), `=use-after-free` reads a SOAP
//! header after `mc_string_free` (for AddressSanitizer): those runs must be
//! reported, which proves the sanitizer is really watching.

#[allow(dead_code)] // the stress starts a TLS server only
#[path = "../common/redis_server.rs"]
mod redis_server;

use mcauth::ffi::{calls::*, tokens::*, *};
use mcauth::Status;
use std::cell::UnsafeCell;
use std::env::var;
use std::ffi::{c_char, CStr, CString};
use std::fs::read;
use std::hint::black_box;
use std::path::Path;
use std::process::{Command, Stdio};
use std::ptr::{null, null_mut};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::LazyLock;
use std::time::Duration;

const THREADS: usize = 16;
const SECONDS: u64 = 3;
const ID: &CStr = c"client-id";
const SECRET: &CStr = c"stress-secret";
const ACCOUNT_ID: &CStr = c"514009708";
const SCOPE: &CStr = c"email_read list_and_subscribers_read";
const OK: &[Status] = &[Status::Ok];
/// Marketing Cloud's answer (with HTTP 500) to a SOAP call whose token expired.
const FAULT: &CStr = c"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">\
    <soap:Body><soap:Fault><faultcode>q0:Security</faultcode>\
    <faultstring>Token Expired</faultstring></soap:Fault></soap:Body></soap:Envelope>";

/// The calls of each export, by name. The names come from the header, so an
/// export added later and not called here fails the run.
static CALLS: LazyLock<Vec<(&str, AtomicU64)>> = LazyLock::new(|| {
    include_str!("../../include/mcauth.h")
        .lines()
        .filter(|line| line.contains('(') && !line.trim_start().starts_with(['/', '*']))
        .filter_map(|line| line.split('(').next()?.rsplit([' ', '*']).next())
        .filter(|name| name.starts_with("mc_"))
        .map(|name| (name, AtomicU64::new(0)))
        .collect()
});
static UNEXPECTED: AtomicU64 = AtomicU64::new(0);
static STORE_PROBLEMS: AtomicU64 = AtomicU64::new(0);

/// Calls an export and counts the call; with `in ALLOWED`, also checks its status.
macro_rules! call {
    ($export:ident($($arg:expr),*) in $allowed:expr) => {{
        let status = $export($($arg),*);
        check(stringify!($export), status, $allowed);
        status
    }};
    ($export:ident($($arg:expr),*)) => {{
        tally(stringify!($export));
        $export($($arg),*)
    }};
}

fn tally(export: &str) {
    let (_, calls) = CALLS
        .iter()
        .find(|(name, _)| *name == export)
        .expect("not in the header");
    calls.fetch_add(1, Relaxed);
}

/// Counts the call, and a status it may not give; the first few are printed.
fn check(export: &str, status: Status, allowed: &[Status]) {
    tally(export);
    if !allowed.contains(&status) && UNEXPECTED.fetch_add(1, Relaxed) < 10 {
        // SAFETY: the detail lives until this thread's next failing call.
        let detail = unsafe { CStr::from_ptr(call!(mc_last_error())) };
        eprintln!("unexpected: {export} gave {status:?}: {detail:?}");
    }
}

/// What threads make handles with and the setters set, made once.
struct Config {
    http_url: CString,
    https_url: CString,
    ca_file: CString,
    missing_ca_file: CString,
    /// The fake's proxy without and with credentials: a proxy can be changed, not unset.
    proxies: [CString; 2],
    /// A folder store in a temporary folder, "" for none, and the TLS Redis if any.
    stores: Vec<CString>,
}

/// A TLS-only Redis and the CA that signed its certificate.
struct TlsRedis {
    server: redis_server::RedisServer,
    ca: std::path::PathBuf,
}

/// A TLS-only `redis-server` in `folder`, or None (said) when `redis-server`
/// or `openssl` is not installed: the stress then shares tokens through a
/// folder only.
fn tls_redis(folder: &Path) -> Option<TlsRedis> {
    let installed = |tool: &str, arg: &str| {
        let mut command = Command::new(tool);
        command.arg(arg).stdout(Stdio::null()).stderr(Stdio::null());
        command.status().is_ok_and(|status| status.success())
    };
    if !(installed("redis-server", "--version") && installed("openssl", "version")) {
        println!("no redis-server or openssl: the stress shares tokens through a folder only");
        return None;
    }
    let files = redis_server::TlsFiles::generate(folder);
    let ca = files.ca.clone();
    Some(TlsRedis {
        server: redis_server::RedisServer::start_tls(files),
        ca,
    })
}

/// The handles every thread shares, as a C program's globals.
struct Shared([*mut mc_auth; 3]);
// SAFETY: the C contract makes handles safe to use from any thread.
unsafe impl Sync for Shared {}

/// The deliberate data race: a counter every thread increments unsynchronised.
struct Racy(UnsafeCell<u64>);
// SAFETY: it is not; that is the point, for ThreadSanitizer to report.
unsafe impl Sync for Racy {}
static RACY: Racy = Racy(UnsafeCell::new(0));

fn main() {
    let deliberate = var("MCAUTH_STRESS_DELIBERATE").unwrap_or_default();
    let fake = |name| var(name).expect("run under tests/with-fake-mc.sh");
    let c_string = |s: String| CString::new(s).unwrap();
    let run = std::process::id();
    let temporary = tempfile::tempdir().unwrap();
    let folder = temporary.path().to_owned();
    let proxy = fake("FAKE_MC_PROXY");
    let proxy_with_login = proxy.replacen("http://", "http://stress:proxy-secret@", 1);
    let mut ca_file = fake("FAKE_MC_CA");
    let mut stores = vec![format!("file://{}/store", folder.display()), String::new()];
    let redis = tls_redis(&folder);
    if let Some(redis) = &redis {
        // One CA file for both: setting it reopens the rediss:// store, under
        // calls using it, where review once found a race.
        let bundle = folder.join("bundle.pem");
        let both = [read(&ca_file).unwrap(), read(&redis.ca).unwrap()].concat();
        std::fs::write(&bundle, both).unwrap();
        ca_file = bundle.display().to_string();
        stores.push(redis.server.url());
    }
    println!("stores: {stores:?}");
    let config = Config {
        http_url: c_string(format!("{}/stress-{run}/expires=1/", fake("FAKE_MC_HTTP"))),
        https_url: c_string(format!("{}/stress-{run}/expires=1/", fake("FAKE_MC_HTTPS"))),
        ca_file: c_string(ca_file),
        missing_ca_file: c_string(format!("{}/missing.pem", folder.display())),
        proxies: [proxy, proxy_with_login].map(c_string),
        stores: stores.into_iter().map(c_string).collect(),
    };
    // SAFETY: valid strings; the handles are freed below, once no thread uses them.
    let shared = Shared(unsafe {
        [
            (&config.http_url, false),
            (&config.https_url, false),
            (&config.https_url, true),
        ]
        .map(|(url, enhanced)| new_handle(url, enhanced, &config))
    });
    let (stop, race) = (AtomicBool::new(false), deliberate == "race");
    std::thread::scope(|scope| {
        let (shared, config, stop) = (&shared, &config, &stop);
        let workers: Vec<_> = (0..THREADS)
            .map(|who| scope.spawn(move || work(who, shared, config, stop, race)))
            .collect();
        std::thread::sleep(Duration::from_secs(SECONDS));
        stop.store(true, Relaxed);
        workers.into_iter().for_each(|w| w.join().unwrap());
    });
    // SAFETY: no thread uses the handles any more.
    unsafe { shared.0.iter().for_each(|&h| call!(mc_auth_free(h))) };
    // Before the deliberate use after free, where AddressSanitizer ends the
    // process: no destructor runs after it, nor after `exit`.
    drop(redis);
    drop(temporary);
    if deliberate == "use-after-free" {
        let mut header: *mut c_char = null_mut();
        // SAFETY: deliberately not: the string is read after it was freed.
        unsafe {
            if mc_soap_header_for(c"token".as_ptr(), &mut header) == Status::Ok {
                mc_string_free(header);
                println!("read after free: {}", std::ptr::read_volatile(header));
            }
        }
    }
    std::process::exit(summary());
}

/// Prints the calls of each export and the totals; the exit status.
fn summary() -> i32 {
    let counts = CALLS
        .iter()
        .map(|(name, calls)| (*name, calls.load(Relaxed)));
    let counts: Vec<(&str, u64)> = counts.collect();
    for line in counts.chunks(4) {
        let line: Vec<_> = line.iter().map(|(name, n)| format!("{name} {n}")).collect();
        println!("calls: {}", line.join(", "));
    }
    let never: Vec<&str> = counts.iter().filter(|c| c.1 == 0).map(|c| c.0).collect();
    let total: u64 = counts.iter().map(|c| c.1).sum();
    let (unexpected, problems) = (UNEXPECTED.load(Relaxed), STORE_PROBLEMS.load(Relaxed));
    println!(
        "stress: {THREADS} threads, {total} calls of {} of the header's {} exports in {SECONDS} s, \
         {unexpected} unexpected status(es), {problems} shared cache problem(s)",
        counts.len() - never.len(),
        counts.len(),
    );
    if !never.is_empty() {
        eprintln!("stress: never called: {}", never.join(", "));
    }
    // A store that never answered would leave the race it is here for
    // (set_ca_file reopening a rediss:// store under calls) untried.
    i32::from(!never.is_empty() || unexpected > 0 || problems > 0)
}

/// A legacy handle on `url`, or an enhanced one for an account and scope,
/// trusting the fake's CA. The caller frees it.
unsafe fn new_handle(url: &CStr, enhanced: bool, config: &Config) -> *mut mc_auth {
    let (url, id, secret, mut auth) = (url.as_ptr(), ID.as_ptr(), SECRET.as_ptr(), null_mut());
    // SAFETY: valid strings and out-pointer, and the handle is live.
    unsafe {
        if enhanced {
            let (account, scope) = (ACCOUNT_ID.as_ptr(), SCOPE.as_ptr());
            call!(mc_auth_new_enhanced(url, id, secret, account, scope, &mut auth) in OK);
        } else {
            call!(mc_auth_new(url, id, secret, &mut auth) in OK);
        }
        assert!(!auth.is_null());
        call!(mc_auth_set_timeout_ms(auth, 5000) in OK);
        call!(mc_auth_set_ca_file(auth, config.ca_file.as_ptr()) in OK);
    }
    auth
}

/// One thread's calls until `stop`: each turn one of ten kinds of work, on
/// the next shared handle, so every kind meets every handle.
fn work(who: usize, shared: &Shared, config: &Config, stop: &AtomicBool, race: bool) {
    let mut buffer = vec![0 as c_char; MC_TOKEN_BUFFER_SIZE];
    let (buffer, capacity) = (buffer.as_mut_ptr(), buffer.len());
    let mut turn = who;
    while !stop.load(Relaxed) {
        let auth = shared.0[turn % 3];
        let round = turn / 10; // varies the values set, the store, the kind of handle
        let (mut s, mut token) = (null_mut(), null_mut());
        // SAFETY: live handles, valid strings, out-pointers and buffer; every
        // string the library returns is freed once (NULL, left by a failure, is fine).
        unsafe {
            match turn % 10 {
                0 => {
                    // A header for exactly the token the caller will invalidate if rejected.
                    call!(mc_get_token(auth, &mut token) in OK);
                    call!(mc_soap_header_for(token, &mut s) in OK);
                }
                1 => {
                    call!(mc_get_token_into(auth, buffer, capacity) in OK);
                    let allowed = &[Status::Ok, Status::NotCached];
                    call!(mc_get_cached_token_into(auth, buffer, capacity) in allowed);
                }
                2 => {
                    let (mut generation, mut fresh_ms) = (0, 0);
                    let stamp = &mut generation;
                    call!(mc_get_token_stamped(auth, buffer, capacity, stamp, &mut fresh_ms) in OK);
                    // As a binding checks its copy is current: one atomic load, racing refreshes.
                    let counter = call!(mc_token_generation(auth));
                    black_box(AtomicU64::from_ptr(counter.cast_mut()).load(Relaxed) == generation);
                }
                3 => {
                    let mut seconds_left = 0;
                    call!(mc_get_token_ttl(auth, &mut token, &mut seconds_left) in OK);
                    call!(mc_soap_header(auth, &mut s) in OK);
                }
                4 => {
                    call!(mc_rest_base_url(auth, &mut s) in OK);
                    call!(mc_string_free(s));
                    call!(mc_soap_endpoint(auth, &mut s) in OK);
                    call!(mc_string_free(s));
                    call!(mc_shared_cache_error(auth, &mut s) in OK);
                    if !s.is_null() && *s != 0 && STORE_PROBLEMS.fetch_add(1, Relaxed) == 0 {
                        eprintln!("shared cache problem: {:?}", CStr::from_ptr(s));
                    }
                }
                5 => {
                    // As after an API call: a SOAP fault's body decides; a REST 401 needs none.
                    call!(mc_get_token(auth, &mut token) in OK);
                    let fault = (FAULT.as_ptr(), FAULT.count_bytes());
                    assert_eq!(call!(mc_token_rejection_needs_body(500)), 1);
                    assert_eq!(call!(mc_is_token_rejected(500, fault.0, fault.1)), 1);
                    assert_eq!(call!(mc_token_rejection_needs_body(401)), 0);
                    assert_eq!(call!(mc_is_token_rejected(401, null(), 0)), 1);
                    call!(mc_auth_invalidate(auth, token) in OK);
                    // Now and then NULL: drop whatever is cached, whoever fetched it.
                    if round.is_multiple_of(4) {
                        call!(mc_auth_invalidate(auth, null()) in OK);
                    }
                }
                6 => {
                    call!(mc_auth_set_timeout_ms(auth, 5000 + (round % 100) as u32) in OK);
                    call!(mc_auth_set_refresh_margin_secs(auth, (round % 3) as u32) in OK);
                    call!(mc_auth_set_max_attempts(auth, 2 + (round % 3) as u32) in OK);
                    // A refused value changes nothing; its detail is this thread's.
                    call!(mc_auth_set_max_attempts(auth, 0) in &[Status::InvalidArgument]);
                    let detail = CStr::from_ptr(call!(mc_last_error())).to_bytes();
                    assert!(detail.starts_with(b"invalid argument"));
                }
                7 => {
                    // Each drops the handle's connections (and a store's), under calls using them.
                    call!(mc_auth_set_ca_file(auth, config.ca_file.as_ptr()) in OK);
                    let proxy = &config.proxies[round % 2];
                    call!(mc_auth_set_proxy(auth, proxy.as_ptr()) in OK);
                    let missing = config.missing_ca_file.as_ptr();
                    call!(mc_auth_set_ca_file(auth, missing) in &[Status::InvalidArgument]);
                }
                8 => {
                    let store = &config.stores[round % config.stores.len()];
                    call!(mc_auth_set_shared_cache(auth, store.as_ptr()) in OK);
                }
                _ => {
                    // Handle churn: both kinds, each store or none, sharing the shared tokens.
                    let kinds = [(&config.http_url, false), (&config.https_url, true)];
                    let (url, enhanced) = kinds[round % 2];
                    let own = new_handle(url, enhanced, config);
                    let store = &config.stores[round / 2 % config.stores.len()];
                    call!(mc_auth_set_shared_cache(own, store.as_ptr()) in OK);
                    call!(mc_get_token(own, &mut token) in OK);
                    call!(mc_auth_free(own));
                    // Static strings: read whole, for AddressSanitizer to see.
                    for code in 0..=10 {
                        black_box(CStr::from_ptr(call!(mc_status_str(code))).to_bytes());
                    }
                    black_box(CStr::from_ptr(call!(mc_version())).to_bytes());
                }
            }
            call!(mc_string_free(s));
            call!(mc_string_free(token));
            if race {
                *RACY.0.get() += 1;
            }
        }
        turn += 1;
    }
}
