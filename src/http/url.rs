//! What every URL mcauth sends a secret or a token to must look like: an
//! absolute http(s) URL with a valid host and port, no user information, and
//! a path of plain path characters. The auth server's URL (`auth_url`) and
//! the instance URLs a token answer names are checked here, and so are a
//! proxy's host and port (its user information is the proxy's own).

use crate::error::{printable, Error};
use std::net::Ipv4Addr;

/// The longest DNS label (RFC 1035).
pub(crate) const MAX_LABEL_LEN: usize = 63;
/// Longer than any real auth or instance URL; bounds what we keep and echo.
pub(crate) const MAX_URL_LEN: usize = 2048;

/// An absolute http(s) URL, split and checked as every URL mcauth sends a
/// secret or a token to must be: no user info, a valid host and port, a
/// path of plain path characters (no query or fragment).
pub(crate) struct HttpUrl<'a> {
    /// `http` or `https`.
    pub scheme: &'static str,
    /// `host[:port]`, as given.
    authority: &'a str,
    /// Lower-cased; an IPv6 address in brackets.
    pub host: String,
    /// Empty, or from the `/` that ends the authority.
    pub path: &'a str,
}

impl<'a> HttpUrl<'a> {
    pub fn parse(url: &'a str) -> Result<HttpUrl<'a>, Error> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| Error::invalid_argument("not an absolute URL (scheme://host/path)"))?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "https" => "https",
            "http" => "http",
            other => {
                return Err(Error::invalid_argument(format!(
                    "unsupported URL scheme '{}': use https://",
                    printable(other)
                )))
            }
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let host = parse_authority(authority)?;
        if !path.bytes().all(is_path_byte) {
            return Err(Error::invalid_argument(
                "the URL's path may only hold plain path characters (no query, fragment or spaces)",
            ));
        }
        Ok(HttpUrl {
            scheme,
            authority,
            host,
            path,
        })
    }

    /// `scheme://host[:port]`, lower-cased.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.authority.to_ascii_lowercase())
    }
}

/// Returns the host of `host[:port]`, refusing user info and anything odd.
pub(crate) fn parse_authority(authority: &str) -> Result<String, Error> {
    if authority.contains('@') {
        return Err(Error::invalid_argument(
            "the URL must not carry user information ('user@host')",
        ));
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (inner, after) = rest
            .split_once(']')
            .ok_or_else(|| Error::invalid_argument("the URL's IPv6 host lacks its ']'"))?;
        if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return Err(Error::invalid_argument("the URL's IPv6 host is malformed"));
        }
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or_else(|| {
                Error::invalid_argument("unexpected text after the URL's IPv6 host")
            })?),
        };
        (format!("[{}]", inner.to_ascii_lowercase()), port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        if host.is_empty() || !host.split('.').all(is_dns_label) {
            return Err(Error::invalid_argument(format!(
                "'{}' is not a valid host name",
                printable(host)
            )));
        }
        (host.to_ascii_lowercase(), port)
    };
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && matches!(port.parse::<u32>(), Ok(1..=65535));
        if !valid {
            return Err(Error::invalid_argument(format!(
                "'{}' is not a valid port",
                printable(port)
            )));
        }
    }
    Ok(host)
}

pub(crate) fn is_dns_label(label: &str) -> bool {
    (1..=MAX_LABEL_LEN).contains(&label.len())
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

pub(crate) fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host == "[::1]"
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// RFC 3986 path characters: unreserved, percent, sub-delims, ':', '@', '/'.
fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=:@/".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    #[test]
    fn splits_a_url_and_lower_cases_its_origin() {
        let url = HttpUrl::parse("HTTPS://Auth.Example.COM:8443/Sfmc/v1").unwrap();
        assert_eq!(url.scheme, "https");
        assert_eq!(url.host, "auth.example.com");
        assert_eq!(url.path, "/Sfmc/v1");
        assert_eq!(url.origin(), "https://auth.example.com:8443");
        let ipv6 = HttpUrl::parse("http://[::1]:9").unwrap();
        assert_eq!((ipv6.host.as_str(), ipv6.path), ("[::1]", ""));
    }

    #[test]
    fn refuses_what_could_send_a_secret_elsewhere() {
        for input in [
            "example.com/",
            "ftp://x",
            "file:///etc/passwd",
            "https://",
            "https:///path",
            "https://user:pw@example.com/",
            "https://example.com/?q=1",
            "https://example.com/#frag",
            "https://example.com/a b",
            "https://example.com:0/",
            "https://example.com:65536/",
            "https://example.com:x/",
            "https://exa mple.com/",
            "https://-example.com/",
            "https://[::1/",
            "https://[zz]/",
            "https://[::1]x/",
        ] {
            let err = HttpUrl::parse(input).err().expect(input);
            assert_eq!(err.status(), Status::InvalidArgument, "{input}");
        }
    }
}
