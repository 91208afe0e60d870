//! An error answer's body (any endpoint, any status): never panics, and
//! what it adds to a message holds no control character and no 8
//! consecutive characters of the client secret, in any case, as written or
//! once its percent, HTML and `\u` escapes are undone (twice, for double
//! escaping: this target's own decoder, not the library's).
#![no_main]
use libfuzzer_sys::fuzz_target;
use mcauth::fuzzing::{error_details, ERROR_BODY_SECRET};

/// `text` with `%XX`, `&#xHH;`, `&#DD;` and `\uXXXX` escapes undone, once.
fn unescaped(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let escape = if let Some(hex) = rest.strip_prefix('%') {
            hex.get(..2).map(|h| (u32::from_str_radix(h, 16), 3))
        } else if let Some(hex) = rest.strip_prefix("\\u") {
            hex.get(..4).map(|h| (u32::from_str_radix(h, 16), 6))
        } else if let Some(entity) = rest.strip_prefix("&#") {
            entity.find(';').map(|end| {
                let (digits, radix) = match entity[..end].strip_prefix(['x', 'X']) {
                    Some(hex) => (hex, 16),
                    None => (&entity[..end], 10),
                };
                (u32::from_str_radix(digits, radix), end + 3)
            })
        } else {
            None
        };
        match escape {
            Some((Ok(code), len)) if char::from_u32(code).is_some() => {
                out.push(char::from_u32(code).unwrap());
                rest = &rest[len..];
            }
            _ => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

fuzz_target!(|body: &[u8]| {
    let (full, brief) = error_details(body);
    let secret = ERROR_BODY_SECRET.to_ascii_lowercase();
    for said in [full, brief] {
        assert!(!said.chars().any(char::is_control), "{said:?}");
        let once = unescaped(&said);
        for form in [said.clone(), unescaped(&once), once] {
            let form = form.to_ascii_lowercase();
            for window in secret.as_bytes().windows(8) {
                let window = std::str::from_utf8(window).unwrap();
                assert!(!form.contains(window), "{window:?} in {said:?}");
            }
        }
    }
});
