//! Legacy installed packages: `POST {base}/v1/requestToken` with
//! `{"clientId", "clientSecret"}`, answered by `{"accessToken", "expiresIn"}`.

use super::answer;
use super::{Client, ErrorBody, IssuedToken, Refusal, TokenProtocol};
use crate::error::quote_client_id;
use crate::secret::ClientSecret;
use serde::Serialize;
use std::time::Duration;
use zeroize::Zeroizing;

/// Marketing Cloud's errorcode for an enhanced package on the legacy endpoint.
const ENHANCED_PACKAGE_ERRORCODE: i64 = 10007;

/// The legacy token request for one set of credentials.
pub struct LegacyTokenRequest {
    client: Client,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LegacyRequestBody<'a> {
    client_id: &'a str,
    client_secret: &'a str,
}

impl LegacyTokenRequest {
    pub fn new(url: &str, client_id: &str, client_secret: ClientSecret) -> LegacyTokenRequest {
        LegacyTokenRequest {
            client: Client::new(url, client_id, client_secret),
        }
    }
}

impl TokenProtocol for LegacyTokenRequest {
    fn client(&self) -> &Client {
        &self.client
    }

    fn body(&self) -> Zeroizing<Vec<u8>> {
        let Client { id, secret, .. } = &self.client;
        let body = LegacyRequestBody {
            client_id: id,
            client_secret: secret.expose(),
        };
        // Sized up front for the worst escaping (6 bytes per byte, \u00XX),
        // so the buffer never grows: growing would leave copies of the
        // secret in freed memory.
        let capacity = 6 * (id.len() + secret.expose().len()) + 64;
        let mut buffer = Zeroizing::new(Vec::with_capacity(capacity));
        serde_json::to_writer(&mut *buffer, &body).expect("two strings always serialise");
        buffer
    }

    fn parse_answer(&self, body: &[u8]) -> Result<IssuedToken, String> {
        parse_legacy_answer(body)
    }

    /// 401 and 403 refuse the credentials; errorcode 10007 with them means
    /// an enhanced package.
    fn refusal(&self, status: u16, detail: &ErrorBody) -> Refusal {
        let Client { url, id, .. } = &self.client;
        let said = detail.describe_briefly();
        match status {
            401 | 403 if detail.errorcode == Some(ENHANCED_PACKAGE_ERRORCODE) => {
                Refusal::Credentials(format!(
                    "{url} answered HTTP {status}{said}: this is an enhanced installed package, \
                     which must request tokens from /v2/token (OAuth 2.0 client credentials), \
                     not the legacy /v1/requestToken: create the handle with \
                     mc_auth_new_enhanced"
                ))
            }
            401 | 403 => {
                let id = quote_client_id(id);
                Refusal::Credentials(format!(
                    "{url} rejected client id '{id}' with HTTP {status}{said}"
                ))
            }
            _ => Refusal::Other(format!("{url} answered HTTP {status}{said}")),
        }
    }
}

