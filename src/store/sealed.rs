//! What a store holds: a token sealed so that only a holder of the client
//! secret can use it, under a name that reveals no credential.
//!
//! Both come from the secret by HKDF-SHA256 (RFC 5869), with the token URL,
//! client id and grant (package kind, account id, scope) as context: the
//! name is 16 bytes of it in hex, the key 32 bytes for AES-256-GCM. Every
//! seal draws a fresh random 96-bit nonce (a token is sealed about once an
//! hour per package, far from GCM's 2^32 random-nonce bound), and the name
//! is authenticated with the value, so a value moved under another name does
//! not open. The secret itself is never stored.
//!
//! A value: `MCS1` | nonce (12) | AES-256-GCM of the plaintext (+ 16-byte
//! tag). The plaintext: issued and expiry times (Unix milliseconds, u64 big
//! endian), then the token, the REST base URL and the SOAP endpoint, each
//! as a u32 big-endian length and its bytes (empty: none).

use super::{from_unix_ms, random_bytes, unix_ms, StoreError, StoreResult};
use crate::auth_url::Api;
use crate::secret::{AccessToken, ClientSecret};
use crate::token::{Grant, InstanceUrls};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::hkdf::{self, KeyType, HKDF_SHA256};
use std::fmt;
use std::time::SystemTime;
use zeroize::Zeroizing;

const MAGIC: &[u8; 4] = b"MCS1";
const SALT: &[u8] = b"mcauth shared cache v1";
const NAME_BYTES: usize = 16;
/// Longer than any token and URL; bounds what a forged length can ask for.
const MAX_FIELD: usize = 16 * 1024;

/// The name and key of one set of credentials' store entry.
pub struct Sealer {
    name: String,
    key: LessSafeKey,
}

/// A token as a store holds it: on the wall clock, which other processes
/// and machines share (monotonic clocks do not compare across them).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StoredToken {
    pub token: AccessToken,
    pub issued_at: SystemTime,
    pub expires_at: SystemTime,
    pub instance_urls: Option<InstanceUrls>,
}

struct Len(usize);

impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

impl Sealer {
    pub fn derive(
        secret: &ClientSecret,
        token_url: &str,
        client_id: &str,
        grant: &Grant,
    ) -> Sealer {
        let context = context(token_url, client_id, grant);
        let prk = hkdf::Salt::new(HKDF_SHA256, SALT).extract(secret.expose().as_bytes());
        let mut name = [0u8; NAME_BYTES];
        prk.expand(&[b"entry name\0", &context], Len(NAME_BYTES))
            .and_then(|okm| okm.fill(&mut name))
            .expect("16 bytes is a valid HKDF-SHA256 length");
        let key = prk
            .expand(&[b"entry key\0", &context], &AES_256_GCM)
            .map(UnboundKey::from)
            .expect("32 bytes is a valid HKDF-SHA256 length");
        Sealer {
            name: crate::hex::encode(&name),
            key: LessSafeKey::new(key),
        }
    }

