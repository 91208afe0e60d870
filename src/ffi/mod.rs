//! The C ABI, and the only module with `unsafe`.
//!
//! The conventions (statuses, out-pointers, ownership, pointer validity,
//! threads) are stated once, in the header's banner (`cbindgen.toml`,
//! `header`); every export below follows them and documents only what is
//! its own. Every export runs inside `ffi_boundary!` (`boundary`), and C
//! values are turned into Rust ones and back by `marshal`. Most exports come
//! in a few shapes (a call on the handle, a string for the caller, a token
//! into the caller's buffer, a new handle), which `entry` runs, so that each
//! of them says only what is its own; the others use the two directly.
//!
//! The exports: handles, settings and library strings here; getting the
//! token in `tokens`; what calls need (SOAP header, rejection check, API
//! addresses) in `calls`. cbindgen reads these three files (and build.rs
//! `status_list.rs`) to write include/mcauth.h.
#![allow(non_camel_case_types)]
// The `# Safety` section clippy asks of each export would repeat the header's
// "Pointers" clause, which holds for every pointer argument of every export.
#![allow(clippy::missing_safety_doc)]
#![deny(unsafe_op_in_unsafe_fn)]

#[macro_use]
mod boundary;
// What only unix systems have: fork handlers, the effective user id.
#[cfg(unix)]
pub(crate) mod atfork;
pub mod calls;
mod entry;
mod marshal;
#[cfg(unix)]
pub(crate) mod os;
#[cfg(test)]
mod tests;
pub mod tokens;

use crate::auth::Auth;
use crate::error::{Error, Status};
use entry::{handle_call, handle_call_optional_str, handle_call_str, handle_string, new_handle};
use marshal::optional_str_arg;
use std::ffi::{c_char, c_int, CStr};
use std::time::Duration;

/// A handle on one set of Marketing Cloud credentials. Opaque.
#[derive(Debug)]
pub struct mc_auth {
    auth: Auth,
}

/// The C name of `Status`. build.rs writes its definition into the header
/// from `status_list.rs`, so cbindgen is told not to (`[export] exclude`).
pub type mc_status = Status;

/// Creates a handle. Sends nothing.
///
/// `subdomain` is the tenant subdomain (`mc563885gzs27c5t9-63k636ttgm`), the
/// Authentication Base URI (`https://SUB.auth.marketingcloudapis.com/`, with
/// or without `v1/requestToken`), any other `https://` URL, or an `http://`
/// URL on a loopback host (for local testing). The strings are copied.
///
/// Ownership: on `MC_OK`, `*out` receives a handle that the caller owns and
/// must release with `mc_auth_free`; on failure `*out` is NULL.
/// Thread safety: may be called from any thread.
#[no_mangle]
pub unsafe extern "C" fn mc_auth_new(
    subdomain: *const c_char,
    client_id: *const c_char,
    client_secret: *const c_char,
    out: *mut *mut mc_auth,
) -> mc_status {
    // SAFETY: per this function's contract.
    unsafe { new_handle(subdomain, client_id, client_secret, out, Auth::new) }
}

/// Creates a handle on an enhanced installed package, whose tokens come from
/// `/v2/token` (OAuth 2.0 client credentials). Sends nothing.
///
/// `subdomain` is as for `mc_auth_new` (a base URL may end in `v2/token`).
/// `account_id` is the MID of the business unit the token is for (1 to 20
/// digits, sent as a JSON number) and `scope` the space-separated scopes
/// (not empty); either may be NULL, which leaves it out of the request (the
/// package's own business unit, its scopes). A token is shared by every
/// handle with the same credentials, `account_id` and `scope`, never across
/// them. On this handle `mc_rest_base_url` and `mc_soap_endpoint` give the
/// addresses of the latest token answer (`rest_instance_url`,
/// `soap_instance_url` + `Service.asmx`); before the first token, the
/// subdomain's, and for a URL that names no tenant they get a token first.
/// An answer naming an instance URL other than https on a
/// `*.marketingcloudapis.com` host (or a loopback host) fails the token call
/// with `MC_ERR_BAD_RESPONSE`. The strings are copied.
///
/// Ownership: on `MC_OK`, `*out` receives a handle that the caller owns and
/// must release with `mc_auth_free`; on failure `*out` is NULL.
/// Thread safety: may be called from any thread.
#[no_mangle]
pub unsafe extern "C" fn mc_auth_new_enhanced(
    subdomain: *const c_char,
    client_id: *const c_char,
    client_secret: *const c_char,
    account_id: *const c_char,
    scope: *const c_char,
    out: *mut *mut mc_auth,
) -> mc_status {
    // SAFETY: per this function's contract.
    unsafe {
        new_handle(
            subdomain,
            client_id,
            client_secret,
            out,
            |subdomain, id, secret| {
                let account_id = optional_str_arg(account_id, "the account_id")?;
                let scope = optional_str_arg(scope, "the scope")?;
                Auth::new_enhanced(subdomain, id, secret, account_id, scope)
            },
        )
    }
}

