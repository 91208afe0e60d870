//! A 2xx token answer: never panics; an accepted token is non-empty, has no
//! control characters and lives 1 s to 24 h.
#![no_main]
use libfuzzer_sys::fuzz_target;
mod common;

fuzz_target!(|body: &[u8]| {
    if let Some((token, seconds)) = mcauth::fuzzing::token_answer(body) {
        common::check_token(&token, seconds);
    }
});