    /// 32 lowercase hex digits.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn seal(&self, stored: &StoredToken) -> StoreResult<Vec<u8>> {
        let nonce = random_bytes::<NONCE_LEN>()?;
        let mut buffer = plaintext(stored);
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                self.aad(),
                &mut *buffer,
            )
            .map_err(|_| StoreError::new("sealing the token failed"))?;
        let mut value = Vec::with_capacity(MAGIC.len() + NONCE_LEN + buffer.len());
        value.extend_from_slice(MAGIC);
        value.extend_from_slice(&nonce);
        value.extend_from_slice(&buffer);
        Ok(value)
    }

    /// The token in `value`, if it was sealed under this name and key and
    /// is whole.
    pub fn open(&self, value: &[u8]) -> StoreResult<StoredToken> {
        let unusable =
            |why: &str| StoreError::bad_entry(format!("the stored entry is unusable: {why}"));
        let body = value
            .strip_prefix(MAGIC)
            .ok_or_else(|| unusable("not an mcauth entry"))?;
        if body.len() < NONCE_LEN {
            return Err(unusable("truncated"));
        }
        let (nonce, sealed) = body.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| unusable("truncated"))?;
        let mut buffer = Zeroizing::new(sealed.to_vec());
        let plaintext = self
            .key
            .open_in_place(nonce, self.aad(), &mut buffer)
            .map_err(|_| {
                unusable("it does not decrypt (truncated, altered, or sealed with another secret)")
            })?;
        decode(plaintext).ok_or_else(|| unusable("malformed after decryption"))
    }

    fn aad(&self) -> Aad<Vec<u8>> {
        let mut aad = MAGIC.to_vec();
        aad.extend_from_slice(self.name.as_bytes());
        Aad::from(aad)
    }
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealer")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The context of the derivation: every field length-prefixed, so no two
/// different sets of fields give the same bytes.
fn context(token_url: &str, client_id: &str, grant: &Grant) -> Vec<u8> {
    let (kind, account_id, scope) = match grant {
        Grant::Legacy => ("legacy", None, None),
        Grant::Enhanced(g) => ("enhanced", g.account_id(), g.scope()),
    };
    let mut context = Vec::new();
    for field in [
        Some(token_url),
        Some(client_id),
        Some(kind),
        account_id,
        scope,
    ] {
        match field {
            Some(text) => {
                context.push(1);
                context.extend_from_slice(&(text.len() as u64).to_be_bytes());
                context.extend_from_slice(text.as_bytes());
            }
            None => context.push(0),
        }
    }
    context
}

pub(crate) fn decode(mut plaintext: &[u8]) -> Option<StoredToken> {
    let issued_at = from_unix_ms(take_u64(&mut plaintext)?);
    let expires_at = from_unix_ms(take_u64(&mut plaintext)?);
    let token = take_field(&mut plaintext)?;
    let rest = take_field(&mut plaintext)?;
    let soap = take_field(&mut plaintext)?;
    if !plaintext.is_empty() || token.is_empty() {
        return None;
    }
    let instance_urls = match (rest.is_empty(), soap.is_empty()) {
        (true, true) => None,
        // Checked again, as when they came from the auth server.
        (false, false) => Some(InstanceUrls::new(rest, soap).ok()?),
        _ => return None,
    };
    Some(StoredToken {
        token: AccessToken::new(token),
        issued_at,
        expires_at,
        instance_urls,
    })
}

fn take_u64(input: &mut &[u8]) -> Option<u64> {
    let (head, rest) = input.split_first_chunk::<8>()?;
    *input = rest;
    Some(u64::from_be_bytes(*head))
}

fn take_field<'a>(input: &mut &'a [u8]) -> Option<&'a str> {
    let (head, rest) = input.split_first_chunk::<4>()?;
    let len = u32::from_be_bytes(*head) as usize;
    if len > MAX_FIELD || rest.len() < len {
        return None;
    }
    let (field, rest) = rest.split_at(len);
    *input = rest;
    std::str::from_utf8(field).ok()
}

