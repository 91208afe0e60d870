//! The fake `POST …/v1/requestToken`: validates like SFMC, then answers as the scenario's
//! directives say. Bodies mimic the ones SFMC users have reported.

use std::thread;
use std::time::Duration;

use serde_json::{json, Value};

use crate::http::{reason, Request, Response};
use crate::scenario::{BadBody, Directives, TOKEN_SUFFIX};
use crate::state::{RecordedRequest, State, TokenEndpoint};
use crate::token;

/// What to do with a request.
#[derive(Debug)]
pub enum Action {
    Respond(Response),
    /// Close the connection without sending a byte (`drop=`).
    Drop,
}

/// The size of the `body=oversize` answer: far past mcauth's 64 KiB limit.
pub const OVERSIZE: usize = 1024 * 1024;

const ENHANCED_MESSAGE: &str = "This integration is not eligible to use the legacy /v1/requestToken endpoint because the integration uses enhanced OAuth 2.0 functionality. Use the /v2/token endpoint instead.";

/// Answers one request to `scenario`'s token endpoint. `origin` is `scheme://host:port` as
/// the client reached us, for the redirect's Location.
pub fn handle(state: &State, scenario: &str, origin: &str, req: &Request) -> Action {
    let record = recorded(TokenEndpoint::V1, req);
    respond(state, scenario, origin, req, record, answer)
}

/// One request to a token endpoint, as its `answer` sees it: where it came (`origin` is
/// `scheme://host:port` as the client reached us), the scenario's directives, and its index
/// among the scenario's requests.
pub struct Exchange<'a> {
    pub state: &'a State,
    pub scenario: &'a str,
    pub origin: &'a str,
    pub req: &'a Request,
    pub d: Directives,
    pub index: u64,
}

impl Exchange<'_> {
    /// A fresh token that the API side will accept for `lifetime` seconds, as the scenario's.
    pub fn issue(&self, lifetime: u64) -> String {
        let token = token::mint(self.d.xml_token, self.d.token_length);
        self.state
            .tokens
            .issue(self.scenario, &token, Duration::from_secs(lifetime));
        token
    }
}

/// What every token endpoint does around its own `answer`: records the request, then waits
/// (`delay=`), drops the connection (`drop=`), or answers, with `Retry-After` on failures.
pub fn respond(
    state: &State,
    scenario: &str,
    origin: &str,
    req: &Request,
    record: RecordedRequest,
    answer: impl FnOnce(&Exchange) -> Response,
) -> Action {
    let index = state.record(scenario, record);
    let d = Directives::parse(scenario);
    // Sleeping here stalls only this connection's thread, never the others.
    if d.delay_ms > 0 {
        thread::sleep(Duration::from_millis(d.delay_ms));
    }
    if d.drop.is_some_and(|t| t.covers(index)) {
        return Action::Drop;
    }
    let (retry_after, head_padding) = (d.retry_after, d.head_padding);
    let exchange = Exchange {
        state,
        scenario,
        origin,
        req,
        d,
        index,
    };
    let mut resp = answer(&exchange);
    if let Some(secs) = retry_after {
        if resp.status >= 400 {
            resp = resp.with_header("Retry-After", &secs.to_string());
        }
    }
    if head_padding > 0 {
        resp = resp.with_header("X-Padding", &"p".repeat(head_padding));
    }
    Action::Respond(resp)
}

/// What a token request to `endpoint` looked like (its grant fields are the caller's to add).
pub fn recorded(endpoint: TokenEndpoint, req: &Request) -> RecordedRequest {
    RecordedRequest {
        endpoint,
        user_agent: req.header("user-agent").map(str::to_string),
        content_type: req.header("content-type").map(str::to_string),
        body: String::from_utf8_lossy(&req.body).into_owned(),
        ..RecordedRequest::default()
    }
}

/// The answers that come before any token endpoint looks at a request: a redirect (the
/// `redirect` directive) to the same endpoint under `<scenario>/redirected`, or 405 for
/// anything but POST.
pub fn misdirected(x: &Exchange, endpoint_suffix: &str) -> Option<Response> {
    if x.d.redirect {
        let location = format!("{}/{}/redirected{endpoint_suffix}", x.origin, x.scenario);
        return Some(error(307, "Temporary Redirect", 0).with_header("Location", &location));
    }
    if x.req.method != "POST" {
        return Some(error(405, "Method Not Allowed", 0).with_header("Allow", "POST"));
    }
    None
}

fn answer(x: &Exchange) -> Response {
    let (d, req) = (&x.d, x.req);
    if let Some(resp) = misdirected(x, TOKEN_SUFFIX) {
        return resp;
    }
    if !is_json(req.header("content-type")) {
        return error(415, "Content-Type must be application/json", 0);
    }
    if let Err(message) = validate(&req.body) {
        return error(400, message, 10002);
    }
    if let Some((code, times)) = d.fail {
        if times.covers(x.index) {
            return failure(code, d.retry_after);
        }
    }
    if let Some(throttled) = throttled(d, x.index) {
        return throttled;
    }
    if d.enhanced {
        return error(401, ENHANCED_MESSAGE, 10007);
    }
    if secret(&req.body).is_some_and(|s| s.starts_with("wrong")) {
        return error(401, "Unauthorized", 1);
    }
    let issue = |lifetime| x.issue(lifetime);
    match d.body {
        Some(bad) => bad_body(bad, d, issue),
        None => Response::json(
            200,
            &json!({"accessToken": issue(d.expires), "expiresIn": d.expires}),
        ),
    }
}

