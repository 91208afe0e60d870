//! Scenarios: the path before `/v1/requestToken` (or `/v2/token`), whose segments may be
//! directives.
//!
//! Any segment that is not a well-formed directive is a label: labels only exist so that
//! concurrent tests (sharing mcauth's process-wide cache) never see each other's tokens.

/// The suffix that makes a path a token endpoint.
pub const TOKEN_SUFFIX: &str = "/v1/requestToken";
/// The suffix that makes a path an enhanced package's token endpoint.
pub const V2_TOKEN_SUFFIX: &str = "/v2/token";

/// How many requests a `fail=` or `drop=` directive applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Times {
    First(u64),
    /// Every request from this 1-based index on: an outage after a success.
    From(u64),
    Always,
}

impl Times {
    /// Whether the request with this 1-based index within the scenario is affected.
    pub fn covers(self, index: u64) -> bool {
        match self {
            Times::First(n) => index <= n,
            Times::From(n) => index >= n,
            Times::Always => true,
        }
    }

    fn parse(s: &str) -> Option<Times> {
        if s == "*" {
            Some(Times::Always)
        } else {
            s.parse().ok().map(Times::First)
        }
    }
}

/// The malformed 200 bodies that `body=` can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadBody {
    Garbage,
    NoToken,
    EmptyToken,
    ZeroExpiry,
    StringExpiry,
    NegativeExpiry,
    NotObject,
    Oversize,
}

impl BadBody {
    fn parse(s: &str) -> Option<BadBody> {
        Some(match s {
            "garbage" => BadBody::Garbage,
            "no-token" => BadBody::NoToken,
            "empty-token" => BadBody::EmptyToken,
            "zero-expiry" => BadBody::ZeroExpiry,
            "string-expiry" => BadBody::StringExpiry,
            "negative-expiry" => BadBody::NegativeExpiry,
            "not-object" => BadBody::NotObject,
            "oversize" => BadBody::Oversize,
            _ => return None,
        })
    }
}

/// The OAuth errors `v2-error=` can ask `/v2/token` for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum V2Error {
    InvalidClient, // an unknown client id
    /// A legacy package on `/v2/token`: `invalid_client`, saying to use `/v1/requestToken`.
    LegacyPackage,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidGrant,
    InvalidScope,
}

impl V2Error {
    fn parse(s: &str) -> Option<V2Error> {
        Some(match s {
            "invalid_client" => V2Error::InvalidClient,
            "legacy-package" => V2Error::LegacyPackage,
            "unauthorized_client" => V2Error::UnauthorizedClient,
            "unsupported_grant_type" => V2Error::UnsupportedGrantType,
            "invalid_grant" => V2Error::InvalidGrant,
            "invalid_scope" => V2Error::InvalidScope,
            _ => return None,
        })
    }
}

/// The instance URLs `/v2/token` answers with (`instance=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instance {
    /// This fake's own origin, where its API is.
    Own,
    /// The same, named `localhost`: where the client did not send its token request.
    Localhost,
    /// `http://evil.example/`.
    EvilHttp,
    /// `https://evil.example/`.
    EvilHttps,
}

/// Everything the directives of one scenario ask for. Later directives win over earlier ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directives {
    pub expires: u64,
    pub delay_ms: u64,
    pub fail: Option<(u16, Times)>,
    pub retry_after: Option<u64>,
    pub enhanced: bool,
    pub body: Option<BadBody>,
    pub drop: Option<Times>,
    pub redirect: bool,
    pub xml_token: bool,
    /// The length of the token's random part (`token-length=N`; at least 24).
    pub token_length: usize,
    /// `head-padding=N`: an `X-Padding` header of N bytes on every answer.
    pub head_padding: usize,
    /// `/v2/token` only: answer this OAuth error.
    pub v2_error: Option<V2Error>,
    /// `throttle=50200`, optionally `xN`: Marketing Cloud's "temporarily blocked" 429.
    /// (Its other throttling answer, 50100 with `Retry-After`, is `fail=429`.)
    pub throttle: Option<Times>,
    /// `/v2/token` only: the instance URLs of its answers.
    pub instance: Instance,
}

