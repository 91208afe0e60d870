//! Stub: the Redis store (being written).
use super::{Store, StoreError, StoreLock};
use crate::error::Error;
use crate::http::tls::TrustRoots;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct RedisUrl;

impl RedisUrl {
    pub fn parse(_url: &str) -> Result<RedisUrl, Error> {
        todo!()
    }
}

pub(crate) struct RedisStore;

impl RedisStore {
    pub fn shared(_url: &RedisUrl, _roots: &TrustRoots) -> Arc<dyn Store> {
        todo!()
    }
}

impl Store for RedisStore {
    fn read(&self, _: &str, _: Instant) -> Result<Option<Vec<u8>>, StoreError> { todo!() }
    fn write(&self, _: &str, _: &[u8], _: Duration, _: Instant) -> Result<(), StoreError> { todo!() }
    fn remove_if(&self, _: &str, _: &[u8], _: Instant) -> Result<bool, StoreError> { todo!() }
    fn try_lock(&self, _: &str, _: Duration, _: Instant) -> Result<Option<Box<dyn StoreLock>>, StoreError> { todo!() }
}
