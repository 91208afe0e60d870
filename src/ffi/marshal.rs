//! Turning C arguments into Rust values and Rust results into C outputs.
//! Every function here is `unsafe` only for the pointer contract the header
//! states once ("Pointers" in its banner).

use super::mc_auth;
use crate::auth::Auth;
use crate::error::{Error, Status};
use std::ffi::{c_char, CStr};

/// Decodes a required string argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(super) unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(Error::invalid_argument(format!("{name} is NULL")));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes
        .to_str()
        .map_err(|_| Error::invalid_argument(format!("{name} is not valid UTF-8")))
}

/// Decodes the three strings every handle is made from.
///
/// # Safety
/// As for `str_arg`, for each.
pub(super) unsafe fn credentials<'a>(
    subdomain: *const c_char,
    client_id: *const c_char,
    client_secret: *const c_char,
) -> Result<(&'a str, &'a str, &'a str), Error> {
    // SAFETY: forwarded from the caller's contract.
    unsafe {
        Ok((
            str_arg(subdomain, "the subdomain")?,
            str_arg(client_id, "the client id")?,
            str_arg(client_secret, "the client secret")?,
        ))
    }
}

/// Decodes an optional string argument: NULL is `None`.
///
/// # Safety
/// As for `str_arg`.
pub(super) unsafe fn optional_str_arg<'a>(
    ptr: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, Error> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded from the caller's contract.
    unsafe { str_arg(ptr, name) }.map(Some)
}

/// Borrows the handle behind `ptr`.
///
/// # Safety
/// `ptr` is NULL or a live handle from `mc_auth_new`.
pub(super) unsafe fn handle<'a>(ptr: *const mc_auth) -> Result<&'a Auth, Error> {
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
pub(super) unsafe fn out_arg<'a, T>(out: *mut T, name: &str) -> Result<&'a mut T, Error>
where
    T: NullOutput,
{
    // SAFETY: non-NULL and writable per the caller's contract.
    let slot = unsafe { out.as_mut() }
        .ok_or_else(|| Error::invalid_argument(format!("{name} is NULL")))?;
    *slot = T::NULL;
    Ok(slot)
}

/// What an out-pointer holds until the call succeeds.
pub(super) trait NullOutput {
    const NULL: Self;
}

impl<T> NullOutput for *mut T {
    const NULL: Self = std::ptr::null_mut();
}

impl NullOutput for u32 {
    const NULL: Self = 0;
}

impl NullOutput for u64 {
    const NULL: Self = 0;
}

/// Copies `s` into a `malloc`ed NUL-terminated string for the caller.
///
/// No scan for interior NULs: this is on the hot path, and every string we
/// return is NUL-free by construction (tokens with control characters are
/// refused as bad responses; URLs and headers are built from checked parts).
pub(super) fn malloc_string(s: &str) -> Result<*mut c_char, Error> {
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

/// Refuses a NULL caller buffer.
pub(super) fn check_buffer(buffer: *mut c_char) -> Result<(), Error> {
    if buffer.is_null() {
        return Err(Error::invalid_argument("the buffer is NULL"));
    }
    Ok(())
}

/// Copies `s` and its NUL into the caller's buffer, or leaves the buffer
/// untouched and says how much it needs.
///
/// # Safety
/// `buffer` holds `capacity` writable bytes.
pub(super) unsafe fn copy_into(s: &str, buffer: *mut c_char, capacity: usize) -> Result<(), Error> {
    let bytes = s.as_bytes();
    if bytes.len() >= capacity {
        return Err(Error::new(
            Status::BufferTooSmall,
            format!(
                "the buffer holds {capacity} bytes; the token and its NUL need {}",
                bytes.len() + 1
            ),
        ));
    }
    // SAFETY: the caller gives `capacity` writable bytes, and the token plus
    // its NUL fit, as checked above.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), buffer.cast::<u8>(), bytes.len());
        *buffer.add(bytes.len()) = 0;
    }
    Ok(())
}
