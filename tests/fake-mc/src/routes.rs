//! Which path does what: token endpoints go to `endpoint`, `/_count`, `/_last` and `/_proxy`
//! let tests written in any language read the counters, anything else is a JSON 404.

use serde_json::json;

use crate::endpoint::{self, Action};
use crate::http::{Request, Response};
use crate::scenario::{normalize, token_scenario};
use crate::state::State;

/// `origin` is `scheme://host:port` as the client reached us.
pub fn route(state: &State, origin: &str, req: &Request) -> Action {
    let path = req.path();
    if let Some(scenario) = token_scenario(path) {
        return endpoint::handle(state, &scenario, origin, req);
    }
    Action::Respond(control(state, path).unwrap_or_else(not_found))
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

fn control(state: &State, path: &str) -> Option<Response> {
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
                    "user_agent": last.user_agent,
                    "content_type": last.content_type,
                    "body": last.body,
                }),
            ),
            None => not_found(),
        });
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
            json!({"user_agent": null, "content_type": null, "body": ""})
        );
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
