//! A small hand-written HTTP/1.1 server side: request parsing and response writing over any
//! `Read + Write` stream (plain TCP, TLS, or an in-memory stream in tests).
//!
//! Hand-written rather than a framework so that the fake can misbehave on purpose (drop a
//! connection without a byte, stall one connection without touching the others) and so the
//! test dependency tree stays tiny.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Larger request heads are refused with 431.
pub const MAX_HEAD: usize = 64 * 1024;
/// Larger request bodies are refused with 413 (a token request is a few hundred bytes).
pub const MAX_BODY: usize = 4 * 1024 * 1024;
/// An idle keep-alive connection is closed after this long. Generous, so that a client's
/// pooled connection is not closed under it in the middle of a test.
pub const IDLE_LIMIT: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target as sent: origin form (`/a?b`), absolute form or authority form.
    pub target: String,
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor_version: u8,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The target without its query string.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// Whether the client lets us keep the connection open after answering.
    pub fn keep_alive(&self) -> bool {
        let tokens = self.header("connection").unwrap_or("").to_ascii_lowercase();
        let has = |t: &str| tokens.split(',').any(|x| x.trim() == t);
        if has("close") {
            false
        } else if self.minor_version == 0 {
            has("keep-alive")
        } else {
            true
        }
    }
}

#[derive(Debug)]
pub enum HttpError {
    /// The connection failed or ended mid-request: close without answering.
    Io(io::Error),
    /// The request is malformed: answer this status, then close.
    Bad(u16, &'static str),
}

impl From<io::Error> for HttpError {
    fn from(e: io::Error) -> Self {
        HttpError::Io(e)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response::new(status, "application/json", value.to_string().into_bytes())
    }

    pub fn text(status: u16, text: &str) -> Response {
        Response::new(
            status,
            "text/plain; charset=utf-8",
            text.as_bytes().to_vec(),
        )
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The bytes on the wire. Content-Length and Connection are always ours to set.
    pub fn to_bytes(&self, keep_alive: bool) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (k, v) in &self.headers {
            if k.eq_ignore_ascii_case("content-length") || k.eq_ignore_ascii_case("connection") {
                continue;
            }
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        head.push_str(if keep_alive {
            "Connection: keep-alive\r\n\r\n"
        } else {
            "Connection: close\r\n\r\n"
        });
        let mut out = head.into_bytes();
        out.extend_from_slice(&self.body);
        out
    }
}

pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

/// One server-side connection: a stream plus the bytes read but not yet consumed.
pub struct Conn<S> {
    stream: S,
    buf: Vec<u8>,
    stop: Option<Arc<AtomicBool>>,
}

impl<S: Read + Write> Conn<S> {
    pub fn new(stream: S) -> Conn<S> {
        Conn {
            stream,
            buf: Vec::new(),
            stop: None,
        }
    }

    /// With a read timeout on the socket, reads wake up periodically and give up once this
    /// flag is set, so a stopped server does not keep idle keep-alive connections forever.
    pub fn with_stop(mut self, stop: Arc<AtomicBool>) -> Conn<S> {
        self.stop = Some(stop);
        self
    }

    pub fn stream_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// The stream and any bytes already read past the last request (e.g. after CONNECT).
    pub fn into_parts(self) -> (S, Vec<u8>) {
        (self.stream, self.buf)
    }

    pub fn write_response(&mut self, resp: &Response, keep_alive: bool) -> io::Result<()> {
        self.stream.write_all(&resp.to_bytes(keep_alive))?;
        self.stream.flush()
    }

    /// The next request, or `None` if the peer closed cleanly between requests.
    pub fn read_request(&mut self) -> Result<Option<Request>, HttpError> {
        let head_end = loop {
            // RFC 9112 §2.2: ignore empty lines before a request line.
            let blank = self.buf.iter().take_while(|b| **b == b'\r' || **b == b'\n');
            let blank = blank.count();
            self.buf.drain(..blank);
            if let Some(end) = find_head_end(&self.buf) {
                break end;
            }
            if self.buf.len() > MAX_HEAD {
                return Err(HttpError::Bad(431, "request head too large"));
            }
            if self.fill()? == 0 {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
            }
        };
        if head_end > MAX_HEAD {
            return Err(HttpError::Bad(431, "request head too large"));
        }
        let mut req = parse_head(&self.buf[..head_end])?;
        let body_start = head_end;
        let consumed = self.read_body(&mut req, body_start)?;
        self.buf.drain(..consumed);
        Ok(Some(req))
    }

