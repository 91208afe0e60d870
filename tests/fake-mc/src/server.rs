//! The three listeners (http, https, proxy), a thread per connection, and `FakeMc`, which
//! owns them and stops them when dropped.

use std::fs;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::{ServerConfig, ServerConnection, StreamOwned};

use crate::endpoint::{self, Action};
use crate::http::{Conn, HttpError};
use crate::proxy;
use crate::routes;
use crate::scenario::normalize;
use crate::state::{RecordedRequest, State};
use crate::tls;

/// How often blocked reads wake up to check whether the server was stopped.
const POLL: Duration = Duration::from_millis(250);
/// A client that stops reading a large answer must not pin its thread forever.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Per-request logging to stderr, only with `FAKE_MC_LOG=1`: tests want quiet output.
/// Never logs bodies: they hold secrets and tokens.
pub fn log(line: &str) {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    if *ENABLED.get_or_init(|| std::env::var("FAKE_MC_LOG").is_ok_and(|v| v == "1")) {
        eprintln!("fake-mc: {line}");
    }
}

#[derive(Clone)]
enum Kind {
    Http,
    Https(Arc<ServerConfig>),
    Proxy,
}

/// A running fake Marketing Cloud. Dropping it stops the listeners and removes its files.
pub struct FakeMc {
    state: Arc<State>,
    stop: Arc<AtomicBool>,
    http: SocketAddr,
    https: SocketAddr,
    proxy: SocketAddr,
    ca_file: PathBuf,
    temp_dir: Option<PathBuf>,
    acceptors: Vec<JoinHandle<()>>,
}

impl FakeMc {
    /// Starts all three listeners on 127.0.0.1 with fresh certificates; the CA goes to a
    /// new temporary directory that is removed on drop (never, for a fake in a static: use
    /// `start_with_ca_file` there).
    pub fn start() -> io::Result<FakeMc> {
        let dir = make_temp_dir()?;
        let ca_file = dir.join("ca.pem");
        FakeMc::start_inner(ca_file, Some(dir))
    }

    /// Like `start`, but writes the CA PEM to `ca_file` (left in place on drop).
    pub fn start_with_ca_file(ca_file: &Path) -> io::Result<FakeMc> {
        FakeMc::start_inner(std::path::absolute(ca_file)?, None)
    }

    fn start_inner(ca_file: PathBuf, temp_dir: Option<PathBuf>) -> io::Result<FakeMc> {
        let cleanup = |e: io::Error| {
            if let Some(dir) = &temp_dir {
                let _ = fs::remove_dir_all(dir);
            }
            e
        };
        let tls = tls::generate().map_err(cleanup)?;
        fs::write(&ca_file, &tls.ca_pem).map_err(cleanup)?;
        let bind = || TcpListener::bind(("127.0.0.1", 0));
        let (http, https, proxy) = match (bind(), bind(), bind()) {
            (Ok(a), Ok(b), Ok(c)) => (a, b, c),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return Err(cleanup(e)),
        };
        let addrs = [http.local_addr(), https.local_addr(), proxy.local_addr()];
        let [Ok(http_addr), Ok(https_addr), Ok(proxy_addr)] = addrs else {
            return Err(cleanup(io::Error::other("no local address")));
        };
        let mut fake = FakeMc {
            state: Arc::new(State::default()),
            stop: Arc::new(AtomicBool::new(false)),
            http: http_addr,
            https: https_addr,
            proxy: proxy_addr,
            ca_file,
            temp_dir,
            acceptors: Vec::new(),
        };
        for (listener, kind) in [
            (http, Kind::Http),
            (https, Kind::Https(tls.config)),
            (proxy, Kind::Proxy),
        ] {
            let (state, stop) = (fake.state.clone(), fake.stop.clone());
            // On failure, dropping `fake` stops the listeners already running.
            let handle = thread::Builder::new()
                .name("fake-mc-accept".into())
                .spawn(move || accept_loop(listener, kind, state, stop))?;
            fake.acceptors.push(handle);
        }
        Ok(fake)
    }

    pub fn http_url(&self) -> String {
        format!("http://{}", self.http)
    }

    pub fn https_url(&self) -> String {
        format!("https://{}", self.https)
    }

    pub fn proxy_url(&self) -> String {
        format!("http://{}", self.proxy)
    }

    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// Requests that reached this scenario's token endpoint (HTTP and HTTPS, every attempt).
    pub fn requests(&self, scenario: &str) -> u64 {
        self.state.count(&normalize(scenario))
    }

