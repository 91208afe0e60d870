//! What the fuzz targets (fuzz/) reach inside the crate: the parsers of
//! untrusted input. Behind the `fuzzing` feature; not part of the API.

/// The token URL a subdomain or URL argument gives, if accepted.
pub fn auth_url(input: &str) -> Option<String> {
    crate::auth_url::AuthUrl::parse(input)
        .ok()
        .map(|url| url.token_url().to_owned())
}

/// The token and lifetime (seconds) a 2xx answer gives, if accepted.
pub fn token_answer(body: &[u8]) -> Option<(String, u64)> {
    crate::token::parse_legacy_answer(body)
        .ok()
        .map(|issued| (issued.token.as_str().to_owned(), issued.lifetime.as_secs()))
}

/// For an accepted proxy URL: the host the checks validated (the text after
/// any `user:password@`, without the port) and the host and port ureq, the
/// parser that connects, will connect to.
pub fn proxy(url: &str) -> Option<(String, String, u16)> {
    let proxy = crate::http::proxy::parse(url).ok()?;
    let rest = &url[7..];
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    let checked = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let checked_host = match checked.strip_prefix('[') {
        Some(v6) => format!("[{}", v6.split(']').next().unwrap_or_default()) + "]",
        None => checked.split(':').next().unwrap_or_default().to_owned(),
    };
    Some((checked_host, proxy.host().to_owned(), proxy.port()))
}

pub use crate::rejection::is_token_rejected;

/// An enhanced answer's instance URLs: the REST base URL, the SOAP endpoint.
pub type ApiUrls = (String, String);

/// The token, lifetime (seconds) and instance URLs an enhanced (v2) 2xx
/// answer gives, if accepted.
pub fn enhanced_answer(body: &[u8]) -> Option<(String, u64, Option<ApiUrls>)> {
    use crate::auth_url::Api;
    let issued = crate::token::parse_enhanced_answer(body).ok()?;
    let urls = issued.instance_urls.map(|urls| {
        let url = |api| urls.api_url(api).to_owned();
        (url(Api::Rest), url(Api::Soap))
    });
    Some((
        issued.token.as_str().to_owned(),
        issued.lifetime.as_secs(),
        urls,
    ))
}
