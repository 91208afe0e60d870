//! The API addresses an enhanced package's token answer names
//! (`rest_instance_url`, `soap_instance_url`). Every REST and SOAP call
//! carries the token to them, so an address that could send it elsewhere is
//! refused before the token is cached: https on a `*.marketingcloudapis.com`
//! host, or (for local tests) http or https on a loopback host.

use crate::auth_url::Api;
use crate::error::printable;
use crate::http::url::{is_loopback, HttpUrl, MAX_URL_LEN};

const SFMC_API_SUFFIX: &str = ".marketingcloudapis.com";
const SOAP_SERVICE: &str = "Service.asmx";

/// Checked API addresses: the REST base and the SOAP endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceUrls {
    rest_base_url: String,
    soap_endpoint: String,
}

impl InstanceUrls {
    /// Checks both URLs of an answer; the error names the refused one.
    pub fn new(rest_instance_url: &str, soap_instance_url: &str) -> Result<InstanceUrls, String> {
        let rest = check("rest_instance_url", rest_instance_url)?;
        let soap = check("soap_instance_url", soap_instance_url)?;
        Ok(InstanceUrls {
            rest_base_url: rest,
            // As the official SDKs do: the SOAP endpoint is the instance URL + Service.asmx.
            soap_endpoint: format!("{soap}{SOAP_SERVICE}"),
        })
    }

    /// The REST base URL or the SOAP endpoint.
    pub fn api_url(&self, api: Api) -> &str {
        match api {
            Api::Rest => &self.rest_base_url,
            Api::Soap => &self.soap_endpoint,
        }
    }

    /// The answer's `soap_instance_url`, as checked: `new` takes it back.
    pub fn soap_instance_url(&self) -> &str {
        self.soap_endpoint
            .strip_suffix(SOAP_SERVICE)
            .expect("made by `new`, which appends it")
    }
}

/// The URL, normalised (lower-case scheme and host, ending in '/'), or why
/// it is refused.
fn check(field: &str, url: &str) -> Result<String, String> {
    let refuse = |why: &str| {
        Err(format!(
            "the answer's {field} '{}' is refused ({why}): API calls would carry the token \
             there; mcauth accepts only https on a *{SFMC_API_SUFFIX} host, or a loopback host \
             for tests",
            printable(url)
        ))
    };
    if url.len() > MAX_URL_LEN {
        return refuse("too long");
    }
    let parsed = match HttpUrl::parse(url) {
        Ok(parsed) => parsed,
        Err(e) => return refuse(e.message()),
    };
    let host = &parsed.host;
    let trusted = is_loopback(host) || (parsed.scheme == "https" && is_sfmc_host(host));
    if !trusted {
        return refuse(if is_sfmc_host(host) {
            "plain http"
        } else {
            "not a Marketing Cloud host"
        });
    }
    let path = parsed.path;
    let slash = if path.ends_with('/') { "" } else { "/" };
    Ok(format!("{}{path}{slash}", parsed.origin()))
}

/// `SOMETHING.marketingcloudapis.com` (the host is already a valid name).
fn is_sfmc_host(host: &str) -> bool {
    host.strip_suffix(SFMC_API_SUFFIX)
        .is_some_and(|label| !label.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "mc563885gzs27c5t9-63k636ttgm";

    #[test]
    fn marketing_cloud_answers_give_the_rest_base_and_soap_endpoint() {
        let urls = InstanceUrls::new(
            &format!("https://{SUB}.rest.marketingcloudapis.com/"),
            &format!("https://{SUB}.soap.marketingcloudapis.com/"),
        )
        .unwrap();
        assert_eq!(
            urls.api_url(Api::Rest),
            format!("https://{SUB}.rest.marketingcloudapis.com/")
        );
        assert_eq!(
            urls.api_url(Api::Soap),
            format!("https://{SUB}.soap.marketingcloudapis.com/Service.asmx")
        );
        let bare = InstanceUrls::new(
            "HTTPS://X.REST.MARKETINGCLOUDAPIS.COM",
            "https://x.soap.marketingcloudapis.com/base",
        )
        .unwrap();
        assert_eq!(
            bare.api_url(Api::Rest),
            "https://x.rest.marketingcloudapis.com/"
        );
        assert_eq!(
            bare.api_url(Api::Soap),
            "https://x.soap.marketingcloudapis.com/base/Service.asmx"
        );
    }

    #[test]
    fn loopback_hosts_are_accepted_for_tests() {
        for url in [
            "http://127.0.0.1:8080/",
            "https://localhost:1/",
            "http://[::1]:9/",
        ] {
            assert!(check("rest_instance_url", url).is_ok(), "{url}");
        }
    }

    #[test]
    fn anything_that_could_send_the_token_elsewhere_is_refused() {
        let long = format!("https://x.rest.marketingcloudapis.com/{}", "a".repeat(3000));
        for url in [
            "http://evil.example/",
            "https://evil.example/",
            "http://x.rest.marketingcloudapis.com/",
            "https://marketingcloudapis.com/",
            "https://x.marketingcloudapis.com.evil.example/",
            "https://evil.example/.marketingcloudapis.com/",
            "https://x.marketingcloudapis.com@evil.example/",
            "https://x.rest.marketingcloudapis.com/?next=evil",
            "https://x.rest.marketingcloudapis.com/#x",
            "ftp://x.rest.marketingcloudapis.com/",
            "//x.rest.marketingcloudapis.com/",
            "x.rest.marketingcloudapis.com",
            "http://127.0.0.1.evil.example/",
            "",
            long.as_str(),
        ] {
            let why = check("rest_instance_url", url).expect_err(url);
            assert!(why.contains("rest_instance_url"), "{why}");
            assert!(why.len() < 400, "{why}");
        }
        let why = InstanceUrls::new(
            "https://x.rest.marketingcloudapis.com/",
            "https://evil.example/",
        )
        .unwrap_err();
        assert!(
            why.contains("soap_instance_url 'https://evil.example/'"),
            "{why}"
        );
        assert!(why.contains("not a Marketing Cloud host"), "{why}");
    }
}
