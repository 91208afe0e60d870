//! Getting the token: allocated, into the caller's buffer, only from the
//! cache, stamped with its generation, or with its time to live.
#![allow(clippy::missing_safety_doc)] // the header's "Pointers" clause, as in mod.rs

use super::entry::{handle_pair_out, handle_string, token_into, Serving};
use super::marshal::{check_buffer, copy_into, handle, malloc_string};
use super::{mc_auth, mc_status};
use crate::auth::Auth;
use crate::error::Error;
use crate::Served;
use std::ffi::c_char;

/// Gets the access token: from the process-wide cache when it is fresh,
/// otherwise with one request shared by every thread and handle with the
/// same credentials.
///
/// Ownership: on `MC_OK`, `*out_token` receives a string the caller owns and
/// must release with `mc_string_free`; on failure it is NULL.
/// Thread safety: may be called concurrently on the same handle.
#[no_mangle]
pub unsafe extern "C" fn mc_get_token(
    auth: *const mc_auth,
    out_token: *mut *mut c_char,
) -> mc_status {
    // SAFETY: per this function's contract.
    unsafe { handle_string(auth, out_token, |auth| auth.with_token(malloc_token)?) }
}

/// Copies the token straight out of this thread's cached copy: no lock, and
/// one copy on the hot path.
fn malloc_token(served: Served<'_>) -> Result<*mut c_char, Error> {
    malloc_string(served.token.as_str())
}

/// A buffer of this many bytes always holds a token and its NUL: the auth
/// server's answer body is limited to this size.
pub const MC_TOKEN_BUFFER_SIZE: usize = 65536;

/// As `mc_get_token`, but copies the token and its terminating NUL into the
/// caller's `buffer` of `capacity` bytes instead of allocating: one call and
/// nothing to free, for bindings where each foreign call is costly. A
/// buffer too small for the token is `MC_ERR_BUFFER_TOO_SMALL` and is left
/// untouched; `MC_TOKEN_BUFFER_SIZE` bytes are always enough.
///
/// Ownership: the caller owns `buffer`; it is written only on `MC_OK`.
/// Thread safety: may be called concurrently on the same handle.
#[no_mangle]
pub unsafe extern "C" fn mc_get_token_into(
    auth: *const mc_auth,
    buffer: *mut c_char,
    capacity: usize,
) -> mc_status {
    // SAFETY: per this function's contract.
    unsafe { token_into(auth, buffer, capacity, Serving::Fetching) }
}

/// As `mc_get_token_into`, but never sends a request nor waits for one: it
/// copies a token only when one is cached and usable now (fresh, or valid
/// while another call refreshes it), and is `MC_ERR_NOT_CACHED` otherwise.
/// For asynchronous callers, which serve a cached token inline and run
/// `mc_get_token_into` off their event loop only on `MC_ERR_NOT_CACHED`.
///
/// Ownership: the caller owns `buffer`; it is written only on `MC_OK`.
/// Thread safety: may be called concurrently on the same handle.
#[no_mangle]
pub unsafe extern "C" fn mc_get_cached_token_into(
    auth: *const mc_auth,
    buffer: *mut c_char,
    capacity: usize,
) -> mc_status {
    // SAFETY: per this function's contract.
    unsafe { token_into(auth, buffer, capacity, Serving::CachedOnly) }
}

/// As `mc_get_token_into`, for bindings that keep their own copy of the
/// token to skip even that call: also gives the token's generation and for
/// how many milliseconds the copy may be served. Serve the copy only while
/// `*mc_token_generation(auth)` still equals `*out_generation` and the
/// milliseconds have not passed; then call again.
///
/// Ownership: the caller owns `buffer`, written only on `MC_OK`; both
/// out-values are 0 on failure. Thread safety: may be called concurrently
/// on the same handle.
#[no_mangle]
pub unsafe extern "C" fn mc_get_token_stamped(
    auth: *const mc_auth,
    buffer: *mut c_char,
    capacity: usize,
    out_generation: *mut u64,
    out_fresh_ms: *mut u32,
) -> mc_status {
    let copy_stamped = |auth: &Auth| {
        check_buffer(buffer)?;
        auth.with_token(|served| {
            // SAFETY: `buffer` holds `capacity` writable bytes, per the contract.
            unsafe { copy_into(served.token.as_str(), buffer, capacity) }?;
            let fresh_ms = u32::try_from(served.fresh_for.as_millis()).unwrap_or(u32::MAX);
            Ok((served.generation, fresh_ms))
        })?
    };
    let outputs = (
        (out_generation, "the generation pointer"),
        (out_fresh_ms, "the fresh-milliseconds pointer"),
    );
    // SAFETY: per this function's contract.
    unsafe { handle_pair_out(auth, outputs, copy_stamped) }
}

/// The address of the counter that changes whenever the cached token of this
/// handle's credentials changes (a new token, an invalidation through any
/// handle or thread), for `mc_get_token_stamped`. Valid while the handle
/// lives; updated atomically (read it with one aligned 64-bit load). NULL
/// for a NULL handle.
#[no_mangle]
pub unsafe extern "C" fn mc_token_generation(auth: *const mc_auth) -> *const u64 {
    ffi_boundary!({
        // SAFETY: per this function's contract.
        match unsafe { handle(auth) } {
            Ok(auth) => auth.token_generation().as_ptr().cast_const(),
            Err(_) => std::ptr::null(),
        }
    })
}

/// As `mc_get_token`, plus how many whole seconds the token stays valid
/// (until it expires, not until the refresh margin), for logs and
/// schedulers. Both out-pointers are required.
///
/// Ownership: on `MC_OK`, `*out_token` must be released with
/// `mc_string_free`; on failure it is NULL and `*out_seconds_left` is 0.
/// Thread safety: may be called concurrently on the same handle.
#[no_mangle]
pub unsafe extern "C" fn mc_get_token_ttl(
    auth: *const mc_auth,
    out_token: *mut *mut c_char,
    out_seconds_left: *mut u32,
) -> mc_status {
    let outputs = (
        (out_token, "the token pointer"),
        (out_seconds_left, "the seconds pointer"),
    );
    // SAFETY: per this function's contract.
    unsafe {
        handle_pair_out(auth, outputs, |auth| {
            auth.with_token(|served| {
                let seconds = u32::try_from(served.valid_for.as_secs()).unwrap_or(u32::MAX);
                Ok((malloc_token(served)?, seconds))
            })?
        })
    }
}
