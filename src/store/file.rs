//! The folder store (`file:///absolute/folder`): one file per entry, one
//! lock file per entry, for the processes of one machine (and one user).
//!
//! - The folder is created 0700 when missing; a folder or file that is a
//!   symlink, is owned by another user, or that others may write, is refused.
//! - An entry (`NAME.entry`, mode 0600) is written to a temporary file and
//!   renamed into place: a reader sees the old value or the new, never half.
//!   It starts with its expiry (Unix ms, u64 big endian, in clear: all it
//!   reveals is when some token expires), so that expired entries are
//!   ignored on read and swept on write without the key.
//! - The lock is an exclusive `flock` on `NAME.lock`. The kernel drops it
//!   when its holder dies, and a forked child closes its inherited copy
//!   of the descriptor (`fork::close_in_child`), so it never holds it. Lock
//!   files stay: removing one while another process waits on it would let
//!   two processes hold "the" lock.

use super::{from_unix_ms, random_bytes, unix_ms, Store, StoreError, StoreLock, StoreResult};
use crate::error::Error;
use crate::fork;
use std::fs::{self, DirBuilder, File, OpenOptions, TryLockError};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// A sealed token is well under 2 KiB: a larger file is not ours.
const MAX_ENTRY: u64 = 64 * 1024;
const EXPIRY_BYTES: usize = 8;
/// A temporary file this old was left by a writer that died.
const STALE_TEMPORARY: Duration = Duration::from_secs(60);
/// Between two tries at a lock held by another process.
const LOCK_POLL: Duration = Duration::from_millis(5);

/// An absolute folder path, from a `file://` URL.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct FolderPath(PathBuf);

impl FolderPath {
    /// `path` is what follows `file://`: an absolute path (`file:///x`), with
    /// `%XX` escapes decoded. A host (`file://host/x`) is refused.
    pub fn parse(path: &str) -> Result<FolderPath, Error> {
        let refuse = |why: &str| Err(super::folder_url_refused(path, why));
        if !path.starts_with('/') {
            return refuse("it needs an absolute folder, as in file:///var/cache/mcauth");
        }
        let Some(decoded) = super::percent_decode(path) else {
            return refuse("a % is not followed by two hex digits");
        };
        if decoded.contains('\0') || decoded.split('/').any(|part| part == "..") {
            return refuse("it holds a NUL or a '..'");
        }
        if decoded
            .split('/')
            .all(|part| part.is_empty() || part == ".")
        {
            return refuse("it names the root folder");
        }
        Ok(FolderPath(PathBuf::from(decoded.as_str())))
    }

    pub fn display(&self) -> std::path::Display<'_> {
        self.0.display()
    }

    /// The folder store in this folder.
    pub fn store(&self) -> Arc<dyn Store> {
        Arc::new(FileStore::new(self.clone()))
    }
}

pub(crate) struct FileStore {
    folder: PathBuf,
}

/// A held `flock`, released when dropped.
struct FileLock {
    // Fields drop in declaration order: the registration must go before the
    // descriptor closes, or a fork in between would close in its child
    // whatever this process opened next under the same number.
    _closed_in_child: fork::CloseInChild,
    file: File,
}

impl StoreLock for FileLock {}

impl Drop for FileLock {
    fn drop(&mut self) {
        // Unlock explicitly: closing would leave the lock held while a
        // forked child still had a copy of the descriptor.
        let _ = self.file.unlock();
    }
}

impl FileStore {
    pub fn new(folder: FolderPath) -> FileStore {
        FileStore { folder: folder.0 }
    }

    fn path(&self, name: &str, extension: &str) -> PathBuf {
        self.folder.join(format!("{name}.{extension}"))
    }

    fn failed(&self, what: &str, error: impl std::fmt::Display) -> StoreError {
        StoreError::new(format!("{what} in {}: {error}", self.folder.display()))
    }

