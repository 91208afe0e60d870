//! The cold path: what the first HTTPS token request of a process costs
//! beside the tenth, each through a new handle (new credentials, so no cache
//! hit) against the fake over TLS. Each makes its own connection and TLS
//! configuration (a transport lives as long as its handles, and each handle
//! is freed before the next); the first also pays for what is loaded once
//! per process (the system trust store). Each round runs in a fresh child
//! process, so that every round has a real first request, against one fake
//! in this process (warm, so that its own first handshake is not counted);
//! the figures are medians.
//!
//! `cargo bench --bench cold_start` (the test command runs it; it prints,
//! it never fails on a timing).

mod common;

use common::{child_figures, median};
use fake_mc::FakeMc;
use std::time::Instant;

const ROUNDS: usize = 7;
const HANDLES: usize = 10;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 4 && args[1] == "--child" {
        child(&args[2], &args[3]);
        return;
    }
    let fake = FakeMc::start().expect("the fake starts");
    let ca = fake.ca_file().to_str().expect("a UTF-8 path").to_owned();
    let mut firsts = Vec::new();
    let mut tenths = Vec::new();
    for _ in 0..ROUNDS {
        let figures = child_figures(&[&fake.https_url(), &ca]);
        firsts.push(figures[0]);
        tenths.push(figures[1]);
    }
    let (first, tenth) = (median(&mut firsts), median(&mut tenths));
    println!("cold start: new handle + first HTTPS token request, medians of {ROUNDS} processes");
    println!("  1st handle of the process   {first:8.2} ms");
    println!("  10th handle                 {tenth:8.2} ms");
    println!(
        "  1st / 10th                  {:8.2}x (goal <= 2x)",
        first / tenth
    );
}

fn child(https_url: &str, ca_file: &str) {
    let mut times = Vec::new();
    for i in 0..HANDLES {
        let started = Instant::now();
        let url = format!("{https_url}/cold-{}-{i}/", std::process::id());
        let auth = mcauth::Auth::new(&url, "cold-client", "cold-secret").unwrap();
        auth.set_ca_file(std::path::Path::new(ca_file)).unwrap();
        auth.token().unwrap();
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    println!("{} {}", times[0], times[HANDLES - 1]);
}
