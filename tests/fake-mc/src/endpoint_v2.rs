//! The fake `POST …/v2/token` of enhanced installed packages: OAuth 2.0 client credentials.
//! Checks what mcauth must get right (the grant type, `account_id` a JSON number, no empty
//! `scope`), records `account_id` and `scope`, and answers as the scenario's directives say,
//! with instance URLs that point at this fake (or, with `instance=evil-…`, elsewhere).

use serde_json::{json, Map, Value};

use crate::endpoint::{self, Action, Exchange};
use crate::http::{Request, Response};
use crate::scenario::{Instance, V2Error, V2_TOKEN_SUFFIX};
use crate::state::{State, TokenEndpoint};

const DOCS: &str = "https://developer.salesforce.com/docs";
const INVALID_CLIENT_ID: &str =
    "Invalid client ID. Use the client ID in Marketing Cloud Installed Packages.";
const AUTHENTICATION_FAILED: &str = "Client authentication failed. Make sure that the client ID and client secret are valid and that the package is installed and enabled.";
/// No public capture of this body exists; this one says what Marketing Cloud's is reported to.
const LEGACY_PACKAGE: &str = "This package is a legacy package and cannot use the /v2/token endpoint. Use the /v1/requestToken endpoint instead.";

/// Answers one request to `scenario`'s `/v2/token`. `origin` is `scheme://host:port` as the
/// client reached us: the redirect's Location and the instance URLs point there.
pub fn handle(state: &State, scenario: &str, origin: &str, req: &Request) -> Action {
    let mut record = endpoint::recorded(TokenEndpoint::V2, req);
    if let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&req.body) {
        record.account_id = body
            .get("account_id")
            .filter(|v| v.is_number())
            .map(|_| number_text(&record.body, "account_id"));
        record.scope = body.get("scope").and_then(Value::as_str).map(str::to_owned);
    }
    endpoint::respond(state, scenario, origin, req, record, answer)
}

/// The digits after `"key":` in the raw body: what the client wrote, even past `u64`.
fn number_text(body: &str, key: &str) -> String {
    let quoted = format!("\"{key}\"");
    let after = body.find(&quoted).map_or("", |i| &body[i + quoted.len()..]);
    let after = after.trim_start().trim_start_matches(':').trim_start();
    let end = after
        .find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
        .unwrap_or(after.len());
    after[..end].to_owned()
}

fn answer(x: &Exchange) -> Response {
    let (d, req, origin, index) = (&x.d, x.req, x.origin, x.index);
    if let Some(resp) = endpoint::misdirected(x, V2_TOKEN_SUFFIX) {
        return resp;
    }
    if !endpoint::is_json(req.header("content-type")) {
        return oauth(
            415,
            "invalid_request",
            "Content-Type must be application/json",
        );
    }
    let body = match validate(&req.body) {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    if let Some((code, times)) = d.fail {
        if times.covers(index) {
            return match code {
                401 => oauth(401, "invalid_client", AUTHENTICATION_FAILED),
                _ => endpoint::failure(code, d.retry_after),
            };
        }
    }
    if let Some(throttled) = endpoint::throttled(d, index) {
        return throttled;
    }
    if let Some(error) = d.v2_error {
        return v2_error(error);
    }
    if text(&body, "client_secret").starts_with("wrong") {
        return oauth(401, "invalid_client", AUTHENTICATION_FAILED);
    }
    let issue = |lifetime| x.issue(lifetime);
    if let Some(bad) = d.body {
        return v2_names(endpoint::bad_body(bad, d, issue));
    }
    let instance = match d.instance {
        Instance::Own => format!("{origin}/"),
        Instance::Localhost => format!("{}/", origin.replacen("127.0.0.1", "localhost", 1)),
        Instance::EvilHttp => "http://evil.example/".to_owned(),
        Instance::EvilHttps => "https://evil.example/".to_owned(),
    };
    let scope = body.get("scope").and_then(Value::as_str);
    Response::json(
        200,
        &json!({
            "access_token": issue(d.expires),
            "token_type": "Bearer",
            "expires_in": d.expires,
            "scope": scope.unwrap_or("email_read email_write offline"),
            "soap_instance_url": instance,
            "rest_instance_url": instance,
        }),
    )
}

/// The body as Marketing Cloud's `/v2/token` would check it, or the refusal.
fn validate(body: &[u8]) -> Result<Map<String, Value>, Response> {
    let invalid = |why: &str| oauth(400, "invalid_request", why);
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return Err(invalid("The request body must be a JSON object."));
    };
    if body.get("grant_type").and_then(Value::as_str) != Some("client_credentials") {
        return Err(oauth(
            400,
            "unsupported_grant_type",
            "Use client_credentials as the grant_type.",
        ));
    }
    for field in ["client_id", "client_secret"] {
        if text(&body, field).is_empty() {
            return Err(invalid(&format!("{field} is required.")));
        }
    }
    match body.get("scope") {
        None => {}
        Some(Value::String(s)) if !s.is_empty() => {}
        // Marketing Cloud would issue a token with no scopes: mcauth must never send this.
        Some(_) => return Err(invalid("scope must be a non-empty string.")),
    }
    match body.get("account_id") {
        None => {}
        Some(Value::Number(n)) if n.is_u64() || n.as_f64().is_some_and(|f| f >= 1e19) => {}
        Some(_) => return Err(invalid("account_id must be a number.")),
    }
    Ok(body)
}

fn text<'a>(body: &'a Map<String, Value>, field: &str) -> &'a str {
    body.get(field).and_then(Value::as_str).unwrap_or("")
}

/// An OAuth 2.0 error body as Marketing Cloud sends it.
fn oauth(status: u16, error: &str, description: &str) -> Response {
    Response::json(
        status,
        &json!({"error": error, "error_description": description, "error_uri": DOCS}),
    )
}

fn v2_error(error: V2Error) -> Response {
    match error {
        V2Error::InvalidClient => oauth(401, "invalid_client", INVALID_CLIENT_ID),
        V2Error::LegacyPackage => oauth(401, "invalid_client", LEGACY_PACKAGE),
        V2Error::UnauthorizedClient => oauth(
            400,
            "unauthorized_client",
            "The client is not authorized to use this grant type.",
        ),
        V2Error::UnsupportedGrantType => oauth(
            400,
            "unsupported_grant_type",
            "Use client_credentials as the grant_type.",
        ),
        V2Error::InvalidGrant => oauth(
            400,
            "invalid_grant",
            "The account_id is not accessible to this package.",
        ),
        V2Error::InvalidScope => oauth(400, "invalid_scope", "The requested scope is invalid."),
    }
}

/// A legacy answer (from `body=…`) with v2's field names: the same malformations.
fn v2_names(mut resp: Response) -> Response {
    let text = String::from_utf8_lossy(&resp.body)
        .replace("\"accessToken\"", "\"access_token\"")
        .replace("\"expiresIn\"", "\"expires_in\"");
    resp.body = text.into_bytes();
    resp
}

#[cfg(test)]
#[path = "endpoint_v2_tests.rs"]
mod tests;
