use super::calls::*;
use super::tokens::*;
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
    let mut out: *mut mc_auth = std::ptr::dangling_mut();
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
