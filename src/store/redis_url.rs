//! `redis[s]://[user:password@]host[:port][/db]`: what names a Redis store.
//! Its messages never quote the URL, its `Debug` never shows the password.

use super::percent_decode;
use crate::error::Error;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::Ipv6Addr;
use zeroize::Zeroizing;

const DEFAULT_PORT: u16 = 6379;

/// `redis[s]://[user:password@]host[:port][/db]`, parsed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct RedisUrl {
    pub tls: bool,
    /// A name or an address; an IPv6 address without its brackets.
    pub host: String,
    pub port: u16,
    pub db: u32,
    pub user: Option<String>,
    pub password: Option<Password>,
}

/// Wiped when dropped, never shown.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Password(pub Zeroizing<String>);

impl Hash for Password {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.as_str().hash(state);
    }
}

/// Messages about a URL never quote it: it may hold a password, and a
/// password with an unencoded `/` or `@` ends up in any part of it.
fn invalid(rule: &str) -> Error {
    Error::invalid_argument(format!(
        "invalid Redis URL (not shown: it may hold a password): {rule}; \
         the form is redis[s]://[user:password@]host[:port][/db]"
    ))
}

impl RedisUrl {
    pub fn parse(url: &str) -> Result<RedisUrl, Error> {
        let (tls, rest) = if let Some(rest) = url.strip_prefix("rediss://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("redis://") {
            (false, rest)
        } else {
            return Err(invalid("it starts with redis:// or rediss://"));
        };
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(authority_end);
        let (userinfo, host_and_port) = match authority.rsplit_once('@') {
            Some((userinfo, host_and_port)) => (Some(userinfo), host_and_port),
            None => (None, authority),
        };
        let (host, port) = parse_host_and_port(host_and_port)?;
        let db = parse_db(path)?;
        let (user, password) = match userinfo {
            Some(userinfo) => parse_credentials(userinfo)?,
            None => (None, None),
        };
        Ok(RedisUrl {
            tls,
            host: host.to_owned(),
            port,
            db,
            user,
            password,
        })
    }

    /// `host:port`, `[v6]:port`: how messages name the server.
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Not `http::url::parse_authority`, the check of URLs that get secrets, on
/// purpose: it refuses `_`, which Redis hosts named after containers carry
/// (`redis_1` in docker-compose), and its messages quote the host, which in
/// a Redis URL may hold part of a password (see `invalid`).
fn parse_host_and_port(text: &str) -> Result<(&str, u16), Error> {
    let (host, port) = match text.strip_prefix('[') {
        Some(bracketed) => {
            let (address, after) = bracketed
                .split_once(']')
                .ok_or_else(|| invalid("an IPv6 address ends with ]"))?;
            if address.parse::<Ipv6Addr>().is_err() {
                return Err(invalid("brackets hold an IPv6 address"));
            }
            let port = match after {
                "" => None,
                _ => Some(
                    after
                        .strip_prefix(':')
                        .ok_or_else(|| invalid("what follows the host is :port"))?,
                ),
            };
            (address, port)
        }
        None => {
            let (host, port) = match text.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (text, None),
            };
            let name_or_ipv4 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_');
            if host.is_empty() {
                return Err(invalid("it names no host"));
            }
            if !host.chars().all(name_or_ipv4) {
                return Err(invalid(
                    "the host is a name, an IPv4 address or an [IPv6] address",
                ));
            }
            (host, port)
        }
    };
    let port = match port {
        None => DEFAULT_PORT,
        Some(digits) => decimal(digits)
            .and_then(|n| u16::try_from(n).ok())
            .filter(|&n| n != 0)
            .ok_or_else(|| invalid("the port is a number from 1 to 65535"))?,
    };
    Ok((host, port))
}

fn parse_db(path: &str) -> Result<u32, Error> {
    if path.contains(['?', '#']) {
        return Err(invalid("it has no query or fragment"));
    }
    match path {
        "" | "/" => Ok(0),
        _ => path
            .strip_prefix('/')
            .and_then(decimal)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| invalid("the path is a database number, such as /2")),
    }
}

