//! The one door every export and fork handler goes through: panics are
//! caught (they must not unwind into C), and, for the exports that return a
//! status, a failure's detail is kept for `mc_last_error`.

use crate::error::{Error, Status};
use std::cell::RefCell;
use std::ffi::{c_char, c_int, CString};

thread_local! {
    pub(super) static LAST_ERROR: RefCell<CString> = RefCell::new(CString::from(c"no error"));
}

/// Keeps `error` as this thread's last error. During thread teardown (a call
/// from a thread-local destructor) the slot may be gone: the detail is then
/// dropped rather than aborting the process, and the status still returns.
pub(super) fn record_error(error: &Error) {
    // Messages hold no NUL by construction; strip any rather than lose the detail.
    let text = error.to_string().replace('\0', " ");
    let text = CString::new(text).expect("NULs were removed");
    let _ = LAST_ERROR.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            *last = text;
        }
    });
}

/// The value an export returns when its body panicked.
pub(super) trait PanicValue {
    fn on_panic() -> Self;
}

impl PanicValue for Status {
    fn on_panic() -> Self {
        Status::Internal
    }
}

impl PanicValue for () {
    fn on_panic() -> Self {}
}

/// `mc_is_token_rejected`: "not known to be rejected", so the caller does not
/// invalidate on a bug's word.
impl PanicValue for c_int {
    fn on_panic() -> Self {
        0
    }
}

impl PanicValue for *const u64 {
    fn on_panic() -> Self {
        std::ptr::null()
    }
}

impl PanicValue for *const c_char {
    fn on_panic() -> Self {
        Status::Internal.c_description().as_ptr()
    }
}

/// The status of a `status { … }` body's outcome, recording a failure (or
/// a panic, as `MC_ERR_INTERNAL`) for `mc_last_error`. Inlined, so that
/// success, the hot path of every export, costs one comparison.
#[inline]
pub(super) fn into_status(result: std::thread::Result<Result<(), Error>>) -> Status {
    match result {
        Ok(Ok(())) => Status::Ok,
        Ok(Err(error)) => failed(error),
        Err(payload) => panicked(payload.as_ref()),
    }
}

#[cold]
fn failed(error: Error) -> Status {
    record_error(&error);
    error.status()
}

#[cold]
fn panicked(payload: &(dyn std::any::Any + Send)) -> Status {
    let message = format!("panic: {}", panic_message(payload));
    failed(Error::new(Status::Internal, message))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown panic")
}

/// Runs an export's body, catching panics. A body of type
/// `Result<(), Error>` (`status { … }`) becomes an `mc_status` and records
/// the error for `mc_last_error`; any other body returns its value as it is,
/// or its type's `PanicValue`.
macro_rules! ffi_boundary {
    (status $body:block) => {{
        let result = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(
            || -> ::std::result::Result<(), $crate::error::Error> { $body },
        ));
        $crate::ffi::boundary::into_status(result)
    }};
    ($body:block) => {{
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(value) => value,
            Err(_) => $crate::ffi::boundary::PanicValue::on_panic(),
        }
    }};
}
