//! The folder store where it does not exist: it relies on unix ownership,
//! modes, `O_NOFOLLOW` and fork handling, so outside unix systems a
//! `file://` URL is an invalid argument pointing to Redis.

use super::Store;
use crate::error::Error;
use std::sync::Arc;

/// A folder of a `file://` URL: none can be made on this system.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum FolderPath {}

impl FolderPath {
    pub fn parse(path: &str) -> Result<FolderPath, Error> {
        Err(super::folder_url_refused(
            path,
            "the folder store needs a unix system; use a Redis store (redis:// or rediss://)",
        ))
    }

    pub fn display(&self) -> std::path::Display<'_> {
        match *self {}
    }

    pub fn store(&self) -> Arc<dyn Store> {
        match *self {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    #[test]
    fn a_folder_url_is_an_invalid_argument_naming_redis() {
        let error = FolderPath::parse("/var/cache/mcauth").unwrap_err();
        assert_eq!(error.status(), Status::InvalidArgument);
        assert!(error.to_string().contains("needs a unix system"), "{error}");
        assert!(error.to_string().contains("redis://"), "{error}");
    }
}
