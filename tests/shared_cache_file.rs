//! The folder store, with real processes (`common::workers`) against the
//! fake: one token request for a machine's processes, invalidation across
//! them, what lies in the folder, and every way the folder can be wrong
//! costing one request, never a failed call.
//!
//! Unix only, as the folder store is.
#![cfg(unix)]

mod common;

use common::*;
use std::fs;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The worker processes' entry point (see `common::workers`), not a test.
#[test]
#[ignore = "run by the tests in worker processes"]
fn worker() {
    run_worker_if_asked().expect("run by the tests, as a worker process");
}

/// A new store folder's path (it does not exist yet: the store creates it),
/// inside a temporary directory removed with all it holds when the first
/// value drops, even when a test fails.
fn store_folder(label: &str) -> (TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    // Workers that run as `nobody` (see the read-only test) must reach it.
    fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let folder = root.path().join(label);
    (root, folder)
}

fn file_url(folder: &Path) -> String {
    format!("file://{}", folder.display())
}

/// The one `.entry` file in `folder`.
fn entry_file(folder: &Path) -> PathBuf {
    let entries: Vec<PathBuf> = fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "entry"))
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries[0].clone()
}

fn all_equal(tokens: &[String]) -> &str {
    assert!(!tokens[0].starts_with("ERR"), "{tokens:?}");
    assert!(tokens.iter().all(|t| *t == tokens[0]), "{tokens:?}");
    &tokens[0]
}

for_both_kinds!(processes_of_one_machine_share_one_request_and_one_invalidation);

fn processes_of_one_machine_share_one_request_and_one_invalidation(kind: Kind) {
    // Enhanced answers name `localhost` as the API's host, where the
    // handle's own (loopback) address would be 127.0.0.1.
    let s = scenario("file-share", "delay=300/instance=localhost");
    let (_folder_root, folder) = store_folder(&format!("share-{kind:?}"));
    let mut setup = WorkerSetup::new(http_base(&s), file_url(&folder));
    setup.kind = kind;

    let mut workers = setup.start_many(8);
    let first = all_equal(&ask_all(&mut workers, "get")).to_owned();
    assert_eq!(kind.requests(&s), 1, "8 processes on an empty cache");

    workers.push(setup.start());
    assert_eq!(workers[8].ask("get"), first);
    assert_eq!(
        kind.requests(&s),
        1,
        "a 9th process within the token's lifetime"
    );
    if kind == Kind::Enhanced {
        // The API addresses travel with the token.
        let rest = workers[8].ask("rest");
        assert!(rest.starts_with("http://localhost:"), "{rest}");
    }

    ask_all(&mut workers, &format!("invalidate {first}"));
    let second = all_equal(&ask_all(&mut workers, "get")).to_owned();
    assert_ne!(second, first);
    assert_eq!(
        kind.requests(&s),
        2,
        "one rejected token, one new request in all"
    );

    // What lies in the folder: 0600 files in a 0700 folder, none of which
    // shows the secret, a token or the client id.
    assert_eq!(fs::metadata(&folder).unwrap().mode() & 0o777, 0o700);
    for file in fs::read_dir(&folder).unwrap() {
        let path = file.unwrap().path();
        assert_eq!(
            fs::metadata(&path).unwrap().mode() & 0o777,
            0o600,
            "{path:?}"
        );
        let bytes = fs::read(&path).unwrap();
        for needle in [SECRET, &first, &second, "client-id"] {
            let found = bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
            assert!(!found, "{path:?} shows {needle}");
        }
    }
}

#[test]
fn a_garbage_or_truncated_entry_costs_one_request_and_is_replaced() {
    let s = scenario("file-garbage", "");
    let (_folder_root, folder) = store_folder("garbage");
    let setup = WorkerSetup::new(http_base(&s), file_url(&folder));
    setup.start().ask("get");
    let entry = entry_file(&folder);
    let valid = fs::read(&entry).unwrap();
    let damages: [(&str, Vec<u8>); 3] = [
        ("garbage", b"not a token at all".to_vec()),
        ("truncated", valid[..valid.len() / 2].to_vec()),
        ("empty", Vec::new()),
    ];
    for (n, (damage, bytes)) in damages.into_iter().enumerate() {
        fs::write(&entry, bytes).unwrap();
        let mut worker = setup.start();
        assert!(!worker.ask("get").starts_with("ERR"), "{damage}");
        assert_eq!(requests(&s), 2 + n as u64, "{damage}: one request");
        assert_ne!(worker.ask("problem"), "-", "{damage}: the problem is told");
        // The entry is valid again: the next process takes it.
        setup.start().ask("get");
        assert_eq!(
            requests(&s),
            2 + n as u64,
            "{damage}: the entry was replaced"
        );
    }
}

#[test]
fn a_symlinked_entry_is_refused() {
    let s = scenario("file-symlink", "");
    let (_folder_root, folder) = store_folder("symlink");
    let setup = WorkerSetup::new(http_base(&s), file_url(&folder));
    let token = setup.start().ask("get");
    let entry = entry_file(&folder);
    let elsewhere = folder.with_extension("elsewhere");
    fs::rename(&entry, &elsewhere).unwrap();
    symlink(&elsewhere, &entry).unwrap();

    let mut worker = setup.start();
    let other = worker.ask("get");
    assert_ne!(other, token, "the token behind the symlink was used");
    assert_eq!(requests(&s), 2);
    let problem = worker.ask("problem");
    assert!(problem.contains("refused"), "{problem}");
    fs::remove_file(&elsewhere).unwrap();
}