/// What `seal` encrypts: the wall-clock times, then the token and the
/// instance URLs, each after its length. Sized up front with room for the
/// tag, so that neither this nor sealing in place grows the buffer: growing
/// would leave copies of the token in freed memory.
fn plaintext(stored: &StoredToken) -> Zeroizing<Vec<u8>> {
    let (rest, soap) = match &stored.instance_urls {
        Some(urls) => (urls.api_url(Api::Rest), urls.soap_instance_url()),
        None => ("", ""),
    };
    let fields = [stored.token.as_str(), rest, soap];
    let length = 16 + fields.iter().map(|f| 4 + f.len()).sum::<usize>();
    let mut plaintext = Zeroizing::new(Vec::with_capacity(length + AES_256_GCM.tag_len()));
    plaintext.extend_from_slice(&unix_ms(stored.issued_at).to_be_bytes());
    plaintext.extend_from_slice(&unix_ms(stored.expires_at).to_be_bytes());
    for field in fields {
        plaintext.extend_from_slice(&(field.len() as u32).to_be_bytes());
        plaintext.extend_from_slice(field.as_bytes());
    }
    plaintext
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::EnhancedGrant;
    use std::time::Duration;

    const URL: &str = "https://mc1.auth.marketingcloudapis.com/v1/requestToken";

    fn sealer(secret: &str, client_id: &str, grant: &Grant) -> Sealer {
        Sealer::derive(&ClientSecret::new(secret), URL, client_id, grant)
    }

    fn stored(token: &str, urls: Option<InstanceUrls>) -> StoredToken {
        let now = from_unix_ms(unix_ms(SystemTime::now()));
        StoredToken {
            token: AccessToken::new(token),
            issued_at: now,
            expires_at: now + Duration::from_secs(3600),
            instance_urls: urls,
        }
    }

    #[test]
    fn the_plaintext_has_room_for_the_tag_so_sealing_never_grows_it() {
        let urls = InstanceUrls::new(
            "https://x.rest.marketingcloudapis.com/",
            "https://x.soap.marketingcloudapis.com/",
        )
        .unwrap();
        for stored in [stored(&"t".repeat(5000), Some(urls)), stored("t", None)] {
            let buffer = plaintext(&stored);
            assert_eq!(buffer.capacity(), buffer.len() + AES_256_GCM.tag_len());
        }
    }

    #[test]
    fn a_sealed_token_opens_with_the_same_credentials_only() {
        let a = sealer("secret-1", "id", &Grant::Legacy);
        let urls = InstanceUrls::new(
            "https://mc1.rest.marketingcloudapis.com/",
            "https://mc1.soap.marketingcloudapis.com/",
        )
        .unwrap();
        for token in [stored("tok-1", None), stored("tok-2", Some(urls))] {
            let value = a.seal(&token).unwrap();
            assert_eq!(a.open(&value).unwrap(), token);
            assert!(sealer("secret-2", "id", &Grant::Legacy)
                .open(&value)
                .is_err());
        }
    }

    #[test]
    fn names_differ_by_every_part_of_the_identity_and_show_none_of_it() {
        let enhanced = |account: Option<&str>, scope: Option<&str>| {
            Grant::Enhanced(EnhancedGrant::new(account, scope).unwrap())
        };
        let names: Vec<String> = [
            sealer("s", "client-id-1", &Grant::Legacy),
            sealer("t", "client-id-1", &Grant::Legacy),
            sealer("s", "client-id-2", &Grant::Legacy),
            sealer("s", "client-id-1", &enhanced(None, None)),
            sealer("s", "client-id-1", &enhanced(Some("42"), None)),
            sealer("s", "client-id-1", &enhanced(None, Some("42"))),
        ]
        .iter()
        .map(|s| s.name().to_owned())
        .collect();
        for (i, name) in names.iter().enumerate() {
            assert_eq!(name.len(), 32);
            assert!(name
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
            assert!(!name.contains("client"));
            assert!(
                names[i + 1..].iter().all(|other| other != name),
                "{names:?}"
            );
        }
        assert_eq!(
            sealer("s", "client-id-1", &Grant::Legacy).name(),
            names[0],
            "derivation is deterministic"
        );
    }

    #[test]
    fn the_value_shows_neither_token_nor_credentials_and_never_repeats() {
        let a = sealer("very-secret", "the-client-id", &Grant::Legacy);
        let token = stored("the-access-token", None);
        let one = a.seal(&token).unwrap();
        let two = a.seal(&token).unwrap();
        assert_ne!(one, two, "a fresh nonce per seal");
        for needle in ["very-secret", "the-client-id", "the-access-token"] {
            let found = one.windows(needle.len()).any(|w| w == needle.as_bytes());
            assert!(!found, "{needle} is readable in the value");
        }
    }

    #[test]
    fn altered_truncated_or_moved_values_do_not_open() {
        let a = sealer("s", "id-a", &Grant::Legacy);
        let b = sealer("s", "id-b", &Grant::Legacy);
        let value = a.seal(&stored("tok", None)).unwrap();
        assert!(b.open(&value).is_err(), "moved under another name");
        for cut in [0, 3, 4, 10, 16, value.len() - 1] {
            assert!(a.open(&value[..cut]).is_err(), "truncated at {cut}");
        }
        for i in 0..value.len() {
            let mut flipped = value.clone();
            flipped[i] ^= 0x40;
            assert!(a.open(&flipped).is_err(), "bit flipped at {i}");
        }
        let err = a.open(b"garbage").unwrap_err().to_string();
        assert!(err.contains("unusable"), "{err}");
    }
}
