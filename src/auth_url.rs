//! The auth server's URL: what the user gave as "subdomain" (a tenant
//! subdomain or a URL) turned into the token URL, and the tenant's REST and
//! SOAP addresses when the tenant subdomain is known.
//!
//! Parsing is strict on purpose: the token URL receives the client secret, so
//! anything ambiguous is refused before a single byte is sent.

use crate::error::{printable, Error};
use crate::http::url::{is_dns_label, is_loopback, HttpUrl, MAX_LABEL_LEN, MAX_URL_LEN};
use crate::token::TokenPath;

const SFMC_AUTH_SUFFIX: &str = ".auth.marketingcloudapis.com";

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

#[cfg(test)]
#[path = "auth_url_tests.rs"]
mod tests;
