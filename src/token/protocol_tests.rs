//! Tests of what both protocols share, `TokenProtocol::interpret`'s 2xx and
//! 3xx answers and redaction, run against each protocol.

use super::test_support::{any_error, final_error, reply, too_large};
use super::*;
use crate::redact::hostile;

const SECRET: &str = "sekrit-value";

fn protocols(client_id: &str, secret: &str) -> [Box<dyn TokenProtocol>; 2] {
    let base = "https://tenant.auth.marketingcloudapis.com";
    let secret = ClientSecret::new(secret);
    let grant = EnhancedGrant::new(Some("42"), None).unwrap();
    [
        Box::new(LegacyTokenRequest::new(
            &format!("{base}/v1/requestToken"),
            client_id,
            secret.clone(),
        )),
        Box::new(EnhancedTokenRequest::new(
            &format!("{base}/v2/token"),
            client_id,
            secret,
            grant,
        )),
    ]
}

#[test]
fn redirects_are_refused() {
    for protocol in protocols("my-client", SECRET) {
        let err = final_error(protocol.interpret(reply(307, "")));
        assert_eq!(err.status(), Status::Http);
        let m = err.message();
        assert!(
            m.contains(&format!("{} answered HTTP 307", protocol.client().url)),
            "{m}"
        );
        assert!(m.contains("never follows redirects"), "{m}");
    }
}

#[test]
fn unreadable_and_oversize_answers_are_bad_responses() {
    for protocol in protocols("my-client", SECRET) {
        let url = &protocol.client().url;
        let err = final_error(protocol.interpret(reply(200, "<html>oops</html>")));
        assert_eq!(err.status(), Status::BadResponse);
        assert_eq!(
            err.message(),
            format!("unexpected answer from {url}: the body is not JSON; the token was not used")
        );
        let err = final_error(protocol.interpret(too_large()));
        assert_eq!(err.status(), Status::BadResponse);
        assert!(err.message().contains("larger than"), "{err}");
    }
}

#[test]
fn an_echoed_secret_is_redacted() {
    let body = r#"{"message":"bad secret sekrit-value","errorcode":1}"#;
    for protocol in protocols("my-client", SECRET) {
        let err = final_error(protocol.interpret(reply(401, body)));
        assert!(!err.message().contains(SECRET), "{err}");
        assert!(err.message().contains("withheld"), "{err}");
    }
}

#[test]
fn hostile_echoes_leave_no_piece_of_the_secret_in_the_message() {
    let secret = "Sup3r\"S3cret&<Value>/0123456789";
    for protocol in protocols("id\u{7}\n", secret) {
        for echo in hostile::echoes(secret) {
            for key in ["error_description", "error", "message"] {
                let body = serde_json::json!({ key: echo, "errorcode": 1 }).to_string();
                for status in [401, 500, 400] {
                    let error = any_error(protocol.interpret(reply(status, &body)));
                    hostile::assert_no_piece(secret, error.message());
                }
            }
        }
    }
}

#[test]
fn a_refusal_of_the_credentials_is_final_even_when_throttled() {
    let body = r#"{"error":"invalid_client","error_description":"Bad client."}"#;
    let [_, enhanced] = protocols("my-client", SECRET);
    let err = final_error(enhanced.interpret(reply(429, body)));
    assert_eq!(err.status(), Status::Unauthorized);
}
