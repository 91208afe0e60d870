//! End-to-end tests of the API side over real sockets: tokens from the token endpoint, spent
//! on `/Service.asmx` and `/platform/v1/…` at the origin root, steered and counted through
//! the control endpoints.

use std::io::{Read, Write};
use std::thread;
use std::time::Duration;

use roxmltree::Document;
use serde_json::{json, Value};

use crate::e2e::{http, tcp, tls_over, Answer, Client, GOOD};
use crate::xml::escape;
use crate::FakeMc;

const PARTNER_NS: &str = "http://exacttarget.com/wsdl/partnerAPI";

fn token<S: Read + Write>(c: &mut Client<S>, scenario: &str) -> String {
    let a = c
        .post(&format!("/{scenario}/v1/requestToken"), GOOD)
        .unwrap();
    assert_eq!(a.status, 200);
    a.json()["accessToken"].as_str().unwrap().to_string()
}

/// The header mcauth sends: a prefixed `fueloauth` with the token escaped.
fn fueloauth(token: &str) -> String {
    format!(
        r#"<h:fueloauth xmlns="http://exacttarget.com" xmlns:h="http://exacttarget.com">{}</h:fueloauth>"#,
        escape(token)
    )
}

fn soap<S: Read + Write>(c: &mut Client<S>, header: &str, body: &str) -> Answer {
    let envelope = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>"#
    );
    let extra = "Content-Type: text/xml; charset=utf-8\r\nSOAPAction: \"Retrieve\"\r\n";
    c.send("POST", "/Service.asmx", extra, &envelope).unwrap();
    c.answer().unwrap()
}

fn retrieve<S: Read + Write>(c: &mut Client<S>, header: &str) -> Answer {
    let body = format!(
        r#"<RetrieveRequestMsg xmlns="{PARTNER_NS}"><RetrieveRequest><ObjectType>DataExtension</ObjectType><Properties>Name</Properties></RetrieveRequest></RetrieveRequestMsg>"#
    );
    soap(c, header, &body)
}

/// The texts of every element with this local name in a SOAP answer, in order.
fn texts(answer: &Answer, name: &str) -> Vec<String> {
    let xml = std::str::from_utf8(&answer.body).unwrap();
    let doc = Document::parse(xml).unwrap();
    let found = doc.descendants().filter(|n| n.tag_name().name() == name);
    found.map(|n| n.text().unwrap_or("").to_string()).collect()
}

fn fault(answer: &Answer) -> String {
    assert_eq!(answer.status, 500);
    texts(answer, "faultstring").concat()
}

fn stats<S: Read + Write>(c: &mut Client<S>, which: &str) -> Value {
    c.get(&format!("/_stats{which}")).unwrap().json()
}