/// SFMC's error shape: `{"message":…,"errorcode":…,"documentation":""}`.
pub fn error(status: u16, message: &str, errorcode: u64) -> Response {
    Response::json(
        status,
        &json!({"message": message, "errorcode": errorcode, "documentation": ""}),
    )
}

/// The answer to `throttle=50200…` when it covers request `index`: Marketing Cloud's
/// "temporarily blocked" 429, which does not say when to come back (`handle` adds a
/// `Retry-After` only when the scenario has a `retry-after=` directive).
pub fn throttled(d: &Directives, index: u64) -> Option<Response> {
    d.throttle.filter(|times| times.covers(index))?;
    Some(error(429, "Your requests are temporarily blocked.", 50200))
}

/// The answer to `fail=CODE…`.
pub fn failure(code: u16, retry_after: Option<u64>) -> Response {
    match code {
        401 => error(401, "Unauthorized", 1),
        429 => Response::json(
            429,
            &json!({
                "message": "Rate limit exceeded",
                "errorcode": 50100,
                "retryAfter": retry_after.unwrap_or(1),
            }),
        ),
        _ => error(code, reason(code), 0),
    }
}

/// `application/json`, with or without parameters, or any `…+json` type.
pub fn is_json(content_type: Option<&str>) -> bool {
    let Some(ct) = content_type else {
        return false;
    };
    let media = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
}

/// The body must be a JSON object with non-empty string `clientId` and `clientSecret`.
fn validate(body: &[u8]) -> Result<(), &'static str> {
    let value: Value =
        serde_json::from_slice(body).map_err(|_| "Request body is not valid JSON")?;
    let Some(obj) = value.as_object() else {
        return Err("Request body must be a JSON object");
    };
    for (field, message) in [
        ("clientId", "clientId is required"),
        ("clientSecret", "clientSecret is required"),
    ] {
        match obj.get(field).and_then(Value::as_str) {
            Some(s) if !s.is_empty() => {}
            _ => return Err(message),
        }
    }
    Ok(())
}

fn secret(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value.get("clientSecret")?.as_str().map(str::to_string)
}

/// `issue(lifetime)` mints a token: only answers that hand one out do, each with the
/// lifetime it announces (none for a negative one).
pub fn bad_body(kind: BadBody, d: &Directives, issue: impl Fn(u64) -> String) -> Response {
    let value = match kind {
        BadBody::Garbage => {
            return Response::new(200, "application/json", b"<html>this is not json".to_vec())
        }
        BadBody::NoToken => json!({"expiresIn": d.expires}),
        BadBody::EmptyToken => json!({"accessToken": "", "expiresIn": d.expires}),
        BadBody::ZeroExpiry => json!({"accessToken": issue(0), "expiresIn": 0}),
        BadBody::StringExpiry => {
            json!({"accessToken": issue(d.expires), "expiresIn": d.expires.to_string()})
        }
        BadBody::NegativeExpiry => json!({"accessToken": issue(0), "expiresIn": -3600}),
        BadBody::NotObject => json!([{"accessToken": issue(d.expires), "expiresIn": d.expires}]),
        BadBody::Oversize => return oversize(&issue(d.expires), d.expires),
    };
    Response::json(200, &value)
}

