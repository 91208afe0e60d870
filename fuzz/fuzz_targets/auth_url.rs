//! The subdomain/URL argument: never panics; whatever it accepts sends the
//! secret over https, or over http to loopback only, to a URL with no user
//! information (an `@` before the path), query or fragment.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Some(url) = mcauth::fuzzing::auth_url(input) {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .expect("https or http");
        let authority = rest.split('/').next().unwrap();
        assert!(!authority.contains('@'), "{url}");
        assert!(!rest.contains(['?', '#', ' ', '\\']), "{url}");
        assert!(url.ends_with("/v1/requestToken"), "{url}");
        if url.starts_with("http://") {
            let host = match authority.strip_prefix('[') {
                Some(v6) => &authority[..v6.find(']').expect("a closed IPv6 host") + 2],
                None => authority.split(':').next().unwrap(),
            };
            let loopback = host.eq_ignore_ascii_case("localhost")
                || host == "[::1]"
                || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback());
            assert!(loopback, "plain http to {authority}");
        }
    }
});
