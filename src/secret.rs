//! Types that hold credentials. Their `Debug` never shows the value, and the
//! client secret is overwritten in memory when it is dropped.

use std::fmt;
use std::sync::Arc;
use zeroize::{Zeroize, Zeroizing};

/// The client secret. Wiped on drop (best effort: copies made by the HTTP
/// stack while sending are outside our reach).
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(Zeroizing<String>);

impl ClientSecret {
    pub fn new(value: &str) -> ClientSecret {
        ClientSecret(Zeroizing::new(value.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::hash::Hash for ClientSecret {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.expose().hash(state);
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

/// An access token. Cheap to clone (an `Arc`: an atomic increment, not a
/// copy): the cache keeps one in each thread's copy and clones it on a miss,
/// never on the hot path, which lends the thread's copy. The
/// last clone to go wipes the text (best effort: two clones dropped at the
/// same instant on two threads may both see the other and skip it).
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(Arc<str>);

impl Drop for AccessToken {
    fn drop(&mut self) {
        if let Some(text) = Arc::get_mut(&mut self.0) {
            text.zeroize();
        }
    }
}

impl AccessToken {
    pub fn new(value: &str) -> AccessToken {
        AccessToken(Arc::from(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessToken([redacted], {} bytes)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_values() {
        let secret = format!("{:?}", ClientSecret::new("hunter2-secret"));
        let token = format!("{:?}", AccessToken::new("tok-abcdef"));
        assert!(!secret.contains("hunter2"), "{secret}");
        assert!(!token.contains("abcdef"), "{token}");
    }

    #[test]
    fn values_are_kept() {
        assert_eq!(ClientSecret::new("s").expose(), "s");
        assert_eq!(AccessToken::new("t").as_str(), "t");
    }
}
