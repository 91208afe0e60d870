//! Bytes as lower-case hex digits: store entry names, lock owners and
//! temporary file names, which must be plain ASCII.

const DIGITS: &[u8; 16] = b"0123456789abcdef";

pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        hex.push(DIGITS[usize::from(byte >> 4)].into());
        hex.push(DIGITS[usize::from(byte & 0xf)].into());
    }
    hex
}

/// Whether `s` is what `encode` makes of some bytes: one or more pairs of
/// lower-case digits. For the folder store's sweep, which is unix only.
#[cfg(unix)]
pub(crate) fn is_encoding(s: &str) -> bool {
    !s.is_empty() && s.len().is_multiple_of(2) && s.bytes().all(|b| DIGITS.contains(&b))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_byte_is_two_lower_case_digits() {
        assert_eq!(super::encode(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(super::encode(&[]), "");
    }

    #[cfg(unix)]
    #[test]
    fn only_an_encoding_is_recognised() {
        assert!(super::is_encoding("000fa5ff"));
        for not in ["", "0", "000FA5FF", "00 f", "notes", "0g"] {
            assert!(!super::is_encoding(not), "{not:?}");
        }
    }
}
