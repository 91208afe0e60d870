//! The subdomain/URL argument: never panics; whatever it accepts sends the
//! secret over https, or over http to loopback only, to a URL with no user
//! information (an `@` before the path), query or fragment.
#![no_main]
use libfuzzer_sys::fuzz_target;
mod common;

fuzz_target!(|input: &str| {
    if let Some(url) = mcauth::fuzzing::auth_url(input) {
        let (https, host) = common::https_and_host(&url);
        assert!(url.ends_with("/v1/requestToken"), "{url}");
        assert!(https || common::is_loopback(host), "plain http to {host}");
    }
});
