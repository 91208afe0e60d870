//! What `mc_auth_new` + `mc_auth_free` cost as the registry grows: with 100
//! and 20,000 live handles (each on its own credentials), and with 10,000
//! cached tenants (entries no handle uses that hold a valid token). Goal:
//! within 2x of the 100-handle figure. Printed, not asserted.
//!
//! `cargo bench --bench registry`

use mcauth::ffi::{mc_auth, mc_auth_free, mc_auth_new};
use mcauth::Auth;
use std::ffi::CString;
use std::time::Instant;

const OPS: usize = 5_000;
const ROUNDS: usize = 21;

fn new_handle(id: &str) -> *mut mc_auth {
    let id = CString::new(id).unwrap();
    let mut auth = std::ptr::null_mut();
    // SAFETY: valid strings and out-pointer.
    let status =
        unsafe { mc_auth_new(c"mc1".as_ptr(), id.as_ptr(), c"secret".as_ptr(), &mut auth) };
    assert_eq!(status, mcauth::Status::Ok);
    auth
}

/// Median over rounds of the mean cost, in µs, of a new handle on new
/// credentials and its release.
fn new_and_free(label: &str) -> f64 {
    let ids: Vec<String> = (0..OPS).map(|i| format!("{label}-{i}")).collect();
    let mut rounds: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            for id in &ids {
                // SAFETY: a live handle from mc_auth_new, freed once.
                unsafe { mc_auth_free(new_handle(id)) };
            }
            start.elapsed().as_secs_f64() * 1e6 / OPS as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[ROUNDS / 2]
}

fn main() {
    let mut live: Vec<*mut mc_auth> = (0..100).map(|i| new_handle(&format!("live-{i}"))).collect();
    let small = new_and_free("small");
    live.extend((100..20_000).map(|i| new_handle(&format!("live-{i}"))));
    let large = new_and_free("large");
    for auth in live.drain(..) {
        // SAFETY: live handles, freed once.
        unsafe { mc_auth_free(auth) };
    }

    let fake = fake_mc::FakeMc::start().expect("the fake starts");
    for i in 0..10_000 {
        let auth = Auth::new(&format!("{}/tenant-{i}/", fake.http_url()), "id", "secret").unwrap();
        auth.token().expect("a token from the fake");
    }
    let tenants = new_and_free("tenants");

    println!("mc_auth_new + mc_auth_free, µs (median of {ROUNDS} rounds of {OPS}):");
    println!("  100 live handles:       {small:.2}");
    println!(
        "  20,000 live handles:    {large:.2}  ({:.2}x)",
        large / small
    );
    println!(
        "  10,000 cached tenants:  {tenants:.2}  ({:.2}x)",
        tenants / small
    );
}
