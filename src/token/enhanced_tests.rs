//! Unit tests of `enhanced`: the request body, the grant's checks, and how
//! each answer is read.

use super::*;
use crate::auth_url::Api;
use crate::error::Status;
use crate::http::retry::AttemptError;
use crate::token::test_support::{final_error, reply};
use crate::token::MAX_LIFETIME;
use std::time::Duration;

const URL: &str = "https://tenant.auth.marketingcloudapis.com/v2/token";
const REST: &str = "https://tenant.rest.marketingcloudapis.com/";
const SOAP: &str = "https://tenant.soap.marketingcloudapis.com/";

fn request_for(account_id: Option<&str>, scope: Option<&str>) -> EnhancedTokenRequest {
    let grant = EnhancedGrant::new(account_id, scope).unwrap();
    EnhancedTokenRequest::new(URL, "my-client", ClientSecret::new("sekrit-value"), grant)
}

fn request() -> EnhancedTokenRequest {
    request_for(None, None)
}

fn answer(extra: &str) -> String {
    format!(
        r#"{{"access_token":"tok-visible","token_type":"Bearer","expires_in":1079,"scope":"email_read","soap_instance_url":"{SOAP}","rest_instance_url":"{REST}"{extra}}}"#
    )
}

#[test]
fn the_body_is_the_documented_json_with_only_the_fields_given() {
    let body = |a, s| serde_json::from_slice::<Value>(&request_for(a, s).body()).unwrap();
    let base = serde_json::json!({"grant_type": "client_credentials", "client_id": "my-client", "client_secret": "sekrit-value"});
    assert_eq!(body(None, None), base);
    let mut full = base.clone();
    full["account_id"] = serde_json::json!(510000123);
    full["scope"] = serde_json::json!("email_read list_and_subscribers_read");
    assert_eq!(
        body(
            Some("510000123"),
            Some("email_read list_and_subscribers_read")
        ),
        full
    );
    let escaped = EnhancedTokenRequest::new(
        URL,
        "id\"\\\u{1}",
        ClientSecret::new("s\"e\n"),
        EnhancedGrant::default(),
    );
    let value: Value = serde_json::from_slice(&escaped.body()).unwrap();
    assert_eq!(value["client_id"], "id\"\\\u{1}");
    assert_eq!(value["client_secret"], "s\"e\n");
}

