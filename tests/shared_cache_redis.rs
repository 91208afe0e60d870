//! The Redis store, with real processes (`common::workers`), a real
//! `redis-server` on loopback and the fake: one token request for a fleet,
//! a Redis outage that costs sharing but never a call, and nothing usable
//! in the database.

mod common;

use common::*;
use std::process::Command;

/// The worker processes' entry point (see `common::workers`), not a test.
#[test]
#[ignore = "run by the tests in worker processes"]
fn worker() {
    run_worker_if_asked().expect("run by the tests, as a worker process");
}

/// Every token of every worker's answer (`threads` answers list them).
fn tokens(answers: &[String]) -> Vec<&str> {
    let all: Vec<&str> = answers.iter().flat_map(|a| a.split(' ')).collect();
    assert!(answers.iter().all(|a| !a.starts_with("ERR")), "{answers:?}");
    all
}

fn one_token(answers: &[String]) -> String {
    let all = tokens(answers);
    assert!(all.iter().all(|t| *t == all[0]), "{answers:?}");
    all[0].to_owned()
}

#[test]
fn two_processes_of_16_threads_make_one_request() {
    let redis = RedisServer::start();
    let s = scenario("redis-share", "delay=300");
    let setup = WorkerSetup::new(http_base(&s), redis.url());
    let mut workers = setup.start_many(2);
    one_token(&ask_all(&mut workers, "threads 16"));
    assert_eq!(requests(&s), 1);
}

#[test]
fn a_redis_outage_costs_sharing_never_a_call() {
    let mut redis = RedisServer::start();
    let s = scenario("redis-outage", "");
    let setup = WorkerSetup::new(http_base(&s), redis.url());
    let mut workers = setup.start_many(2);
    let shared = one_token(&ask_all(&mut workers, "threads 4"));
    assert_eq!(requests(&s), 1);

    // Stopped mid-run, and the fleet's token rejected: each process gets
    // its own, once, and says why.
    redis.stop();
    ask_all(&mut workers, &format!("invalidate {shared}"));
    let alone = ask_all(&mut workers, "threads 4");
    assert_eq!(tokens(&alone).len(), 2, "one token per process: {alone:?}");
    assert_eq!(requests(&s), 3, "at most one request per process");
    for problem in ask_all(&mut workers, "problem") {
        assert!(problem.contains("redis 127.0.0.1"), "{problem}");
    }

    // Back (empty: it keeps nothing on disk): the processes share again.
    redis.start_again();
    for (worker, token) in workers.iter_mut().zip(&alone) {
        worker.ask(&format!("invalidate {token}"));
    }
    one_token(&ask_all(&mut workers, "threads 4"));
    assert_eq!(requests(&s), 4, "one request for both again");
}

#[test]
fn a_value_sealed_under_another_secret_is_not_used_and_nothing_is_readable() {
    let redis = RedisServer::start();
    let s = scenario("redis-other-secret", "");
    let ours = WorkerSetup::new(http_base(&s), redis.url());
    let mut theirs = ours.clone();
    theirs.secret = "another-secret-entirely".into();
    let their_token = theirs.start().ask("get");
    let our_token = ours.start().ask("get");
    assert_eq!(requests(&s), 2, "two secrets never share");

    // The two values swapped: ours now holds theirs, which does not open
    // with our secret.
    let keys = redis_cli(&redis, &["--scan", "--pattern", "mcauth:*"]);
    let keys: Vec<&str> = keys.lines().filter(|k| !k.ends_with(":lock")).collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    redis_cli(&redis, &["RENAME", keys[0], "swap"]);
    redis_cli(&redis, &["RENAME", keys[1], keys[0]]);
    redis_cli(&redis, &["RENAME", "swap", keys[1]]);
    let mut worker = ours.start();
    let token = worker.ask("get");
    assert_ne!(token, their_token, "their token was used");
    assert_ne!(token, our_token, "the swap did not happen");
    assert!(worker.ask("problem").contains("unusable"));
    assert_eq!(requests(&s), 3, "the swapped value cost one request");

    let mut dump = Vec::new();
    for key in redis_cli(&redis, &["--scan"]).lines() {
        dump.extend_from_slice(key.as_bytes());
        dump.extend(redis_cli_raw(&redis, &["GET", key]));
    }
    let worker_tokens = [their_token.as_str(), our_token.as_str()];
    for needle in ["client-id", SECRET, "another-secret-entirely"]
        .iter()
        .chain(&worker_tokens)
    {
        let found = dump.windows(needle.len()).any(|w| w == needle.as_bytes());
        assert!(!found, "redis-cli shows {needle}");
    }
}

fn redis_cli_raw(redis: &RedisServer, args: &[&str]) -> Vec<u8> {
    let port = redis.port().to_string();
    let out = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port, "--raw"])
        .args(args)
        .output()
        .expect("redis-cli runs (Debian: redis-tools)");
    assert!(out.status.success(), "{args:?}");
    out.stdout
}

fn redis_cli(redis: &RedisServer, args: &[&str]) -> String {
    String::from_utf8(redis_cli_raw(redis, args)).unwrap()
}
