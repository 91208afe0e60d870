//! TLS verification (no switch to turn it off) and proxies, over real sockets.

mod common;

use common::*;
use mcauth::{Auth, Status};
use std::sync::Mutex;

/// The fake's proxy counters are shared by the tests of this binary, which
/// run in parallel: the tests that read them take turns.
static PROXY_COUNTERS: Mutex<()> = Mutex::new(());

#[test]
fn an_untrusted_certificate_is_a_final_network_error() {
    let s = scenario("tls-untrusted", "");
    let auth = Auth::new(&https_base(&s), "client-id", SECRET).unwrap();
    let err = auth.token().unwrap_err();
    assert_eq!(err.status(), Status::Network, "{err}");
    // The retry loop names its attempts when it gives up after several.
    assert!(!err.message().contains("attempts"), "{err}");
    assert!(err.message().contains("certificate"), "{err}");
    assert_eq!(
        requests(&s),
        0,
        "no request may pass an unverified handshake"
    );
}

#[test]
fn an_explicit_proxy_carries_every_request() {
    let _turn = PROXY_COUNTERS.lock().unwrap_or_else(|e| e.into_inner());
    let s = scenario("proxy-https", "");
    let auth = Auth::new(&https_base(&s), "client-id", SECRET).unwrap();
    auth.set_ca_file(FAKE.ca_file()).unwrap();
    let proxy = FAKE
        .proxy_url()
        .replace("http://", "http://proxyuser:proxypass@");
    auth.set_proxy(&proxy).unwrap();
    let before = FAKE.proxy_requests();
    auth.token().unwrap();
    assert_eq!(requests(&s), 1);
    assert!(
        FAKE.proxy_requests() > before,
        "the request went around the proxy"
    );
    // base64("proxyuser:proxypass")
    let credentials = FAKE.last_proxy_authorization().unwrap_or_default();
    assert_eq!(credentials, "Basic cHJveHl1c2VyOnByb3h5cGFzcw==");
}

#[test]
fn an_explicit_proxy_is_used_for_loopback_http_too() {
    let _turn = PROXY_COUNTERS.lock().unwrap_or_else(|e| e.into_inner());
    let s = scenario("proxy-http", "");
    let auth = http_auth(&s);
    auth.set_proxy(&FAKE.proxy_url()).unwrap();
    let before = FAKE.proxy_requests();
    auth.token().unwrap();
    assert_eq!(requests(&s), 1);
    assert!(FAKE.proxy_requests() > before);
}

#[test]
fn an_unreachable_proxy_is_a_network_error_and_never_bypassed() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let s = scenario("proxy-down", "");
    let auth = http_auth(&s);
    auth.set_max_attempts(1).unwrap();
    auth.set_proxy(&format!("http://user:Pr0xyPa55Zq@127.0.0.1:{port}"))
        .unwrap();
    let err = auth.token().unwrap_err();
    assert_eq!(err.status(), Status::Network);
    assert!(!err.to_string().contains("Pr0xyPa55Zq"), "{err}");
    assert_eq!(requests(&s), 0);
}