/// A valid token answer padded to exactly `OVERSIZE` bytes: only its size is wrong.
fn oversize(token: &str, expires: u64) -> Response {
    let head = format!(r#"{{"accessToken":"{token}","expiresIn":{expires},"padding":""#);
    let mut body = head.into_bytes();
    body.resize(OVERSIZE - 2, b'x');
    body.extend_from_slice(b"\"}");
    Response::new(200, "application/json", body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Verdict;

    fn post(body: &str) -> Request {
        Request {
            method: "POST".into(),
            target: "/x/v1/requestToken".into(),
            minor_version: 1,
            headers: vec![
                (
                    "Content-Type".into(),
                    "application/json; charset=utf-8".into(),
                ),
                ("User-Agent".into(), "t/1".into()),
            ],
            body: body.as_bytes().to_vec(),
        }
    }

    const GOOD: &str = r#"{"clientId":"id","clientSecret":"s"}"#;

    fn respond(state: &State, scenario: &str, req: &Request) -> Response {
        match handle(state, scenario, "http://127.0.0.1:1", req) {
            Action::Respond(r) => r,
            Action::Drop => panic!("unexpected drop"),
        }
    }

    fn body_json(r: &Response) -> Value {
        serde_json::from_slice(&r.body).unwrap()
    }

    #[test]
    fn success_and_recording() {
        let s = State::default();
        let r = respond(&s, "a/expires=7", &post(GOOD));
        assert_eq!(r.status, 200);
        let v = body_json(&r);
        assert_eq!(v["expiresIn"], 7);
        let token = v["accessToken"].as_str().unwrap();
        assert!(token.starts_with("fake_"));
        assert_eq!(
            s.tokens.judge(Some(token)),
            Verdict::Accepted("a/expires=7".into())
        );
        assert_eq!(s.count("a/expires=7"), 1);
        let last = s.last("a/expires=7").unwrap();
        assert_eq!(last.user_agent.as_deref(), Some("t/1"));
        assert_eq!(last.body, GOOD);
    }

    #[test]
    fn validation() {
        let s = State::default();
        let mut get = post(GOOD);
        get.method = "GET".into();
        assert_eq!(respond(&s, "v", &get).status, 405);
        let mut text = post(GOOD);
        text.headers[0].1 = "text/plain".into();
        assert_eq!(respond(&s, "v", &text).status, 415);
        for bad in [
            "nope",
            "[]",
            r#"{"clientId":"","clientSecret":"s"}"#,
            r#"{"clientId":"i"}"#,
            r#"{"clientId":"i","clientSecret":5}"#,
        ] {
            let r = respond(&s, "v", &post(bad));
            assert_eq!(r.status, 400, "{bad}");
            assert_eq!(body_json(&r)["documentation"], "");
        }
        let r = respond(
            &s,
            "v",
            &post(r#"{"clientId":"i","clientSecret":"wrong-1"}"#),
        );
        assert_eq!(
            (r.status, body_json(&r)["errorcode"].clone()),
            (401, json!(1))
        );
        // Failed attempts count too.
        assert_eq!(s.count("v"), 8);
    }

    #[test]
    fn fail_then_succeed_with_retry_after() {
        let s = State::default();
        let sc = "f/fail=429x2/retry-after=3";
        for _ in 0..2 {
            let r = respond(&s, sc, &post(GOOD));
            assert_eq!(r.status, 429);
            assert_eq!(body_json(&r)["retryAfter"], 3);
            assert!(r.headers.contains(&("Retry-After".into(), "3".into())));
        }
        assert_eq!(respond(&s, sc, &post(GOOD)).status, 200);
        let r = respond(&s, "g/fail=503x*", &post(GOOD));
        assert_eq!(
            (r.status, body_json(&r)["errorcode"].clone()),
            (503, json!(0))
        );
        let r = respond(&s, "h/fail=429x1", &post(GOOD));
        assert_eq!(body_json(&r)["retryAfter"], 1);
        assert!(!r.headers.iter().any(|(k, _)| k == "Retry-After"));
    }

    #[test]
    fn drop_redirect_enhanced() {
        let s = State::default();
        assert!(matches!(
            handle(&s, "d/drop=1", "http://h", &post(GOOD)),
            Action::Drop
        ));
        assert_eq!(respond(&s, "d/drop=1", &post(GOOD)).status, 200);
        let r = respond(&s, "r/redirect", &post(GOOD));
        assert_eq!(r.status, 307);
        assert!(r.headers.contains(&(
            "Location".into(),
            "http://127.0.0.1:1/r/redirect/redirected/v1/requestToken".into()
        )));
        assert_eq!(
            respond(&s, "r/redirect/redirected", &post(GOOD)).status,
            200
        );
        let r = respond(&s, "e/enhanced", &post(GOOD));
        assert_eq!(
            (r.status, body_json(&r)["errorcode"].clone()),
            (401, json!(10007))
        );
    }

    #[test]
    fn malformed_bodies() {
        let s = State::default();
        let get = |b: &str| respond(&s, &format!("m/body={b}"), &post(GOOD));
        assert!(serde_json::from_slice::<Value>(&get("garbage").body).is_err());
        assert!(body_json(&get("no-token")).get("accessToken").is_none());
        assert_eq!(body_json(&get("empty-token"))["accessToken"], "");
        assert_eq!(body_json(&get("zero-expiry"))["expiresIn"], 0);
        assert!(body_json(&get("string-expiry"))["expiresIn"].is_string());
        assert!(
            body_json(&get("negative-expiry"))["expiresIn"]
                .as_i64()
                .unwrap()
                < 0
        );
        assert!(body_json(&get("not-object")).is_array());
        let big = get("oversize");
        assert_eq!(big.body.len(), OVERSIZE);
        assert!(body_json(&big)["accessToken"].is_string());
        // A token announced as already expired is not good on the API side either.
        let zero = body_json(&get("zero-expiry"))["accessToken"].clone();
        let stale = Verdict::Stale("m/body=zero-expiry".into());
        assert_eq!(s.tokens.judge(zero.as_str()), stale);
    }

    #[test]
    fn xml_token() {
        let s = State::default();
        let v = body_json(&respond(&s, "x/xml-token", &post(GOOD)));
        assert!(v["accessToken"].as_str().unwrap().contains("<&>\"'"));
    }
}
