//! Which HTTP proxy a handle's requests go through: the one set on the handle,
//! else the one named by the environment (unless `NO_PROXY` exempts the host),
//! else none. Loopback endpoints never take a proxy from the environment.

use crate::error::Error;
use ureq::{Proxy, ProxyProtocol};

/// Checked in this order; the first non-empty one wins.
const PROXY_VARIABLES: [&str; 4] = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];
const NO_PROXY_VARIABLES: [&str; 2] = ["NO_PROXY", "no_proxy"];

/// Parses `http://[user:pass@]host[:port]`. Messages never repeat the URL,
/// which may hold a password.
///
/// One parse decides: ureq's (`Proxy::new`, the one that connects); this
/// only checks what it parsed. The URL must be exactly scheme and authority
/// (an optional `/` after it, nothing else), and the authority ureq will
/// connect to must be that text, whose host and port follow `http::url`'s
/// rules. So `http://A/@B`, `http://A?@B` and `http://A#@B`, which ureq
/// reads as host A, are refused rather than checked as B.
pub fn parse(url: &str) -> Result<Proxy, Error> {
    let malformed = |why: &str| {
        Error::invalid_argument(format!(
            "malformed proxy URL: {why}; expected http://[user:password@]host:port"
        ))
    };
    let rest = url
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("http://"))
        .map(|_| &url[7..])
        .ok_or_else(|| malformed("only http:// proxies are supported"))?;
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains(['/', '?', '#']) {
        return Err(malformed("there is a path, query or fragment"));
    }
    let host_and_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host_and_port.is_empty() {
        return Err(malformed("the host is missing"));
    }
    super::url::parse_authority(host_and_port)
        .map_err(|_| malformed("the host or port is not valid"))?;
    let proxy = Proxy::new(url).map_err(|_| malformed("it could not be parsed"))?;
    if proxy.protocol() != ProxyProtocol::Http {
        return Err(malformed("only http:// proxies are supported"));
    }
    // The host checked above is the host connected to only if ureq reads
    // the same authority.
    if proxy.uri().authority().map(|a| a.as_str()) != Some(authority) {
        return Err(malformed("it is ambiguous"));
    }
    Ok(proxy)
}

/// The proxy the environment asks for when talking to `host`, if any.
pub fn from_environment(host: &str, is_loopback: bool) -> Result<Option<Proxy>, Error> {
    if is_loopback {
        return Ok(None);
    }
    let Some((name, value)) = first_set(&PROXY_VARIABLES) else {
        return Ok(None);
    };
    if first_set(&NO_PROXY_VARIABLES).is_some_and(|(_, list)| no_proxy_matches(&list, host)) {
        return Ok(None);
    }
    parse(&value).map(Some).map_err(|e| {
        Error::invalid_argument(format!("the environment variable {name}: {}", e.message()))
    })
}

fn first_set(names: &[&'static str]) -> Option<(&'static str, String)> {
    names.iter().find_map(|name| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| (*name, v))
    })
}

/// curl's reading of `NO_PROXY`: comma-separated names; `*` matches all; a
/// name matches itself and its subdomains; a leading `.` or `*.` is ignored.
fn no_proxy_matches(list: &str, host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    list.split(',')
        .map(|entry| entry.trim())
        .filter(|entry| !entry.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let entry = entry
                .trim_start_matches("*.")
                .trim_start_matches('.')
                .trim_start_matches('[')
                .trim_end_matches(']');
            host.eq_ignore_ascii_case(entry)
                || (host.len() > entry.len()
                    && host[host.len() - entry.len()..].eq_ignore_ascii_case(entry)
                    && host.as_bytes()[host.len() - entry.len() - 1] == b'.')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    #[test]
    fn accepts_http_proxies_with_and_without_credentials() {
        let p = parse("http://user:pass@proxy.example:3128").unwrap();
        assert_eq!(p.host(), "proxy.example");
        assert_eq!(p.port(), 3128);
        assert_eq!(p.username(), Some("user"));
        assert!(parse("http://127.0.0.1:8080").is_ok());
        assert!(parse("HTTP://127.0.0.1:8080/").is_ok());
    }

    #[test]
    fn refuses_malformed_proxies_without_echoing_them() {
        for url in [
            "",
            "proxy:3128",
            "socks5://127.0.0.1:1080",
            "https://127.0.0.1:8443",
            "http://",
            "http://user:topsecret@",
            "http://a b:1",
            "http://host:1/path",
            "http://127.0.0.1:notaport",
            "http://:8080",
            "http://127.0.0.1:99999",
            "http://127.0.0.1:",
            "http://127.0.0.1:80x",
            "http://user:pw@:80",
            // ureq connects to A in each of these, not to B.
            "http://127.0.0.1:1/@127.0.0.2:2",
            "http://127.0.0.1:1#@127.0.0.2:2",
            "http://127.0.0.1:1?@127.0.0.2:2",
            "http://a.example/@b.example:3128",
        ] {
            let err = parse(url).expect_err(url);
            assert_eq!(err.status(), Status::InvalidArgument, "{url}");
            assert!(!err.message().contains("topsecret"), "{}", err.message());
        }
    }

    #[test]
    fn no_proxy_follows_curl() {
        assert!(no_proxy_matches("*", "anything.example"));
        assert!(no_proxy_matches("example.com", "example.com"));
        assert!(no_proxy_matches("example.com", "auth.EXAMPLE.com"));
        assert!(no_proxy_matches(" .example.com ,other", "auth.example.com"));
        assert!(no_proxy_matches("*.example.com", "auth.example.com"));
        assert!(!no_proxy_matches("example.com", "badexample.com"));
        assert!(!no_proxy_matches("", "example.com"));
        assert!(!no_proxy_matches("other.com,foo", "example.com"));
    }

    #[test]
    fn loopback_never_takes_the_environment_proxy() {
        assert!(from_environment("127.0.0.1", true).unwrap().is_none());
    }
}
