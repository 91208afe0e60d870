//! The auth server's URL: what the user gave as "subdomain" (a tenant
//! subdomain or a URL) turned into the token URL, and the tenant's REST and
//! SOAP addresses when the tenant subdomain is known.
//!
//! Parsing is strict on purpose: the token URL receives the client secret, so
//! anything ambiguous is refused before a single byte is sent.

use crate::error::{quote, Error};
use crate::token::TokenPath;
use std::net::Ipv4Addr;

const SFMC_AUTH_SUFFIX: &str = ".auth.marketingcloudapis.com";
/// Longer than any real base URL; bounds what we keep and echo in messages.
const MAX_URL_LEN: usize = 2048;
const MAX_LABEL_LEN: usize = 63;

/// The Marketing Cloud APIs a token is for, each at its own address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Api {
    Rest,
    Soap,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthUrl {
    token_url: String,
    /// `scheme://host[:port]`, lower-cased.
    origin: String,
    host: String,
    tenant: Option<String>,
    loopback: bool,
}

impl AuthUrl {
    /// Accepts a tenant subdomain, the tenant's Authentication Base URI, any
    /// other `https://` URL, or an `http://` URL on a loopback host: the
    /// legacy shorthand of `parse_for`, for the tests and the fuzz target.
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn parse(input: &str) -> Result<AuthUrl, Error> {
        AuthUrl::parse_for(input, TokenPath::Legacy)
    }

    /// As `parse`, for the token endpoint `kind`: a URL that ends with the
    /// other kind's path is refused (it names the other kind of package).
    pub fn parse_for(input: &str, kind: TokenPath) -> Result<AuthUrl, Error> {
        let input = input.trim_matches(|c: char| c.is_ascii_whitespace());
        if input.is_empty() {
            return Err(Error::invalid_argument("the subdomain is empty"));
        }
        if input.len() > MAX_URL_LEN {
            return Err(Error::invalid_argument(format!(
                "the subdomain or URL is longer than {MAX_URL_LEN} characters"
            )));
        }
        if input.contains("://") {
            AuthUrl::from_url(HttpUrl::parse(input)?, kind)
        } else {
            AuthUrl::from_tenant(input, kind)
        }
    }

    fn from_tenant(label: &str, kind: TokenPath) -> Result<AuthUrl, Error> {
        if !is_dns_label(label) {
            return Err(Error::invalid_argument(format!(
                "'{}' is neither a Marketing Cloud subdomain (letters, digits and '-', \
                 1 to {MAX_LABEL_LEN} characters) nor an https:// URL",
                printable(label)
            )));
        }
        let tenant = label.to_ascii_lowercase();
        Ok(AuthUrl {
            token_url: format!("https://{tenant}{SFMC_AUTH_SUFFIX}{}", kind.path()),
            origin: format!("https://{tenant}{SFMC_AUTH_SUFFIX}"),
            host: format!("{tenant}{SFMC_AUTH_SUFFIX}"),
            tenant: Some(tenant),
            loopback: false,
        })
    }

    fn from_url(url: HttpUrl<'_>, kind: TokenPath) -> Result<AuthUrl, Error> {
        let HttpUrl { host, path, .. } = &url;
        let loopback = is_loopback(host);
        if url.scheme == "http" && !loopback {
            return Err(Error::invalid_argument(format!(
                "refusing plain http:// to '{}': the client secret would travel unencrypted; \
                 http:// is only allowed to loopback hosts for local testing",
                printable(host)
            )));
        }
        let tenant = host
            .strip_suffix(SFMC_AUTH_SUFFIX)
            .filter(|label| is_dns_label(label))
            .map(str::to_owned);
        let base = path.trim_end_matches('/');
        if base.ends_with(kind.other().path()) {
            return Err(Error::invalid_argument(format!(
                "the URL ends with {}, the token endpoint of the other kind of installed \
                 package; pass the Authentication Base URI (this handle requests {})",
                kind.other().path(),
                kind.path()
            )));
        }
        let path = if base.ends_with(kind.path()) {
            base.to_owned()
        } else {
            format!("{base}{}", kind.path())
        };
        let origin = url.origin();
        Ok(AuthUrl {
            token_url: format!("{origin}{path}"),
            origin,
            host: url.host,
            tenant,
            loopback,
        })
    }

    /// Where the token request is POSTed.
    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// True when the user gave the tenant (its subdomain or its Authentication
    /// Base URI), so that its API addresses are known without asking.
    pub fn has_tenant(&self) -> bool {
        self.tenant.is_some()
    }

    /// The host name (IPv6 addresses in brackets), lower-cased.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// True when the host is on this machine: such URLs never go through a
    /// proxy taken from the environment.
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    /// The tenant's address for `api`: the REST base
    /// `https://SUB.rest.marketingcloudapis.com/` or the SOAP endpoint
    /// `https://SUB.soap.marketingcloudapis.com/Service.asmx`. On a loopback
    /// host, where a local fake serves the APIs beside the auth endpoints, the
    /// origin plus `/` or `/Service.asmx`.
    pub fn api_url(&self, api: Api) -> Result<String, Error> {
        let (name, local_path) = match api {
            Api::Rest => ("rest", "/"),
            Api::Soap => ("soap", "/Service.asmx"),
        };
        match &self.tenant {
            Some(tenant) => Ok(format!(
                "https://{tenant}.{name}.marketingcloudapis.com{local_path}"
            )),
            None if self.loopback => Ok(format!("{}{local_path}", self.origin)),
            None => Err(Error::invalid_argument(format!(
                "the tenant subdomain is unknown for the custom endpoint {}; \
                 pass the subdomain or the Authentication Base URI instead",
                self.token_url
            ))),
        }
    }
}

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

fn is_dns_label(label: &str) -> bool {
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

/// Echoes user input in messages without control characters and within bounds.
pub(crate) fn printable(s: &str) -> String {
    quote(s, 80)
}

#[cfg(test)]
#[path = "auth_url_tests.rs"]
mod tests;
