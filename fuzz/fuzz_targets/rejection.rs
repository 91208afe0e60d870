//! mc_is_token_rejected's XML walk: never panics, and an HTTP 401 is always
//! a rejection whatever the body.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (i32, &[u8])| {
    let (status, body) = input;
    let rejected = mcauth::fuzzing::is_token_rejected(status, body);
    if status == 401 {
        assert!(rejected);
    }
    let _ = mcauth::fuzzing::is_token_rejected(500, body);
});
