//! A real `redis-server` (Debian's package) on a free loopback port, never a
//! mock: the Redis store is only worth what it does against the real one.
//! The library's own unit tests compile this same file
//! (src/store/redis_tests.rs), so there is one fixture for both.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long a starting server has to answer.
const STARTUP: Duration = Duration::from_secs(10);

/// A `redis-server` process, killed when dropped. Nothing is persisted.
pub struct RedisServer {
    port: u16,
    password: Option<String>,
    tls: Option<TlsFiles>,
    process: Option<Child>,
}

/// The certificate files of a TLS-only server.
pub struct TlsFiles {
    pub certificate: PathBuf,
    pub key: PathBuf,
    pub ca: PathBuf,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        RedisServer::launch(None, None)
    }

    /// A server that refuses commands until `AUTH password`.
    pub fn start_with_password(password: &str) -> RedisServer {
        RedisServer::launch(Some(password.to_owned()), None)
    }

    /// A server that speaks only TLS, with these certificate files.
    pub fn start_tls(files: TlsFiles) -> RedisServer {
        RedisServer::launch(None, Some(files))
    }

    fn launch(password: Option<String>, tls: Option<TlsFiles>) -> RedisServer {
        let mut server = RedisServer {
            port: free_port(),
            password,
            tls,
            process: None,
        };
        server.start_again();
        server
    }

    /// Stops the server (its data goes with it); the port stays reserved
    /// for `start_again`.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.kill();
            let _ = process.wait();
        }
    }

    /// Starts the server again on the same port, empty.
    pub fn start_again(&mut self) {
        self.stop();
        let port = self.port.to_string();
        let mut command = Command::new("redis-server");
        command.args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
        command.args(["--daemonize", "no"]);
        match &self.tls {
            None => command.args(["--port", &port]),
            Some(files) => command
                .args([
                    "--port",
                    "0",
                    "--tls-port",
                    &port,
                    "--tls-auth-clients",
                    "no",
                ])
                .arg("--tls-cert-file")
                .arg(&files.certificate)
                .arg("--tls-key-file")
                .arg(&files.key)
                .arg("--tls-ca-cert-file")
                .arg(&files.ca),
        };
        if let Some(password) = &self.password {
            command.args(["--requirepass", password]);
        }
        let process = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    panic!("redis-server is not installed: sudo apt-get install -y redis-server")
                }
                panic!("cannot start redis-server: {e}")
            });
        self.process = Some(process);
        self.wait_until_ready();
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:port` (`rediss://` for a TLS server), without
    /// the password.
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    fn wait_until_ready(&mut self) {
        let give_up = Instant::now() + STARTUP;
        while Instant::now() < give_up {
            let process = self.process.as_mut().expect("started");
            if let Ok(Some(status)) = process.try_wait() {
                panic!(
                    "redis-server exited at start ({status}): is port {} free?",
                    self.port
                );
            }
            if self.answers() {
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
        panic!(
            "redis-server did not answer on port {} within {STARTUP:?}",
            self.port
        );
    }

    /// A plain server answers PING (`-NOAUTH` counts); a TLS server is
    /// ready when it accepts connections.
    fn answers(&self) -> bool {
        let Ok(mut socket) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        if self.tls.is_some() {
            return true;
        }
        let _ = socket.set_read_timeout(Some(Duration::from_secs(1)));
        let mut reply = [0u8; 1];
        socket.write_all(b"*1\r\n$4\r\nPING\r\n").is_ok()
            && socket.read(&mut reply).is_ok()
            && matches!(reply[0], b'+' | b'-')
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A loopback port nothing listens on now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().expect("its address").port()
}

impl TlsFiles {
    /// A throwaway CA and a certificate it signs for 127.0.0.1 and
    /// localhost, made with the `openssl` command in `dir`.
    pub fn generate(dir: &Path) -> TlsFiles {
        let files = TlsFiles {
            certificate: dir.join("server.pem"),
            key: dir.join("server.key"),
            ca: dir.join("ca.pem"),
        };
        let path = |p: &Path| p.to_str().expect("a UTF-8 path").to_owned();
        let (ca, ca_key) = (path(&files.ca), path(&dir.join("ca.key")));
        let new_key = "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1";
        let ca_subject = ["-subj", "/CN=mcauth throwaway test CA"];
        openssl(
            new_key,
            &[&ca_subject[..], &["-keyout", &ca_key, "-out", &ca]].concat(),
        );
        let server = [
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-addext",
            "keyUsage=critical,digitalSignature",
            "-addext",
            "extendedKeyUsage=serverAuth",
            "-CA",
            &ca,
            "-CAkey",
            &ca_key,
        ];
        let (key, certificate) = (path(&files.key), path(&files.certificate));
        openssl(
            new_key,
            &[&server[..], &["-keyout", &key, "-out", &certificate]].concat(),
        );
        files
    }
}

/// `openssl` with `words` (split at spaces) then `args`.
fn openssl(words: &str, args: &[&str]) {
    let status = Command::new("openssl")
        .args(words.split(' '))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("cannot run openssl ({e}): sudo apt-get install -y openssl"));
    assert!(status.success(), "openssl {words} {args:?} failed");
}