/// Digits only: `str::parse` would also take a sign.
fn decimal(digits: &str) -> Option<u64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn parse_credentials(userinfo: &str) -> Result<(Option<String>, Option<Password>), Error> {
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let decode = |text| {
        percent_decode(text).ok_or_else(|| {
            invalid("the user and password are percent-encoded UTF-8 (a % starts two hex digits)")
        })
    };
    let user = decode(user)?;
    let password = decode(password)?;
    match (user.is_empty(), password.is_empty()) {
        (true, true) => Ok((None, None)),
        (false, true) => Err(invalid("a user needs a password (user:password@)")),
        (true, false) => Ok((None, Some(Password(password)))),
        (false, false) => Ok((Some(user.as_str().to_owned()), Some(Password(password)))),
    }
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.tls { "rediss://" } else { "redis://" })?;
        if self.password.is_some() {
            let user = self.user.as_deref().unwrap_or("");
            write!(f, "{}:***@", crate::error::quote(user, 64))?;
        }
        write!(f, "{}/{}", self.address(), self.db)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_error(url: &str) -> String {
        RedisUrl::parse(url).expect_err(url).message().to_owned()
    }

    #[test]
    fn parses_every_part_of_a_url() {
        let url = RedisUrl::parse("redis://cache.internal").unwrap();
        assert_eq!(
            (url.tls, url.host.as_str(), url.port, url.db),
            (false, "cache.internal", 6379, 0)
        );
        let url = RedisUrl::parse("redis://redis_1:6380").unwrap();
        assert_eq!((url.host.as_str(), url.port), ("redis_1", 6380));
        assert!(url.user.is_none() && url.password.is_none());

        let url = RedisUrl::parse("rediss://app:p%40ss%2Fw%3Ard@[::1]:6380/2").unwrap();
        assert_eq!(
            (url.tls, url.host.as_str(), url.port, url.db),
            (true, "::1", 6380, 2)
        );
        assert_eq!(url.user.as_deref(), Some("app"));
        assert_eq!(url.password.unwrap().0.as_str(), "p@ss/w:rd");

        let url = RedisUrl::parse("redis://:p@ss@10.0.0.7:7000/").unwrap();
        assert_eq!((url.host.as_str(), url.port, url.db), ("10.0.0.7", 7000, 0));
        assert!(url.user.is_none());
        assert_eq!(url.password.unwrap().0.as_str(), "p@ss");
    }

    #[test]
    fn refuses_what_is_not_a_redis_url() {
        for url in [
            "http://host",
            "redis://",
            "redis://:pw@",
            "redis://host:",
            "redis://host:0",
            "redis://host:65536",
            "redis://host:+1",
            "redis://host:63a",
            "redis://a b",
            "redis://::1",
            "redis://[::1",
            "redis://[nope]:1",
            "redis://[::1]6379",
            "redis://host/x",
            "redis://host/1/2",
            "redis://host/-1",
            "redis://host?db=1",
            "redis://host/1#top",
            "redis://user@host",
            "redis://user:@host",
            "redis://u:%zz@host",
            "redis://u:%ff@host",
        ] {
            assert!(parse_error(url).contains("invalid Redis URL"), "{url}");
        }
    }

    #[test]
    fn a_refused_url_never_shows_its_password() {
        let hostile = "S3CR3T";
        for url in [
            "redis://u:S3CR3T@host:bad",
            "redis://u:S3CR3T@host/x?y",
            "redis://u:S3CR3T@host#S3CR3T",
            "redis://u:S3/CR3T@host", // an unencoded / cuts the password
            "redis://u:S3CR3T%@host",
            "redis://u:S3CR3T@",
            "redis://S3CR3T@host",
            "redis://u:S3CR3T@[::1]x",
            "redis://u:S3CR3T@host:6379/S3CR3T",
        ] {
            let message = parse_error(url);
            assert!(!message.contains("S3"), "{url}: {message}");
            assert!(!message.contains(hostile));
        }
    }

    #[test]
    fn debug_shows_the_server_never_the_password() {
        let url = RedisUrl::parse("redis://app:S3CR3T@cache:6390/3").unwrap();
        assert_eq!(format!("{url:?}"), "redis://app:***@cache:6390/3");
        let url = RedisUrl::parse("rediss://:S3CR3T@[::1]").unwrap();
        assert_eq!(format!("{url:?}"), "rediss://:***@[::1]:6379/0");
        let url = RedisUrl::parse("redis://127.0.0.1").unwrap();
        assert_eq!(format!("{url:?}"), "redis://127.0.0.1:6379/0");
    }
}
