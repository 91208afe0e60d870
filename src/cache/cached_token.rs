//! A cached token and the clock rules around it: when it stops being served
//! without a refresh (the margin), and when it stops being valid at all.

use crate::secret::AccessToken;
use std::time::{Duration, Instant};

pub(super) struct CachedToken {
    pub token: AccessToken,
    /// When its request was sent: the lifetime began when the server
    /// answered, after we asked, so counting from here errs on the safe side.
    pub fetched_at: Instant,
    pub lifetime: Duration,
}

/// How long after it was issued a token of `lifetime` stops being served
/// without a refresh: `margin` before expiry, or half-way for a token that
/// lives less than twice the margin, so that a short-lived token is not
/// fetched on every call. The one rule, for the cache and for the stores.
pub fn refresh_after(lifetime: Duration, margin: Duration) -> Duration {
    if lifetime >= margin.saturating_mul(2) {
        lifetime - margin
    } else {
        lifetime / 2
    }
}

impl CachedToken {
    /// When the token stops being served without a refresh (`refresh_after`).
    pub fn fresh_until(&self, margin: Duration) -> Instant {
        self.fetched_at + refresh_after(self.lifetime, margin)
    }

    pub fn is_fresh(&self, now: Instant, margin: Duration) -> bool {
        now < self.fresh_until(margin)
    }

    pub fn is_valid(&self, now: Instant) -> bool {
        now < self.fetched_at + self.lifetime
    }

    pub fn remaining(&self, now: Instant) -> Duration {
        (self.fetched_at + self.lifetime).saturating_duration_since(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::test_support::MARGIN;

    #[test]
    fn freshness_respects_margin_and_short_lifetimes() {
        let t0 = Instant::now();
        let at = |secs| t0 + Duration::from_secs(secs);
        let lasting = |secs| CachedToken {
            token: AccessToken::new("t"),
            fetched_at: t0,
            lifetime: Duration::from_secs(secs),
        };
        let long = lasting(3600);
        assert!(long.is_fresh(at(3299), MARGIN));
        assert!(!long.is_fresh(at(3300), MARGIN));
        assert!(long.is_valid(at(3599)));
        assert!(!long.is_valid(at(3600)));
        assert_eq!(long.remaining(at(3000)), Duration::from_secs(600));
        let short = lasting(100);
        assert!(short.is_fresh(at(49), MARGIN));
        assert!(!short.is_fresh(at(50), MARGIN));
        assert!(short.is_fresh(at(89), Duration::from_secs(10)));
        assert_eq!(short.remaining(at(200)), Duration::ZERO);
    }
}
