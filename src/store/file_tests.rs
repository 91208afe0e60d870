//! The folder store against a real folder.

use super::*;
use crate::error::Status;
use crate::store::contract_tests::{self as contract, soon, NAME};
use std::os::unix::fs::PermissionsExt;

/// A store folder's path (the store creates it) inside a temporary
/// directory removed with all it holds when the first value drops.
fn folder(label: &str) -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let folder = root.path().join(label);
    (root, folder)
}

#[test]
fn folder_urls_are_absolute_paths_without_a_host() {
    let parsed = |path: &str| FolderPath::parse(path).map(|f| f.0);
    assert_eq!(
        parsed("/var/cache/mcauth").unwrap(),
        Path::new("/var/cache/mcauth")
    );
    assert_eq!(parsed("/a%20b/c").unwrap(), Path::new("/a b/c"));
    for refused in [
        "relative", "host/x", "", "/", "///", "/a/../b", "/a%2", "/a%zz", "/%00",
        // The root folder spelled with `.` (found by fuzz/fuzz_targets/folder_url.rs).
        "/.", "/./", "/%2e//", "/./.",
    ] {
        let error = FolderPath::parse(refused).unwrap_err();
        assert_eq!(error.status(), Status::InvalidArgument, "{refused}");
    }
    // From MCAUTH_SHARED_CACHE, say: quoted bounded and printable.
    let hostile = format!("rel\u{1b}[31m{}", "x".repeat(500));
    let message = FolderPath::parse(&hostile)
        .unwrap_err()
        .message()
        .to_owned();
    assert!(
        !message.contains('\u{1b}') && message.len() < 300,
        "{message}"
    );
}

#[test]
fn the_root_folder_by_another_name_is_refused() {
    // Past `FolderPath::parse`, which refuses it by name: as
    // `/proc/self/root/.` would reach the store.
    let store = FileStore::new(FolderPath(PathBuf::from("/.")));
    let error = store.write(NAME, b"x", Duration::from_secs(60), soon());
    let said = error.unwrap_err().to_string();
    assert!(said.contains("the folder is the root folder"), "{said}");
}

#[test]
fn keeps_the_store_contract() {
    let (_root, folder) = folder("contract");
    let store = FileStore::new(FolderPath(folder.clone()));
    contract::writes_read_back_until_they_expire(&store);
    contract::remove_if_removes_only_the_expected_value(&store);
    contract::a_lock_excludes_others_until_released(&store);
}

#[test]
fn expired_entries_and_stale_temporary_files_are_swept_on_write() {
    let (_root, folder) = folder("sweep");
    let store = FileStore::new(FolderPath(folder.clone()));
    assert_eq!(store.read(NAME, soon()).unwrap(), None, "no folder yet");
    store
        .write(NAME, b"sealed", Duration::from_millis(30), soon())
        .unwrap();
    std::thread::sleep(Duration::from_millis(60));
    let stale_temporary = folder.join(".0000.tmp");
    fs::write(&stale_temporary, "left by a writer that died").unwrap();
    let old = SystemTime::now() - STALE_TEMPORARY * 2;
    File::options()
        .write(true)
        .open(&stale_temporary)
        .unwrap()
        .set_modified(old)
        .unwrap();
    // Files the store did not name stay, however old or expired they look.
    let foreign = [folder.join("notes.entry"), folder.join(".notes.tmp")];
    for path in &foreign {
        fs::write(path, [0u8; 16]).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
        let file = File::options().write(true).open(path).unwrap();
        file.set_modified(old).unwrap();
    }
    let other = "fedcba9876543210fedcba9876543210";
    store
        .write(other, b"x", Duration::from_secs(60), soon())
        .unwrap();
    let mut left: Vec<String> = fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    let expected = [
        ".notes.tmp",
        "fedcba9876543210fedcba9876543210.entry",
        "notes.entry",
    ];
    assert_eq!(left, expected, "swept on write");
}

#[test]
fn remove_if_waits_for_the_lock() {
    let (_root, folder) = folder("remove");
    let store = FileStore::new(FolderPath(folder.clone()));
    store
        .write(NAME, b"one", Duration::from_secs(60), soon())
        .unwrap();
    let held = store
        .try_lock(NAME, Duration::from_secs(1), soon())
        .unwrap();
    let quick = Instant::now() + Duration::from_millis(50);
    assert!(store.remove_if(NAME, b"one", quick).is_err());
    drop(held);
    assert!(store.remove_if(NAME, b"one", soon()).unwrap());
}
