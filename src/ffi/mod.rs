//! The C ABI, and the only module with `unsafe`.
//!
//! The conventions (statuses, out-pointers, ownership, pointer validity,
//! threads) are stated once, in the header's banner (`cbindgen.toml`,
//! `header`); every export below follows them and documents only what is
//! its own. Each export's body runs inside `ffi_boundary!` (`boundary`), and
//! C values are turned into Rust ones by `marshal`.
//!
//! cbindgen reads this file (and `status_list.rs`, through build.rs) to
//! write include/mcauth.h.
#![allow(non_camel_case_types)]
// The `# Safety` section clippy asks of each export would repeat the header's
// "Pointers" clause, which holds for every pointer argument of every export.
#![allow(clippy::missing_safety_doc)]
#![deny(unsafe_op_in_unsafe_fn)]

#[macro_use]
mod boundary;
pub(crate) mod atfork;
mod marshal;

use crate::auth::Auth;
use crate::error::{Error, Status};
use marshal::{
    check_buffer, copy_into, handle, malloc_string, optional_str_arg, out_arg, str_arg, string_out,
};
use std::ffi::{c_char, c_int, CStr};
use std::path::Path;
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
    ffi_boundary!(status {
        // SAFETY: per this function's contract, every pointer is NULL or valid.
        let slot = unsafe { out_arg(out, "the output pointer") }?;
        let subdomain = unsafe { str_arg(subdomain, "the subdomain") }?;
        let client_id = unsafe { str_arg(client_id, "the client id") }?;
        let client_secret = unsafe { str_arg(client_secret, "the client secret") }?;
        let auth = Auth::new(subdomain, client_id, client_secret)?;
        *slot = Box::into_raw(Box::new(mc_auth { auth }));
        Ok(())
    })
}

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
    ffi_boundary!(status {
        // SAFETY: per this function's contract.
        let slot = unsafe { out_arg(out_token, "the output pointer") }?;
        let auth = unsafe { handle(auth) }?;
        // Copy straight out of this thread's cached copy: no lock, one copy.
        *slot = auth.with_token(|served| malloc_string(served.token.as_str()))??;
        Ok(())
    })
}

/// A buffer of this many bytes always holds a token and its NUL: the auth
/// server's whole answer is limited to this size.
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
    ffi_boundary!(status {
        // SAFETY: per this function's contract.
        let auth = unsafe { handle(auth) }?;
        check_buffer(buffer)?;
        // SAFETY: `buffer` holds `capacity` writable bytes, per the contract.
        auth.with_token(|served| unsafe { copy_into(served.token.as_str(), buffer, capacity) })?
    })
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
    ffi_boundary!(status {
        // SAFETY: per this function's contract.
        let auth = unsafe { handle(auth) }?;
        check_buffer(buffer)?;
        // SAFETY: `buffer` holds `capacity` writable bytes, per the contract.
        let copied = auth.with_cached_token(|served| unsafe {
            copy_into(served.token.as_str(), buffer, capacity)
        });
        copied.unwrap_or_else(|| {
            Err(Error::new(
                Status::NotCached,
                "no usable token is cached; mc_get_token_into would send a request",
            ))
        })
    })
}