#[test]
fn soap_retrieve_and_create_on_both_ports() {
    let fake = FakeMc::start().unwrap();
    let mut c = http(&fake);
    let t = token(&mut c, "api-soap");
    // A token from the HTTP port is good on the HTTPS port: one fake, one registry.
    let mut s = tls_over(&fake, tcp(&fake.https_url()));
    let a = retrieve(&mut s, &fueloauth(&t));
    assert_eq!(a.status, 200);
    assert_eq!(a.header("content-type"), Some("text/xml; charset=utf-8"));
    let xml = String::from_utf8(a.body.clone()).unwrap();
    let doc = Document::parse(&xml).unwrap();
    let msg = doc
        .descendants()
        .find(|n| n.has_tag_name((PARTNER_NS, "RetrieveResponseMsg")));
    assert!(msg.is_some(), "{xml}");
    assert_eq!(texts(&a, "OverallStatus"), ["OK"]);
    assert_eq!(texts(&a, "Results").len(), 2);
    assert_eq!(
        texts(&a, "CustomerKey"),
        ["DataExtension-1", "DataExtension-2"]
    );

    let objects = format!(
        r#"<CreateRequest xmlns="{PARTNER_NS}"><Objects><CustomerKey>k1</CustomerKey><Name>first</Name></Objects><Objects><Name>second</Name></Objects></CreateRequest>"#
    );
    let a = soap(&mut c, &fueloauth(&t), &objects);
    assert_eq!(a.status, 200);
    assert_eq!(texts(&a, "StatusCode"), ["OK", "OK"]);
    assert_eq!(texts(&a, "OrdinalID"), ["0", "1"]);
    assert_eq!(texts(&a, "Name"), ["first", "second"]);
    assert_eq!(texts(&a, "CustomerKey"), ["k1"]);
    let ids = texts(&a, "NewID");
    assert_ne!(ids[0], ids[1]);
    assert_eq!(texts(&a, "OverallStatus"), ["OK"]);

    // A valid token does not make an unknown operation succeed.
    let a = soap(
        &mut c,
        &fueloauth(&t),
        &format!(r#"<Delete xmlns="{PARTNER_NS}"/>"#),
    );
    assert_eq!(fault(&a), "Unsupported operation");
    assert_eq!(
        stats(&mut c, "/api-soap"),
        json!({"token_requests": 1, "api_calls": 3, "soap_calls": 3, "rest_calls": 0,
               "accepted": 3, "rejected": 0, "token_expired": 0})
    );
}

#[test]
fn soap_refusals_are_login_failed_or_token_expired() {
    let fake = FakeMc::start().unwrap();
    let mut c = http(&fake);
    let t = token(&mut c, "api-refuse");
    assert_eq!(fault(&retrieve(&mut c, "")), "Login Failed");
    assert_eq!(fault(&retrieve(&mut c, &fueloauth(""))), "Login Failed");
    // The right name in the wrong namespace is no fueloauth.
    let wrong_ns = format!(r#"<fueloauth xmlns="http://example.com">{t}</fueloauth>"#);
    assert_eq!(fault(&retrieve(&mut c, &wrong_ns)), "Login Failed");
    assert_eq!(
        fault(&retrieve(&mut c, &fueloauth("fake_unknown_1"))),
        "Token Expired"
    );
    let a = retrieve(&mut c, &fueloauth(&t));
    assert_eq!(a.status, 200);
    let faultcode = texts(&retrieve(&mut c, ""), "faultcode").concat();
    assert_eq!(faultcode, "q0:Security");

    let revoked = c.send("POST", "/_revoke/api-refuse", "", "");
    revoked.unwrap();
    assert_eq!(c.answer().unwrap().json(), json!({"revoked": 1}));
    assert_eq!(fault(&retrieve(&mut c, &fueloauth(&t))), "Token Expired");
    // Tokens issued after the revocation are good.
    let fresh = token(&mut c, "api-refuse");
    assert_eq!(retrieve(&mut c, &fueloauth(&fresh)).status, 200);

    // Not even XML: a client fault, counted apart.
    c.send(
        "POST",
        "/Service.asmx",
        "Content-Type: text/xml\r\n",
        "<s:Envelope",
    )
    .unwrap();
    let a = c.answer().unwrap();
    assert!(
        fault(&a).starts_with("the request is not XML"),
        "{}",
        fault(&a)
    );

    let scenario = stats(&mut c, "/api-refuse");
    assert_eq!(scenario["accepted"], 2);
    assert_eq!(scenario["token_expired"], 1);
    assert_eq!(scenario["token_requests"], 2);
    let totals = stats(&mut c, "");
    assert_eq!(totals["login_failed"], 4);
    assert_eq!(totals["unknown_token"], 1);
    assert_eq!(totals["malformed"], 1);
    assert_eq!(totals["soap_calls"], 9);
}

#[test]
fn an_escaped_xml_token_is_read_back_intact() {
    let fake = FakeMc::start().unwrap();
    let mut c = http(&fake);
    let t = token(&mut c, "api-xml/xml-token");
    assert!(t.contains("<&>\"'"));
    assert_eq!(retrieve(&mut c, &fueloauth(&t)).status, 200);
    // Character references and CDATA are the same text to a parser.
    let t_refs = t
        .replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#x3E;");
    let t_refs = t_refs.replace('"', "&#34;").replace('\'', "&apos;");
    let header = format!(r#"<fueloauth xmlns="http://exacttarget.com"> {t_refs} </fueloauth>"#);
    assert_eq!(retrieve(&mut c, &header).status, 200);
    let cdata = format!(r#"<fueloauth xmlns="http://exacttarget.com"><![CDATA[{t}]]></fueloauth>"#);
    assert_eq!(retrieve(&mut c, &cdata).status, 200);
    // The same token left unescaped is not XML.
    let raw = format!(r#"<fueloauth xmlns="http://exacttarget.com">{t}</fueloauth>"#);
    assert_eq!(retrieve(&mut c, &raw).status, 500);
    let objects = format!(
        r#"<CreateRequest xmlns="{PARTNER_NS}"><Objects><Name>{}</Name></Objects></CreateRequest>"#,
        escape(&t)
    );
    assert_eq!(texts(&soap(&mut c, &fueloauth(&t), &objects), "Name"), [t]);
}

#[test]
fn soap_12_envelopes_get_soap_12_answers() {
    let fake = FakeMc::start().unwrap();
    let mut c = http(&fake);
    let envelope =
        r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>"#;
    c.send("POST", "/Service.asmx", "", envelope).unwrap();
    let a = c.answer().unwrap();
    assert_eq!(a.status, 500);
    assert!(a
        .header("content-type")
        .unwrap()
        .starts_with("application/soap+xml"));
    assert_eq!(texts(&a, "Text"), ["Login Failed"]);
}

#[test]
fn rest_checks_the_bearer_and_echoes_the_body() {
    let fake = FakeMc::start().unwrap();
    let mut c = http(&fake);
    let t = token(&mut c, "api-rest");
    let bearer = format!("Authorization: Bearer {t}\r\nContent-Type: application/json\r\n");
    let body = r#"{"items":[{"k":"v"}]}"#;
    c.send(
        "POST",
        "/data/v1/async/dataextensions/key:x/rows",
        &bearer,
        body,
    )
    .unwrap();
    let a = c.answer().unwrap();
    assert_eq!((a.status, a.body.as_slice()), (200, body.as_bytes()));
    assert_eq!(a.header("content-type"), Some("application/json"));

    // A generator body from requests or httpx arrives chunked.
    let head = format!(
        "PUT /platform/v1/x HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer {t}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let raw = format!("{head}5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n");
    c.reader.get_mut().write_all(raw.as_bytes()).unwrap();
    let a = c.answer().unwrap();
    assert_eq!((a.status, a.body.as_slice()), (200, &b"hello, world"[..]));
    assert_eq!(a.header("content-type"), Some("text/plain"));

    for extra in [
        String::new(),
        "Authorization: Bearer fake_nope_1\r\n".into(),
    ] {
        c.send("GET", "/platform/v1/endpoints", &extra, "").unwrap();
        let a = c.answer().unwrap();
        assert_eq!(a.status, 401);
        assert_eq!(a.header("content-type"), Some("application/json"));
        assert_eq!(a.json()["message"], "Not Authorized");
        assert_eq!(a.json()["errorcode"], 0);
    }
    // Outside the API roots, nothing is served.
    assert_eq!(c.get("/platformx/v1/a").unwrap().status, 404);
    let s = stats(&mut c, "/api-rest");
    assert_eq!(
        (s["rest_calls"].clone(), s["accepted"].clone()),
        (json!(2), json!(2))
    );
}

#[test]
fn reject_n_refuses_the_next_valid_calls_then_lets_them_through() {
    let fake = FakeMc::start().unwrap();
    let mut c = http(&fake);
    let t = token(&mut c, "api-reject");
    c.send("POST", "/_reject/api-reject/2", "", "").unwrap();
    assert_eq!(c.answer().unwrap().json(), json!({"rejecting": 2}));
    let bearer = format!("Authorization: Bearer {t}\r\n");
    c.send("DELETE", "/platform/v1/x", &bearer, "").unwrap();
    assert_eq!(c.answer().unwrap().status, 401);
    assert_eq!(fault(&retrieve(&mut c, &fueloauth(&t))), "Token Expired");
    c.send("DELETE", "/platform/v1/x", &bearer, "").unwrap();
    assert_eq!(c.answer().unwrap().status, 200);
    // Control endpoints that change something want POST.
    assert_eq!(c.get("/_reject/api-reject/2").unwrap().status, 405);
    assert_eq!(c.get("/_revoke/api-reject").unwrap().status, 405);
    c.send("POST", "/_reject/api-reject/x", "", "").unwrap();
    assert_eq!(c.answer().unwrap().status, 400);
    let s = stats(&mut c, "/api-reject");
    let counts = (
        s["rejected"].clone(),
        s["accepted"].clone(),
        s["api_calls"].clone(),
    );
    assert_eq!(counts, (json!(2), json!(1), json!(3)));
}

#[test]
fn validity_follows_expires() {
    let fake = FakeMc::start().unwrap();
    let mut c = http(&fake);
    let t = token(&mut c, "api-exp/expires=1");
    let bearer = format!("Authorization: Bearer {t}\r\n");
    c.send("GET", "/platform/v1/x", &bearer, "").unwrap();
    assert_eq!(c.answer().unwrap().status, 200);
    thread::sleep(Duration::from_millis(1100));
    c.send("GET", "/platform/v1/x", &bearer, "").unwrap();
    assert_eq!(c.answer().unwrap().status, 401);
    assert_eq!(stats(&mut c, "/api-exp/expires=1")["token_expired"], 1);
}

#[test]
fn the_wsdl_is_served_and_declares_no_header() {
    let fake = FakeMc::start().unwrap();
    let mut c = http(&fake);
    let a = c.get("/etframework.wsdl").unwrap();
    assert_eq!(a.status, 200);
    assert_eq!(c.get("/Service.asmx?wsdl").unwrap().body, a.body);
    let xml = String::from_utf8(a.body).unwrap();
    let doc = Document::parse(&xml).unwrap();
    let soap_ns = "http://schemas.xmlsoap.org/wsdl/soap/";
    let actions: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name((soap_ns, "operation")))
        .filter_map(|n| n.attribute("soapAction"))
        .collect();
    assert_eq!(actions, ["Retrieve", "Create"]);
    assert!(!doc
        .descendants()
        .any(|n| n.has_tag_name((soap_ns, "header"))));
    assert_eq!(c.get("/Service.asmx").unwrap().status, 405);
}

#[test]
fn v2_tokens_are_spent_like_v1_tokens_and_counted_as_token_requests() {
    let fake = FakeMc::start().unwrap();
    let mut c = http(&fake);
    let body = r#"{"grant_type":"client_credentials","client_id":"id","client_secret":"s","account_id":42}"#;
    let a = c.post("/api-v2/v2/token", body).unwrap();
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["rest_instance_url"], "http://127.0.0.1/");
    let t = a.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(retrieve(&mut c, &fueloauth(&t)).status, 200);
    let bearer = format!("Authorization: Bearer {t}\r\n");
    c.send("GET", "/platform/v1/x", &bearer, "").unwrap();
    assert_eq!(c.answer().unwrap().status, 200);
    let s = stats(&mut c, "/api-v2");
    assert_eq!(
        (&s["token_requests"], &s["accepted"]),
        (&json!(1), &json!(2))
    );
    assert_eq!(c.get("/_count/api-v2").unwrap().body, b"1");
    let last = c.get("/_last/api-v2").unwrap().json();
    assert_eq!(
        (&last["endpoint"], &last["account_id"]),
        (&json!("/v2/token"), &json!("42"))
    );
    assert_eq!(
        fake.token_requests("api-v2")[0].account_id.as_deref(),
        Some("42")
    );
}
