//! Stub: the folder store (being written).
use super::{Store, StoreError, StoreLock};
use crate::error::Error;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct FolderPath(PathBuf);

impl FolderPath {
    pub fn parse(_path: &str) -> Result<FolderPath, Error> { todo!() }
    pub fn display(&self) -> std::path::Display<'_> { self.0.display() }
}

pub(crate) struct FileStore;

impl FileStore {
    pub fn new(_folder: FolderPath) -> FileStore { FileStore }
}

impl Store for FileStore {
    fn read(&self, _: &str, _: Instant) -> Result<Option<Vec<u8>>, StoreError> { todo!() }
    fn write(&self, _: &str, _: &[u8], _: Duration, _: Instant) -> Result<(), StoreError> { todo!() }
    fn remove_if(&self, _: &str, _: &[u8], _: Instant) -> Result<bool, StoreError> { todo!() }
    fn try_lock(&self, _: &str, _: Duration, _: Instant) -> Result<Option<Box<dyn StoreLock>>, StoreError> { todo!() }
}
