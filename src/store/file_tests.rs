//! The folder store against a real folder.

use super::*;
use crate::error::Status;

const NAME: &str = "0123456789abcdef0123456789abcdef";

fn folder(label: &str) -> PathBuf {
    let folder =
        std::env::temp_dir().join(format!("mcauth-file-store-{label}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&folder);
    folder
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(5)
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
    ] {
        let error = FolderPath::parse(refused).unwrap_err();
        assert_eq!(error.status(), Status::InvalidArgument, "{refused}");
    }
}

#[test]
fn writes_read_back_until_they_expire_and_expired_ones_are_swept() {
    let folder = folder("expiry");
    let store = FileStore::new(FolderPath(folder.clone()));
    assert_eq!(store.read(NAME, soon()).unwrap(), None, "no folder yet");
    store
        .write(NAME, b"sealed", Duration::from_millis(30), soon())
        .unwrap();
    assert_eq!(
        store.read(NAME, soon()).unwrap().as_deref(),
        Some(&b"sealed"[..])
    );
    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(store.read(NAME, soon()).unwrap(), None, "expired");
    let stale_temporary = folder.join(".0000.tmp");
    fs::write(&stale_temporary, "left by a writer that died").unwrap();
    let old = SystemTime::now() - STALE_TEMPORARY * 2;
    File::options()
        .write(true)
        .open(&stale_temporary)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let other = "fedcba9876543210fedcba9876543210";
    store
        .write(other, b"x", Duration::from_secs(60), soon())
        .unwrap();
    let left: Vec<String> = fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec![format!("{other}.entry")], "swept on write");
    fs::remove_dir_all(&folder).unwrap();
}

#[test]
fn remove_if_removes_only_the_expected_value_and_the_lock_excludes() {
    let folder = folder("remove");
    let store = FileStore::new(FolderPath(folder.clone()));
    store
        .write(NAME, b"one", Duration::from_secs(60), soon())
        .unwrap();
    assert!(!store.remove_if(NAME, b"two", soon()).unwrap());
    assert!(store.remove_if(NAME, b"one", soon()).unwrap());
    assert_eq!(store.read(NAME, soon()).unwrap(), None);

    let held = store
        .try_lock(NAME, Duration::from_secs(1), soon())
        .unwrap();
    assert!(held.is_some());
    // flock excludes another open file description, even in this process.
    assert!(store
        .try_lock(NAME, Duration::from_secs(1), soon())
        .unwrap()
        .is_none());
    let quick = Instant::now() + Duration::from_millis(50);
    assert!(
        store.remove_if(NAME, b"one", quick).is_err(),
        "waits for the lock"
    );
    drop(held);
    assert!(store
        .try_lock(NAME, Duration::from_secs(1), soon())
        .unwrap()
        .is_some());
    fs::remove_dir_all(&folder).unwrap();
}