    /// Reads the body that starts at `start` in the buffer; returns where it ends.
    fn read_body(&mut self, req: &mut Request, start: usize) -> Result<usize, HttpError> {
        let chunked = match req.header("transfer-encoding") {
            None => false,
            Some(te) => {
                let last = te.rsplit(',').next().unwrap_or("").trim();
                if !last.eq_ignore_ascii_case("chunked") {
                    return Err(HttpError::Bad(501, "unsupported transfer-encoding"));
                }
                true
            }
        };
        let length = if chunked { None } else { content_length(req)? };
        let expects_body = chunked || length.unwrap_or(0) > 0;
        let wants_continue = req
            .header("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"));
        if expects_body && wants_continue && req.minor_version == 1 && self.buf.len() == start {
            self.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
            self.stream.flush()?;
        }
        if chunked {
            return self.read_chunked(req, start);
        }
        let len = length.unwrap_or(0);
        self.need(start + len)?;
        req.body = self.buf[start..start + len].to_vec();
        Ok(start + len)
    }

    fn read_chunked(&mut self, req: &mut Request, mut pos: usize) -> Result<usize, HttpError> {
        loop {
            let (line, next) = self.line_at(pos)?;
            let size = line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size, 16)
                .map_err(|_| HttpError::Bad(400, "bad chunk size"))?;
            pos = next;
            if size == 0 {
                // Trailers, up to an empty line; we ignore them.
                loop {
                    let (line, next) = self.line_at(pos)?;
                    pos = next;
                    if line.is_empty() {
                        return Ok(pos);
                    }
                }
            }
            if req.body.len() + size > MAX_BODY {
                return Err(HttpError::Bad(413, "request body too large"));
            }
            self.need(pos + size)?;
            req.body.extend_from_slice(&self.buf[pos..pos + size]);
            let (rest, next) = self.line_at(pos + size)?;
            if !rest.is_empty() {
                return Err(HttpError::Bad(400, "bad chunk terminator"));
            }
            pos = next;
        }
    }

    /// The line starting at `pos` (without CR LF) and where the next one starts.
    fn line_at(&mut self, pos: usize) -> Result<(String, usize), HttpError> {
        loop {
            if let Some(i) = self.buf[pos..].iter().position(|b| *b == b'\n') {
                let line = &self.buf[pos..pos + i];
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let line = String::from_utf8_lossy(line).into_owned();
                return Ok((line, pos + i + 1));
            }
            if self.buf.len() - pos > MAX_HEAD {
                return Err(HttpError::Bad(400, "line too long"));
            }
            self.fill_or_eof()?;
        }
    }

    /// Reads until the buffer holds at least `len` bytes.
    fn need(&mut self, len: usize) -> Result<(), HttpError> {
        while self.buf.len() < len {
            self.fill_or_eof()?;
        }
        Ok(())
    }

    fn fill_or_eof(&mut self) -> Result<(), HttpError> {
        if self.fill()? == 0 {
            return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
        }
        Ok(())
    }

