//! A minimal HTTP proxy that only reaches 127.0.0.1: `CONNECT` tunnels (for https) and
//! absolute-form requests (for http). It exists so tests can prove that mcauth goes through
//! a configured proxy and sends its credentials; it counts what it saw. It also reaches
//! `PROXY_ONLY_HOST`, a name no resolver knows: a request that gets there went through it.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Instant;

use crate::endpoint;
use crate::http::{is_read_timeout, Conn, HttpError, Request, Response, IDLE_LIMIT};
use crate::state::State;

/// Serves one client connection to the proxy listener.
pub fn serve(stream: TcpStream, state: &State, stop: Arc<AtomicBool>) {
    let mut conn = Conn::new(stream).with_stop(stop.clone());
    loop {
        let req = match conn.read_request() {
            Ok(Some(req)) => req,
            Ok(None) => return,
            Err(HttpError::Io(e)) => {
                crate::server::log(&format!("proxy connection ended: {e}"));
                return;
            }
            Err(HttpError::Bad(status, message)) => {
                let _ = conn.write_response(&endpoint::error(status, message, 0), false);
                return;
            }
        };
        state.record_proxy(req.header("proxy-authorization").map(str::to_string));
        crate::server::log(&format!("proxy {} {}", req.method, req.target));
        if req.method == "CONNECT" {
            tunnel(conn, &req, stop);
            return;
        }
        let keep_alive = req.keep_alive();
        let resp = match absolute_target(&req.target) {
            Err(resp) => Some(resp),
            Ok((port, path)) => forward(&req, port, path),
        };
        match resp {
            Some(resp) => {
                if conn.write_response(&resp, keep_alive).is_err() || !keep_alive {
                    return;
                }
            }
            // The target closed without answering (`drop=`): do the same to our client.
            None => return,
        }
    }
}

fn forbidden() -> Response {
    endpoint::error(403, "Forbidden: this proxy only reaches 127.0.0.1", 0)
}

/// The port of a `CONNECT` authority if it is a loopback target we serve.
fn connect_target(authority: &str) -> Result<u16, Response> {
    let (host, port) = authority
        .rsplit_once(':')
        .ok_or_else(|| endpoint::error(400, "CONNECT needs host:port", 0))?;
    if !is_loopback_name(host) {
        return Err(forbidden());
    }
    port.parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| endpoint::error(400, "bad port", 0))
}

/// `http://host[:port]/path` → port and origin-form path.
fn absolute_target(target: &str) -> Result<(u16, &str), Response> {
    let bad = || endpoint::error(400, "proxy requests need an absolute http:// target", 0);
    let scheme_len = "http://".len();
    if target.len() < scheme_len || !target[..scheme_len].eq_ignore_ascii_case("http://") {
        return Err(bad());
    }
    let rest = &target[scheme_len..];
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => (&rest[..i], &rest[i..]),
        Some(i) => (&rest[..i], "/"),
        None => (rest, "/"),
    };
    // Userinfo in the URL is not a credential we care about here.
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad())?),
        None => (authority, 80),
    };
    if !is_loopback_name(host) {
        return Err(forbidden());
    }
    Ok((port, path))
}

fn is_loopback_name(host: &str) -> bool {
    host == "127.0.0.1"
        || host.eq_ignore_ascii_case("localhost")
        || host.eq_ignore_ascii_case(crate::PROXY_ONLY_HOST)
}

/// Answers a CONNECT and, if the target is reachable, pipes bytes both ways until either
/// side is done.
fn tunnel(mut conn: Conn<TcpStream>, req: &Request, stop: Arc<AtomicBool>) {
    let port = match connect_target(&req.target) {
        Ok(port) => port,
        Err(resp) => {
            let _ = conn.write_response(&resp, false);
            return;
        }
    };
    let upstream = match TcpStream::connect(("127.0.0.1", port)) {
        Ok(s) => s,
        Err(_) => {
            let _ = conn.write_response(&endpoint::error(502, "Bad Gateway", 0), false);
            return;
        }
    };
    let ok = conn
        .stream_mut()
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    if ok.is_err() {
        return;
    }
    let (client, early) = conn.into_parts();
    let _ = upstream.set_nodelay(true);
    // The client may have sent its TLS hello right behind the CONNECT head.
    if !early.is_empty() && (&upstream).write_all(&early).is_err() {
        return;
    }
    let _ = upstream.set_read_timeout(client.read_timeout().ok().flatten());
    let (Ok(client2), Ok(upstream2)) = (client.try_clone(), upstream.try_clone()) else {
        return;
    };
    let stop2 = stop.clone();
    let up = thread::spawn(move || pipe(client2, upstream2, &stop2));
    pipe(upstream, client, &stop);
    let _ = up.join();
}

