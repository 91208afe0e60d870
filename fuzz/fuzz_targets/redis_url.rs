//! The Redis URL of `MCAUTH_SHARED_CACHE` (the input is what follows
//! `redis://` and `rediss://`): never panics; an accepted URL's
//! `Debug` text is the same whatever its password (it never shows it), and a
//! refused one's message is the fixed text that never quotes the URL.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|rest: &str| {
    for scheme in ["redis://", "rediss://"] {
        let url = format!("{scheme}{rest}");
        match mcauth::fuzzing::redis_url(&url) {
            Ok((shown, with_other_password)) => {
                assert_eq!(shown, with_other_password, "{url:?}");
                assert!(shown.starts_with(scheme), "{shown}");
            }
            Err(message) => assert!(
                message.starts_with("invalid Redis URL (not shown: it may hold a password): "),
                "{url:?}: {message}"
            ),
        }
    }
});
