//! The outcome code of every call, shared with C as `mc_status`. The list
//! (names, values, texts) lives once, in `status_list.rs`, which build.rs
//! reads too to write the C enum into the header.

use std::ffi::CStr;

/// Turns a `CStr` literal's bytes into a `&CStr` at compile time.
const fn c_text(bytes: &'static [u8]) -> &'static CStr {
    match CStr::from_bytes_with_nul(bytes) {
        Ok(text) => text,
        Err(_) => panic!("a status text holds a NUL"),
    }
}

macro_rules! statuses {
    ($($rust:ident = $c:ident = $value:literal : $text:literal;)*) => {
        /// Outcome codes shared with the C ABI (`mc_status`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(C)]
        pub enum Status {
            $(#[doc = $text] $rust = $value,)*
        }

        impl Status {
            /// Every status, in numeric order.
            pub const ALL: &'static [Status] = &[$(Status::$rust),*];

            /// The status's text, NUL-terminated so that the C ABI can hand
            /// it out as it is.
            pub const fn c_description(self) -> &'static CStr {
                match self {
                    $(Status::$rust => c_text(concat!($text, "\0").as_bytes()),)*
                }
            }
        }
    };
}

include!("status_list.rs");

impl Status {
    pub fn description(self) -> &'static str {
        self.c_description()
            .to_str()
            .expect("status texts are UTF-8")
    }

    /// The status for a raw code, if it is one.
    pub fn from_code(code: i64) -> Option<Status> {
        Status::ALL.iter().copied().find(|s| *s as i64 == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_fixed_and_dense() {
        let codes: Vec<i64> = Status::ALL.iter().map(|s| *s as i64).collect();
        assert_eq!(codes, (0..Status::ALL.len() as i64).collect::<Vec<_>>());
        assert_eq!(Status::Internal as i64, 7);
    }

    #[test]
    fn every_status_has_a_distinct_description() {
        let mut texts: Vec<&str> = Status::ALL.iter().map(|s| s.description()).collect();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), Status::ALL.len());
    }

    #[test]
    fn from_code_round_trips_and_rejects_unknown() {
        for &s in Status::ALL {
            assert_eq!(Status::from_code(s as i64), Some(s));
        }
        assert_eq!(Status::from_code(Status::ALL.len() as i64), None);
        assert_eq!(Status::from_code(-1), None);
    }
}