/// Copies `from` into `to` until end of stream or error, then half-closes `to` so the peer
/// sees the end too. Read timeouts only serve to notice a stopped server or an idle tunnel.
fn pipe(mut from: TcpStream, mut to: TcpStream, stop: &AtomicBool) {
    let mut buf = [0u8; 16 * 1024];
    let mut last_activity = Instant::now();
    loop {
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
                last_activity = Instant::now();
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_read_timeout(&e) => {
                if stop.load(Ordering::SeqCst) || last_activity.elapsed() > IDLE_LIMIT {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// Sends `req` to 127.0.0.1:`port` in origin form and reads the whole answer. `None` if
/// the target closed without a byte.
fn forward(req: &Request, port: u16, path: &str) -> Option<Response> {
    let bad_gateway = || Some(endpoint::error(502, "Bad Gateway", 0));
    let Ok(mut upstream) = TcpStream::connect(("127.0.0.1", port)) else {
        return bad_gateway();
    };
    let mut head = format!("{} {} HTTP/1.1\r\n", req.method, path);
    let hop_by_hop = [
        "proxy-authorization",
        "proxy-connection",
        "connection",
        "keep-alive",
        "content-length",
        "transfer-encoding",
        "te",
        "upgrade",
    ];
    for (k, v) in &req.headers {
        if !hop_by_hop.iter().any(|h| k.eq_ignore_ascii_case(h)) {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    if req.header("host").is_none() {
        head.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    // One upstream connection per request, read to its end: simple, and framing-proof.
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        req.body.len()
    ));
    let mut raw = head.into_bytes();
    raw.extend_from_slice(&req.body);
    if upstream.write_all(&raw).is_err() {
        return bad_gateway();
    }
    let mut answer = Vec::new();
    if upstream.read_to_end(&mut answer).is_err() && answer.is_empty() {
        return None;
    }
    if answer.is_empty() {
        return None;
    }
    parse_response(&answer).or_else(bad_gateway)
}

/// Parses a complete `Content-Length` (or read-to-end) response.
fn parse_response(raw: &[u8]) -> Option<Response> {
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&raw[..head_end]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    let status: u16 = parts.next()?.parse().ok()?;
    let mut headers = Vec::new();
    let mut length = None;
    for line in lines.filter(|l| !l.is_empty()) {
        let (k, v) = line.split_once(':')?;
        let v = v.trim();
        if k.eq_ignore_ascii_case("content-length") {
            length = Some(v.parse::<usize>().ok()?);
        } else if k.eq_ignore_ascii_case("transfer-encoding") {
            // Our own servers never chunk; a foreign one is out of scope.
            return None;
        } else if !k.eq_ignore_ascii_case("connection") && !k.eq_ignore_ascii_case("keep-alive") {
            headers.push((k.to_string(), v.to_string()));
        }
    }
    let body = &raw[head_end..];
    let body = match length {
        Some(n) if n <= body.len() => &body[..n],
        Some(_) => return None,
        None => body,
    };
    Some(Response {
        status,
        headers,
        body: body.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(connect_target("127.0.0.1:443").unwrap(), 443);
        assert_eq!(connect_target("localhost:8").unwrap(), 8);
        assert_eq!(connect_target("auth.fake-mc.test:9").unwrap(), 9);
        assert_eq!(connect_target("example.com:443").unwrap_err().status, 403);
        assert_eq!(connect_target("127.0.0.1").unwrap_err().status, 400);
        assert_eq!(
            absolute_target("http://127.0.0.1:81/a/v1/requestToken?x").unwrap(),
            (81, "/a/v1/requestToken?x")
        );
        assert_eq!(absolute_target("HTTP://localhost").unwrap(), (80, "/"));
        assert_eq!(
            absolute_target("http://10.0.0.1:80/").unwrap_err().status,
            403
        );
        assert_eq!(absolute_target("/relative").unwrap_err().status, 400);
        assert_eq!(
            absolute_target("https://127.0.0.1/").unwrap_err().status,
            400
        );
    }

    #[test]
    fn response_parsing() {
        let r = parse_response(
            b"HTTP/1.1 201 Created\r\nX: y\r\nConnection: close\r\nContent-Length: 2\r\n\r\nokEXTRA",
        )
        .unwrap();
        assert_eq!((r.status, r.body.as_slice()), (201, &b"ok"[..]));
        assert_eq!(r.headers, vec![("X".to_string(), "y".to_string())]);
        assert!(parse_response(b"garbage").is_none());
        assert!(parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort").is_none());
    }
}
