//! End-to-end tests over real sockets: a hand-written std HTTP client, and rustls's client
//! trusting the generated CA, against a `FakeMc` started in-process.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use serde_json::Value;

use crate::FakeMc;

pub(crate) const GOOD: &str = r#"{"clientId":"id","clientSecret":"secret"}"#;

pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        let found = self
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name));
        found.map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A keep-alive HTTP/1.1 client over any stream.
pub(crate) struct Client<S: Read + Write> {
    pub(crate) reader: BufReader<S>,
}

impl<S: Read + Write> Client<S> {
    pub(crate) fn new(stream: S) -> Client<S> {
        Client {
            reader: BufReader::new(stream),
        }
    }

    pub(crate) fn send(
        &mut self,
        method: &str,
        target: &str,
        extra: &str,
        body: &str,
    ) -> io::Result<()> {
        let req = format!(
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: e2e/1\r\n{extra}Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let stream = self.reader.get_mut();
        stream.write_all(req.as_bytes())?;
        stream.flush()
    }

    pub(crate) fn post(&mut self, target: &str, body: &str) -> io::Result<Answer> {
        self.send("POST", target, "Content-Type: application/json\r\n", body)?;
        self.answer()
    }

    pub(crate) fn get(&mut self, target: &str) -> io::Result<Answer> {
        self.send("GET", target, "", "")?;
        self.answer()
    }

    pub(crate) fn answer(&mut self) -> io::Result<Answer> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let status = line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let (k, v) = l.split_once(':').unwrap();
            headers.push((k.to_string(), v.trim().to_string()));
        }
        let mut answer = Answer {
            status,
            headers,
            body: Vec::new(),
        };
        let len: usize = answer.header("content-length").unwrap().parse().unwrap();
        answer.body = vec![0; len];
        self.reader.read_exact(&mut answer.body)?;
        Ok(answer)
    }
}

pub(crate) fn port(url: &str) -> u16 {
    url.rsplit(':').next().unwrap().parse().unwrap()
}

pub(crate) fn tcp(url: &str) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port(url))).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

pub(crate) fn http(fake: &FakeMc) -> Client<TcpStream> {
    Client::new(tcp(&fake.http_url()))
}

pub(crate) fn tls_over(
    fake: &FakeMc,
    sock: TcpStream,
) -> Client<StreamOwned<ClientConnection, TcpStream>> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(fake.ca_file()).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let conn = ClientConnection::new(Arc::new(config), name).unwrap();
    Client::new(StreamOwned::new(conn, sock))
}

#[test]
fn http_keep_alive_counts_and_control() {
    let fake = FakeMc::start().unwrap();
    let mut c = http(&fake);
    let a = c.post("/e2e-ka/expires=2/v1/requestToken", GOOD).unwrap();
    let b = c.post("/e2e-ka/expires=2/v1/requestToken", GOOD).unwrap();
    assert_eq!((a.status, b.status), (200, 200));
    assert_eq!(a.json()["expiresIn"], 2);
    assert_ne!(a.json()["accessToken"], b.json()["accessToken"]);
    assert_eq!(c.get("/_count/e2e-ka/expires=2").unwrap().body, b"2");
    assert_eq!(fake.requests("e2e-ka/expires=2"), 2);
    assert_eq!(fake.requests("/e2e-ka/expires=2/"), 2);
    let last = fake.last_request("e2e-ka/expires=2").unwrap();
    assert_eq!(last.user_agent.as_deref(), Some("e2e/1"));
    assert_eq!(last.content_type.as_deref(), Some("application/json"));
    assert_eq!(last.body, GOOD);
    assert_eq!(
        c.get("/_last/e2e-ka/expires=2").unwrap().json()["body"],
        GOOD
    );
    assert_eq!(c.get("/_count/never").unwrap().body, b"0");
    assert_eq!(c.get("/elsewhere").unwrap().status, 404);
    // A malformed request gets a 400 and the connection closes.
    c.reader.get_mut().write_all(b"NOT HTTP\r\n\r\n").unwrap();
    assert_eq!(c.answer().unwrap().status, 400);
    assert!(c.get("/_proxy").is_err());
}

