//! Worker processes for the shared-cache tests: real, separate processes
//! (this test binary again, running its ignored `worker` test), each with
//! its own in-memory cache, driven line by line over stdin/stdout so that
//! the test decides when they act together.
//!
//! Commands: `get` → the token (or `ERR detail`); `threads N` → N threads
//! get at once, the distinct tokens; `invalidate TOKEN` → `ok`; `share URL`
//! → `ok` once the handle shares through URL (`""`: through none), or
//! `ERR detail`; `problem` → `mc_shared_cache_error`'s text (`-` when none);
//! `rest` → the REST base URL. Answers start with `@@ ` (the test harness
//! prints its own lines too).

use super::{Kind, SECRET};
use mcauth::Auth;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

const ROLE: &str = "MCAUTH_TEST_WORKER";
const BASE: &str = "MCAUTH_TEST_WORKER_BASE";
const KIND: &str = "MCAUTH_TEST_WORKER_KIND";
const STORE: &str = "MCAUTH_TEST_WORKER_STORE";
const TIMEOUT: &str = "MCAUTH_TEST_WORKER_TIMEOUT_MS";
const WORKER_SECRET: &str = "MCAUTH_TEST_WORKER_SECRET";

pub struct Worker {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

/// How to start workers: on the fake at `base`, sharing through `store`.
#[derive(Clone)]
pub struct WorkerSetup {
    pub base: String,
    pub kind: Kind,
    pub store: String,
    pub timeout: Duration,
    pub secret: String,
    /// Give the store through `MCAUTH_SHARED_CACHE` instead of a call.
    pub store_from_environment: bool,
    /// Run as this user and group (tests that need a folder the worker
    /// cannot write, when the tests run as root; unix only).
    pub user: Option<(u32, u32)>,
}

impl WorkerSetup {
    pub fn new(base: String, store: String) -> WorkerSetup {
        WorkerSetup {
            base,
            kind: Kind::Legacy,
            store,
            timeout: Duration::from_secs(10),
            secret: SECRET.to_owned(),
            store_from_environment: false,
            user: None,
        }
    }

    pub fn start(&self) -> Worker {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .args([
                "--ignored",
                "--exact",
                "worker",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ROLE, "1")
            .env(BASE, &self.base)
            .env(KIND, format!("{:?}", self.kind))
            .env(
                STORE,
                if self.store_from_environment {
                    ""
                } else {
                    &self.store
                },
            )
            .env(TIMEOUT, self.timeout.as_millis().to_string())
            .env(WORKER_SECRET, &self.secret)
            .env_remove(mcauth::SHARED_CACHE_VARIABLE)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        #[cfg(unix)]
        if let Some((uid, gid)) = self.user {
            std::os::unix::process::CommandExt::uid(&mut command, uid);
            std::os::unix::process::CommandExt::gid(&mut command, gid);
        }
        if self.store_from_environment {
            command.env(mcauth::SHARED_CACHE_VARIABLE, &self.store);
        }
        let mut child = command.spawn().expect("the worker starts");
        Worker {
            input: child.stdin.take().unwrap(),
            output: BufReader::new(child.stdout.take().unwrap()),
            child,
        }
    }

    pub fn start_many(&self, n: usize) -> Vec<Worker> {
        (0..n).map(|_| self.start()).collect()
    }
}

impl Worker {
    pub fn send(&mut self, command: &str) {
        writeln!(self.input, "{command}").expect("the worker reads");
        self.input.flush().unwrap();
    }

    pub fn answer(&mut self) -> String {
        let mut line = String::new();
        loop {
            line.clear();
            let read = self.output.read_line(&mut line).expect("the worker writes");
            assert!(read > 0, "the worker exited without answering");
            // The harness's `test worker ... ` may precede the first one.
            if let Some(at) = line.find("@@ ") {
                return line[at + 3..].trim_end().to_owned();
            }
        }
    }

    pub fn ask(&mut self, command: &str) -> String {
        self.send(command);
        self.answer()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = writeln!(self.input, "quit");
        let _ = self.child.wait();
    }
}

/// Sends `command` to every worker before reading any answer, so that they
/// act at the same time.
pub fn ask_all(workers: &mut [Worker], command: &str) -> Vec<String> {
    workers.iter_mut().for_each(|w| w.send(command));
    workers.iter_mut().map(Worker::answer).collect()
}

/// The body of a worker process: `None` when this process is not one.
pub fn run_worker_if_asked() -> Option<()> {
    std::env::var_os(ROLE)?;
    let var = |name| std::env::var(name).unwrap();
    let kind = match var(KIND).as_str() {
        "Enhanced" => Kind::Enhanced,
        _ => Kind::Legacy,
    };
    let auth = kind
        .auth_at(&var(BASE), "client-id", &var(WORKER_SECRET))
        .unwrap();
    let store = var(STORE);
    if !store.is_empty() {
        auth.set_shared_cache(Some(&store)).unwrap();
    }
    auth.set_timeout(Duration::from_millis(var(TIMEOUT).parse().unwrap()))
        .unwrap();
    let get = |auth: &Auth| match auth.token() {
        Ok(token) => token.as_str().to_owned(),
        Err(e) => format!("ERR {e}"),
    };
    for line in std::io::stdin().lines() {
        let line = line.unwrap();
        let answer = match line.split_once(' ').unwrap_or((&line, "")) {
            ("get", _) => get(&auth),
            ("threads", n) => std::thread::scope(|s| {
                let threads: Vec<_> = (0..n.parse::<usize>().unwrap())
                    .map(|_| s.spawn(|| get(&auth)))
                    .collect();
                let tokens: BTreeSet<String> =
                    threads.into_iter().map(|t| t.join().unwrap()).collect();
                tokens.into_iter().collect::<Vec<_>>().join(" ")
            }),
            ("invalidate", token) => {
                auth.invalidate(Some(token));
                "ok".to_owned()
            }
            ("share", url) => match auth.set_shared_cache(Some(url)) {
                Ok(()) => "ok".to_owned(),
                Err(e) => format!("ERR {e}"),
            },
            ("rest", _) => auth.rest_base_url().unwrap_or_else(|e| format!("ERR {e}")),
            ("problem", _) => auth.shared_cache_error().unwrap_or_else(|| "-".into()),
            _ => break,
        };
        println!("@@ {answer}");
    }
    Some(())
}
