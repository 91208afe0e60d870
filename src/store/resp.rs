//! A minimal synchronous Redis client connection (RESP2): one command at a
//! time, every read and write bounded by the caller's deadline.
//!
//! Why our own and not the `redis` crate: `rediss://` must be verified
//! exactly like the auth server, by the same rustls (ring provider) and the
//! same trust roots (`TrustRoots`, which `mc_auth_set_ca_file` extends), not
//! by a second TLS stack with its own root store; every socket operation
//! must end by the caller's deadline; and the store needs five commands.
//!
//! A connection that met any error is dropped by its owner, never reused:
//! after a timeout or a bad reply, what comes next on it is unknown.

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};
use std::fmt;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// A sealed token is under 2 KiB: a longer value is not one of ours, and a
/// server that announces one is not to be believed with our memory.
const MAX_BULK: usize = 64 * 1024;
/// Longest status, error or length line accepted.
const MAX_LINE: usize = 4 * 1024;

/// A reply, as far as the store's commands need: never an array.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Reply {
    /// `+OK`
    Status(String),
    /// `-ERR …`: the server refused the command; the text is the server's.
    Error(String),
    Integer(i64),
    /// `None` for the null bulk string (a missing key, a failed `SET NX`).
    Bulk(Option<Vec<u8>>),
}

#[derive(Debug)]
pub(crate) enum RespError {
    /// The deadline passed.
    Timeout,
    /// The server closed the connection.
    Closed,
    /// Connect, TLS or socket failure.
    Io(io::Error),
    /// Bytes that are not a reply we accept.
    Protocol(String),
}

impl fmt::Display for RespError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RespError::Timeout => f.write_str("timed out"),
            RespError::Closed => f.write_str("the server closed the connection"),
            RespError::Io(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                f.write_str("connection refused")
            }
            RespError::Io(e) => write!(f, "{e}"),
            RespError::Protocol(detail) => write!(f, "protocol error: {detail}"),
        }
    }
}

impl From<io::Error> for RespError {
    fn from(e: io::Error) -> RespError {
        match e.kind() {
            // A socket timeout is EAGAIN on Unix, ETIMEDOUT elsewhere.
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => RespError::Timeout,
            _ => RespError::Io(e),
        }
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    fn socket(&self) -> &TcpStream {
        match self {
            Stream::Plain(socket) => socket,
            Stream::Tls(tls) => tls.get_ref(),
        }
    }
}

pub(crate) struct Connection {
    stream: Stream,
    /// Bytes received and not yet a whole reply.
    received: Vec<u8>,
}

impl Connection {
    /// Connects to `host:port` (each of its addresses in turn), over TLS
    /// with `tls` verifying the server as `host`.
    pub fn open(
        host: &str,
        port: u16,
        tls: Option<&Arc<ClientConfig>>,
        deadline: Instant,
    ) -> Result<Connection, RespError> {
        let socket = connect(host, port, deadline)?;
        socket.set_nodelay(true)?;
        let stream = match tls {
            None => Stream::Plain(socket),
            Some(config) => Stream::Tls(Box::new(handshake(config, host, socket, deadline)?)),
        };
        Ok(Connection {
            stream,
            received: Vec::new(),
        })
    }

    /// Sends one command and reads its reply.
    pub fn command(&mut self, args: &[&[u8]], deadline: Instant) -> Result<Reply, RespError> {
        set_timeouts(self.stream.socket(), deadline)?;
        let request = encode(args);
        match &mut self.stream {
            Stream::Plain(socket) => socket.write_all(&request)?,
            Stream::Tls(tls) => {
                tls.write_all(&request)?;
                tls.flush()?;
            }
        }
        self.read_reply(deadline)
    }