/// As `mc_get_token_into`, for bindings that keep their own copy of the
/// token to skip even that call: also gives the token's generation and for
/// how many milliseconds the copy may be served. Serve the copy only while
/// `*mc_token_generation(auth)` still equals `*out_generation` and the
/// milliseconds have not passed; then call again.
///
/// Ownership: the caller owns `buffer`; it and both out-values are written
/// only on `MC_OK`. Thread safety: may be called concurrently on the same
/// handle.
#[no_mangle]
pub unsafe extern "C" fn mc_get_token_stamped(
    auth: *const mc_auth,
    buffer: *mut c_char,
    capacity: usize,
    out_generation: *mut u64,
    out_fresh_ms: *mut u32,
) -> mc_status {
    ffi_boundary!(status {
        // SAFETY: per this function's contract.
        let auth = unsafe { handle(auth) }?;
        check_buffer(buffer)?;
        let generation_slot = unsafe { out_arg(out_generation, "the generation pointer") }?;
        let fresh_slot = unsafe { out_arg(out_fresh_ms, "the fresh-milliseconds pointer") }?;
        let (generation, fresh_ms) = auth.with_token(|served| {
            // SAFETY: `buffer` holds `capacity` writable bytes, per the contract.
            unsafe { copy_into(served.token.as_str(), buffer, capacity) }?;
            let fresh_ms = u32::try_from(served.fresh_for.as_millis()).unwrap_or(u32::MAX);
            Ok::<_, Error>((served.generation, fresh_ms))
        })??;
        *generation_slot = generation;
        *fresh_slot = fresh_ms;
        Ok(())
    })
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
    ffi_boundary!(status {
        // SAFETY: per this function's contract.
        let token_slot = unsafe { out_arg(out_token, "the token pointer") }?;
        let seconds_slot = unsafe { out_arg(out_seconds_left, "the seconds pointer") }?;
        let auth = unsafe { handle(auth) }?;
        let (token, seconds) = auth.with_token(|served| {
            let seconds = u32::try_from(served.valid_for.as_secs()).unwrap_or(u32::MAX);
            (malloc_string(served.token.as_str()), seconds)
        })?;
        *token_slot = token?;
        *seconds_slot = seconds;
        Ok(())
    })
}

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
    ffi_boundary!(status {
        // SAFETY: per this function's contract.
        unsafe { string_out(auth, out_header, Auth::soap_header) }
    })
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
    ffi_boundary!(status {
        // SAFETY: per this function's contract.
        let slot = unsafe { out_arg(out_header, "the output pointer") }?;
        let token = unsafe { str_arg(token, "the token") }?;
        *slot = malloc_string(&crate::soap::fueloauth_header(token)?)?;
        Ok(())
    })
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
    ffi_boundary!(status {
        // SAFETY: per this function's contract.
        let auth = unsafe { handle(auth) }?;
        let rejected = unsafe { optional_str_arg(rejected_token, "the rejected token") }?;
        auth.invalidate(rejected);
        Ok(())
    })
}

/// Sets the time budget of each call on this handle, in milliseconds
/// (default 30000): connect, TLS, retries, backoff and waiting for another
/// thread's request. 0 is `MC_ERR_INVALID_ARGUMENT`.
///
/// Thread safety: may be called concurrently with other calls on the handle;
/// calls already under way keep the budget they started with.
#[no_mangle]
pub unsafe extern "C" fn mc_auth_set_timeout_ms(auth: *mut mc_auth, timeout_ms: u32) -> mc_status {
    ffi_boundary!(status {
        // SAFETY: per this function's contract.
        let auth = unsafe { handle(auth) }?;
        auth.set_timeout(Duration::from_millis(u64::from(timeout_ms)))
    })
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
    ffi_boundary!(status {
        // SAFETY: per this function's contract.
        let auth = unsafe { handle(auth) }?;
        auth.set_refresh_margin(Duration::from_secs(u64::from(secs)));
        Ok(())
    })
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
    ffi_boundary!(status {
        // SAFETY: per this function's contract.
        let auth = unsafe { handle(auth) }?;
        let path = unsafe { str_arg(pem_path, "the CA file path") }?;
        auth.set_ca_file(Path::new(path))
    })
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
    ffi_boundary!(status {
        // SAFETY: per this function's contract.
        let auth = unsafe { handle(auth) }?;
        let url = unsafe { str_arg(proxy_url, "the proxy URL") }?;
        auth.set_proxy(url)
    })
}

/// Sets how many times one call may send the token request, retries
/// included (default 4; 1 to 10, else `MC_ERR_INVALID_ARGUMENT`).
///
/// Thread safety: may be called concurrently with other calls on the handle.
#[no_mangle]
pub unsafe extern "C" fn mc_auth_set_max_attempts(auth: *mut mc_auth, attempts: u32) -> mc_status {
    ffi_boundary!(status {
        // SAFETY: per this function's contract.
        let auth = unsafe { handle(auth) }?;
        auth.set_max_attempts(attempts)
    })
}

/// Gets `https://SUB.rest.marketingcloudapis.com/`. `MC_ERR_INVALID_ARGUMENT`
/// when the handle was made from a URL that names no tenant. Sends nothing.
///
/// Ownership: on `MC_OK`, `*out_url` must be released with `mc_string_free`.
#[no_mangle]
pub unsafe extern "C" fn mc_rest_base_url(
    auth: *const mc_auth,
    out_url: *mut *mut c_char,
) -> mc_status {
    ffi_boundary!(status {
        // SAFETY: per this function's contract.
        unsafe { string_out(auth, out_url, Auth::rest_base_url) }
    })
}

