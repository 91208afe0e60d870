//! `AuthUrl`: what is accepted as the auth server, and how (`HttpUrl`'s own
//! tests are in `http/url.rs`).

use super::*;
use crate::error::Status;

const TENANT: &str = "mc563885gzs27c5t9-63k636ttgm";

fn token_url(input: &str) -> String {
    AuthUrl::parse(input).unwrap().token_url().to_owned()
}

#[test]
fn tenant_subdomain_gives_the_tenant_endpoints() {
    let e = AuthUrl::parse(TENANT).unwrap();
    assert_eq!(
        e.token_url(),
        format!("https://{TENANT}.auth.marketingcloudapis.com/v1/requestToken")
    );
    assert_eq!(
        e.api_url(Api::Rest).unwrap(),
        format!("https://{TENANT}.rest.marketingcloudapis.com/")
    );
    assert_eq!(
        e.api_url(Api::Soap).unwrap(),
        format!("https://{TENANT}.soap.marketingcloudapis.com/Service.asmx")
    );
    assert!(!e.is_loopback());
    // A DNS label holds up to 63 characters (RFC 1035); 64 is refused below.
    let longest = "b".repeat(63);
    assert!(token_url(&longest).starts_with(&format!("https://{longest}.auth.")));
}

#[test]
fn authentication_base_uri_in_every_spelling() {
    let expected = format!("https://{TENANT}.auth.marketingcloudapis.com/v1/requestToken");
    for input in [
        format!("https://{TENANT}.auth.marketingcloudapis.com/"),
        format!("https://{TENANT}.auth.marketingcloudapis.com"),
        format!("https://{TENANT}.auth.marketingcloudapis.com/v1/requestToken"),
        format!("  https://{TENANT}.auth.marketingcloudapis.com/v1/requestToken/ \n"),
        format!(
            "HTTPS://{}.AUTH.MARKETINGCLOUDAPIS.COM/",
            TENANT.to_uppercase()
        ),
    ] {
        let e = AuthUrl::parse(&input).unwrap();
        assert_eq!(e.token_url(), expected, "{input}");
        assert!(e.api_url(Api::Rest).is_ok(), "{input}");
    }
}

#[test]
fn other_https_urls_are_taken_as_given() {
    assert_eq!(
        token_url("https://auth.example.com/sfmc"),
        "https://auth.example.com/sfmc/v1/requestToken"
    );
    assert_eq!(
        token_url("https://auth.example.com:8443/v1/requestToken"),
        "https://auth.example.com:8443/v1/requestToken"
    );
    let e = AuthUrl::parse("https://auth.example.com/").unwrap();
    assert_eq!(
        e.api_url(Api::Rest).unwrap_err().status(),
        Status::InvalidArgument
    );
    assert_eq!(
        e.api_url(Api::Soap).unwrap_err().status(),
        Status::InvalidArgument
    );
}

#[test]
fn plain_http_only_on_loopback() {
    for input in [
        "http://127.0.0.1:8080/",
        "http://127.1.2.3/x",
        "http://localhost:1/scenario/expires=2/",
        "http://[::1]:9/",
    ] {
        let e = AuthUrl::parse(input).unwrap();
        assert!(e.is_loopback(), "{input}");
        assert!(e.token_url().ends_with("/v1/requestToken"), "{input}");
    }
    let fake = AuthUrl::parse("http://127.0.0.1:8080/scenario/expires=2/").unwrap();
    assert_eq!(fake.api_url(Api::Rest).unwrap(), "http://127.0.0.1:8080/");
    assert_eq!(
        fake.api_url(Api::Soap).unwrap(),
        "http://127.0.0.1:8080/Service.asmx"
    );
    assert_eq!(
        token_url("http://127.0.0.1:8080/a/b=1/"),
        "http://127.0.0.1:8080/a/b=1/v1/requestToken"
    );
}

#[test]
fn everything_else_is_refused() {
    // What no http(s) URL may be is `http::url`'s: here, what the auth server's
    // may not, and two of those to show the auth URL goes through it.
    let long_label = "a".repeat(64);
    let long_url = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
    for input in [
        "",
        "   ",
        "evil.com/",
        "a b",
        "mc.evil",
        "mc#x",
        "-mc",
        "mc-",
        "mc_x",
        "mç",
        "http://10.1.2.3",
        "http://example.com/",
        "http://127.0.0.1.evil.com/",
        "http://localhost.evil.com/",
        "https://user:pw@example.com/",
        "https://example.com/?q=1",
        long_label.as_str(),
        long_url.as_str(),
    ] {
        let err = AuthUrl::parse(input).expect_err(input);
        assert_eq!(err.status(), Status::InvalidArgument, "{input}");
    }
}

#[test]
fn messages_do_not_echo_control_characters_or_unbounded_input() {
    let err = AuthUrl::parse(&format!("\u{1b}[31m{}", "x".repeat(500))).unwrap_err();
    assert!(!err.message().contains('\u{1b}'));
    assert!(err.message().len() < 400, "{}", err.message());
}
