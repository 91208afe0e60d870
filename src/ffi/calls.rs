//! What a call to Marketing Cloud needs besides the token: the SOAP header,
//! whether an answer rejected the token, and the API's addresses.
#![allow(clippy::missing_safety_doc)] // the header's "Pointers" clause, as in mod.rs

use super::entry::{handle_string, string_out};
use super::marshal::str_arg;
use super::{mc_auth, mc_status};
use crate::auth::Auth;
use crate::soap::fueloauth_header;
use std::ffi::{c_char, c_int};

/// Gets `<h:fueloauth xmlns="http://exacttarget.com"
/// xmlns:h="http://exacttarget.com">TOKEN</h:fueloauth>` with the current
/// token XML-escaped, ready to place inside `<s:Header>`.
///
/// Ownership: on `MC_OK`, `*out_header` receives a string the caller owns
/// and must release with `mc_string_free`; on failure it is NULL.
/// Thread safety: may be called concurrently on the same handle.
#[no_mangle]
pub unsafe extern "C" fn mc_soap_header(
    auth: *const mc_auth,
    out_header: *mut *mut c_char,
) -> mc_status {
    // SAFETY: per this function's contract.
    unsafe { handle_string(auth, out_header, Auth::soap_header) }
}

/// Gets the `fueloauth` header element, as `mc_soap_header` does, for
/// exactly `token`: for a caller that already holds the token it will
/// invalidate if the call is rejected, so header and token always agree.
/// Sends nothing; needs no handle. An empty token, or one with characters
/// XML 1.0 cannot carry, is `MC_ERR_INVALID_ARGUMENT`.
///
/// Ownership: on `MC_OK`, `*out_header` must be released with
/// `mc_string_free`; on failure it is NULL. `token` is only read.
#[no_mangle]
pub unsafe extern "C" fn mc_soap_header_for(
    token: *const c_char,
    out_header: *mut *mut c_char,
) -> mc_status {
    // SAFETY: per this function's contract.
    unsafe {
        string_out(out_header, || {
            fueloauth_header(str_arg(token, "the token")?)
        })
    }
}

/// 1 when an API answer means "this access token was rejected: invalidate
/// the token you sent, get a new one and retry once", else 0. That is HTTP
/// 401 from the REST API (whatever the body), or a SOAP fault (1.1
/// `faultstring` or 1.2 `Reason/Text`, by element local name, any namespace
/// prefix) saying "Token Expired" or "Login Failed", whatever the HTTP
/// status (Marketing Cloud sends 500). Text elsewhere in a document does not
/// count. `body` may be NULL (no body); at most `body_len` bytes are read,
/// and need not be UTF-8 or NUL-terminated.
///
/// Never blocks, records no error, allocates nothing the caller frees.
#[no_mangle]
pub unsafe extern "C" fn mc_is_token_rejected(
    http_status: c_int,
    body: *const c_char,
    body_len: usize,
) -> c_int {
    ffi_boundary!({
        let body: &[u8] = if body.is_null() || body_len == 0 {
            &[]
        } else {
            // SAFETY: `body` points to `body_len` readable bytes, per the contract.
            unsafe { std::slice::from_raw_parts(body.cast::<u8>(), body_len) }
        };
        c_int::from(crate::rejection::is_token_rejected(http_status, body))
    })
}

/// 1 when the body of an answer with `http_status` must be read to tell,
/// with `mc_is_token_rejected`, whether it rejected the token: an error
/// status other than 401. 0 when the status settles it (give
/// `mc_is_token_rejected` a NULL body): 401 rejects; below 400 nothing is
/// looked for, since Marketing Cloud sends its faults with HTTP 500 and a
/// successful answer may be a download the caller streams. The rule every
/// integration follows before reading an answer.
///
/// Never blocks, records no error, allocates nothing the caller frees.
#[no_mangle]
pub extern "C" fn mc_token_rejection_needs_body(http_status: c_int) -> c_int {
    ffi_boundary!({ c_int::from(crate::rejection::rejection_needs_body(http_status)) })
}

/// Gets `https://SUB.rest.marketingcloudapis.com/`. `MC_ERR_INVALID_ARGUMENT`
/// when the handle was made from a URL that names no tenant. Sends nothing,
/// except on an enhanced handle (`mc_auth_new_enhanced`, which says more).
///
/// Ownership: on `MC_OK`, `*out_url` must be released with `mc_string_free`.
#[no_mangle]
pub unsafe extern "C" fn mc_rest_base_url(
    auth: *const mc_auth,
    out_url: *mut *mut c_char,
) -> mc_status {
    // SAFETY: per this function's contract.
    unsafe { handle_string(auth, out_url, Auth::rest_base_url) }
}

/// Gets `https://SUB.soap.marketingcloudapis.com/Service.asmx`.
/// `MC_ERR_INVALID_ARGUMENT` when the handle was made from a URL that names
/// no tenant. Sends nothing, except on an enhanced handle (as above).
///
/// Ownership: on `MC_OK`, `*out_url` must be released with `mc_string_free`.
#[no_mangle]
pub unsafe extern "C" fn mc_soap_endpoint(
    auth: *const mc_auth,
    out_url: *mut *mut c_char,
) -> mc_status {
    // SAFETY: per this function's contract.
    unsafe { handle_string(auth, out_url, Auth::soap_endpoint) }
}