/// After a REST or SOAP call answered 401 with `rejected_token`: drops the
/// cached token if it still is `rejected_token` (NULL: drops whatever is
/// cached), so the next `mc_get_token` fetches a new one. Many threads
/// invalidating the same token cause one new request.
///
/// Ownership: `rejected_token` is only read. Thread safety: may be called
/// concurrently on the same handle.
#[no_mangle]
pub unsafe extern "C" fn mc_auth_invalidate(
    auth: *const mc_auth,
    rejected_token: *const c_char,
) -> mc_status {
    // SAFETY: per this function's contract.
    unsafe {
        handle_call_optional_str(auth, rejected_token, "the rejected token", |auth, token| {
            auth.invalidate(token);
        })
    }
}

/// Sets the time budget of each call on this handle, in milliseconds
/// (default 30000): connect, TLS, retries, backoff and waiting for another
/// thread's request. 0 is `MC_ERR_INVALID_ARGUMENT`.
///
/// Thread safety: may be called concurrently with other calls on the handle;
/// calls already under way keep the budget they started with.
#[no_mangle]
pub unsafe extern "C" fn mc_auth_set_timeout_ms(auth: *mut mc_auth, timeout_ms: u32) -> mc_status {
    let timeout = Duration::from_millis(timeout_ms.into());
    // SAFETY: per this function's contract.
    unsafe { handle_call(auth, |auth| auth.set_timeout(timeout)) }
}

/// Sets how many seconds before expiry the token is refreshed (default
/// 300). A token that lives less than twice the margin is refreshed at half
/// its lifetime instead.
///
/// Thread safety: may be called concurrently with other calls on the handle.
#[no_mangle]
pub unsafe extern "C" fn mc_auth_set_refresh_margin_secs(
    auth: *mut mc_auth,
    secs: u32,
) -> mc_status {
    let margin = Duration::from_secs(secs.into());
    // SAFETY: per this function's contract.
    unsafe { handle_call(auth, |auth| auth.set_refresh_margin(margin)) }
}

/// Trusts every certificate of the PEM bundle at `pem_path` in addition to
/// the system's roots. A missing, unreadable or certificate-less file is
/// `MC_ERR_INVALID_ARGUMENT`. The file is read now; the path is not kept.
///
/// Thread safety: may be called concurrently with other calls on the handle.
#[no_mangle]
pub unsafe extern "C" fn mc_auth_set_ca_file(
    auth: *mut mc_auth,
    pem_path: *const c_char,
) -> mc_status {
    // SAFETY: per this function's contract.
    unsafe { handle_call_str(auth, pem_path, "the CA file path", Auth::set_ca_file) }
}

/// Sends every request of this handle through the HTTP proxy
/// `http://[user:password@]host:port` (CONNECT for https), never around it.
/// A malformed URL is `MC_ERR_INVALID_ARGUMENT`. Without this call,
/// `HTTPS_PROXY`/`https_proxy`/`ALL_PROXY`/`all_proxy` and `NO_PROXY` apply.
///
/// Thread safety: may be called concurrently with other calls on the handle.
#[no_mangle]
pub unsafe extern "C" fn mc_auth_set_proxy(
    auth: *mut mc_auth,
    proxy_url: *const c_char,
) -> mc_status {
    // SAFETY: per this function's contract.
    unsafe { handle_call_str(auth, proxy_url, "the proxy URL", Auth::set_proxy) }
}

/// Sets how many times one call may send the token request, retries
/// included (default 4; 1 to 10, else `MC_ERR_INVALID_ARGUMENT`).
///
/// Thread safety: may be called concurrently with other calls on the handle.
#[no_mangle]
pub unsafe extern "C" fn mc_auth_set_max_attempts(auth: *mut mc_auth, attempts: u32) -> mc_status {
    // SAFETY: per this function's contract.
    unsafe { handle_call(auth, |auth| auth.set_max_attempts(attempts)) }
}

