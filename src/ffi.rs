//! The C ABI, and the only module with `unsafe`.
//!
//! Conventions (stated once here, repeated in the header where it matters):
//! - Every fallible function returns an `mc_status`; outputs go through
//!   out-pointers, are set to NULL first and written only on `MC_OK`.
//! - Every export runs inside `ffi_boundary!`, which turns a panic into
//!   `MC_ERR_INTERNAL` (or a harmless value) instead of unwinding into C.
//! - Pointer arguments are checked for NULL and strings decoded as UTF-8
//!   before anything else happens.
//! - Strings returned through `char **` are allocated with `malloc` and
//!   must be released with `mc_string_free`.
//! - Safety, for every `unsafe` export: each pointer argument is NULL or
//!   valid as C would expect (live handle, NUL-terminated string, writable
//!   out-pointer). The header states this once, so the per-function
//!   `# Safety` sections clippy asks for would only repeat it.
#![allow(non_camel_case_types, clippy::missing_safety_doc)]
#![deny(unsafe_op_in_unsafe_fn)]

use crate::auth::Auth;
use crate::error::{Error, Status};
use std::cell::RefCell;
use std::ffi::{c_char, c_int, CStr, CString};
use std::path::Path;
use std::time::Duration;

/// A handle on one set of Marketing Cloud credentials. Opaque.
#[derive(Debug)]
pub struct mc_auth {
    auth: Auth,
}

/// Outcome of a call. The values are fixed forever: codes are never
/// renumbered or reused.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mc_status {
    /// Success.
    MC_OK = 0,
    /// NULL, invalid UTF-8, empty credential, bad subdomain/URL/option.
    MC_ERR_INVALID_ARGUMENT = 1,
    /// The auth server rejected the credentials (401/403).
    MC_ERR_UNAUTHORIZED = 2,
    /// Any other non-2xx answer, after retries; a refused redirect too.
    MC_ERR_HTTP = 3,
    /// DNS, connect, TLS (untrusted certificate too), reset, proxy.
    MC_ERR_NETWORK = 4,
    /// The call's time budget ran out.
    MC_ERR_TIMEOUT = 5,
    /// 2xx but not the expected JSON, or larger than the 64 KiB body limit.
    MC_ERR_BAD_RESPONSE = 6,
    /// A bug: a caught panic.
    MC_ERR_INTERNAL = 7,
}

impl From<Status> for mc_status {
    fn from(status: Status) -> mc_status {
        match status {
            Status::Ok => mc_status::MC_OK,
            Status::InvalidArgument => mc_status::MC_ERR_INVALID_ARGUMENT,
            Status::Unauthorized => mc_status::MC_ERR_UNAUTHORIZED,
            Status::Http => mc_status::MC_ERR_HTTP,
            Status::Network => mc_status::MC_ERR_NETWORK,
            Status::Timeout => mc_status::MC_ERR_TIMEOUT,
            Status::BadResponse => mc_status::MC_ERR_BAD_RESPONSE,
            Status::Internal => mc_status::MC_ERR_INTERNAL,
        }
    }
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::from(c"no error"));
}

fn record_error(error: &Error) {
    // Messages hold no NUL by construction; strip any rather than lose the detail.
    let text = error.to_string().replace('\0', " ");
    let text = CString::new(text).expect("NULs were removed");
    LAST_ERROR.with(|last| *last.borrow_mut() = text);
}

/// The value an export returns when its body panicked.
trait PanicValue {
    fn on_panic() -> Self;
}

impl PanicValue for mc_status {
    fn on_panic() -> Self {
        mc_status::MC_ERR_INTERNAL
    }
}

impl PanicValue for () {
    fn on_panic() -> Self {}
}

impl PanicValue for *const c_char {
    fn on_panic() -> Self {
        c"internal error in mcauth".as_ptr()
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown panic")
}

/// Runs an export's body, catching panics. A body of type
/// `Result<(), Error>` becomes an `mc_status` and records the error for
/// `mc_last_error`; any other body returns its value as it is.
macro_rules! ffi_boundary {
    (status $body:block) => {{
        let result =
            ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| -> Result<(), Error> {
                $body
            }));
        match result {
            Ok(Ok(())) => mc_status::MC_OK,
            Ok(Err(error)) => {
                record_error(&error);
                mc_status::from(error.status())
            }
            Err(payload) => {
                record_error(&Error::new(
                    Status::Internal,
                    format!("panic: {}", panic_message(payload.as_ref())),
                ));
                mc_status::MC_ERR_INTERNAL
            }
        }
    }};
    ($body:block) => {{
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(value) => value,
            Err(_) => PanicValue::on_panic(),
        }
    }};
}

/// Decodes a required string argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives `'a`.
unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(Error::invalid_argument(format!("{name} is NULL")));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes
        .to_str()
        .map_err(|_| Error::invalid_argument(format!("{name} is not valid UTF-8")))
}

/// Borrows the handle behind `ptr`.
///
/// # Safety
/// `ptr` is NULL or a live handle from `mc_auth_new`.
unsafe fn handle<'a>(ptr: *const mc_auth) -> Result<&'a Auth, Error> {
    // SAFETY: non-NULL handles come from Box::into_raw and are live per the caller.
    unsafe { ptr.as_ref() }
        .map(|h| &h.auth)
        .ok_or_else(|| Error::invalid_argument("the handle is NULL"))
}

