//! Stub
#[derive(Debug)]
pub struct SharedCache;