    /// One read into the buffer; 0 means end of stream. Socket read timeouts only serve to
    /// notice `stop` and the idle limit.
    fn fill(&mut self) -> io::Result<usize> {
        let started = Instant::now();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_read_timeout(&e) => {
                    let stopped = self.stop.as_ref().is_some_and(|s| s.load(Ordering::SeqCst));
                    if stopped || started.elapsed() > IDLE_LIMIT {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// Where the head ends (just past its empty line), if the buffer holds a complete head.
fn find_head_end(buf: &[u8]) -> Option<usize> {
    let mut start = 0;
    while let Some(i) = buf[start..].iter().position(|b| *b == b'\n') {
        let line = &buf[start..start + i];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() && start > 0 {
            return Some(start + i + 1);
        }
        start += i + 1;
    }
    None
}

fn parse_head(head: &[u8]) -> Result<Request, HttpError> {
    let head = std::str::from_utf8(head).map_err(|_| HttpError::Bad(400, "head is not UTF-8"))?;
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request_line = lines.next().unwrap_or("");
    let parts: Vec<&str> = request_line.split(' ').collect();
    let [method, target, version] = parts[..] else {
        return Err(HttpError::Bad(400, "bad request line"));
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase() || b == b'-') {
        return Err(HttpError::Bad(400, "bad method"));
    }
    if target.is_empty() {
        return Err(HttpError::Bad(400, "empty target"));
    }
    let minor_version = match version {
        "HTTP/1.1" => 1,
        "HTTP/1.0" => 0,
        _ => return Err(HttpError::Bad(400, "unsupported HTTP version")),
    };
    let mut headers = Vec::new();
    for line in lines.take_while(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Err(HttpError::Bad(400, "header without colon"));
        };
        // Obsolete line folding and spaces before the colon are smuggling vectors: refuse.
        if name.is_empty()
            || name
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(HttpError::Bad(400, "bad header name"));
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        minor_version,
        headers,
        body: Vec::new(),
    })
}

fn content_length(req: &Request) -> Result<Option<usize>, HttpError> {
    let mut length = None;
    for (k, v) in &req.headers {
        if !k.eq_ignore_ascii_case("content-length") {
            continue;
        }
        let n: usize = v
            .parse()
            .map_err(|_| HttpError::Bad(400, "bad content-length"))?;
        if length.is_some_and(|l| l != n) {
            return Err(HttpError::Bad(400, "conflicting content-length"));
        }
        length = Some(n);
    }
    if length.is_some_and(|n| n > MAX_BODY) {
        return Err(HttpError::Bad(413, "request body too large"));
    }
    Ok(length)
}

/// A socket read timeout (`SO_RCVTIMEO`): the platform says WouldBlock or TimedOut.
pub fn is_read_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An in-memory stream that hands out at most `step` bytes per read, to prove that
    /// requests split across reads (and across TCP segments) parse the same.
    struct Trickle {
        input: Vec<u8>,
        pos: usize,
        step: usize,
        output: Vec<u8>,
    }

    impl Trickle {
        fn new(input: &[u8], step: usize) -> Conn<Trickle> {
            Conn::new(Trickle {
                input: input.to_vec(),
                pos: 0,
                step,
                output: Vec::new(),
            })
        }
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.input.len() - self.pos);
            buf[..n].copy_from_slice(&self.input[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.output.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    const TWO: &[u8] = b"POST /a/v1/requestToken HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhelloGET /_count/a?x=1 HTTP/1.1\r\nConnection: close\r\n\r\n";

    #[test]
    fn split_reads_and_keep_alive() {
        for step in [1, 2, 7, 1000] {
            let mut conn = Trickle::new(TWO, step);
            let a = conn.read_request().unwrap().unwrap();
            assert_eq!(a.method, "POST");
            assert_eq!(a.path(), "/a/v1/requestToken");
            assert_eq!(a.header("content-type"), Some("application/json"));
            assert_eq!(a.body, b"hello");
            assert!(a.keep_alive());
            let b = conn.read_request().unwrap().unwrap();
            assert_eq!(b.method, "GET");
            assert_eq!(b.path(), "/_count/a");
            assert!(!b.keep_alive());
            assert!(conn.read_request().unwrap().is_none());
        }
    }

    #[test]
    fn chunked_body_and_continue() {
        let raw = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nTrailer: 1\r\n\r\n";
        let mut conn = Trickle::new(raw, 3);
        let req = conn.read_request().unwrap().unwrap();
        assert_eq!(req.body, b"abcde");
        assert!(conn.read_request().unwrap().is_none());
        let (stream, _) = conn.into_parts();
        assert_eq!(stream.output, b"HTTP/1.1 100 Continue\r\n\r\n");
    }

    #[test]
    fn http10_closes_by_default() {
        let mut conn = Trickle::new(b"GET / HTTP/1.0\r\n\r\n", 100);
        assert!(!conn.read_request().unwrap().unwrap().keep_alive());
        let mut conn = Trickle::new(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 100);
        assert!(conn.read_request().unwrap().unwrap().keep_alive());
    }

    fn bad(raw: &[u8]) -> u16 {
        match Trickle::new(raw, 100).read_request() {
            Err(HttpError::Bad(status, _)) => status,
            other => panic!("expected a 4xx/5xx for {raw:?}, got {other:?}"),
        }
    }

    #[test]
    fn bad_input() {
        assert_eq!(bad(b"GARBAGE\r\n\r\n"), 400);
        assert_eq!(bad(b"get / HTTP/1.1\r\n\r\n"), 400);
        assert_eq!(bad(b"GET / HTTP/2.0\r\n\r\n"), 400);
        assert_eq!(bad(b"GET / HTTP/1.1\r\nNoColon\r\n\r\n"), 400);
        assert_eq!(bad(b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n"), 400);
        assert_eq!(bad(b"GET / HTTP/1.1\r\n folded\r\n\r\n"), 400);
        assert_eq!(bad(b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n"), 400);
        assert_eq!(
            bad(b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
            400
        );
        assert_eq!(
            bad(b"POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n"),
            413
        );
        assert_eq!(
            bad(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"),
            501
        );
        let mut huge = b"GET / HTTP/1.1\r\nX: ".to_vec();
        huge.resize(MAX_HEAD + 10, b'a');
        assert_eq!(bad(&huge), 431);
    }

    #[test]
    fn truncated_request_is_an_io_error() {
        let r =
            Trickle::new(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", 100).read_request();
        assert!(matches!(r, Err(HttpError::Io(_))));
        let r = Trickle::new(b"GET / HTTP/1.1\r\nHost", 100).read_request();
        assert!(matches!(r, Err(HttpError::Io(_))));
    }

    #[test]
    fn response_bytes() {
        let r = Response::text(404, "no").with_header("X-A", "b");
        let s = String::from_utf8(r.to_bytes(false)).unwrap();
        assert_eq!(
            s,
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-A: b\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno"
        );
    }
}