#[test]
fn drop_closes_without_a_byte_and_counts() {
    let fake = FakeMc::start().unwrap();
    let mut c = http(&fake);
    c.send(
        "POST",
        "/e2e-drop/drop=1/v1/requestToken",
        "Content-Type: application/json\r\n",
        GOOD,
    )
    .unwrap();
    let mut rest = Vec::new();
    let _ = c.reader.read_to_end(&mut rest);
    assert!(rest.is_empty());
    let ok = http(&fake).post("/e2e-drop/drop=1/v1/requestToken", GOOD);
    assert_eq!(ok.unwrap().status, 200);
    assert_eq!(fake.requests("e2e-drop/drop=1"), 2);
}

#[test]
fn delay_blocks_only_its_connection_even_with_many_connections() {
    let fake = Arc::new(FakeMc::start().unwrap());
    let started = Instant::now();
    let slow: Vec<_> = (0..70)
        .map(|_| {
            let fake = fake.clone();
            thread::spawn(move || {
                let r = http(&fake).post("/e2e-delay/delay=400/v1/requestToken", GOOD);
                r.unwrap().status
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(50));
    let quick = Instant::now();
    assert_eq!(
        http(&fake)
            .post("/e2e-quick/v1/requestToken", GOOD)
            .unwrap()
            .status,
        200
    );
    assert!(quick.elapsed() < Duration::from_millis(300));
    for t in slow {
        assert_eq!(t.join().unwrap(), 200);
    }
    // Concurrent, not serial: 70 × 400 ms would be 28 s.
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(fake.requests("e2e-delay/delay=400"), 70);
}

#[test]
fn https_round_trip_and_redirect_origin() {
    let fake = FakeMc::start().unwrap();
    let mut c = tls_over(&fake, tcp(&fake.https_url()));
    let a = c.post("/e2e-tls/v1/requestToken", GOOD).unwrap();
    assert_eq!(a.status, 200);
    assert!(a.json()["accessToken"]
        .as_str()
        .unwrap()
        .starts_with("fake_"));
    let r = c.post("/e2e-tls/redirect/v1/requestToken", GOOD).unwrap();
    assert_eq!(r.status, 307);
    assert_eq!(
        r.header("location"),
        Some("https://127.0.0.1/e2e-tls/redirect/redirected/v1/requestToken")
    );
    assert_eq!(fake.requests("e2e-tls"), 1);
}

#[test]
fn proxy_connect_absolute_form_and_refusals() {
    let fake = FakeMc::start().unwrap();
    // CONNECT, then TLS to the https listener inside the tunnel.
    let mut sock = tcp(&fake.proxy_url());
    let https_port = port(&fake.https_url());
    let connect = format!(
        "CONNECT 127.0.0.1:{https_port} HTTP/1.1\r\nHost: 127.0.0.1:{https_port}\r\nProxy-Authorization: Basic dTpw\r\n\r\n"
    );
    sock.write_all(connect.as_bytes()).unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8];
        sock.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 200 Connection established\r\n"));
    let mut c = tls_over(&fake, sock);
    assert_eq!(c.post("/e2e-px/v1/requestToken", GOOD).unwrap().status, 200);
    assert_eq!(
        fake.last_proxy_authorization().as_deref(),
        Some("Basic dTpw")
    );

    // Absolute form, twice on one connection, without credentials.
    let mut p = Client::new(tcp(&fake.proxy_url()));
    let target = format!("{}/e2e-px/v1/requestToken", fake.http_url());
    assert_eq!(p.post(&target, GOOD).unwrap().status, 200);
    assert_eq!(p.post(&target, GOOD).unwrap().status, 200);
    assert_eq!(fake.last_proxy_authorization(), None);
    assert_eq!(fake.requests("e2e-px"), 3);

    assert_eq!(p.get("http://example.com/").unwrap().status, 403);
    assert_eq!(fake.proxy_requests(), 4);
    let state = http(&fake).get("/_proxy").unwrap().json();
    assert_eq!(state["requests"], 4);
}

#[test]
fn drop_stops_listening_and_removes_the_ca() {
    let fake = FakeMc::start().unwrap();
    let ca = fake.ca_file().to_path_buf();
    assert!(std::fs::read_to_string(&ca)
        .unwrap()
        .contains("BEGIN CERTIFICATE"));
    let port = port(&fake.http_url());
    let started = Instant::now();
    drop(fake);
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(!ca.exists());
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}
