//! Did an API answer reject the access token? The one rule every integration
//! needs before it invalidates the token it sent and retries once: HTTP 401
//! from the REST API, or a SOAP fault whose text is "Token Expired" or
//! "Login Failed" (Marketing Cloud's SOAP API answers both with HTTP 500).

use quick_xml::events::Event;
use quick_xml::Reader;

/// The fault texts that mean "this token is no good", compared without
/// regard to ASCII case or surrounding white space.
const REJECTING_FAULTS: [&str; 2] = ["Token Expired", "Login Failed"];

/// Where a fault's text is, by element local name (any namespace prefix):
/// SOAP 1.1 `faultstring`, SOAP 1.2 `Reason/Text`.
const FAULT_TEXT_PATHS: [&[&[u8]]; 2] = [
    &[b"Envelope", b"Body", b"Fault", b"faultstring"],
    &[b"Envelope", b"Body", b"Fault", b"Reason", b"Text"],
];

/// Deeper than any fault text path; a deeper document is not walked further.
const MAX_DEPTH: usize = 32;

/// Whether an answer's body must be read to tell if it rejected the token:
/// for an error status other than 401, which says so without one. Below
/// 400 the body is not looked at: Marketing Cloud sends its faults with
/// HTTP 500, and a successful answer may be a download its caller streams.
pub fn rejection_needs_body(http_status: i32) -> bool {
    http_status >= 400 && http_status != 401
}

pub fn is_token_rejected(http_status: i32, body: &[u8]) -> bool {
    http_status == 401
        || fault_text(body).is_some_and(|text| {
            let text = text.trim();
            REJECTING_FAULTS
                .iter()
                .any(|fault| text.eq_ignore_ascii_case(fault))
        })
}

/// The text of the SOAP fault in `body`, if `body` is a SOAP envelope with a
/// fault. Anything that is not well-formed XML has none.
fn fault_text(body: &[u8]) -> Option<String> {
    let mut reader = Reader::from_reader(body);
    let mut open: Vec<Vec<u8>> = Vec::new();
    let mut text: Option<String> = None;
    loop {
        match reader.read_event().ok()? {
            Event::Start(element) => {
                if open.len() == MAX_DEPTH {
                    return None;
                }
                open.push(element.local_name().as_ref().to_vec());
            }
            Event::End(_) => {
                if text.is_some() && at_fault_text(&open) {
                    return text;
                }
                open.pop();
            }
            Event::Text(chunk) if at_fault_text(&open) => {
                text.get_or_insert_with(String::new)
                    .push_str(&chunk.unescape().ok()?);
            }
            Event::CData(chunk) if at_fault_text(&open) => {
                text.get_or_insert_with(String::new)
                    .push_str(std::str::from_utf8(&chunk).ok()?);
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

fn at_fault_text(open: &[Vec<u8>]) -> bool {
    FAULT_TEXT_PATHS
        .iter()
        .any(|path| path.len() == open.len() && path.iter().zip(open).all(|(a, b)| *a == b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn soap11(prefix: &str, faultstring: &str) -> String {
        let p = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}:")
        };
        let ns = if prefix.is_empty() {
            "xmlns".to_owned()
        } else {
            format!("xmlns:{prefix}")
        };
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?><{p}Envelope {ns}="http://schemas.xmlsoap.org/soap/envelope/"><{p}Body><{p}Fault><faultcode>{p}Client</faultcode><faultstring>{faultstring}</faultstring></{p}Fault></{p}Body></{p}Envelope>"#
        )
    }

    fn soap12(text: &str) -> String {
        format!(
            r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Header/><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text xml:lang="en">{text}</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>"#
        )
    }

    #[test]
    fn only_error_answers_other_than_401_need_their_body_read() {
        for (status, needs) in [(200, false), (302, false), (401, false), (400, true)] {
            assert_eq!(rejection_needs_body(status), needs, "{status}");
        }
        assert!(rejection_needs_body(500) && rejection_needs_body(403));
    }

    #[test]
    fn a_401_is_a_rejection_whatever_the_body() {
        assert!(is_token_rejected(401, b""));
        assert!(is_token_rejected(401, b"{\"message\":\"Not Authorized\"}"));
        assert!(is_token_rejected(401, &[0xff, 0x00, 0xfe]));
    }

    #[test]
    fn rejecting_faults_in_soap_11_and_12_with_any_prefix() {
        for fault in ["Token Expired", "Login Failed", " token expired \n"] {
            for prefix in ["soap", "s", ""] {
                let body = soap11(prefix, fault);
                assert!(is_token_rejected(500, body.as_bytes()), "{body}");
                assert!(is_token_rejected(200, body.as_bytes()), "{body}");
            }
            assert!(is_token_rejected(500, soap12(fault).as_bytes()));
        }
        let split = soap11("soap", "Token<!-- x --> Expired");
        assert!(is_token_rejected(500, split.as_bytes()));
        let cdata = soap11("soap", "<![CDATA[Login Failed]]>");
        assert!(is_token_rejected(500, cdata.as_bytes()));
    }

    #[test]
    fn other_answers_are_not_rejections() {
        let other_fault = soap11("soap", "Server was unable to process request");
        let data = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><RetrieveResponseMsg><Results><Name>Token Expired</Name></Results><faultstring>Token Expired</faultstring></RetrieveResponseMsg></soap:Body></soap:Envelope>"#;
        let not_in_body = r#"<Envelope><Header><Fault><faultstring>Token Expired</faultstring></Fault></Header></Envelope>"#;
        let huge = vec![b'a'; 1 << 20];
        for (status, body) in [
            (500, other_fault.as_bytes()),
            (200, data.as_bytes()),
            (500, not_in_body.as_bytes()),
            (500, b"Token Expired".as_slice()),
            (500, b"".as_slice()),
            (403, b"{\"message\":\"Token Expired\"}".as_slice()),
            (500, [0xff, 0xfe, 0x00, b'<'].as_slice()),
            (500, huge.as_slice()),
            (200, b"<a><b>".as_slice()),
        ] {
            assert!(
                !is_token_rejected(status, body),
                "{status} {}",
                String::from_utf8_lossy(&body[..body.len().min(200)])
            );
        }
    }

    #[test]
    fn deep_documents_are_not_walked_forever() {
        let deep = "<a>".repeat(100_000);
        assert!(!is_token_rejected(500, deep.as_bytes()));
    }
}
