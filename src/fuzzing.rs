//! What the fuzz targets (fuzz/) reach inside the crate: the parsers of
//! untrusted input. Behind the `fuzzing` feature (and built for the unit
//! tests, which keep its seeds honest); not part of the API.

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

/// The certificates the system bundle's reader finds in `pem`, beside those
/// the strict parser finds: always the same.
pub fn ca_bundle(pem: &[u8]) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    use crate::http::tls::{certificates, strictly_parsed};
    (certificates(pem), strictly_parsed(pem))
}

/// The secret `error_details` is given: no 8 consecutive characters of it,
/// in any case, may reach the details.
pub const ERROR_BODY_SECRET: &str = "Zq8Xv3Kw7Jp2Lm5";

/// What an error answer's body adds to an error message, in full and
/// briefly, with `ERROR_BODY_SECRET` as the client secret.
pub fn error_details(body: &[u8]) -> (String, String) {
    let details = crate::token::ErrorBody::parse(Some(body), ERROR_BODY_SECRET);
    (details.describe(), details.describe_briefly())
}

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

/// The reply at the start of a Redis server's bytes (its `Debug` text) and
/// how many bytes it took; `Ok(None)` when more bytes are needed.
pub fn resp_reply(bytes: &[u8]) -> Result<Option<(String, usize)>, String> {
    match crate::store::parse_resp_reply(bytes) {
        Ok(reply) => Ok(reply.map(|(reply, used)| (format!("{reply:?}"), used))),
        Err(e) => Err(e.to_string()),
    }
}

/// The sealer of the fixed credentials `fuzz/corpus/sealed_entry/` was
/// sealed with.
fn sealer() -> &'static crate::store::Sealer {
    static SEALER: std::sync::OnceLock<crate::store::Sealer> = std::sync::OnceLock::new();
    SEALER.get_or_init(|| {
        crate::store::Sealer::derive(
            &crate::secret::ClientSecret::new("fuzz-secret"),
            "https://mc1.auth.marketingcloudapis.com/v1/requestToken",
            "fuzz-client",
            &crate::token::Grant::Legacy,
        )
    })
}

/// Whether a store entry opens under the fixed credentials.
pub fn sealed_entry_opens(value: &[u8]) -> bool {
    sealer().open(value).is_ok()
}

/// For bytes that decode as an entry's decrypted plaintext: whether what
/// they decode to, sealed and opened again, comes back the same.
pub fn sealed_plaintext(plaintext: &[u8]) -> Option<bool> {
    let stored = crate::store::decode_sealed_plaintext(plaintext)?;
    let value = sealer().seal(&stored).expect("what decodes seals");
    Some(sealer().open(&value).ok() == Some(stored))
}

/// For a `redis://` or `rediss://` URL: if accepted, its `Debug` text and
/// that of the same URL with another password; if refused, the message.
pub fn redis_url(url: &str) -> Result<(String, String), String> {
    use crate::store::StoreUrl;
    match StoreUrl::parse(url) {
        Ok(StoreUrl::Redis(mut parsed)) => {
            let shown = format!("{parsed:?}");
            if let Some(password) = &mut parsed.password {
                password.0 = zeroize::Zeroizing::new(format!("other-{}", password.0.as_str()));
            }
            Ok((shown, format!("{parsed:?}")))
        }
        Ok(StoreUrl::File(_)) => unreachable!("a redis:// URL is never a folder"),
        Err(e) => Err(e.message().to_owned()),
    }
}

/// The folder a shared cache URL `file://{path}` names, if accepted.
pub fn folder_url(path: &str) -> Option<String> {
    match crate::store::StoreUrl::parse(&format!("file://{path}")).ok()? {
        crate::store::StoreUrl::File(folder) => Some(folder.display().to_string()),
        crate::store::StoreUrl::Redis(_) => unreachable!("a file:// URL is never Redis"),
    }
}

#[cfg(test)]
mod tests {
    /// The genuine entries and plaintexts the `sealed_entry` target starts
    /// from still open and decode: a change to the sealed format must make
    /// them again, or the target would fuzz no further than the first check.
    #[test]
    fn the_sealed_entry_seeds_open_and_decode() {
        for seed in [
            &include_bytes!("../fuzz/corpus/sealed_entry/genuine-legacy")[..],
            &include_bytes!("../fuzz/corpus/sealed_entry/genuine-enhanced")[..],
        ] {
            assert!(super::sealed_entry_opens(seed));
        }
        for seed in [
            &include_bytes!("../fuzz/corpus/sealed_entry/plaintext-legacy")[..],
            &include_bytes!("../fuzz/corpus/sealed_entry/plaintext-enhanced")[..],
        ] {
            assert_eq!(super::sealed_plaintext(seed), Some(true));
        }
    }
}
