//! What a cached token costs through the C ABI (`mc_get_token` +
//! `mc_string_free`, the exported functions themselves), beside a baseline
//! measured in the same run: the least a thread-safe "hand out a copy of a
//! cached string" can do (lock + `malloc`/`memcpy` of a token-sized string +
//! unlock + `free`). On 2 threads the library's share a handle and the
//! baseline's share nothing, so the baseline's slowdown is the machine's and
//! the library's extra is contention. Medians of several rounds, never
//! asserted; only the first token comes from the fake, and its count proves
//! every measured call hit the cache.
//!
//! `cargo bench --bench c_abi` (the test command runs it).

#[allow(dead_code)] // child_figures: for the benches that start processes
mod common;

use common::median;
use fake_mc::FakeMc;
use mcauth::ffi::tokens::mc_get_token;
use mcauth::ffi::{mc_auth, mc_auth_free, mc_auth_new, mc_string_free};
use mcauth::Status;
use std::ffi::{c_char, CStr, CString};
use std::sync::{Barrier, Mutex};
use std::time::Instant;

const ROUNDS: usize = 7;
const CALLS: u32 = 2_000_000;
const SCENARIO: &str = "bench-c-abi";

/// A handle pointer the worker threads share, as C callers do.
#[derive(Clone, Copy)]
struct Handle(*const mc_auth);
// SAFETY: the C contract makes a handle safe to use from any thread.
unsafe impl Send for Handle {}
unsafe impl Sync for Handle {}

impl Handle {
    // A method, so that closures capture the whole `Send` wrapper, not its field.
    fn get(self) -> *const mc_auth {
        self.0
    }
}

fn main() {
    let fake = FakeMc::start().expect("the fake starts");
    let url = CString::new(format!("{}/{SCENARIO}/", fake.http_url())).unwrap();
    let mut auth = std::ptr::null_mut();
    let mut first = std::ptr::null_mut();
    // SAFETY: valid strings and out-pointers; the token is freed below.
    unsafe {
        assert_eq!(
            mc_auth_new(
                url.as_ptr(),
                c"bench-id".as_ptr(),
                c"bench-secret".as_ptr(),
                &mut auth
            ),
            Status::Ok
        );
        assert_eq!(mc_get_token(auth, &mut first), Status::Ok);
    }
    // SAFETY: `first` is a NUL-terminated string the library gave us.
    let token = unsafe { CStr::from_ptr(first) }.to_owned();
    unsafe { mc_string_free(first) };
    let handle = Handle(auth);

    // Medians: the first, cold rounds (page faults, malloc arenas, CPU
    // frequency) do not count.
    let base1 = measure(1, || baseline_worker(&token));
    let lib1 = measure(1, || library_worker(handle));
    let base2 = measure(2, || baseline_worker(&token));
    let lib2 = measure(2, || library_worker(handle));
    let sent = fake.requests(SCENARIO);

    println!(
        "c_abi: a cached token through the C ABI, token {} bytes, {CALLS} calls/thread, median of {ROUNDS}",
        token.as_bytes().len()
    );
    println!(
        "  {:<34} {:>9} {:>10} {:>8}",
        "ns/call", "1 thread", "2 threads", "2T/1T"
    );
    let row = |what: &str, one: f64, two: f64| {
        println!("  {what:<34} {one:9.1} {two:10.1} {:7.2}x", two / one);
    };
    row("baseline (mutex+malloc copy+free)", base1, base2);
    row("mc_get_token + mc_string_free", lib1, lib2);
    println!(
        "  {:<34} {:8.2}x {:9.2}x   (target 1T <= 2.00x)",
        "cached / baseline",
        lib1 / base1,
        lib2 / base2
    );
    println!(
        "  {:<34} {:8.2}x            (target <= 1.50x)",
        "contention: lib 2T/1T over base's",
        (lib2 / lib1) / (base2 / base1)
    );
    println!("  token requests during the run: {sent} (1: every measured call was a cache hit)");
    assert_eq!(
        sent, 1,
        "a measured call missed the cache: the figures mean nothing"
    );
    // SAFETY: no thread uses the handle any more.
    unsafe { mc_auth_free(auth) };
}

/// The median over `ROUNDS` of the mean ns per call of `threads` threads,
/// each running the loop `make_worker` gives it, all starting together.
fn measure<W: FnMut() + Send>(threads: usize, make_worker: impl Fn() -> W) -> f64 {
    let mut means: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let start = Barrier::new(threads);
            let per_thread: Vec<f64> = std::thread::scope(|scope| {
                let running: Vec<_> = (0..threads)
                    .map(|_| {
                        let (start, mut work) = (&start, make_worker());
                        scope.spawn(move || {
                            start.wait();
                            let began = Instant::now();
                            for _ in 0..CALLS {
                                work();
                            }
                            began.elapsed().as_nanos() as f64 / f64::from(CALLS)
                        })
                    })
                    .collect();
                running.into_iter().map(|t| t.join().unwrap()).collect()
            });
            per_thread.iter().sum::<f64>() / threads as f64
        })
        .collect();
    median(&mut means)
}

/// One cached token per call, as a C caller gets it.
fn library_worker(handle: Handle) -> impl FnMut() + Send {
    move || {
        let mut copy: *mut c_char = std::ptr::null_mut();
        // SAFETY: a live handle and a valid out-pointer; the copy is freed here.
        unsafe {
            if mc_get_token(handle.get(), &mut copy) != Status::Ok {
                std::process::abort(); // a cache hit cannot fail
            }
            std::hint::black_box(*copy);
            mc_string_free(copy);
        }
    }
}

/// The baseline: a thread's own lock and string, copied with `malloc`.
fn baseline_worker(token: &CStr) -> impl FnMut() + Send {
    let source = Mutex::new(token.to_owned());
    move || {
        let guard = source.lock().unwrap();
        let bytes = guard.as_bytes_with_nul();
        // SAFETY: `copy` has room for `bytes`, and is freed right after use.
        unsafe {
            let copy = libc::malloc(bytes.len()).cast::<u8>();
            if copy.is_null() {
                std::process::abort();
            }
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), copy, bytes.len());
            drop(guard);
            std::hint::black_box(*copy);
            libc::free(copy.cast());
        }
    }
}