impl Default for Directives {
    fn default() -> Self {
        Directives {
            expires: 3600,
            delay_ms: 0,
            fail: None,
            retry_after: None,
            enhanced: false,
            body: None,
            drop: None,
            redirect: false,
            xml_token: false,
            token_length: 0,
            head_padding: 0,
            v2_error: None,
            throttle: None,
            instance: Instance::Own,
        }
    }
}

impl Directives {
    /// Parses a normalised scenario. Never fails: a malformed directive is just a label.
    pub fn parse(scenario: &str) -> Directives {
        let mut d = Directives::default();
        let mut redirected = false;
        for segment in scenario.split('/') {
            if segment == "redirected" {
                redirected = true;
            }
            d.apply(segment);
        }
        // The target of a `redirect` answers normally, or a redirect would loop forever.
        if redirected {
            d.redirect = false;
        }
        d
    }

    fn apply(&mut self, segment: &str) {
        match segment {
            "enhanced" => self.enhanced = true,
            "redirect" => self.redirect = true,
            "xml-token" => self.xml_token = true,
            _ => {}
        }
        let Some((name, value)) = segment.split_once('=') else {
            return;
        };
        match name {
            "expires" => {
                if let Ok(n) = value.parse() {
                    self.expires = n;
                }
            }
            "delay" => {
                if let Ok(n) = value.parse() {
                    self.delay_ms = n;
                }
            }
            "token-length" => {
                if let Ok(n) = value.parse() {
                    self.token_length = n;
                }
            }
            "head-padding" => {
                if let Ok(n) = value.parse() {
                    self.head_padding = n;
                }
            }
            "retry-after" => {
                if let Ok(n) = value.parse() {
                    self.retry_after = Some(n);
                }
            }
            "fail" => {
                if let Some(fail) = parse_fail(value) {
                    self.fail = Some(fail);
                }
            }
            "drop" => {
                if let Some(times) = Times::parse(value) {
                    self.drop = Some(times);
                }
            }
            "body" => {
                if let Some(body) = BadBody::parse(value) {
                    self.body = Some(body);
                }
            }
            "v2-error" => {
                if let Some(error) = V2Error::parse(value) {
                    self.v2_error = Some(error);
                }
            }
            "throttle" => {
                let (code, times) = value.split_once('x').unwrap_or((value, "*"));
                if let ("50200", Some(times)) = (code, Times::parse(times)) {
                    self.throttle = Some(times);
                }
            }
            "instance" => match value {
                "localhost" => self.instance = Instance::Localhost,
                "evil-http" => self.instance = Instance::EvilHttp,
                "evil-https" => self.instance = Instance::EvilHttps,
                _ => {}
            },
            _ => {}
        }
    }
}

/// `CODExN` (the first N requests, `*` for all) or `CODEfromN` (request N and later).
fn parse_fail(value: &str) -> Option<(u16, Times)> {
    let (code, times) = match value.split_once('x') {
        Some((code, times)) => (code, Times::parse(times)?),
        None => {
            let (code, from) = value.split_once("from")?;
            (code, Times::From(from.parse().ok().filter(|n| *n > 0)?))
        }
    };
    let code: u16 = code.parse().ok()?;
    if !(100..=599).contains(&code) {
        return None;
    }
    Some((code, times))
}

/// The canonical form of a scenario: no empty segments, no leading/trailing slashes,
/// percent-escapes decoded. Both the server and `requests("…")` go through this, so
/// `/t1/expires=2/v1/requestToken` and `"t1/expires=2"` (or `"/t1/expires=2/"`) agree.
pub fn normalize(scenario: &str) -> String {
    scenario
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect::<Vec<_>>()
        .join("/")
}

/// If `path` (without query) is an enhanced package's token endpoint, its normalised scenario.
pub fn v2_token_scenario(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    path.strip_suffix(V2_TOKEN_SUFFIX).map(normalize)
}

