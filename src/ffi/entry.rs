//! The shapes an export comes in. Each helper runs the whole call inside the
//! panic boundary (`ffi_boundary!`), decodes the handle and the arguments
//! with `marshal`, and writes outputs only on success, so that an export's
//! body names only what is its own: the `Auth` method it calls, and how its
//! arguments are named in error messages.
//!
//! Every helper is `unsafe` for the header's "Pointers" clause: its pointer
//! arguments are an export's, passed on under that export's contract.

use super::marshal::{handle, malloc_string, out_arg};
use super::{mc_auth, mc_status};
use crate::auth::Auth;
use crate::error::Error;
use std::ffi::c_char;

/// A string an export hands to the caller through a `char **`.
pub(super) trait CallerString {
    fn into_malloced(self) -> Result<*mut c_char, Error>;
}

impl CallerString for String {
    fn into_malloced(self) -> Result<*mut c_char, Error> {
        malloc_string(&self)
    }
}

/// A string `malloc_string` already copied: the token, which is copied
/// straight out of the cache, so that the hot path copies it once.
impl CallerString for *mut c_char {
    fn into_malloced(self) -> Result<*mut c_char, Error> {
        Ok(self)
    }
}

/// Hands the string `produce` makes to the caller through `out`. The
/// out-pointer is checked (and cleared) before anything else, so that it is
/// NULL whatever fails next.
pub(super) unsafe fn string_out<S: CallerString>(
    out: *mut *mut c_char,
    produce: impl FnOnce() -> Result<S, Error>,
) -> mc_status {
    ffi_boundary!(status {
        // SAFETY: passed on from the export's contract.
        let slot = unsafe { out_arg(out, "the output pointer") }?;
        *slot = produce()?.into_malloced()?;
        Ok(())
    })
}

/// As `string_out`, for a string made from the handle.
pub(super) unsafe fn handle_string<S: CallerString>(
    auth: *const mc_auth,
    out: *mut *mut c_char,
    produce: impl FnOnce(&Auth) -> Result<S, Error>,
) -> mc_status {
    // SAFETY: passed on from the export's contract.
    unsafe { string_out(out, || produce(handle(auth)?)) }
}
