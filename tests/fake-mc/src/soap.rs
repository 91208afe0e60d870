//! The fake SOAP API: `POST /Service.asmx` at the origin root, and its WSDL. The envelope is
//! read with a real XML parser; the call is accepted only if its header carries a valid
//! token of ours in `fueloauth` (namespace `http://exacttarget.com`), and refused otherwise
//! with the HTTP 500 faults Marketing Cloud answers: `Login Failed` without a token,
//! `Token Expired` with a stale, revoked or unknown one.

use roxmltree::{Document, Node};

use crate::endpoint;
use crate::http::{Request, Response};
use crate::partner;
use crate::registry::Verdict;
use crate::state::{Api, State};
use crate::xml;

pub const PATH: &str = "/Service.asmx";
pub const WSDL_PATH: &str = "/etframework.wsdl";
/// The project's own small WSDL; see the comment at its top.
pub const WSDL: &str = include_str!("../etframework.wsdl");

const FUEL_NS: &str = "http://exacttarget.com";
/// Marketing Cloud's security faults use WS-Security's `Security` fault code.
const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";

/// The SOAP version of a request; the answer uses the same. The WSDL only binds SOAP 1.1,
/// but a client configured for 1.2 (WCF can be) should meet a real fault, not a parse error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    Soap11,
    Soap12,
}

impl Version {
    fn from_namespace(ns: Option<&str>) -> Option<Version> {
        match ns? {
            "http://schemas.xmlsoap.org/soap/envelope/" => Some(Version::Soap11),
            "http://www.w3.org/2003/05/soap-envelope" => Some(Version::Soap12),
            _ => None,
        }
    }

    fn namespace(self) -> &'static str {
        match self {
            Version::Soap11 => "http://schemas.xmlsoap.org/soap/envelope/",
            Version::Soap12 => "http://www.w3.org/2003/05/soap-envelope",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Version::Soap11 => "text/xml; charset=utf-8",
            Version::Soap12 => "application/soap+xml; charset=utf-8",
        }
    }
}

/// Who a fault blames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Blame {
    /// The credentials (`q0:Security`).
    Security,
    /// The request itself.
    Client,
}

pub fn wsdl() -> Response {
    Response::new(200, "text/xml; charset=utf-8", WSDL.as_bytes().to_vec())
}

pub fn handle(state: &State, req: &Request) -> Response {
    if req.method != "POST" {
        return endpoint::error(405, "Method Not Allowed", 0).with_header("Allow", "POST");
    }
    let text = match std::str::from_utf8(&req.body) {
        Ok(text) => text.trim_start_matches('\u{feff}'),
        Err(_) => return malformed(state, "the request is not UTF-8"),
    };
    // roxmltree refuses DTDs by default: no entity expansion games.
    let doc = match Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => return malformed(state, &format!("the request is not XML: {e}")),
    };
    let root = doc.root_element();
    let version = Version::from_namespace(root.tag_name().namespace());
    let (Some(version), "Envelope") = (version, root.tag_name().name()) else {
        return malformed(state, "the request is not a SOAP envelope");
    };
    let ns = version.namespace();
    let Some(body) = xml::child(root, ns, "Body") else {
        return malformed(state, "the envelope has no Body");
    };
    let token = xml::child(root, ns, "Header").and_then(fueloauth);
    let verdict = state.tokens.judge(token.as_deref());
    state.record_api(Api::Soap, &verdict);
    match verdict {
        Verdict::Missing => fault(version, Blame::Security, "Login Failed"),
        Verdict::Unknown | Verdict::Stale(_) | Verdict::Rejected(_) => {
            fault(version, Blame::Security, "Token Expired")
        }
        // Dispatched on the body's element, not on SOAPAction: the WSDL's elements are
        // what a client cannot get wrong without also failing on the real API.
        Verdict::Accepted(_) => match body.first_element_child().and_then(partner::answer) {
            Some(answer) => envelope(version, 200, &answer),
            None => fault(version, Blame::Client, "Unsupported operation"),
        },
    }
}

/// The token in the header's `fueloauth` element, whatever its prefix: its text, surrounding
/// whitespace trimmed.
fn fueloauth(header: Node<'_, '_>) -> Option<String> {
    let element = xml::child(header, FUEL_NS, "fueloauth")?;
    Some(xml::text(element).trim().to_string())
}

/// A request that is not a SOAP envelope at all: counted, and answered like ASMX does.
fn malformed(state: &State, why: &str) -> Response {
    state.record_malformed_soap();
    fault(Version::Soap11, Blame::Client, why)
}

fn fault(version: Version, blame: Blame, message: &str) -> Response {
    let message = xml::escape(message);
    let body = match (version, blame) {
        (Version::Soap11, Blame::Security) => format!(
            r#"<soap:Fault><faultcode xmlns:q0="{WSSE_NS}">q0:Security</faultcode><faultstring>{message}</faultstring></soap:Fault>"#
        ),
        (Version::Soap11, Blame::Client) => format!(
            r#"<soap:Fault><faultcode>soap:Client</faultcode><faultstring>{message}</faultstring></soap:Fault>"#
        ),
        (Version::Soap12, blame) => {
            let subcode = match blame {
                Blame::Security => format!(
                    r#"<soap:Subcode><soap:Value xmlns:q0="{WSSE_NS}">q0:Security</soap:Value></soap:Subcode>"#
                ),
                Blame::Client => String::new(),
            };
            format!(
                r#"<soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value>{subcode}</soap:Code><soap:Reason><soap:Text xml:lang="en">{message}</soap:Text></soap:Reason></soap:Fault>"#
            )
        }
    };
    envelope(version, 500, &body)
}

fn envelope(version: Version, status: u16, body: &str) -> Response {
    let ns = version.namespace();
    let xml = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{ns}"><soap:Body>{body}</soap:Body></soap:Envelope>"#
    );
    Response::new(status, version.content_type(), xml.into_bytes())
}
