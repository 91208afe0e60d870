//! Minting fake access tokens: unique per answer, so a test can tell a cached token from a
//! fresh one. `fake_` + 24 random alphanumerics + `_` + a process-wide sequence number.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// Characters that must be XML-escaped, for the `xml-token` directive.
pub const XML_SPECIALS: &str = "<&>\"'";

static SEQUENCE: AtomicU64 = AtomicU64::new(1);

/// A fresh token. With `xml` it also carries `<&>"'`, to test mcauth's SOAP escaping; with
/// `random_len` above 24, its random part is that long, to test callers' buffers.
pub fn mint(xml: bool, random_len: usize) -> String {
    let seq = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    let random = random_alphanumerics(random_len.max(24), seq);
    if xml {
        format!("fake_{random}{XML_SPECIALS}_{seq}")
    } else {
        format!("fake_{random}_{seq}")
    }
}

/// No rand crate: std's `RandomState` is randomly keyed per process (and its keys change
/// per instance), which is plenty for unguessable-enough test tokens.
fn random_alphanumerics(len: usize, seq: u64) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut out = String::with_capacity(len);
    let mut round = 0u64;
    while out.len() < len {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(seq);
        hasher.write_u128(nanos);
        hasher.write_u64(round);
        let mut bits = hasher.finish();
        // 10 characters of ~5.95 bits each from one 64-bit hash.
        for _ in 0..10 {
            if out.len() == len {
                break;
            }
            out.push(ALPHABET[(bits % ALPHABET.len() as u64) as usize] as char);
            bits /= ALPHABET.len() as u64;
        }
        round += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn unique_and_well_formed() {
        let tokens: HashSet<String> = (0..1000).map(|_| mint(false, 0)).collect();
        assert_eq!(tokens.len(), 1000);
        for t in &tokens {
            let rest = t.strip_prefix("fake_").unwrap();
            let (random, seq) = rest.split_once('_').unwrap();
            assert_eq!(random.len(), 24);
            assert!(random.bytes().all(|b| b.is_ascii_alphanumeric()));
            assert!(seq.parse::<u64>().is_ok());
        }
    }

    #[test]
    fn long_tokens_have_the_asked_random_length() {
        let t = mint(false, 5000);
        let random = t.strip_prefix("fake_").unwrap().split('_').next().unwrap();
        assert_eq!(random.len(), 5000);
    }

    #[test]
    fn xml_token_has_specials() {
        let t = mint(true, 0);
        assert!(t.starts_with("fake_"));
        assert!(t.contains(XML_SPECIALS));
    }
}