    pub fn last_request(&self, scenario: &str) -> Option<RecordedRequest> {
        self.state.last(&normalize(scenario))
    }

    /// Every token request of this scenario, in arrival order, with the endpoint it went to
    /// and (for `/v2/token`) the `account_id` and `scope` it carried.
    pub fn token_requests(&self, scenario: &str) -> Vec<RecordedRequest> {
        self.state.history(&normalize(scenario))
    }

    pub fn proxy_requests(&self) -> u64 {
        self.state.proxy_count()
    }

    pub fn last_proxy_authorization(&self) -> Option<String> {
        self.state.last_proxy_authorization()
    }
}

impl Drop for FakeMc {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // accept() has no timeout: a connection of our own wakes each listener up.
        for addr in [self.http, self.https, self.proxy] {
            let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
        }
        for handle in self.acceptors.drain(..) {
            let _ = handle.join();
        }
        if let Some(dir) = &self.temp_dir {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

fn make_temp_dir() -> io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    loop {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("fake-mc-{}-{n}-{nanos}", std::process::id());
        let dir = std::env::temp_dir().join(name);
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

fn accept_loop(listener: TcpListener, kind: Kind, state: Arc<State>, stop: Arc<AtomicBool>) {
    for conn in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let stream = match conn {
            Ok(s) => s,
            Err(e) => {
                // E.g. out of file descriptors: back off instead of spinning.
                log(&format!("accept failed: {e}"));
                thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let (kind, state, stop) = (kind.clone(), state.clone(), stop.clone());
        let spawned = thread::Builder::new()
            .name("fake-mc-conn".into())
            .spawn(move || serve(stream, kind, &state, stop));
        if let Err(e) = spawned {
            log(&format!("cannot spawn a connection thread: {e}"));
        }
    }
}

fn serve(stream: TcpStream, kind: Kind, state: &State, stop: Arc<AtomicBool>) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(POLL));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let Ok(local) = stream.local_addr() else {
        return;
    };
    match kind {
        Kind::Http => {
            let mut conn = Conn::new(stream).with_stop(stop);
            serve_http(&mut conn, "http", local, state);
        }
        Kind::Https(config) => {
            let Ok(tls) = ServerConnection::new(config) else {
                return;
            };
            let mut conn = Conn::new(StreamOwned::new(tls, stream)).with_stop(stop);
            if serve_http(&mut conn, "https", local, state) == End::Close {
                // A clean TLS close, so clients do not see a truncation attack.
                let stream = conn.stream_mut();
                stream.conn.send_close_notify();
                let _ = stream.flush();
            }
        }
        Kind::Proxy => proxy::serve(stream, state, stop),
    }
}

/// How a connection ended.
#[derive(PartialEq, Eq)]
enum End {
    /// Orderly: the last answer was sent (or the peer left); say goodbye properly.
    Close,
    /// Abruptly: `drop=`, a broken connection, or a stopped server.
    Abort,
}

/// Requests on one (plain or TLS) connection, for as long as keep-alive allows.
fn serve_http<S: io::Read + io::Write>(
    conn: &mut Conn<S>,
    scheme: &str,
    local: SocketAddr,
    state: &State,
) -> End {
    loop {
        let req = match conn.read_request() {
            Ok(Some(req)) => req,
            Ok(None) => return End::Close,
            Err(HttpError::Io(e)) => {
                log(&format!("{scheme} connection ended: {e}"));
                return End::Abort;
            }
            Err(HttpError::Bad(status, message)) => {
                log(&format!("{scheme} bad request: {status} {message}"));
                let _ = conn.write_response(&endpoint::error(status, message, 0), false);
                return End::Close;
            }
        };
        // Redirects go back to wherever the client thinks it is talking to.
        let host = req.header("host").map_or(local.to_string(), str::to_string);
        let origin = format!("{scheme}://{host}");
        let keep_alive = req.keep_alive();
        match routes::route(state, &origin, &req) {
            Action::Drop => {
                log(&format!(
                    "{scheme} {} {} -> dropped",
                    req.method,
                    req.path()
                ));
                return End::Abort;
            }
            Action::Respond(resp) => {
                log(&format!(
                    "{scheme} {} {} -> {}",
                    req.method,
                    req.path(),
                    resp.status
                ));
                if conn.write_response(&resp, keep_alive).is_err() {
                    return End::Abort;
                }
                if !keep_alive {
                    return End::Close;
                }
            }
        }
    }
}
