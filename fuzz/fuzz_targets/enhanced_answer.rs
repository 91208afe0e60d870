//! An enhanced (v2) 2xx token answer: never panics; an accepted token is
//! non-empty, has no control characters and lives 1 s to 24 h, and the
//! instance URLs every API call carries it to are https on a
//! *.marketingcloudapis.com host or (http or https) loopback, with no user
//! information, query or fragment.
#![no_main]
use libfuzzer_sys::fuzz_target;

fn check_instance_url(url: &str) {
    let (https, rest) = match url.strip_prefix("https://") {
        Some(rest) => (true, rest),
        None => (false, url.strip_prefix("http://").expect("https or http")),
    };
    let authority = rest.split('/').next().unwrap();
    assert!(!authority.contains('@'), "{url}");
    assert!(!rest.contains(['?', '#', ' ', '\\']), "{url}");
    assert!(!authority.bytes().any(|b| b.is_ascii_uppercase()), "{url}");
    let host = match authority.strip_prefix('[') {
        Some(v6) => &authority[..v6.find(']').expect("a closed IPv6 host") + 2],
        None => authority.split(':').next().unwrap(),
    };
    let loopback = host == "localhost"
        || host == "[::1]"
        || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback());
    assert!(
        loopback || (https && host.ends_with(".marketingcloudapis.com")),
        "{url}"
    );
}

fuzz_target!(|body: &[u8]| {
    if let Some((token, seconds, urls)) = mcauth::fuzzing::enhanced_answer(body) {
        assert!(!token.is_empty());
        assert!(!token.chars().any(char::is_control));
        assert!((1..=24 * 3600).contains(&seconds));
        if let Some((rest, soap)) = urls {
            check_instance_url(&rest);
            check_instance_url(&soap);
            assert!(rest.ends_with('/'), "{rest}");
            assert!(soap.ends_with("/Service.asmx"), "{soap}");
        }
    }
});