    /// The folder, created 0700 when missing, if it is ours alone.
    fn folder_for_writing(&self) -> StoreResult<()> {
        match DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.folder)
        {
            Ok(()) => self.check_folder(Use::Writing).map(|_| ()),
            Err(e) => Err(self.failed("cannot create the folder", e)),
        }
    }

    /// Whether the folder exists; an error if it is not ours alone, or, for
    /// writing, if it is `/` (where a root process would write and sweep
    /// files): `FolderPath` refuses `/` by name, this by another way
    /// (`/proc/self/root/.`). Reading from it does no harm.
    fn check_folder(&self, to: Use) -> StoreResult<bool> {
        let meta = match fs::symlink_metadata(&self.folder) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(self.failed("cannot inspect the folder", e)),
        };
        if !meta.file_type().is_dir() {
            return Err(self.failed("refused", "the folder is a symlink or not a folder"));
        }
        if to == Use::Writing {
            let root = fs::metadata("/").map_err(|e| self.failed("cannot inspect /", e))?;
            if (meta.dev(), meta.ino()) == (root.dev(), root.ino()) {
                return Err(self.failed("refused", "the folder is the root folder"));
            }
        }
        check_owner(&meta, 0o022).map_err(|why| self.failed("refused: the folder", why))?;
        Ok(true)
    }

    /// Opens a file of ours, never through a symlink.
    fn open(&self, path: &Path, options: &mut OpenOptions) -> io::Result<File> {
        let file = options.custom_flags(libc::O_NOFOLLOW).open(path)?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(io::Error::other("not a regular file"));
        }
        check_owner(&meta, 0o077).map_err(io::Error::other)?;
        Ok(file)
    }

    fn read_entry(&self, path: &Path) -> StoreResult<Option<(SystemTime, Vec<u8>)>> {
        let file = match self.open(path, OpenOptions::new().read(true)) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(refused_entry(path, e)),
        };
        let mut content = Vec::new();
        file.take(MAX_ENTRY + 1)
            .read_to_end(&mut content)
            .map_err(|e| refused_entry(path, e))?;
        if content.len() as u64 > MAX_ENTRY || content.len() < EXPIRY_BYTES {
            return Err(refused_entry(path, "not an mcauth entry (size)"));
        }
        let value = content.split_off(EXPIRY_BYTES);
        let expiry = u64::from_be_bytes(content.try_into().expect("8 bytes"));
        Ok(Some((from_unix_ms(expiry), value)))
    }

    /// Writes `content` to a new temporary file beside `target` and renames
    /// it into place.
    fn replace(&self, target: &Path, content: &[u8]) -> StoreResult<()> {
        let suffix = crate::hex::encode(&random_bytes::<8>()?);
        let temporary = self.folder.join(format!(".{suffix}.tmp"));
        let written = self
            .open(
                &temporary,
                OpenOptions::new().write(true).create_new(true).mode(0o600),
            )
            .and_then(|mut file| file.write_all(content))
            .and_then(|()| fs::rename(&temporary, target));
        if written.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        written.map_err(|e| self.failed("cannot write the entry", e))
    }

    /// Removes expired entries and temporary files left by dead writers,
    /// recognised by the names this store gives them. Best effort: a
    /// failure here costs only disk space.
    fn sweep(&self, now: SystemTime) {
        let Ok(listing) = fs::read_dir(&self.folder) else {
            return;
        };
        for item in listing.flatten() {
            let path = item.path();
            let name = item.file_name();
            let name = name.to_string_lossy();
            // Only names this store writes: the folder may hold other files
            // (a home folder passes the owner and mode checks).
            let ours = |stem: Option<&str>| stem.is_some_and(crate::hex::is_encoding);
            let expired = if ours(name.strip_suffix(".entry")) {
                matches!(self.read_entry(&path), Ok(Some((expires_at, _))) if expires_at <= now)
            } else if ours(name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp"))) {
                item.metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| now.duration_since(t).unwrap_or_default() > STALE_TEMPORARY)
            } else {
                false
            };
            if expired {
                let _ = fs::remove_file(&path);
            }
        }
    }

    /// Takes the lock, trying until `deadline`.
    fn lock_until(&self, name: &str, deadline: Instant) -> StoreResult<FileLock> {
        loop {
            if let Some(lock) = self.try_lock_file(name)? {
                return Ok(lock);
            }
            if Instant::now() + LOCK_POLL >= deadline {
                return Err(self.failed("timed out", "another process holds the lock"));
            }
            std::thread::sleep(LOCK_POLL);
        }
    }

    fn try_lock_file(&self, name: &str) -> StoreResult<Option<FileLock>> {
        self.folder_for_writing()?;
        let path = self.path(name, "lock");
        let file = self
            .open(
                &path,
                OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .mode(0o600),
            )
            .map_err(|e| self.failed("cannot open the lock file", e))?;
        // Registered before locking, so no fork finds the lock held by a
        // descriptor the child would keep.
        let closed_in_child = fork::close_in_child(file.as_raw_fd());
        match file.try_lock() {
            Ok(()) => Ok(Some(FileLock {
                file,
                _closed_in_child: closed_in_child,
            })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(self.failed("cannot lock", e)),
        }
    }
}

