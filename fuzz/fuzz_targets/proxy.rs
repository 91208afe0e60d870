//! The proxy URL, differential: whatever is accepted, the host that was
//! checked is the host ureq (the parser that connects) will connect to.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|url: &str| {
    if let Some((checked, connects_to, port)) = mcauth::fuzzing::proxy(url) {
        assert!(
            checked.eq_ignore_ascii_case(&connects_to),
            "{url:?}: checked {checked:?}, connects to {connects_to:?}:{port}"
        );
        assert!(port != 0, "{url:?}");
    }
});
