//! The shapes an export comes in. Each helper runs the whole call inside the
//! panic boundary (`ffi_boundary!`), decodes the handle and its arguments
//! with `marshal`, clears out-pointers first and writes outputs only on
//! success, so that an export's body names only what is its own: the `Auth`
//! method it calls, what else it checks, and how its arguments are named in
//! error messages.
//!
//! Every helper is `unsafe` for the header's "Pointers" clause: its pointer
//! arguments are an export's, passed on under that export's contract.

use super::marshal::{
    check_buffer, copy_into, credentials, handle, malloc_string, optional_str_arg, out_arg,
    str_arg, NullOutput,
};
use super::{mc_auth, mc_status};
use crate::auth::Auth;
use crate::cache::Served;
use crate::error::{Error, Status};
use std::ffi::c_char;

/// What the call of a status-only export returns: nothing (it cannot fail),
/// or whether it failed.
pub(super) trait CallOutcome {
    fn into_result(self) -> Result<(), Error>;
}

impl CallOutcome for () {
    fn into_result(self) -> Result<(), Error> {
        Ok(())
    }
}

impl CallOutcome for Result<(), Error> {
    fn into_result(self) -> Result<(), Error> {
        self
    }
}

/// Runs `call` on the handle: the setters and other calls with no output.
pub(super) unsafe fn handle_call<R: CallOutcome>(
    auth: *const mc_auth,
    call: impl FnOnce(&Auth) -> R,
) -> mc_status {
    ffi_boundary!(status {
        // SAFETY: passed on from the export's contract.
        let auth = unsafe { handle(auth) }?;
        call(auth).into_result()
    })
}

/// As `handle_call`, with a required string argument, decoded after the
/// handle and lent to `call` as what it takes (`str`, `Path`); `name` is
/// what error messages call it.
pub(super) unsafe fn handle_call_str<A: ?Sized, R: CallOutcome>(
    auth: *const mc_auth,
    arg: *const c_char,
    name: &str,
    call: impl FnOnce(&Auth, &A) -> R,
) -> mc_status
where
    str: AsRef<A>,
{
    // SAFETY: passed on from the export's contract.
    unsafe {
        handle_call(auth, |auth| {
            call(auth, str_arg(arg, name)?.as_ref()).into_result()
        })
    }
}

/// As `handle_call_str`, for an argument that may be NULL (`None`).
pub(super) unsafe fn handle_call_optional_str<R: CallOutcome>(
    auth: *const mc_auth,
    arg: *const c_char,
    name: &str,
    call: impl FnOnce(&Auth, Option<&str>) -> R,
) -> mc_status {
    // SAFETY: passed on from the export's contract.
    unsafe {
        handle_call(auth, |auth| {
            call(auth, optional_str_arg(arg, name)?).into_result()
        })
    }
}

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

/// Hands the two values `produce` makes from the handle to the caller
/// through two out-pointers (each with the name error messages give it).
/// Both are checked and cleared before the handle is decoded, and written
/// only when `produce` succeeds.
pub(super) unsafe fn handle_pair_out<A: NullOutput, B: NullOutput>(
    auth: *const mc_auth,
    (first, second): ((*mut A, &str), (*mut B, &str)),
    produce: impl FnOnce(&Auth) -> Result<(A, B), Error>,
) -> mc_status {
    ffi_boundary!(status {
        // SAFETY: passed on from the export's contract. Both are cleared
        // before either is refused: a NULL first pointer still leaves the
        // second holding its failure value, as the header promises.
        let (first_slot, second_slot) =
            unsafe { (out_arg(first.0, first.1), out_arg(second.0, second.1)) };
        let (first_slot, second_slot) = (first_slot?, second_slot?);
        let auth = unsafe { handle(auth) }?;
        (*first_slot, *second_slot) = produce(auth)?;
        Ok(())
    })
}

/// Which token an into-buffer export copies.
pub(super) enum Serving {
    /// The cached one, or a new one (`mc_get_token_into`).
    Fetching,
    /// Only one cached and usable now (`mc_get_cached_token_into`).
    CachedOnly,
}

/// Copies a token into the caller's `buffer` of `capacity` bytes, straight
/// from this thread's copy on a cache hit.
pub(super) unsafe fn token_into(
    auth: *const mc_auth,
    buffer: *mut c_char,
    capacity: usize,
    serving: Serving,
) -> mc_status {
    ffi_boundary!(status {
        // SAFETY: passed on from the export's contract.
        let auth = unsafe { handle(auth) }?;
        check_buffer(buffer)?;
        // SAFETY: `buffer` holds `capacity` writable bytes, per the contract.
        let copy = |served: Served<'_>| unsafe { copy_into(served.token.as_str(), buffer, capacity) };
        match serving {
            Serving::Fetching => auth.with_token(copy)?,
            Serving::CachedOnly => auth.with_cached_token(copy).ok_or_else(not_cached)?,
        }
    })
}

/// Why `mc_get_cached_token_into` copied nothing.
fn not_cached() -> Error {
    Error::new(
        Status::NotCached,
        "no usable token is cached; mc_get_token_into would send a request",
    )
}

/// Makes a handle with `make` from the three strings every handle is made
/// from (`make` may decode more arguments); `*out` receives it.
pub(super) unsafe fn new_handle(
    subdomain: *const c_char,
    client_id: *const c_char,
    client_secret: *const c_char,
    out: *mut *mut mc_auth,
    make: impl FnOnce(&str, &str, &str) -> Result<Auth, Error>,
) -> mc_status {
    ffi_boundary!(status {
        // SAFETY: passed on from the export's contract.
        let slot = unsafe { out_arg(out, "the output pointer") }?;
        let (subdomain, id, secret) = unsafe { credentials(subdomain, client_id, client_secret) }?;
        let auth = make(subdomain, id, secret)?;
        // The caller releases it with `mc_auth_free`.
        *slot = Box::into_raw(Box::new(mc_auth { auth }));
        Ok(())
    })
}
