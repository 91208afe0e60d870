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
    let mut token: *mut c_char = ptr::dangling_mut(); // not NULL: must be cleared
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
fn status_texts_are_static_and_total_and_an_unknown_code_has_its_own() {
    let text = |code| {
        unsafe { CStr::from_ptr(mc_status_str(code)) }
            .to_str()
            .unwrap()
    };
    for status in Status::ALL {
        assert_eq!(text(*status as c_int), status.description());
    }
    let first_unknown = Status::ALL.len() as c_int;
    for unknown in [-1, first_unknown, 99, c_int::MIN, c_int::MAX] {
        assert!(
            Status::ALL.iter().all(|s| s.description() != text(unknown)),
            "{unknown}: {}",
            text(unknown)
        );
    }
    let version = unsafe { CStr::from_ptr(mc_version()) }.to_str().unwrap();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
}

/// A handle that sends nothing in these tests: only settings and the cache
/// are touched.
fn test_handle(client_id: &CStr) -> *mut mc_auth {
    let mut auth = ptr::null_mut();
    let sub = c"mc563885gzs27c5t9-63k636ttgm";
    let status = unsafe { mc_auth_new(sub.as_ptr(), client_id.as_ptr(), c"s".as_ptr(), &mut auth) };
    assert_eq!(status, Status::Ok);
    auth
}

#[test]
fn setters_name_the_argument_they_refuse() {
    let auth = test_handle(c"setters");
    unsafe {
        assert_eq!(mc_auth_set_timeout_ms(auth, 0), Status::InvalidArgument);
        assert!(last_error().contains("timeout"));
        assert_eq!(mc_auth_set_timeout_ms(auth, 5000), Status::Ok);
        assert_eq!(mc_auth_set_refresh_margin_secs(auth, 60), Status::Ok);
        assert_eq!(mc_auth_set_max_attempts(auth, 0), Status::InvalidArgument);
        assert_eq!(
            mc_auth_set_ca_file(auth, ptr::null()),
            Status::InvalidArgument
        );
        assert!(last_error().contains("the CA file path is NULL"));
        let bad = [0x66u8, 0xff, 0x00];
        assert_eq!(
            mc_auth_set_proxy(auth, bad.as_ptr().cast()),
            Status::InvalidArgument
        );
        assert!(last_error().contains("the proxy URL is not valid UTF-8"));
        // NULL is allowed where the argument is optional.
        assert_eq!(mc_auth_set_shared_cache(auth, ptr::null()), Status::Ok);
        assert_eq!(mc_auth_invalidate(auth, ptr::null()), Status::Ok);
        assert_eq!(
            mc_auth_set_timeout_ms(ptr::null_mut(), 1),
            Status::InvalidArgument
        );
        assert!(last_error().contains("the handle is NULL"));
        mc_auth_free(auth);
    }
}

#[test]
fn the_cached_only_read_leaves_the_buffer_untouched_when_nothing_is_cached() {
    let auth = test_handle(c"nothing cached");
    let mut buffer = [b'x' as c_char; 8];
    unsafe {
        let status = mc_get_cached_token_into(auth, buffer.as_mut_ptr(), buffer.len());
        assert_eq!(status, Status::NotCached);
        assert_eq!(
            mc_get_cached_token_into(auth, ptr::null_mut(), 8),
            Status::InvalidArgument
        );
        assert!(last_error().contains("the buffer is NULL"));
        mc_auth_free(auth);
    }
    assert!(buffer.iter().all(|&c| c == b'x' as c_char));
}

#[test]
fn string_outputs_are_cleared_before_any_other_check() {
    let auth = test_handle(c"strings");
    let mut detail: *mut c_char = std::ptr::dangling_mut();
    unsafe {
        assert_eq!(mc_shared_cache_error(auth, &mut detail), Status::Ok);
        assert_eq!(CStr::from_ptr(detail).to_bytes(), b"");
        mc_string_free(detail);
        let mut header: *mut c_char = std::ptr::dangling_mut();
        assert_eq!(
            mc_soap_header_for(ptr::null(), &mut header),
            Status::InvalidArgument
        );
        assert!(header.is_null());
        assert!(last_error().contains("the token is NULL"));
        assert_eq!(mc_soap_header_for(c"t0k".as_ptr(), &mut header), Status::Ok);
        assert!(CStr::from_ptr(header).to_str().unwrap().contains(">t0k</"));
        mc_string_free(header);
        assert_eq!(
            mc_soap_endpoint(auth, ptr::null_mut()),
            Status::InvalidArgument
        );
        assert!(last_error().contains("the output pointer is NULL"));
        mc_auth_free(auth);
    }
}
