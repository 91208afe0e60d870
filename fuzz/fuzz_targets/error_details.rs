//! An error answer's body (any endpoint, any status): never panics, and
//! what it adds to a message holds no control character and no 8
//! consecutive characters of the client secret, in any case, however the
//! server escaped or split them.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mcauth::fuzzing::{error_details, ERROR_BODY_SECRET};

fuzz_target!(|body: &[u8]| {
    let (full, brief) = error_details(body);
    let secret = ERROR_BODY_SECRET.to_ascii_lowercase();
    for said in [full, brief] {
        assert!(!said.chars().any(char::is_control), "{said:?}");
        let said = said.to_ascii_lowercase();
        for window in secret.as_bytes().windows(8) {
            let window = std::str::from_utf8(window).unwrap();
            assert!(!said.contains(window), "{window:?} in {said:?}");
        }
    }
});
