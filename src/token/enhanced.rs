//! Enhanced installed packages: `POST {base}/v2/token` with OAuth 2.0's
//! client credentials grant (`{"grant_type":"client_credentials",
//! "client_id", "client_secret"}`, plus `account_id` and `scope` when given),
//! answered by `{"access_token", "expires_in", "rest_instance_url",
//! "soap_instance_url", …}`.

use super::answer;
use super::instance_urls::InstanceUrls;
use super::{Client, ErrorBody, IssuedToken, Refusal, TokenProtocol};
use crate::error::printable;
use crate::error::quote_client_id;
use crate::error::Error;
use crate::secret::ClientSecret;
use serde_json::Value;
use std::io::Write;
use std::time::Duration;
use zeroize::Zeroizing;

/// Marketing Cloud MIDs are far shorter; 20 digits is the documented bound.
const MAX_ACCOUNT_ID_DIGITS: usize = 20;

/// The business unit (`account_id`, a MID) and `scope` a token is asked for;
/// `None` leaves the field out of the request. With the credentials, the
/// identity of a token: two business units never share one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct EnhancedGrant {
    /// Decimal digits without leading zeros: sent as a JSON number as they
    /// are, so a MID beyond `u64` is never rounded.
    account_id: Option<String>,
    scope: Option<String>,
}

impl EnhancedGrant {
    /// Checks what the user gave: `account_id` 1 to 20 digits, `scope` not
    /// empty and without control characters.
    pub fn new(account_id: Option<&str>, scope: Option<&str>) -> Result<EnhancedGrant, Error> {
        let account_id = account_id.map(canonical_account_id).transpose()?;
        if let Some(scope) = scope {
            if scope.is_empty() {
                return Err(Error::invalid_argument(
                    "the scope is empty; pass none (NULL) to get the package's scopes",
                ));
            }
            if scope.chars().any(char::is_control) {
                return Err(Error::invalid_argument(
                    "the scope holds control characters; scopes are separated by spaces",
                ));
            }
        }
        Ok(EnhancedGrant {
            account_id,
            scope: scope.map(str::to_owned),
        })
    }

    pub fn account_id(&self) -> Option<&str> {
        self.account_id.as_deref()
    }

    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// ` for account_id N and scope "…"`, for messages.
    fn describe(&self) -> String {
        match (&self.account_id, &self.scope) {
            (None, None) => String::new(),
            (Some(id), None) => format!(" for account_id {id}"),
            (None, Some(scope)) => format!(" for scope \"{}\"", printable(scope)),
            (Some(id), Some(scope)) => {
                format!(" for account_id {id} and scope \"{}\"", printable(scope))
            }
        }
    }
}

fn canonical_account_id(digits: &str) -> Result<String, Error> {
    let valid = (1..=MAX_ACCOUNT_ID_DIGITS).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit());
    if !valid {
        return Err(Error::invalid_argument(format!(
            "the account_id '{}' is not a MID (1 to {MAX_ACCOUNT_ID_DIGITS} digits)",
            printable(digits)
        )));
    }
    // JSON numbers have no leading zeros; 007 is MID 7.
    let trimmed = digits.trim_start_matches('0');
    Ok(if trimmed.is_empty() { "0" } else { trimmed }.to_owned())
}

/// The enhanced token request for one set of credentials and grant.
pub struct EnhancedTokenRequest {
    client: Client,
    grant: EnhancedGrant,
}

impl EnhancedTokenRequest {
    pub fn new(
        url: &str,
        client_id: &str,
        client_secret: ClientSecret,
        grant: EnhancedGrant,
    ) -> EnhancedTokenRequest {
        EnhancedTokenRequest {
            client: Client::new(url, client_id, client_secret),
            grant,
        }
    }
}

impl TokenProtocol for EnhancedTokenRequest {
    fn client(&self) -> &Client {
        &self.client
    }

