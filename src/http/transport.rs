//! One HTTP exchange: POST a JSON body, get the status, `Retry-After` and at
//! most `MAX_BODY` bytes back. Redirects are returned, never followed: a
//! followed redirect would re-send the client secret to another address.

use crate::auth_url::AuthUrl;
use crate::error::Error;
use crate::fork;
use crate::http::proxy;
use crate::http::tls::TrustRoots;
use crate::shared_instances::SharedInstances;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use ureq::tls::TlsConfig;
use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{ConnectionDetails, Connector};
use ureq::{Agent, Proxy};
use zeroize::Zeroizing;

/// A token answer is well under 1 KiB; anything near this is not one.
pub const MAX_BODY: u64 = 64 * 1024;
/// An answer's head (status line and headers): a token answer's is a few
/// hundred bytes of plain headers, so a far longer one is not a token
/// answer, and ureq's 64 KiB default would let each connection hold that.
pub const MAX_HEAD: usize = 16 * 1024;
/// ureq's buffers, per connection and again inside TLS. Its 128 KiB
/// defaults were zeroed for every new connection: 512 KiB, a third of the
/// page faults of a process's first token request. The input buffer outgrows
/// `MAX_HEAD`, so that a longer head ends in its own error, not a full
/// buffer; a request is a few hundred bytes.
const INPUT_BUFFER: usize = 2 * MAX_HEAD;
const OUTPUT_BUFFER: usize = 16 * 1024;
const USER_AGENT: &str = concat!("mcauth/", env!("CARGO_PKG_VERSION"));

/// How a handle reaches the auth server.
#[derive(Clone, Default)]
pub struct TransportOptions {
    pub roots: TrustRoots,
    pub proxy: Option<Proxy>,
}

pub struct HttpReply {
    pub status: u16,
    pub retry_after: Option<Duration>,
    /// `None` when the body was larger than `MAX_BODY`. Wiped when dropped:
    /// it holds a token, or a server's echo of the secret.
    pub body: Option<Zeroizing<Vec<u8>>>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum TransportError {
    /// The deadline passed before the exchange completed.
    Timeout,
    /// DNS, connect, TLS, proxy, or the connection dropped; the detail is
    /// ureq's description, which holds no request data.
    Network(String),
    /// The server's certificate is not trusted: final, another attempt
    /// would meet the same certificate.
    Certificate(String),
    /// The answer's head was longer than `MAX_HEAD`.
    OversizeHead,
}

pub struct Transport {
    /// Always `Some` but in `drop`.
    agent: Option<Agent>,
    /// `host:port` of the proxy in use, named in network errors (never its
    /// credentials).
    proxy_address: Option<String>,
    /// The process generation that made it (see `fork`): its pooled
    /// connections are sockets shared with that process.
    fork_generation: u64,
}

/// What makes two handles' transports interchangeable.
#[derive(Clone, PartialEq, Eq, Hash)]
struct TransportKey {
    tls: bool,
    roots: TrustRoots,
    proxy: Option<Proxy>,
}

/// Transports in use, shared by every handle that reaches its server the
/// same way: one TLS configuration (its root store is built once, not per
/// handle) and one connection pool.
static SHARED: SharedInstances<TransportKey, Transport> = SharedInstances::new();

impl Transport {
    /// The transport for `server` with `options`: one already in use by
    /// another handle when it reaches its server the same way, else a new one.
    /// A transport inherited across a fork is never returned.
    pub fn shared(
        gate: &fork::Gate,
        server: &AuthUrl,
        options: &TransportOptions,
    ) -> Result<Arc<Transport>, Error> {
        let proxy = match &options.proxy {
            Some(p) => Some(p.clone()),
            None => proxy::from_environment(server.host(), server.is_loopback())?,
        };
        let key = TransportKey {
            tls: server.token_url().starts_with("https://"),
            // Plain loopback HTTP never loads the trust store.
            roots: options.roots.clone(),
            proxy,
        };
        let make = |key: &TransportKey| {
            warm_up_ureq(gate);
            Arc::new(Transport::new(gate, key))
        };
        Ok(SHARED.get_or_make(gate, key, Transport::is_of_this_process, make))
    }

    pub fn is_of_this_process(&self) -> bool {
        self.fork_generation == fork::generation()
    }

    fn agent(&self) -> &Agent {
        self.agent
            .as_ref()
            .expect("the agent is only taken in drop")
    }

