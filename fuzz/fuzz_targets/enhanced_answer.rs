//! An enhanced (v2) 2xx token answer: never panics; an accepted token is
//! non-empty, has no control characters and lives 1 s to 24 h, and the
//! instance URLs every API call carries it to are https on a
//! *.marketingcloudapis.com host or (http or https) loopback, with no user
//! information, query or fragment.
#![no_main]
use libfuzzer_sys::fuzz_target;
mod common;

fn check_instance_url(url: &str) {
    let (https, host) = common::https_and_host(url);
    assert!(!host.bytes().any(|b| b.is_ascii_uppercase()), "{url}");
    assert!(
        common::is_loopback(host) || (https && host.ends_with(".marketingcloudapis.com")),
        "{url}"
    );
}

fuzz_target!(|body: &[u8]| {
    if let Some((token, seconds, urls)) = mcauth::fuzzing::enhanced_answer(body) {
        common::check_token(&token, seconds);
        if let Some((rest, soap)) = urls {
            check_instance_url(&rest);
            check_instance_url(&soap);
            assert!(rest.ends_with('/'), "{rest}");
            assert!(soap.ends_with("/Service.asmx"), "{soap}");
        }
    }
});
