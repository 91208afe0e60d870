//! The fake REST API (`/platform/v1/…`, `/data/v1/…` at the origin root): checks
//! `Authorization: Bearer TOKEN` like Marketing Cloud, and on success echoes the request body
//! back byte for byte, so a test can compare what arrived (after a retry, say) with what it
//! sent.

use crate::endpoint;
use crate::http::{Request, Response};
use crate::registry::Verdict;
use crate::state::{Api, State};

/// The path prefixes served here; anything under them is an API call.
pub const ROOTS: [&str; 2] = ["/platform/v1", "/data/v1"];

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

pub fn handle(state: &State, req: &Request) -> Response {
    if !METHODS.contains(&req.method.as_str()) {
        return endpoint::error(405, "Method Not Allowed", 0)
            .with_header("Allow", &METHODS.join(", "));
    }
    let verdict = state.tokens.judge(bearer(req));
    state.record_api(Api::Rest, &verdict);
    match verdict {
        Verdict::Accepted(_) => {
            let content_type = req.header("content-type").unwrap_or("application/json");
            Response::new(200, content_type, req.body.clone())
        }
        // Marketing Cloud's answer to an expired token, reported by SDK users; the same for
        // a missing one, and for `/_reject`, which pretends the token was refused.
        _ => endpoint::error(401, "Not Authorized", 0),
    }
}

/// The token of `Authorization: Bearer TOKEN` (the scheme is case-insensitive), if any.
fn bearer(req: &Request) -> Option<&str> {
    let (scheme, token) = req.header("authorization")?.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use std::time::Duration;

    fn req(method: &str, headers: &[(&str, &str)], body: &[u8]) -> Request {
        Request {
            method: method.into(),
            target: "/data/v1/async/dataextensions/key:x/rows".into(),
            minor_version: 1,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
        }
    }

    #[test]
    fn echoes_with_a_valid_token() {
        let s = State::default();
        s.tokens.issue("r", "tok<&>", Duration::from_secs(60));
        let auth = ("Authorization", "bearer tok<&>");
        let r = handle(
            &s,
            &req("PATCH", &[auth, ("Content-Type", "text/csv")], b"a,b"),
        );
        assert_eq!((r.status, r.body.as_slice()), (200, &b"a,b"[..]));
        assert!(r
            .headers
            .contains(&("Content-Type".into(), "text/csv".into())));
        let r = handle(&s, &req("DELETE", &[auth], b""));
        assert_eq!(r.status, 200);
        assert!(r.body.is_empty());
        assert!(r
            .headers
            .contains(&("Content-Type".into(), "application/json".into())));
        assert_eq!(s.stats("r").accepted, 2);
    }

    #[test]
    fn refusals() {
        let s = State::default();
        s.tokens.issue("r", "old", Duration::ZERO);
        for headers in [
            vec![],
            vec![("Authorization", "Bearer ")],
            vec![("Authorization", "Basic dTpw")],
            vec![("Authorization", "Bearer nope")],
            vec![("Authorization", "Bearer old")],
        ] {
            let r = handle(&s, &req("POST", &headers, b"{}"));
            assert_eq!(r.status, 401, "{headers:?}");
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(body["errorcode"], json!(0));
            assert_eq!(body["message"], "Not Authorized");
        }
        let totals = s.total_stats();
        let counts = (
            totals.login_failed,
            totals.unknown_token,
            totals.token_expired,
        );
        assert_eq!(counts, (3, 1, 1));
        let r = handle(&s, &req("OPTIONS", &[], b""));
        assert_eq!(r.status, 405);
        assert_eq!(s.total_stats().rest_calls, 5);
    }
}