/// Shares this handle's tokens with other processes through `store_url`, or
/// NULL (or "") to stop sharing, whatever `MCAUTH_SHARED_CACHE` says:
///   "file:///absolute/folder"
///       a folder on this machine (unix only: MC_ERR_INVALID_ARGUMENT
///       elsewhere)
///   "redis://[user:password@]host[:port][/db]"
///       a Redis server (port 6379 by default; rediss:// for TLS, verified
///       like the auth server)
/// A malformed URL is `MC_ERR_INVALID_ARGUMENT`. Without a call, the
/// environment variable `MCAUTH_SHARED_CACHE`, when set, gives the store for
/// every handle (so a fleet can opt in without code changes).
///
/// A process that has no fresh token reads the store, and on a miss takes
/// the store's lock, reads again and only then requests, so that one process
/// requests for all; the others wait for its token (at most half of their
/// budget). Tokens are stored encrypted under a key derived from the client
/// secret, which is never stored. A store failure (unreachable, read-only,
/// corrupt, lock not taken in time) never fails a call: the call goes on as
/// without a store, and `mc_shared_cache_error` tells what happened.
/// Nothing is opened until a call needs the store.
///
/// Thread safety: may be called concurrently with other calls on the handle.
#[no_mangle]
pub unsafe extern "C" fn mc_auth_set_shared_cache(
    auth: *mut mc_auth,
    store_url: *const c_char,
) -> mc_status {
    // SAFETY: per this function's contract.
    unsafe {
        handle_call_optional_str(
            auth,
            store_url,
            "the shared cache URL",
            Auth::set_shared_cache,
        )
    }
}

/// Gets what went wrong with the shared cache in this handle's latest use of
/// it (its store and the failure; never a secret, a token or a password),
/// or an empty string when nothing did. For diagnostics: store failures
/// never fail a call.
///
/// Ownership: on `MC_OK`, `*out_detail` receives a string the caller owns
/// and must release with `mc_string_free`; on failure it is NULL.
/// Thread safety: may be called concurrently on the same handle.
#[no_mangle]
pub unsafe extern "C" fn mc_shared_cache_error(
    auth: *const mc_auth,
    out_detail: *mut *mut c_char,
) -> mc_status {
    // SAFETY: per this function's contract.
    unsafe { handle_string(auth, out_detail, shared_cache_detail) }
}

/// What `mc_shared_cache_error` gives: the detail, or an empty string when
/// nothing went wrong.
fn shared_cache_detail(auth: &Auth) -> Result<String, Error> {
    Ok(auth.shared_cache_error().unwrap_or_default())
}

/// Releases a string returned by this library. NULL is fine. Never pass our
/// strings to `free()` (on Windows the C runtimes may differ), nor strings
/// from elsewhere to this function.
#[no_mangle]
pub unsafe extern "C" fn mc_string_free(s: *mut c_char) {
    ffi_boundary!({
        // SAFETY: `s` is NULL or came from `malloc_string`, per the contract.
        unsafe { libc::free(s.cast()) }
    })
}

/// Releases a handle. NULL is fine. Must not race other calls on the same
/// handle. The shared cached token outlives the handle (until it expires),
/// so a new handle with the same credentials reuses it.
#[no_mangle]
pub unsafe extern "C" fn mc_auth_free(auth: *mut mc_auth) {
    ffi_boundary!({
        if !auth.is_null() {
            // SAFETY: non-NULL handles come from Box::into_raw in mc_auth_new
            // and are freed once, per the contract.
            drop(unsafe { Box::from_raw(auth) });
        }
    })
}

/// A static description of a status code; unknown codes get one too.
/// Never NULL; never free it.
#[no_mangle]
pub extern "C" fn mc_status_str(status: c_int) -> *const c_char {
    ffi_boundary!({
        match Status::from_code(i64::from(status)) {
            Some(known) => known.c_description().as_ptr(),
            None => c"unknown status code".as_ptr(),
        }
    })
}

/// The detail of the last failure of a call made on this thread (the
/// status's text and what went wrong; never the secret or a token). Never
/// NULL; never free it. Valid until the next failing call on this thread.
#[no_mangle]
pub extern "C" fn mc_last_error() -> *const c_char {
    ffi_boundary!({
        boundary::LAST_ERROR
            .try_with(|last| last.borrow().as_ptr())
            .unwrap_or(c"no error detail: the thread is exiting".as_ptr())
    })
}

/// The library's version, e.g. "0.1.0". Static; never free it.
#[no_mangle]
pub extern "C" fn mc_version() -> *const c_char {
    const VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(v) => v,
            Err(_) => panic!("the version holds a NUL"),
        };
    ffi_boundary!({ VERSION.as_ptr() })
}