#[test]
fn a_read_only_folder_costs_sharing_but_never_a_token() {
    let s = scenario("file-read-only", "");
    let (_folder_root, folder) = store_folder("read-only");
    fs::create_dir(&folder).unwrap();
    fs::set_permissions(&folder, fs::Permissions::from_mode(0o500)).unwrap();
    let mut setup = WorkerSetup::new(http_base(&s), file_url(&folder));
    // Root writes anywhere: then the workers run as `nobody`, who owns the
    // read-only folder.
    if is_root() {
        std::os::unix::fs::chown(&folder, Some(NOBODY), Some(NOBODY)).unwrap();
        setup.user = Some((NOBODY, NOBODY));
    }
    let mut workers = setup.start_many(2);
    for round in 0..3 {
        let tokens = ask_all(&mut workers, "get");
        assert!(tokens.iter().all(|t| !t.starts_with("ERR")), "{tokens:?}");
        assert_eq!(
            requests(&s),
            2,
            "round {round}: one request per process, then its cache"
        );
    }
    assert_ne!(workers[0].ask("problem"), "-");
}

#[test]
fn a_folder_open_to_others_or_owned_by_another_user_is_refused() {
    let s = scenario("file-foreign", "");
    let refused = |store: String, why: &str| {
        let mut worker = WorkerSetup::new(http_base(&s), store).start();
        assert!(!worker.ask("get").starts_with("ERR"));
        let problem = worker.ask("problem");
        assert!(problem.contains(why), "{problem}");
    };
    let (_open_root, open) = store_folder("open-to-others");
    fs::create_dir(&open).unwrap();
    fs::set_permissions(&open, fs::Permissions::from_mode(0o777)).unwrap();
    refused(file_url(&open), "open to other users");
    assert_eq!(fs::read_dir(&open).unwrap().count(), 0, "nothing written");

    // Another user's folder: as root, one given to `nobody`; else a system one.
    let (_foreign_root, given_away) = store_folder("foreign");
    let foreign = if is_root() {
        fs::create_dir(&given_away).unwrap();
        std::os::unix::fs::chown(&given_away, Some(NOBODY), Some(NOBODY)).unwrap();
        given_away
    } else {
        PathBuf::from("/usr/share")
    };
    refused(file_url(&foreign), "owned by another user");
    assert_eq!(requests(&s), 2, "each process requested its own token");
}

#[test]
fn an_entry_owned_by_another_user_is_refused() {
    if !is_root() {
        return; // only root can give a file away; the folder case runs as anyone
    }
    let s = scenario("file-foreign-entry", "");
    let (_folder_root, folder) = store_folder("foreign-entry");
    let setup = WorkerSetup::new(http_base(&s), file_url(&folder));
    let token = setup.start().ask("get");
    std::os::unix::fs::chown(entry_file(&folder), Some(NOBODY), Some(NOBODY)).unwrap();
    let mut worker = setup.start();
    assert_ne!(worker.ask("get"), token, "the foreign entry was used");
    assert!(worker.ask("problem").contains("owned by another user"));
    assert_eq!(requests(&s), 2);
}

#[test]
fn the_environment_variable_gives_the_store_to_handles_that_set_none() {
    let s = scenario("file-environment", "delay=300");
    let (_folder_root, folder) = store_folder("environment");
    let mut setup = WorkerSetup::new(http_base(&s), file_url(&folder));
    setup.store_from_environment = true;
    all_equal(&ask_all(&mut setup.start_many(3), "get"));
    assert_eq!(requests(&s), 1);
    entry_file(&folder);

    // A malformed value is ignored, and said so: never a failed handle.
    let s = scenario("file-environment-malformed", "");
    setup.base = http_base(&s);
    setup.store = "file://relative/folder".into();
    let mut worker = setup.start();
    assert!(!worker.ask("get").starts_with("ERR"));
    let problem = worker.ask("problem");
    assert!(
        problem.starts_with("MCAUTH_SHARED_CACHE is ignored"),
        "{problem}"
    );

    // An empty URL opts a handle out, whatever the variable says.
    let s = scenario("file-environment-opted-out", "");
    let (_folder_root, folder) = store_folder("environment-opted-out");
    setup.base = http_base(&s);
    setup.store = file_url(&folder);
    let mut worker = setup.start();
    assert_eq!(worker.ask("share "), "ok");
    assert!(!worker.ask("get").starts_with("ERR"));
    assert_eq!(requests(&s), 1);
    assert!(!folder.exists(), "the store was used");
}

const NOBODY: u32 = 65534;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn a_token_cached_in_memory_never_touches_the_store() {
    let s = scenario("file-memory-hit", "");
    let (_folder_root, folder) = store_folder("memory-hit");
    let auth = http_auth(&s);
    auth.set_shared_cache(Some(&file_url(&folder))).unwrap();
    let token = auth.token().unwrap();
    assert_eq!(auth.shared_cache_error(), None);
    // Any use of the store now fails: the folder became a file.
    fs::remove_dir_all(&folder).unwrap();
    fs::write(&folder, "not a folder").unwrap();
    for _ in 0..100 {
        assert_eq!(auth.token().unwrap(), token);
    }
    assert_eq!(
        auth.shared_cache_error(),
        None,
        "a cached call used the store"
    );
    auth.invalidate(None);
    auth.token().unwrap();
    assert!(
        auth.shared_cache_error().is_some(),
        "the next fetch did use it"
    );
    fs::remove_file(&folder).unwrap();
}