    /// The JSON body, written by hand so that `account_id` is the user's
    /// digits as a JSON number (serde_json would need a `u64`). Room for the
    /// worst-case escaping is reserved up front: a growing buffer would leave
    /// unwiped copies of the secret behind.
    fn body(&self) -> Zeroizing<Vec<u8>> {
        let Client { id, secret, .. } = &self.client;
        let secret = secret.expose();
        let scope = self.grant.scope.as_deref();
        let escaped = 6 * (id.len() + secret.len() + scope.map_or(0, str::len));
        let mut body = Zeroizing::new(Vec::with_capacity(160 + escaped));
        body.extend_from_slice(br#"{"grant_type":"client_credentials","client_id":"#);
        let string = |body: &mut Vec<u8>, s: &str| {
            serde_json::to_writer(&mut *body, s).expect("a string always serialises");
        };
        string(&mut body, id);
        body.extend_from_slice(br#","client_secret":"#);
        string(&mut body, secret);
        if let Some(account_id) = &self.grant.account_id {
            write!(&mut *body, r#","account_id":{account_id}"#).expect("writing to a Vec");
        }
        if let Some(scope) = scope {
            body.extend_from_slice(br#","scope":"#);
            string(&mut body, scope);
        }
        body.push(b'}');
        body
    }

    fn parse_answer(&self, body: &[u8]) -> Result<IssuedToken, String> {
        parse_enhanced_answer(body)
    }

    /// `invalid_client` and `unauthorized_client` refuse the credentials
    /// whatever the status below 500; a description naming `requestToken`
    /// means a legacy package.
    fn refusal(&self, status: u16, detail: &ErrorBody) -> Refusal {
        let Client { url, id, .. } = &self.client;
        let unauthorized = matches!(status, 401 | 403)
            || (status < 500
                && matches!(
                    detail.error.as_deref(),
                    Some("invalid_client" | "unauthorized_client")
                ));
        let (grant, said) = (self.grant.describe(), detail.describe());
        if !unauthorized {
            return Refusal::Other(format!("{url} answered HTTP {status}{grant}{said}"));
        }
        let hint = if detail.says("requestToken") {
            ": this is a legacy installed package, which must request tokens from \
             /v1/requestToken: create the handle with mc_auth_new, not mc_auth_new_enhanced"
        } else {
            ""
        };
        let id = quote_client_id(id);
        Refusal::Credentials(format!(
            "{url} rejected client id '{id}'{grant} with HTTP {status}{said}{hint}"
        ))
    }
}

/// Checks a 2xx body: a JSON object with a usable `access_token`, a positive
/// integer `expires_in`, a `token_type` of Bearer if any, and acceptable
/// instance URLs if any. The reason never quotes the token.
pub(crate) fn parse_enhanced_answer(body: &[u8]) -> Result<IssuedToken, String> {
    let value = answer::json_object(body)?;
    let object = value.as_object().expect("checked by json_object");
    let token = answer::token(object, "access_token")?;
    let lifetime = answer::lifetime(object, "expires_in")?;
    match object.get("token_type") {
        None | Some(Value::Null) => {}
        Some(Value::String(t)) if t.eq_ignore_ascii_case("bearer") => {}
        Some(_) => return Err("token_type is not Bearer".to_owned()),
    }
    let url = |key: &str| match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(format!("{key} is not a string")),
    };
    let instance_urls = match (url("rest_instance_url")?, url("soap_instance_url")?) {
        (Some(rest), Some(soap)) => Some(InstanceUrls::new(rest, soap)?),
        (None, None) => None,
        (Some(_), None) => return Err("rest_instance_url comes without soap_instance_url".into()),
        (None, Some(_)) => return Err("soap_instance_url comes without rest_instance_url".into()),
    };
    Ok(IssuedToken {
        token,
        lifetime,
        age: Duration::ZERO,
        instance_urls,
    })
}

#[cfg(test)]
#[path = "enhanced_tests.rs"]
mod tests;