impl Store for FileStore {
    fn read(&self, name: &str, _deadline: Instant) -> StoreResult<Option<Vec<u8>>> {
        if !self.check_folder(Use::Reading)? {
            return Ok(None);
        }
        match self.read_entry(&self.path(name, "entry"))? {
            Some((expires_at, value)) if SystemTime::now() < expires_at => Ok(Some(value)),
            _ => Ok(None),
        }
    }

    fn write(
        &self,
        name: &str,
        value: &[u8],
        ttl: Duration,
        _deadline: Instant,
    ) -> StoreResult<()> {
        self.folder_for_writing()?;
        let now = SystemTime::now();
        self.sweep(now);
        let mut content = unix_ms(now + ttl).to_be_bytes().to_vec();
        content.extend_from_slice(value);
        self.replace(&self.path(name, "entry"), &content)
    }

    fn remove_if(&self, name: &str, expected: &[u8], deadline: Instant) -> StoreResult<bool> {
        if !self.check_folder(Use::Reading)? {
            return Ok(false);
        }
        // Under the lock: no process writes the entry between the
        // comparison and the removal.
        let _lock = self.lock_until(name, deadline)?;
        let path = self.path(name, "entry");
        match self.read_entry(&path)? {
            Some((_, value)) if value == expected => fs::remove_file(&path)
                .map(|()| true)
                .map_err(|e| self.failed("cannot remove the entry", e)),
            _ => Ok(false),
        }
    }

    fn try_lock(
        &self,
        name: &str,
        _lease: Duration,
        _deadline: Instant,
    ) -> StoreResult<Option<Box<dyn StoreLock>>> {
        // No lease: the holder keeps the lock only for its own request,
        // which its deadline bounds, and the kernel releases a dead one's.
        Ok(self
            .try_lock_file(name)?
            .map(|lock| Box::new(lock) as Box<dyn StoreLock>))
    }
}

/// What the folder is checked for.
#[derive(PartialEq, Eq)]
enum Use {
    Reading,
    Writing,
}

/// Refuses what another user owns, or what others may write (`forbidden`
/// mode bits).
fn check_owner(meta: &fs::Metadata, forbidden: u32) -> Result<(), String> {
    if meta.uid() != crate::ffi::os::effective_uid() {
        return Err("is owned by another user".into());
    }
    if meta.mode() & forbidden != 0 {
        return Err(format!(
            "has mode {:o}, open to other users",
            meta.mode() & 0o777
        ));
    }
    Ok(())
}

fn refused_entry(path: &Path, why: impl std::fmt::Display) -> StoreError {
    StoreError::bad_entry(format!("the entry {} is refused: {why}", path.display()))
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