    /// Whether an idle connection is still usable: it must have nothing to
    /// read. A server that restarted or timed the connection out has closed
    /// it (end of file, or a TLS alert), which a non-blocking peek sees.
    pub fn is_open(&self) -> bool {
        let socket = self.stream.socket();
        if socket.set_nonblocking(true).is_err() {
            return false;
        }
        let mut byte = [0u8; 1];
        let idle =
            matches!(socket.peek(&mut byte), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
        idle && socket.set_nonblocking(false).is_ok()
    }

    fn read_reply(&mut self, deadline: Instant) -> Result<Reply, RespError> {
        loop {
            if let Some((reply, used)) = parse(&self.received)? {
                // One command, one reply: anything more means we lost track.
                if used != self.received.len() {
                    return Err(RespError::Protocol("more bytes than one reply".into()));
                }
                self.received.clear();
                return Ok(reply);
            }
            set_timeouts(self.stream.socket(), deadline)?;
            let mut chunk = [0u8; 4096];
            let n = match &mut self.stream {
                Stream::Plain(socket) => socket.read(&mut chunk)?,
                Stream::Tls(tls) => tls.read(&mut chunk)?,
            };
            if n == 0 {
                return Err(RespError::Closed);
            }
            self.received.extend_from_slice(&chunk[..n]);
        }
    }
}

/// Time left before `deadline`; a passed deadline is a timeout (std refuses
/// a zero socket timeout, and it would mean "wait forever" anyway).
fn remaining(deadline: Instant) -> Result<Duration, RespError> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
        .ok_or(RespError::Timeout)
}

fn set_timeouts(socket: &TcpStream, deadline: Instant) -> Result<(), RespError> {
    let left = remaining(deadline)?;
    socket.set_read_timeout(Some(left))?;
    socket.set_write_timeout(Some(left))?;
    Ok(())
}

fn connect(host: &str, port: u16, deadline: Instant) -> Result<TcpStream, RespError> {
    let addresses = super::resolve::resolve(host, port, deadline)?;
    let mut last_error = RespError::Io(io::Error::other(format!("{host} has no address")));
    for address in addresses {
        match TcpStream::connect_timeout(&address, remaining(deadline)?) {
            Ok(socket) => return Ok(socket),
            Err(e) => last_error = e.into(),
        }
    }
    super::resolve::look_again(host, port);
    Err(last_error)
}

fn handshake(
    config: &Arc<ClientConfig>,
    host: &str,
    mut socket: TcpStream,
    deadline: Instant,
) -> Result<StreamOwned<ClientConnection, TcpStream>, RespError> {
    let name = ServerName::try_from(host.to_owned())
        .map_err(|_| io::Error::other(format!("{host} is not a valid TLS server name")))?;
    let mut tls = ClientConnection::new(config.clone(), name)
        .map_err(|e| RespError::Io(io::Error::other(e)))?;
    while tls.is_handshaking() {
        set_timeouts(&socket, deadline)?;
        tls.complete_io(&mut socket)?;
    }
    Ok(StreamOwned::new(tls, socket))
}

/// A command as an array of bulk strings: binary safe. Wiped when dropped
/// (`AUTH` carries the password), so it is sized once and never moves.
fn encode(args: &[&[u8]]) -> Zeroizing<Vec<u8>> {
    let header = |length: usize| format!("{length}\r\n");
    let size = 1
        + header(args.len()).len()
        + args
            .iter()
            .map(|arg| 1 + header(arg.len()).len() + arg.len() + 2)
            .sum::<usize>();
    let mut out = Zeroizing::new(Vec::with_capacity(size));
    out.push(b'*');
    out.extend_from_slice(header(args.len()).as_bytes());
    for arg in args {
        out.push(b'$');
        out.extend_from_slice(header(arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    debug_assert_eq!(out.len(), size);
    out
}

/// The reply at the start of `bytes` and how many bytes it took, or `None`
/// when more bytes are needed.
pub(crate) fn parse(bytes: &[u8]) -> Result<Option<(Reply, usize)>, RespError> {
    let Some((line, after_line)) = line(bytes)? else {
        return Ok(None);
    };
    let (kind, text) = line
        .split_first()
        .ok_or_else(|| protocol("an empty line"))?;
    let text_string = || String::from_utf8_lossy(text).into_owned();
    let reply = match kind {
        b'+' => Reply::Status(text_string()),
        b'-' => Reply::Error(text_string()),
        b':' => Reply::Integer(number(text)?),
        b'$' => {
            let length = number(text)?;
            if length == -1 {
                return Ok(Some((Reply::Bulk(None), after_line)));
            }
            let length = usize::try_from(length).map_err(|_| protocol("a negative length"))?;
            if length > MAX_BULK {
                return Err(protocol(&format!(
                    "a {length}-byte value, over the {MAX_BULK}-byte limit"
                )));
            }
            let end = after_line + length;
            if bytes.len() < end + 2 {
                return Ok(None);
            }
            if &bytes[end..end + 2] != b"\r\n" {
                return Err(protocol("a value not followed by CRLF"));
            }
            return Ok(Some((
                Reply::Bulk(Some(bytes[after_line..end].to_vec())),
                end + 2,
            )));
        }
        _ => return Err(protocol("an unexpected reply type")),
    };
    Ok(Some((reply, after_line)))
}

/// The first CRLF-terminated line (without CRLF) and where the rest starts.
fn line(bytes: &[u8]) -> Result<Option<(&[u8], usize)>, RespError> {
    match bytes.windows(2).position(|pair| pair == b"\r\n") {
        Some(end) if end <= MAX_LINE => Ok(Some((&bytes[..end], end + 2))),
        // The line's CR may have come without its LF yet.
        None if bytes.len() <= MAX_LINE + 1 => Ok(None),
        _ => Err(protocol("a line over the length limit")),
    }
}

fn number(text: &[u8]) -> Result<i64, RespError> {
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| protocol("a malformed number"))
}

fn protocol(what: &str) -> RespError {
    RespError::Protocol(format!("the server sent {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(bytes: &[u8]) -> Reply {
        let (reply, used) = parse(bytes).unwrap().expect("a whole reply");
        assert_eq!(used, bytes.len());
        reply
    }

    fn protocol_error(bytes: &[u8]) -> String {
        match parse(bytes) {
            Err(RespError::Protocol(detail)) => detail,
            other => panic!("expected a protocol error, got {other:?}"),
        }
    }

    #[test]
    fn commands_are_arrays_of_binary_safe_bulk_strings() {
        assert_eq!(
            encode(&[b"SET", b"k", b"a\r\n\0b"]).as_slice(),
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\r\n\0b\r\n"
        );
        assert_eq!(
            encode(&[b"GET", b""]).as_slice(),
            b"*2\r\n$3\r\nGET\r\n$0\r\n\r\n"
        );
    }

    #[test]
    fn reads_each_reply_type() {
        assert_eq!(parsed(b"+OK\r\n"), Reply::Status("OK".into()));
        assert_eq!(
            parsed(b"-NOAUTH Authentication required.\r\n"),
            Reply::Error("NOAUTH Authentication required.".into())
        );
        assert_eq!(parsed(b":1\r\n"), Reply::Integer(1));
        assert_eq!(parsed(b":-7\r\n"), Reply::Integer(-7));
        assert_eq!(parsed(b"$-1\r\n"), Reply::Bulk(None));
        assert_eq!(parsed(b"$0\r\n\r\n"), Reply::Bulk(Some(Vec::new())));
        assert_eq!(
            parsed(b"$4\r\na\r\nb\r\n"),
            Reply::Bulk(Some(b"a\r\nb".to_vec()))
        );
    }

    #[test]
    fn a_partial_reply_asks_for_more_bytes() {
        let whole = b"$5\r\nhello\r\n";
        for end in 0..whole.len() {
            assert!(parse(&whole[..end]).unwrap().is_none(), "{end} bytes");
        }
        assert!(parse(b"+O").unwrap().is_none());
        assert!(parse(b"+OK\r").unwrap().is_none());
    }

    #[test]
    fn a_reply_is_delimited_so_extra_bytes_are_seen() {
        let (reply, used) = parse(b":1\r\n+OK\r\n").unwrap().unwrap();
        assert_eq!((reply, used), (Reply::Integer(1), 4));
    }

    #[test]
    fn an_oversized_value_is_refused_before_it_arrives() {
        let at_limit = format!("${MAX_BULK}\r\n");
        assert!(parse(at_limit.as_bytes()).unwrap().is_none());
        let over = format!("${}\r\n", MAX_BULK + 1);
        assert!(protocol_error(over.as_bytes()).contains("limit"));
        let endless_line = vec![b'+'; MAX_LINE + 2];
        assert!(protocol_error(&endless_line).contains("limit"));
    }

    #[test]
    fn malformed_replies_are_protocol_errors() {
        protocol_error(b"*1\r\n:1\r\n"); // arrays: no command of ours returns one
        protocol_error(b"?\r\n");
        protocol_error(b"\r\n");
        protocol_error(b":x\r\n");
        protocol_error(b"$-2\r\n");
        protocol_error(b"$2\r\nabcd");
    }

    #[test]
    fn a_passed_deadline_is_a_timeout_not_a_zero_timeout() {
        let past = Instant::now() - Duration::from_millis(1);
        assert!(matches!(remaining(past), Err(RespError::Timeout)));
        assert!(matches!(
            Connection::open("127.0.0.1", 9, None, past),
            Err(RespError::Timeout)
        ));
    }
}
