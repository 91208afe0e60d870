//! Checks more than one target makes (each target includes this file).
#![allow(dead_code)] // each target uses some of these

/// A token an answer was accepted with: non-empty, no control characters
/// (it goes into HTTP headers and SOAP XML), living 1 s to 24 h.
pub fn check_token(token: &str, seconds: u64) {
    assert!(!token.is_empty());
    assert!(!token.chars().any(char::is_control));
    assert!((1..=24 * 3600).contains(&seconds));
}

/// The parts of an accepted `http(s)://` URL that carries a secret or a
/// token: whether it is https, and its host; asserts that it has no user
/// information, query or fragment.
pub fn https_and_host(url: &str) -> (bool, &str) {
    let (https, rest) = match url.strip_prefix("https://") {
        Some(rest) => (true, rest),
        None => (false, url.strip_prefix("http://").expect("https or http")),
    };
    let authority = rest.split('/').next().unwrap();
    assert!(!authority.contains('@'), "{url}");
    assert!(!rest.contains(['?', '#', ' ', '\\']), "{url}");
    let host = match authority.strip_prefix('[') {
        Some(v6) => &authority[..v6.find(']').expect("a closed IPv6 host") + 2],
        None => authority.split(':').next().unwrap(),
    };
    (https, host)
}

/// Whether `host` (as `https_and_host` gives it) is this machine.
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}