/// Gets `https://SUB.soap.marketingcloudapis.com/Service.asmx`.
/// `MC_ERR_INVALID_ARGUMENT` when the handle was made from a URL that names
/// no tenant. Sends nothing.
///
/// Ownership: on `MC_OK`, `*out_url` must be released with `mc_string_free`.
#[no_mangle]
pub unsafe extern "C" fn mc_soap_endpoint(
    auth: *const mc_auth,
    out_url: *mut *mut c_char,
) -> mc_status {
    ffi_boundary!(status {
        // SAFETY: per this function's contract.
        unsafe { string_out(auth, out_url, Auth::soap_endpoint) }
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    fn last_error() -> String {
        unsafe { CStr::from_ptr(mc_last_error()) }
            .to_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn a_panic_becomes_internal_and_is_recorded() {
        let status = ffi_boundary!(status {
            if true {
                panic!("deliberate");
            }
            Ok(())
        });
        assert_eq!(status, Status::Internal);
        assert!(last_error().contains("deliberate"));
        let text: *const c_char = ffi_boundary!({ panic!("in a getter") });
        assert!(!text.is_null());
    }

    #[test]
    fn null_arguments_are_refused_and_outputs_cleared() {
        let mut out: *mut mc_auth = 8 as *mut mc_auth;
        let status = unsafe { mc_auth_new(ptr::null(), c"id".as_ptr(), c"s".as_ptr(), &mut out) };
        assert_eq!(status, Status::InvalidArgument);
        assert!(out.is_null());
        assert!(last_error().contains("subdomain is NULL"));
        let status = unsafe {
            mc_auth_new(
                c"mc1".as_ptr(),
                c"id".as_ptr(),
                c"s".as_ptr(),
                ptr::null_mut(),
            )
        };
        assert_eq!(status, Status::InvalidArgument);
        let mut token: *mut c_char = 8 as *mut c_char;
        assert_eq!(
            unsafe { mc_get_token(ptr::null(), &mut token) },
            Status::InvalidArgument
        );
        assert!(token.is_null());
    }

    #[test]
    fn invalid_utf8_is_refused() {
        let bad = [0x66u8, 0xff, 0x00];
        let mut out = ptr::null_mut();
        let status = unsafe {
            mc_auth_new(
                c"mc1".as_ptr(),
                bad.as_ptr().cast(),
                c"s".as_ptr(),
                &mut out,
            )
        };
        assert_eq!(status, Status::InvalidArgument);
        assert!(last_error().contains("not valid UTF-8"));
    }

    #[test]
    fn endpoints_round_trip_through_malloc() {
        let mut auth = ptr::null_mut();
        let sub = c"mc563885gzs27c5t9-63k636ttgm";
        assert_eq!(
            unsafe { mc_auth_new(sub.as_ptr(), c"id".as_ptr(), c"s".as_ptr(), &mut auth) },
            Status::Ok
        );
        let mut url = ptr::null_mut();
        assert_eq!(unsafe { mc_rest_base_url(auth, &mut url) }, Status::Ok);
        let text = unsafe { CStr::from_ptr(url) }.to_str().unwrap().to_owned();
        assert_eq!(
            text,
            "https://mc563885gzs27c5t9-63k636ttgm.rest.marketingcloudapis.com/"
        );
        unsafe {
            mc_string_free(url);
            mc_auth_free(auth);
            mc_string_free(ptr::null_mut());
            mc_auth_free(ptr::null_mut());
        }
    }

    #[test]
    fn the_token_buffer_size_covers_the_largest_answer() {
        assert_eq!(
            MC_TOKEN_BUFFER_SIZE as u64,
            crate::http::transport::MAX_BODY
        );
    }

    #[test]
    fn status_texts_are_static_and_total() {
        for code in -1..10 {
            assert!(!mc_status_str(code).is_null());
        }
        let version = unsafe { CStr::from_ptr(mc_version()) }.to_str().unwrap();
        assert_eq!(version, env!("CARGO_PKG_VERSION"));
    }
}