/// Checks a 2xx body: a JSON object with a non-empty `accessToken` string and
/// a positive integer `expiresIn`. The reason never quotes the body, which
/// may hold a token.
pub(crate) fn parse_legacy_answer(body: &[u8]) -> Result<IssuedToken, String> {
    let value = answer::json_object(body)?;
    let object = value.as_object().expect("checked by json_object");
    Ok(IssuedToken {
        token: answer::token(object, "accessToken")?,
        lifetime: answer::lifetime(object, "expiresIn")?,
        age: Duration::ZERO,
        instance_urls: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;
    use crate::http::retry::AttemptError;
    use crate::token::test_support::{final_error, reply};
    use crate::token::MAX_LIFETIME;
    use serde_json::Value;
    use std::time::Duration;

    const URL: &str = "https://tenant.auth.marketingcloudapis.com/v1/requestToken";

    fn request() -> LegacyTokenRequest {
        LegacyTokenRequest::new(URL, "my-client", ClientSecret::new("sekrit-value"))
    }

    #[test]
    fn body_is_the_documented_json() {
        let body = request().body();
        let value: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"clientId": "my-client", "clientSecret": "sekrit-value"})
        );
    }

    #[test]
    fn a_good_answer_gives_the_token_and_lifetime() {
        let issued = request()
            .interpret(reply(
                200,
                r#"{"accessToken":"abc","expiresIn":3600,"scope":"x"}"#,
            ))
            .unwrap();
        assert_eq!(issued.token.as_str(), "abc");
        assert_eq!(issued.lifetime, Duration::from_secs(3600));
        let capped = request()
            .interpret(reply(200, r#"{"accessToken":"abc","expiresIn":99999999}"#))
            .unwrap();
        assert_eq!(capped.lifetime, MAX_LIFETIME);
    }

    #[test]
    fn malformed_answers_are_bad_responses_that_quote_nothing() {
        for body in [
            "<html>oops</html>",
            "[]",
            r#"{"expiresIn":3600}"#,
            r#"{"accessToken":"","expiresIn":3600}"#,
            r#"{"accessToken":7,"expiresIn":3600}"#,
            r#"{"accessToken":"tok-visible","expiresIn":0}"#,
            r#"{"accessToken":"tok-visible","expiresIn":-5}"#,
            r#"{"accessToken":"tok-visible","expiresIn":"3600"}"#,
            r#"{"accessToken":"tok-visible","expiresIn":1.5}"#,
            r#"{"accessToken":"tok-visible"}"#,
            r#"{"accessToken":"tok\u0000visible","expiresIn":3600}"#,
            r#"{"accessToken":"tok\uFFFEvisible","expiresIn":3600}"#,
            r#"{"accessToken":"tok\uFFFFvisible","expiresIn":3600}"#,
        ] {
            let err = final_error(request().interpret(reply(200, body)));
            assert_eq!(err.status(), Status::BadResponse, "{body}");
            assert!(!err.message().contains("tok-visible"), "{}", err.message());
        }
    }

    #[test]
    fn rejected_credentials_carry_the_server_detail() {
        let err = final_error(request().interpret(reply(
            401,
            r#"{"message":"Unauthorized","errorcode":1,"documentation":""}"#,
        )));
        assert_eq!(err.status(), Status::Unauthorized);
        assert!(err.message().contains("HTTP 401"), "{}", err.message());
        assert!(err.message().contains("\"Unauthorized\" (errorcode 1)"));
        assert!(err.message().contains("my-client"));
        let forbidden = final_error(request().interpret(reply(403, "")));
        assert_eq!(forbidden.status(), Status::Unauthorized);
    }

    #[test]
    fn an_enhanced_package_is_told_to_use_v2() {
        let err = final_error(request().interpret(reply(
            401,
            r#"{"message":"This integration is not eligible to use the legacy /v1/requestToken endpoint","errorcode":10007,"documentation":""}"#,
        )));
        assert_eq!(err.status(), Status::Unauthorized);
        assert!(err.message().contains("enhanced installed package"));
        assert!(err.message().contains("/v2/token"));
        assert!(err.message().contains("10007"));
    }

    #[test]
    fn server_errors_and_throttling_are_retryable() {
        for status in [429, 500, 502, 503] {
            let mut r = reply(
                status,
                r#"{"message":"Rate limit exceeded","errorcode":50100}"#,
            );
            r.retry_after = Some(Duration::from_secs(2));
            match request().interpret(r) {
                Err(AttemptError::Retryable { error, retry_after }) => {
                    assert_eq!(error.status(), Status::Http);
                    assert!(error.message().contains(&format!("HTTP {status}")));
                    assert_eq!(retry_after, Some(Duration::from_secs(2)));
                }
                other => panic!("{status}: {other:?}"),
            }
        }
        assert_eq!(
            final_error(request().interpret(reply(400, "{}"))).status(),
            Status::Http
        );
    }

    #[test]
    fn a_one_character_secret_blanks_no_other_word() {
        let request = LegacyTokenRequest::new(URL, "my-client", ClientSecret::new("e"));
        let body = r#"{"message":"Unauthorized request","errorcode":1}"#;
        let m = final_error(request.interpret(reply(401, body)))
            .message()
            .to_owned();
        assert!(
            m.contains("/v1/requestToken") && m.contains("Unauthorized request"),
            "{m}"
        );
    }
}
