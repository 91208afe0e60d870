//! 16 threads through the C ABI at once, for ThreadSanitizer and
//! AddressSanitizer (`tests/sanitizers/run.sh` builds and runs it):
//! `mc_get_token`, `mc_get_token_into`, `mc_get_cached_token_into`,
//! `mc_soap_header`, `mc_auth_invalidate`, `mc_auth_new` + `mc_auth_free` and
//! the setters, on shared handles whose tokens live 1 second (the fake's
//! `expires=1`), so refreshes, expiries and invalidations race the cached
//! path for a few seconds. The exported functions are called as a C caller
//! calls them; a Rust harness lets rustc link its own sanitizer runtime.
//!
//! `MCAUTH_STRESS_DELIBERATE=race` makes every thread also increment one
//! plain counter (for ThreadSanitizer), `=use-after-free` reads a token
//! after `mc_string_free` (for AddressSanitizer): those runs must be
//! reported, which proves the sanitizer is really watching. Run under
//! `tests/with-fake-mc.sh`.

use mcauth::ffi::calls::mc_soap_header;
use mcauth::ffi::tokens::MC_TOKEN_BUFFER_SIZE;
use mcauth::ffi::tokens::{mc_get_cached_token_into, mc_get_token, mc_get_token_into};
use mcauth::ffi::{mc_auth, mc_auth_free, mc_auth_invalidate, mc_auth_new, mc_last_error};
use mcauth::ffi::{mc_auth_set_max_attempts, mc_auth_set_refresh_margin_secs};
use mcauth::ffi::{mc_auth_set_timeout_ms, mc_string_free};
use mcauth::Status;
use std::cell::UnsafeCell;
use std::ffi::{c_char, CString};
use std::ptr::null_mut;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const THREADS: usize = 16;
const SECONDS: u64 = 3;
const ID: &std::ffi::CStr = c"client-id";
const SECRET: &std::ffi::CStr = c"stress-secret";

/// Two handles every thread shares, as a C program's globals.
struct Shared([*mut mc_auth; 2]);
// SAFETY: the C contract makes handles safe to use from any thread.
unsafe impl Sync for Shared {}

/// The deliberate data race: a counter every thread increments unsynchronised.
struct Racy(UnsafeCell<u64>);
// SAFETY: it is not; that is the point, for ThreadSanitizer to report.
unsafe impl Sync for Racy {}
static RACY: Racy = Racy(UnsafeCell::new(0));

fn main() {
    let deliberate = std::env::var("MCAUTH_STRESS_DELIBERATE").unwrap_or_default();
    let origin = std::env::var("FAKE_MC_HTTP").expect("run under tests/with-fake-mc.sh");
    let run = std::process::id();
    let url = CString::new(format!("{origin}/stress-{run}/expires=1/")).unwrap();
    let shared = Shared([new_handle(&url), new_handle(&url)]);
    let stop = AtomicBool::new(false);
    let calls: u64 = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|who| {
                let (shared, url, stop, race) = (&shared, &url, &stop, deliberate == "race");
                scope.spawn(move || work(who, shared, url, stop, race))
            })
            .collect();
        std::thread::sleep(Duration::from_secs(SECONDS));
        stop.store(true, Ordering::Relaxed);
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    if deliberate == "use-after-free" {
        let mut token: *mut c_char = null_mut();
        // SAFETY: deliberately not: the token is read after it was freed.
        unsafe {
            if mc_get_token(shared.0[0], &mut token) == Status::Ok {
                mc_string_free(token);
                println!("read after free: {}", std::ptr::read_volatile(token));
            }
        }
    }
    // SAFETY: no thread uses the handles any more.
    unsafe { shared.0.iter().for_each(|&h| mc_auth_free(h)) };
    println!("stress: {THREADS} threads, {calls} calls in {SECONDS} s");
}

fn new_handle(url: &CString) -> *mut mc_auth {
    let mut auth = null_mut();
    // SAFETY: valid strings and out-pointer; the handle is freed by the caller.
    unsafe {
        assert_eq!(
            mc_auth_new(url.as_ptr(), ID.as_ptr(), SECRET.as_ptr(), &mut auth),
            Status::Ok
        );
        mc_auth_set_timeout_ms(auth, 5000);
    }
    auth
}

/// One thread's calls, a different one each turn, until `stop`; how many.
fn work(who: usize, shared: &Shared, url: &CString, stop: &AtomicBool, race: bool) -> u64 {
    let mut buffer = vec![0 as c_char; MC_TOKEN_BUFFER_SIZE];
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let auth = shared.0[(who + n as usize) % 2];
        let mut s: *mut c_char = null_mut();
        // SAFETY: live handles, valid strings, out-pointers and buffer; every
        // string the library returns is freed once.
        unsafe {
            let turn = (who as u64 + n) % 7;
            match turn {
                0 | 3 => {
                    let status = match turn {
                        0 => mc_get_token(auth, &mut s),
                        _ => mc_soap_header(auth, &mut s),
                    };
                    if status == Status::Ok {
                        mc_string_free(s);
                    }
                }
                1 => _ = mc_get_token_into(auth, buffer.as_mut_ptr(), buffer.len()),
                2 => _ = mc_get_cached_token_into(auth, buffer.as_mut_ptr(), buffer.len()),
                4 => {
                    if mc_get_token(auth, &mut s) == Status::Ok {
                        mc_auth_invalidate(auth, s); // as after a 401 with this token
                        mc_string_free(s);
                    }
                }
                5 => {
                    let own = new_handle(url);
                    if mc_get_token(own, &mut s) == Status::Ok {
                        mc_string_free(s);
                    }
                    mc_auth_free(own);
                }
                _ => {
                    let setting = shared.0[who % 2];
                    mc_auth_set_timeout_ms(setting, 5000 + (n % 100) as u32);
                    mc_auth_set_refresh_margin_secs(setting, (n % 3) as u32);
                    mc_auth_set_max_attempts(setting, 2 + (n % 3) as u32);
                    mc_last_error();
                }
            }
            if race {
                *RACY.0.get() += 1;
            }
        }
        n += 1;
    }
    n
}
