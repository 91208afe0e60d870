//! What a shared cache costs and saves, each figure beside its baseline
//! measured in the same run:
//! - a cached token (`Auth::with_token` copying it, the hot path of
//!   `mc_get_token`) on a handle with a store beside one without: the
//!   in-memory hit must not touch the store;
//! - a cold start (a new process's first token: handle, then token) that
//!   finds the token in the store beside one that fetches it from the fake
//!   over HTTPS (trust store, TLS handshake, request).
//!
//! Medians of several rounds (cold starts: one child process each), for a
//! folder store and for a real `redis-server` on loopback.
//!
//! `cargo bench --bench shared_cache` (the test command runs it; it prints,
//! it never fails on a timing).

mod common;
#[path = "../tests/common/redis_server.rs"]
#[allow(dead_code)]
mod redis_server;

use common::{child_figures, median};
use fake_mc::FakeMc;
use mcauth::Auth;
use redis_server::RedisServer;
use std::path::Path;
use std::time::Instant;

const HOT_ROUNDS: usize = 7;
const HOT_CALLS: u32 = 1_000_000;
const COLD_ROUNDS: usize = 9;
const SECRET: &str = "bench-secret";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 5 && args[1] == "--child" {
        let store = Some(args[4].as_str()).filter(|s| *s != "-");
        let ms = first_token_ms(&args[2], &args[3], store);
        println!("{ms}");
        return;
    }
    let fake = FakeMc::start().expect("the fake starts");
    let ca = fake.ca_file().to_str().expect("a UTF-8 path").to_owned();
    let root = tempfile::tempdir().expect("a temporary directory"); // removed at the end
    let folder = root.path().join("store");
    let redis = RedisServer::start();
    let stores = [
        ("folder", format!("file://{}", folder.display())),
        ("redis", redis.url()),
    ];

    println!("shared cache: a cached token, ns per call, medians of {HOT_ROUNDS} x {HOT_CALLS}");
    let base = format!("{}/bench-hot/", fake.https_url());
    let handles = [
        handle(&base, Some(&ca), None),
        handle(&base, Some(&ca), Some(&stores[0].1)),
        handle(&base, Some(&ca), Some(&stores[1].1)),
    ];
    let hot = hot_ns(&handles);
    println!("  without a store          {:8.1} ns", hot[0]);
    for (i, (kind, _)) in stores.iter().enumerate() {
        println!(
            "  with a {kind:<6} store      {:8.1} ns  ({:.2}x)",
            hot[i + 1],
            hot[i + 1] / hot[0]
        );
    }

    println!("shared cache: cold start (new process: handle + first token), ms, medians of {COLD_ROUNDS} processes");
    let base = |label: &str| format!("{}/bench-cold-{label}/", fake.https_url());
    let fetch = cold_ms(&base("fetch"), &ca, "-");
    println!("  fetched over HTTPS       {fetch:8.2} ms");
    for (kind, url) in &stores {
        // A handle here fills the store (a token of its own: this
        // process's memory must not hold it already); the measured
        // processes find it.
        let filler = handle(&base(kind), Some(&ca), Some(url));
        filler.token().unwrap();
        let hit = cold_ms(&base(kind), &ca, url);
        println!(
            "  found in the {kind:<6} store {hit:8.2} ms  ({:.1}x faster)",
            fetch / hit
        );
    }
}

/// A cached token's cost on each handle: rounds interleaved, so that every
/// handle meets the same machine.
fn hot_ns(handles: &[Auth]) -> Vec<f64> {
    let mut rounds = vec![Vec::new(); handles.len()];
    for _ in 0..HOT_ROUNDS {
        for (auth, times) in handles.iter().zip(&mut rounds) {
            auth.token().unwrap();
            let started = Instant::now();
            let mut total = 0;
            for _ in 0..HOT_CALLS {
                total += auth
                    .with_token(|served| served.token.as_str().len())
                    .unwrap();
            }
            std::hint::black_box(total);
            times.push(started.elapsed().as_nanos() as f64 / f64::from(HOT_CALLS));
        }
    }
    rounds.iter_mut().map(|times| median(times)).collect()
}

/// The median first-token time of new processes.
fn cold_ms(base: &str, ca: &str, store: &str) -> f64 {
    let mut times: Vec<f64> = (0..COLD_ROUNDS)
        .map(|_| child_figures(&[base, ca, store])[0])
        .collect();
    median(&mut times)
}

/// A process's first token. Only a process that fetches trusts the fake's
/// CA (loading the trust store, as a real first HTTPS request does): one
/// that finds the token in the store must not connect at all.
fn first_token_ms(base: &str, ca: &str, store: Option<&str>) -> f64 {
    let started = Instant::now();
    let auth = handle(base, store.is_none().then_some(ca), store);
    auth.token().unwrap();
    let ms = started.elapsed().as_secs_f64() * 1e3;
    if let Some(problem) = auth.shared_cache_error() {
        panic!("the store failed: {problem}");
    }
    ms
}

fn handle(base: &str, ca: Option<&str>, store: Option<&str>) -> Auth {
    let auth = Auth::new(base, "bench-client", SECRET).unwrap();
    if let Some(ca) = ca {
        auth.set_ca_file(Path::new(ca)).unwrap();
    }
    auth.set_shared_cache(store).unwrap();
    auth
}
