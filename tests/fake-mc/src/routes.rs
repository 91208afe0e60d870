//! Which path does what: token endpoints go to `endpoint`, the API (at the origin root,
//! like Marketing Cloud's) to `soap` and `rest`; the control endpoints (`/_count`, `/_last`,
//! `/_stats`, `/_proxy`, `/_revoke`, `/_reject`) let tests written in any language read the
//! counters and steer the API; anything else is a JSON 404.

use serde_json::{json, Value};

use crate::endpoint::{self, Action};
use crate::http::{Request, Response};
use crate::scenario::{normalize, token_scenario, v2_token_scenario};
use crate::state::{State, Stats};
use crate::{rest, soap};

/// `origin` is `scheme://host:port` as the client reached us.
pub fn route(state: &State, origin: &str, req: &Request) -> Action {
    let path = req.path();
    if let Some(scenario) = token_scenario(path) {
        return endpoint::handle(state, &scenario, origin, req);
    }
    if let Some(scenario) = v2_token_scenario(path) {
        return crate::endpoint_v2::handle(state, &scenario, origin, req);
    }
    Action::Respond(
        api(state, req)
            .or_else(|| control(state, req))
            .unwrap_or_else(not_found),
    )
}

fn api(state: &State, req: &Request) -> Option<Response> {
    let path = req.path();
    // ASMX also serves its WSDL as `Service.asmx?wsdl`, which is what many users type.
    let asks_wsdl = req
        .target
        .split_once('?')
        .is_some_and(|(_, q)| q.eq_ignore_ascii_case("wsdl"));
    // IIS paths are case-insensitive; so are ours for the SOAP endpoint.
    if path.eq_ignore_ascii_case(soap::PATH) {
        return Some(if asks_wsdl && req.method == "GET" {
            soap::wsdl()
        } else {
            soap::handle(state, req)
        });
    }
    if path == soap::WSDL_PATH {
        return Some(if req.method == "GET" {
            soap::wsdl()
        } else {
            endpoint::error(405, "Method Not Allowed", 0).with_header("Allow", "GET")
        });
    }
    if rest::ROOTS.iter().any(|root| under(path, root).is_some()) {
        return Some(rest::handle(state, req));
    }
    None
}

fn not_found() -> Response {
    endpoint::error(404, "Not Found", 0)
}

/// `/name` or `/name/rest…` → the normalised rest.
fn under<'a>(path: &'a str, name: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(name)?;
    if rest.is_empty() || rest.starts_with('/') {
        Some(rest)
    } else {
        None
    }
}

fn control(state: &State, req: &Request) -> Option<Response> {
    let path = req.path();
    if let Some(rest) = under(path, "/_count") {
        // Plain digits, no newline: trivially parsed from C, Python and C#.
        let count = state.count(&normalize(rest));
        return Some(Response::text(200, &count.to_string()));
    }
    if let Some(rest) = under(path, "/_last") {
        return Some(match state.last(&normalize(rest)) {
            Some(last) => Response::json(
                200,
                &json!({
                    "endpoint": last.endpoint.path(),
                    "user_agent": last.user_agent,
                    "content_type": last.content_type,
                    "body": last.body,
                    "account_id": last.account_id,
                    "scope": last.scope,
                }),
            ),
            None => not_found(),
        });
    }
    if path == "/_stats" {
        return Some(Response::json(200, &stats_json(&state.total_stats(), true)));
    }
    if let Some(rest) = under(path, "/_stats") {
        // `/_stats/` (the empty scenario) is not `/_stats` (everything).
        let stats = state.stats(&normalize(rest));
        return Some(Response::json(200, &stats_json(&stats, false)));
    }
    if let Some(rest) = under(path, "/_revoke") {
        return Some(post_only(
            req,
            || json!({"revoked": state.tokens.revoke(&normalize(rest))}),
        ));
    }
    if let Some(rest) = under(path, "/_reject") {
        let (scenario, n) = rest.rsplit_once('/')?;
        let Ok(n) = n.parse::<u64>() else {
            return Some(endpoint::error(
                400,
                "usage: POST /_reject/<scenario>/<N>",
                0,
            ));
        };
        return Some(post_only(req, || {
            state.tokens.reject_next(&normalize(scenario), n);
            json!({"rejecting": n})
        }));
    }
    if path == "/_proxy" {
        return Some(Response::json(
            200,
            &json!({
                "requests": state.proxy_count(),
                "last_proxy_authorization": state.last_proxy_authorization(),
            }),
        ));
    }
    None
}

/// Control endpoints that change something answer POST only, so that nothing that merely
/// looks (a browser, a GET retried by a client) changes a test's course.
fn post_only(req: &Request, act: impl FnOnce() -> Value) -> Response {
    if req.method == "POST" {
        Response::json(200, &act())
    } else {
        endpoint::error(405, "Method Not Allowed", 0).with_header("Allow", "POST")
    }
}

/// The `/_stats` answer. Calls that carry no token of ours belong to no scenario, so only
/// the totals have their counters.
fn stats_json(s: &Stats, totals: bool) -> Value {
    let mut v = json!({
        "token_requests": s.token_requests,
        "api_calls": s.api_calls(),
        "soap_calls": s.soap_calls,
        "rest_calls": s.rest_calls,
        "accepted": s.accepted,
        "rejected": s.rejected,
        "token_expired": s.token_expired,
    });
    if totals {
        v["unknown_token"] = json!(s.unknown_token);
        v["login_failed"] = json!(s.login_failed);
        v["malformed"] = json!(s.malformed);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn get(path: &str) -> Request {
        Request {
            method: "GET".into(),
            target: path.into(),
            minor_version: 1,
            headers: vec![],
            body: vec![],
        }
    }

    fn respond(state: &State, path: &str) -> Response {
        match route(state, "http://h", &get(path)) {
            Action::Respond(r) => r,
            Action::Drop => panic!("drop"),
        }
    }

    #[test]
    fn control_endpoints() {
        let s = State::default();
        assert_eq!(respond(&s, "/_count/unseen/x").body, b"0");
        assert_eq!(respond(&s, "/_last/unseen").status, 404);
        // A GET to a token path counts (and is refused).
        assert_eq!(respond(&s, "/t1/expires=2/v1/requestToken").status, 405);
        assert_eq!(respond(&s, "/_count/t1/expires=2").body, b"1");
        assert_eq!(respond(&s, "/_count/t1/expires=2/").body, b"1");
        let last: Value = serde_json::from_slice(&respond(&s, "/_last/t1/expires=2").body).unwrap();
        assert_eq!(
            last,
            json!({"endpoint": "/v1/requestToken", "user_agent": null, "content_type": null,
                   "body": "", "account_id": null, "scope": null})
        );
        assert_eq!(respond(&s, "/t2/v2/token").status, 405);
        let last: Value = serde_json::from_slice(&respond(&s, "/_last/t2").body).unwrap();
        assert_eq!(last["endpoint"], "/v2/token");
        assert_eq!(respond(&s, "/_count/t2").body, b"1");
        let proxy: Value = serde_json::from_slice(&respond(&s, "/_proxy").body).unwrap();
        assert_eq!(
            proxy,
            json!({"requests": 0, "last_proxy_authorization": null})
        );
        let r = respond(&s, "/_counter");
        assert_eq!(r.status, 404);
        assert_eq!(respond(&s, "/").status, 404);
    }
}
