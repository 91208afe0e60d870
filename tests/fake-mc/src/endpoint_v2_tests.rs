//! Unit tests of the fake `/v2/token`.

use super::*;
use crate::registry::Verdict;

const GOOD: &str = r#"{"grant_type":"client_credentials","client_id":"id","client_secret":"s"}"#;

fn post(body: &str) -> Request {
    Request {
        method: "POST".into(),
        target: "/x/v2/token".into(),
        minor_version: 1,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    }
}

fn respond(state: &State, scenario: &str, body: &str) -> Response {
    match handle(state, scenario, "http://127.0.0.1:1", &post(body)) {
        Action::Respond(r) => r,
        Action::Drop => panic!("unexpected drop"),
    }
}

fn json_of(r: &Response) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

#[test]
fn a_good_request_gets_a_token_the_api_accepts_and_instance_urls_here() {
    let s = State::default();
    let r = respond(&s, "a/expires=1079", GOOD);
    assert_eq!(r.status, 200);
    let v = json_of(&r);
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 1079);
    assert_eq!(v["rest_instance_url"], "http://127.0.0.1:1/");
    assert_eq!(v["soap_instance_url"], "http://127.0.0.1:1/");
    let token = v["access_token"].as_str().unwrap();
    assert_eq!(
        s.tokens.judge(Some(token)),
        Verdict::Accepted("a/expires=1079".into())
    );
    let last = s.last("a/expires=1079").unwrap();
    assert_eq!(last.endpoint, TokenEndpoint::V2);
    assert_eq!((last.account_id, last.scope), (None, None));
}

#[test]
fn account_id_and_scope_are_recorded_per_request() {
    let s = State::default();
    let with = |extra: &str| GOOD.replace('}', &format!(",{extra}}}"));
    assert_eq!(
        respond(&s, "g", &with(r#""account_id": 510000123"#)).status,
        200
    );
    let big = with(r#""account_id":99999999999999999999,"scope":"email_read list_read""#);
    let r = respond(&s, "g", &big);
    assert_eq!(r.status, 200);
    assert_eq!(json_of(&r)["scope"], "email_read list_read");
    let seen: Vec<_> = s
        .history("g")
        .into_iter()
        .map(|r| (r.account_id, r.scope))
        .collect();
    assert_eq!(
        seen,
        [
            (Some("510000123".to_owned()), None),
            (
                Some("99999999999999999999".to_owned()),
                Some("email_read list_read".to_owned())
            ),
        ]
    );
}

#[test]
fn what_mcauth_must_never_send_is_refused() {
    let s = State::default();
    let cases = [
        ("nope", 400, "invalid_request"),
        (
            r#"{"client_id":"id","client_secret":"s"}"#,
            400,
            "unsupported_grant_type",
        ),
        (
            &GOOD.replace("client_credentials", "password"),
            400,
            "unsupported_grant_type",
        ),
        (&GOOD.replace(r#""id""#, r#""""#), 400, "invalid_request"),
        (
            &GOOD.replace('}', r#","scope":""}"#),
            400,
            "invalid_request",
        ),
        (&GOOD.replace('}', r#","scope":5}"#), 400, "invalid_request"),
        (
            &GOOD.replace('}', r#","account_id":"123"}"#),
            400,
            "invalid_request",
        ),
        (
            &GOOD.replace('}', r#","account_id":1.5}"#),
            400,
            "invalid_request",
        ),
        (
            &GOOD.replace('}', r#","account_id":-1}"#),
            400,
            "invalid_request",
        ),
        (
            &GOOD.replace(r#""s""#, r#""wrong-s""#),
            401,
            "invalid_client",
        ),
    ];
    for (body, status, error) in cases {
        let r = respond(&s, "v", body);
        assert_eq!(
            (r.status, json_of(&r)["error"].as_str()),
            (status, Some(error)),
            "{body}"
        );
    }
    assert_eq!(
        s.count("v"),
        cases.len() as u64,
        "failed attempts count too"
    );
}

#[test]
fn v2_errors_throttling_and_hostile_instances() {
    let s = State::default();
    for (directive, status, error) in [
        ("invalid_client", 401, "invalid_client"),
        ("legacy-package", 401, "invalid_client"),
        ("unauthorized_client", 400, "unauthorized_client"),
        ("unsupported_grant_type", 400, "unsupported_grant_type"),
        ("invalid_grant", 400, "invalid_grant"),
        ("invalid_scope", 400, "invalid_scope"),
    ] {
        let r = respond(&s, &format!("e/v2-error={directive}"), GOOD);
        assert_eq!(
            (r.status, json_of(&r)["error"].as_str()),
            (status, Some(error))
        );
        assert!(json_of(&r)["error_description"].is_string());
    }
    let legacy = respond(&s, "e/v2-error=legacy-package", GOOD);
    assert!(json_of(&legacy)["error_description"]
        .as_str()
        .unwrap()
        .contains("/v1/requestToken"));
    let blocked = respond(&s, "t/throttle=50200x1", GOOD);
    assert_eq!(
        (blocked.status, json_of(&blocked)["errorcode"].clone()),
        (429, json!(50200))
    );
    assert!(!blocked.headers.iter().any(|(k, _)| k == "Retry-After"));
    assert_eq!(respond(&s, "t/throttle=50200x1", GOOD).status, 200);
    for (directive, url) in [
        ("evil-http", "http://evil.example/"),
        ("evil-https", "https://evil.example/"),
        ("localhost", "http://localhost:1/"),
    ] {
        let v = json_of(&respond(&s, &format!("i/instance={directive}"), GOOD));
        assert_eq!(
            (
                v["rest_instance_url"].as_str(),
                v["soap_instance_url"].as_str()
            ),
            (Some(url), Some(url))
        );
    }
}

#[test]
fn malformed_bodies_use_v2_field_names() {
    let s = State::default();
    let get = |b: &str| respond(&s, &format!("m/body={b}"), GOOD);
    assert!(json_of(&get("no-token")).get("access_token").is_none());
    assert_eq!(json_of(&get("no-token"))["expires_in"], 3600);
    assert_eq!(json_of(&get("empty-token"))["access_token"], "");
    assert_eq!(json_of(&get("zero-expiry"))["expires_in"], 0);
    assert!(json_of(&get("not-object")).is_array());
    assert!(get("oversize").body.len() > endpoint::OVERSIZE - 10);
}

#[test]
fn redirects_point_at_the_scenarios_v2_token() {
    let s = State::default();
    let r = respond(&s, "r/redirect", GOOD);
    assert_eq!(r.status, 307);
    let location = "http://127.0.0.1:1/r/redirect/redirected/v2/token";
    assert!(r.headers.contains(&("Location".into(), location.into())));
}
