//! A 2xx token answer: never panics; an accepted token is non-empty, has no
//! control characters and lives 1 s to 24 h.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Some((token, seconds)) = mcauth::fuzzing::token_answer(body) {
        assert!(!token.is_empty());
        assert!(!token.chars().any(char::is_control));
        assert!((1..=24 * 3600).contains(&seconds));
    }
});