#[test]
fn an_account_id_is_sent_as_its_digits_even_beyond_u64() {
    let body = request_for(Some("99999999999999999999"), None).body();
    let text = std::str::from_utf8(&body).unwrap();
    assert!(
        text.contains(r#","account_id":99999999999999999999"#),
        "{text}"
    );
    assert!(serde_json::from_str::<Value>(text).unwrap()["account_id"].is_number());
    let zeros = request_for(Some("007"), None).body();
    assert!(std::str::from_utf8(&zeros)
        .unwrap()
        .contains(r#""account_id":7}"#));
    assert_eq!(
        EnhancedGrant::new(Some("000"), None)
            .unwrap()
            .account_id
            .as_deref(),
        Some("0")
    );
    assert_eq!(
        EnhancedGrant::new(Some("007"), None),
        EnhancedGrant::new(Some("7"), None),
        "one MID, one token"
    );
}

#[test]
fn bad_account_ids_and_scopes_are_refused() {
    for bad in [
        "",
        "12a",
        "-1",
        "+1",
        " 1",
        "1.0",
        "1e3",
        "123456789012345678901",
        "٣",
    ] {
        let err = EnhancedGrant::new(Some(bad), None).expect_err(bad);
        assert_eq!(err.status(), Status::InvalidArgument, "{bad}");
        assert!(err.message().contains("account_id"), "{err}");
    }
    assert!(EnhancedGrant::new(Some("12345678901234567890"), None).is_ok());
    for bad in ["", "a\tb", "a\nb", "\u{7f}"] {
        let err = EnhancedGrant::new(None, Some(bad)).expect_err(bad);
        assert_eq!(err.status(), Status::InvalidArgument, "{bad:?}");
    }
    assert!(EnhancedGrant::new(None, Some("a b  c")).is_ok());
}

#[test]
fn a_good_answer_gives_the_token_lifetime_and_instance_urls() {
    let issued = request().interpret(reply(200, &answer(""))).unwrap();
    assert_eq!(issued.token.as_str(), "tok-visible");
    assert_eq!(issued.lifetime, Duration::from_secs(1079));
    let urls = issued.instance_urls.unwrap();
    assert_eq!(urls.api_url(Api::Rest), REST);
    assert_eq!(urls.api_url(Api::Soap), format!("{SOAP}Service.asmx"));
    let bare = r#"{"access_token":"abc","expires_in":99999999}"#;
    let capped = request().interpret(reply(200, bare)).unwrap();
    assert_eq!(capped.lifetime, MAX_LIFETIME);
    assert!(capped.instance_urls.is_none());
}

#[test]
fn malformed_answers_are_bad_responses_that_quote_no_token() {
    for body in [
        "<html>oops</html>".to_owned(),
        "[]".to_owned(),
        r#"{"expires_in":1079}"#.to_owned(),
        r#"{"accessToken":"tok-visible","expiresIn":1079}"#.to_owned(),
        r#"{"access_token":"","expires_in":1079}"#.to_owned(),
        r#"{"access_token":7,"expires_in":1079}"#.to_owned(),
        r#"{"access_token":"tok-visible","expires_in":0}"#.to_owned(),
        r#"{"access_token":"tok-visible","expires_in":-5}"#.to_owned(),
        r#"{"access_token":"tok-visible","expires_in":"1079"}"#.to_owned(),
        r#"{"access_token":"tok-visible"}"#.to_owned(),
        r#"{"access_token":"tok\u0000visible","expires_in":1079}"#.to_owned(),
        r#"{"access_token":"tok-visible","expires_in":1079,"token_type":"MAC"}"#.to_owned(),
        r#"{"access_token":"tok-visible","expires_in":1079,"rest_instance_url":"https://x.rest.marketingcloudapis.com/"}"#.to_owned(),
        r#"{"access_token":"tok-visible","expires_in":1079,"rest_instance_url":5,"soap_instance_url":5}"#.to_owned(),
    ] {
        let err = final_error(request().interpret(reply(200, &body)));
        assert_eq!(err.status(), Status::BadResponse, "{body}");
        assert!(!err.message().contains("tok-visible"), "{}", err.message());
    }
}

#[test]
fn a_hostile_instance_url_fails_the_token_call_naming_it() {
    for evil in ["http://evil.example/", "https://evil.example/"] {
        for field in ["rest_instance_url", "soap_instance_url"] {
            let good = if field == "rest_instance_url" {
                REST
            } else {
                SOAP
            };
            let body = answer("").replace(good, evil);
            let err = final_error(request().interpret(reply(200, &body)));
            assert_eq!(err.status(), Status::BadResponse);
            assert!(
                err.message().contains(&format!("{field} '{evil}'")),
                "{err}"
            );
            assert!(err.message().contains("the token was not used"), "{err}");
            assert!(!err.message().contains("tok-visible"));
        }
    }
}

#[test]
fn each_v2_error_maps_to_its_status_quoting_the_server() {
    let cases = [
        (401, "invalid_client", "Invalid client ID. Use the client ID in Marketing Cloud Installed Packages.", Status::Unauthorized),
        (401, "invalid_client", "Client authentication failed. Make sure that the client ID and client secret are valid and that the package is installed and enabled.", Status::Unauthorized),
        (400, "unauthorized_client", "not allowed", Status::Unauthorized),
        (400, "unsupported_grant_type", "Use client_credentials.", Status::Http),
        (400, "invalid_grant", "The account is not accessible.", Status::Http),
        (400, "invalid_scope", "Unknown scope.", Status::Http),
        (403, "access_denied", "account_id forbidden", Status::Unauthorized),
    ];
    for (code, error, description, status) in cases {
        let body = format!(
            r#"{{"error":"{error}","error_description":"{description}","error_uri":"https://developer.salesforce.com/docs"}}"#
        );
        let err = final_error(request_for(Some("42"), None).interpret(reply(code, &body)));
        assert_eq!(err.status(), status, "{error}");
        let m = err.message();
        assert!(m.contains(&format!("HTTP {code}")), "{m}");
        assert!(
            m.contains(&format!("error \"{error}\": \"{description}\"")),
            "{m}"
        );
        assert!(m.contains("account_id 42"), "{m}");
        assert!(!m.contains("mc_auth_new"), "no invented hint: {m}");
    }
}

#[test]
fn a_legacy_package_is_told_to_use_mc_auth_new() {
    let body = r#"{"error":"invalid_client","error_description":"This package is a legacy package. Use the /v1/requestToken endpoint."}"#;
    let err = final_error(request().interpret(reply(401, body)));
    assert_eq!(err.status(), Status::Unauthorized);
    assert!(
        err.message()
            .contains("create the handle with mc_auth_new,"),
        "{err}"
    );
    assert!(err.message().contains("legacy package"), "{err}");
}

#[test]
fn throttling_and_server_errors_are_retryable() {
    let throttles = [
        (
            r#"{"message":"Rate limit exceeded","errorcode":50100,"retryAfter":5}"#,
            Some(5),
        ),
        (
            r#"{"message":"Your requests are temporarily blocked.","errorcode":50200}"#,
            None,
        ),
    ];
    for (body, after) in throttles {
        let mut r = reply(429, body);
        r.retry_after = after.map(Duration::from_secs);
        match request().interpret(r) {
            Err(AttemptError::Retryable { error, retry_after }) => {
                assert_eq!(error.status(), Status::Http);
                assert!(error.message().contains("errorcode 50"), "{error}");
                assert_eq!(retry_after, after.map(Duration::from_secs));
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    for status in [500, 502, 503] {
        let r = request().interpret(reply(status, ""));
        assert!(matches!(r, Err(AttemptError::Retryable { .. })), "{status}");
    }
}