    fn new(gate: &fork::Gate, key: &TransportKey) -> Transport {
        let proxy_address = key
            .proxy
            .as_ref()
            .map(|p| format!("{}:{}", p.host(), p.port()));
        let mut config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_response_header_size(MAX_HEAD)
            .input_buffer_size(INPUT_BUFFER)
            .output_buffer_size(OUTPUT_BUFFER)
            .user_agent(USER_AGENT)
            // Always set, so that ureq never reads proxies from the
            // environment by its own (different) rules.
            .proxy(key.proxy.clone());
        if key.tls {
            config = config.tls_config(
                TlsConfig::builder()
                    .root_certs(key.roots.root_certs(gate))
                    .build(),
            );
        }
        Transport {
            agent: Some(config.build().into()),
            proxy_address,
            fork_generation: fork::generation(),
        }
    }

    pub fn post_json(
        &self,
        url: &str,
        body: &[u8],
        deadline: Instant,
    ) -> Result<HttpReply, TransportError> {
        let remaining = deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or(TransportError::Timeout)?;
        let mut response = self
            .agent()
            .post(url)
            .config()
            .timeout_global(Some(remaining))
            .build()
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .send(body)
            .map_err(|e| self.classify(e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let body = match response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
        {
            Ok(bytes) => Some(Zeroizing::new(bytes)),
            Err(ureq::Error::BodyExceedsLimit(_)) => None,
            Err(e) => return Err(self.classify(e)),
        };
        Ok(HttpReply {
            status,
            retry_after,
            body,
        })
    }
    fn classify(&self, error: ureq::Error) -> TransportError {
        match error {
            ureq::Error::Timeout(_) => TransportError::Timeout,
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                TransportError::Timeout
            }
            ureq::Error::LargeResponseHeader(..) => TransportError::OversizeHead,
            other => {
                let certificate = is_certificate_error(&other);
                let detail = match &self.proxy_address {
                    Some(proxy) => format!("{other} (through the proxy {proxy})"),
                    None => other.to_string(),
                };
                if certificate {
                    TransportError::Certificate(detail)
                } else {
                    TransportError::Network(detail)
                }
            }
        }
    }
}

/// rustls refused the server's certificate (ureq passes it on as is, or
/// inside an I/O error from the handshake).
fn is_certificate_error(error: &ureq::Error) -> bool {
    let rustls_error = match error {
        ureq::Error::Rustls(e) => Some(e),
        ureq::Error::Io(io) => io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()),
        _ => None,
    };
    matches!(
        rustls_error,
        Some(rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented)
    )
}

impl Drop for Transport {
    /// In a forked child, a transport of the parent is leaked, not dropped:
    /// dropping its pool would close connections (and could end TLS
    /// sessions) that the parent is still using.
    fn drop(&mut self) {
        if let Some(agent) = self.agent.take() {
            if !self.is_of_this_process() {
                std::mem::forget(agent);
            }
        }
    }
}

/// ureq builds a process-wide header value (a `LazyLock`) in the first
/// request it sends. A fork while another thread is inside that
/// initialisation would leave the child waiting for it forever, so the
/// first transport runs it here, under the fork gate, with a request that a
/// connector refuses before any socket is opened.
fn warm_up_ureq(_gate: &fork::Gate) {
    static DONE: AtomicBool = AtomicBool::new(false);
    if DONE.swap(true, Ordering::Relaxed) {
        return;
    }
    let agent = Agent::with_parts(
        Agent::config_builder().build(),
        RefuseToConnect,
        DefaultResolver::default(),
    );
    let _ = agent.post("http://127.0.0.1:9/").send(&[][..]);
}

#[derive(Debug)]
struct RefuseToConnect;

impl<In: ureq::unversioned::transport::Transport> Connector<In> for RefuseToConnect {
    type Out = In;

    fn connect(&self, _: &ConnectionDetails, _: Option<In>) -> Result<Option<In>, ureq::Error> {
        Err(ureq::Error::ConnectionFailed)
    }
}

/// Delta-seconds only: that is what Marketing Cloud sends. An HTTP-date is
/// ignored and the normal backoff applies.
fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_delta_seconds() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("0"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn an_expired_deadline_sends_nothing() {
        let server = AuthUrl::parse("http://127.0.0.1:9/").unwrap();
        let gate = fork::enter();
        let transport = Transport::shared(&gate, &server, &TransportOptions::default()).unwrap();
        drop(gate);
        let result = transport.post_json(server.token_url(), b"{}", Instant::now());
        assert_eq!(result.err(), Some(TransportError::Timeout));
    }
}