/// If `path` (without query) is a token endpoint, its normalised scenario.
pub fn token_scenario(path: &str) -> Option<String> {
    // The suffix starts with '/', so "/xv1/requestToken" does not match.
    if !path.starts_with('/') {
        return None;
    }
    path.strip_suffix(TOKEN_SUFFIX).map(normalize)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_labels() {
        let d = Directives::parse("py-cache-1/some-label");
        assert_eq!(d, Directives::default());
        assert_eq!(d.expires, 3600);
    }

    #[test]
    fn every_directive() {
        let d = Directives::parse(
            "t/expires=2/delay=150/fail=503x2/retry-after=3/enhanced/body=oversize/drop=*/redirect/xml-token",
        );
        assert_eq!(d.expires, 2);
        assert_eq!(d.delay_ms, 150);
        assert_eq!(d.fail, Some((503, Times::First(2))));
        assert_eq!(d.retry_after, Some(3));
        assert!(d.enhanced && d.redirect && d.xml_token);
        assert_eq!(Directives::parse("t/token-length=5000").token_length, 5000);
        assert_eq!(Directives::parse("t/head-padding=90").head_padding, 90);
        assert_eq!(d.body, Some(BadBody::Oversize));
        assert_eq!(d.drop, Some(Times::Always));
    }

    #[test]
    fn malformed_directives_are_labels_and_last_wins() {
        let d = Directives::parse("expires=abc/fail=99x1/fail=503/fail=500xq/body=nope/drop=-1");
        assert_eq!(d, Directives::default());
        let d = Directives::parse("expires=5/expires=7/fail=429x*");
        assert_eq!(d.expires, 7);
        assert_eq!(d.fail, Some((429, Times::Always)));
    }

    #[test]
    fn fail_from_starts_an_outage_after_successes() {
        let d = Directives::parse("o/fail=503from2");
        assert_eq!(d.fail, Some((503, Times::From(2))));
        assert!(!Times::From(2).covers(1));
        assert!(Times::From(2).covers(2) && Times::From(2).covers(9));
        assert_eq!(Directives::parse("fail=503from0").fail, None);
    }

    #[test]
    fn redirected_cancels_redirect() {
        assert!(Directives::parse("a/redirect").redirect);
        assert!(!Directives::parse("a/redirect/redirected").redirect);
    }

    #[test]
    fn v2_directives_and_paths() {
        let d = Directives::parse("t/v2-error=legacy-package/throttle=50200x2/instance=evil-http");
        assert_eq!(d.v2_error, Some(V2Error::LegacyPackage));
        assert_eq!(d.throttle, Some(Times::First(2)));
        assert_eq!(d.instance, Instance::EvilHttp);
        let d = Directives::parse("throttle=50200/instance=evil-https/v2-error=invalid_scope");
        assert_eq!(d.throttle, Some(Times::Always));
        assert_eq!(d.instance, Instance::EvilHttps);
        assert_eq!(d.v2_error, Some(V2Error::InvalidScope));
        let labels = Directives::parse("throttle=50100/instance=x/v2-error=nope");
        assert_eq!(labels, Directives::default());
        assert_eq!(
            v2_token_scenario("/a/b=1/v2/token").as_deref(),
            Some("a/b=1")
        );
        assert_eq!(v2_token_scenario("/v2/token").as_deref(), Some(""));
        assert_eq!(v2_token_scenario("/xv2/token"), None);
        assert_eq!(token_scenario("/a/v2/token"), None);
    }

    #[test]
    fn times_cover() {
        assert!(Times::First(2).covers(2));
        assert!(!Times::First(2).covers(3));
        assert!(!Times::First(0).covers(1));
        assert!(Times::Always.covers(u64::MAX));
    }

    #[test]
    fn normalisation_and_token_paths() {
        assert_eq!(normalize("/t1/expires=2/"), "t1/expires=2");
        assert_eq!(normalize("t1//expires%3D2"), "t1/expires=2");
        assert_eq!(normalize("a%zz%4"), "a%zz%4");
        assert_eq!(
            token_scenario("/t1/expires=2/v1/requestToken").as_deref(),
            Some("t1/expires=2")
        );
        assert_eq!(token_scenario("/v1/requestToken").as_deref(), Some(""));
        assert_eq!(token_scenario("/xv1/requestToken"), None);
        assert_eq!(token_scenario("/v1/requestToken/"), None);
        assert_eq!(token_scenario("/a/v1/other"), None);
    }
}