/// Checks an out-pointer and sets it to NULL, so that it holds NULL on any
/// failure that follows.
///
/// # Safety
/// `out` is NULL or valid for writes.
unsafe fn out_arg<'a, T>(out: *mut *mut T, name: &str) -> Result<&'a mut *mut T, Error> {
    // SAFETY: non-NULL and writable per the caller's contract.
    let slot = unsafe { out.as_mut() }
        .ok_or_else(|| Error::invalid_argument(format!("{name} is NULL")))?;
    *slot = std::ptr::null_mut();
    Ok(slot)
}

/// Copies `s` into a `malloc`ed NUL-terminated string for the caller.
///
/// No scan for interior NULs: this is on the hot path, and every string we
/// return is NUL-free by construction (tokens with control characters are
/// refused as bad responses; URLs and headers are built from checked parts).
fn malloc_string(s: &str) -> Result<*mut c_char, Error> {
    // SAFETY: malloc has no preconditions; the result is checked for NULL.
    let ptr = unsafe { libc::malloc(s.len() + 1) }.cast::<u8>();
    if ptr.is_null() {
        return Err(Error::new(Status::Internal, "out of memory"));
    }
    // SAFETY: `ptr` has room for len + 1 bytes and does not overlap `s`.
    unsafe {
        std::ptr::copy_nonoverlapping(s.as_ptr(), ptr, s.len());
        *ptr.add(s.len()) = 0;
    }
    Ok(ptr.cast())
}

/// Runs `produce` and hands its string to the caller through `out`.
///
/// # Safety
/// As for `out_arg` and `handle`.
unsafe fn string_out(
    auth: *const mc_auth,
    out: *mut *mut c_char,
    produce: impl FnOnce(&Auth) -> Result<String, Error>,
) -> Result<(), Error> {
    // SAFETY: forwarded from the export's contract.
    let slot = unsafe { out_arg(out, "the output pointer") }?;
    // SAFETY: forwarded from the export's contract.
    let auth = unsafe { handle(auth) }?;
    let value = produce(auth)?;
    *slot = malloc_string(&value)?;
    Ok(())
}

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
        *slot = auth.with_token(|token| malloc_string(token.as_str()))??;
        Ok(())
    })
}

/// A buffer of this many bytes always holds a token and its NUL: the auth
/// server's whole answer is limited to this size.
pub const MC_TOKEN_BUFFER_SIZE: usize = 65536;

/// As `mc_get_token`, but copies the token and its terminating NUL into the
/// caller's `buffer` of `capacity` bytes instead of allocating: one call and
/// nothing to free, for bindings where each foreign call is costly. A
/// buffer too small for the token is `MC_ERR_INVALID_ARGUMENT` and is left
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
        if buffer.is_null() {
            return Err(Error::invalid_argument("the buffer is NULL"));
        }
        // SAFETY: per this function's contract.
        let auth = unsafe { handle(auth) }?;
        auth.with_token(|token| {
            let bytes = token.as_str().as_bytes();
            if bytes.len() >= capacity {
                return Err(Error::invalid_argument(format!(
                    "the buffer holds {capacity} bytes; the token and its NUL need {}",
                    bytes.len() + 1
                )));
            }
            // SAFETY: the caller gives `capacity` writable bytes, and the
            // token plus its NUL fit, as checked above.
            unsafe {
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), buffer.cast::<u8>(), bytes.len());
                *buffer.add(bytes.len()) = 0;
            }
            Ok(())
        })?
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
        unsafe { string_out(auth, out_header, |a| a.soap_header()) }
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
        let rejected = if rejected_token.is_null() {
            None
        } else {
            Some(unsafe { str_arg(rejected_token, "the rejected token") }?)
        };
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
    ffi_boundary!({ LAST_ERROR.with(|last| last.borrow().as_ptr()) })
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
    fn status_values_match_the_core() {
        for status in Status::ALL {
            assert_eq!(mc_status::from(status) as i32, status as i32);
        }
    }

    #[test]
    fn a_panic_becomes_internal_and_is_recorded() {
        let status = ffi_boundary!(status {
            if true {
                panic!("deliberate");
            }
            Ok(())
        });
        assert_eq!(status, mc_status::MC_ERR_INTERNAL);
        assert!(last_error().contains("deliberate"));
        let text: *const c_char = ffi_boundary!({ panic!("in a getter") });
        assert!(!text.is_null());
    }

    #[test]
    fn null_arguments_are_refused_and_outputs_cleared() {
        let mut out: *mut mc_auth = 8 as *mut mc_auth;
        let status = unsafe { mc_auth_new(ptr::null(), c"id".as_ptr(), c"s".as_ptr(), &mut out) };
        assert_eq!(status, mc_status::MC_ERR_INVALID_ARGUMENT);
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
        assert_eq!(status, mc_status::MC_ERR_INVALID_ARGUMENT);
        let mut token: *mut c_char = 8 as *mut c_char;
        assert_eq!(
            unsafe { mc_get_token(ptr::null(), &mut token) },
            mc_status::MC_ERR_INVALID_ARGUMENT
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
        assert_eq!(status, mc_status::MC_ERR_INVALID_ARGUMENT);
        assert!(last_error().contains("not valid UTF-8"));
    }

    #[test]
    fn endpoints_round_trip_through_malloc() {
        let mut auth = ptr::null_mut();
        let sub = c"mc563885gzs27c5t9-63k636ttgm";
        assert_eq!(
            unsafe { mc_auth_new(sub.as_ptr(), c"id".as_ptr(), c"s".as_ptr(), &mut auth) },
            mc_status::MC_OK
        );
        let mut url = ptr::null_mut();
        assert_eq!(
            unsafe { mc_rest_base_url(auth, &mut url) },
            mc_status::MC_OK
        );
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
        assert_eq!(MC_TOKEN_BUFFER_SIZE as u64, crate::transport::MAX_BODY);
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
