//! Each thread's own copy of the last token it was served. The hot path of
//! `mc_get_token` reads only this copy and the entry's generation number,
//! writing nothing shared, so threads do not contend for a lock or a
//! reference count on every call.

use super::Served;
use crate::secret::AccessToken;
use std::cell::RefCell;
use std::time::Duration;

/// How much earlier than the precise refresh point a copy stops being used:
/// covers the coarse clock's lag (a kernel tick, at most 10 ms).
const COARSE_CLOCK_SLACK: Duration = Duration::from_millis(20);

/// A thread's copy of a token, with when it stops being fresh for the margin
/// it was read with, so the hot path compares two instants instead of doing
/// duration arithmetic.
///
/// `fresh_until` is on the coarse monotonic clock (CLOCK_MONOTONIC_COARSE on
/// Linux): the hot path reads it for a fraction of the precise clock's cost,
/// and a refresh point minutes before expiry needs no better than
/// millisecond resolution.
struct ThreadCopy {
    generation: u64,
    margin: Duration,
    fresh_until: coarsetime::Instant,
    expires_at: coarsetime::Instant,
    token: AccessToken,
}

thread_local! {
    static RECENT: RefCell<Option<ThreadCopy>> = const { RefCell::new(None) };
}

/// Runs `read` on this thread's copy if it is the token of `generation`, was
/// read with `margin`, and is still fresh at `now`; gives `read` back on a
/// miss.
pub(super) fn read_if_current<R, F: FnOnce(Served<'_>) -> R>(
    generation: u64,
    margin: Duration,
    now: coarsetime::Instant,
    read: F,
) -> Result<R, F> {
    let mut read = Some(read);
    let hit = RECENT.try_with(|recent| {
        let hit = match &*recent.borrow() {
            Some(copy)
                if copy.generation == generation
                    && copy.margin == margin
                    && now < copy.fresh_until =>
            {
                read.take().map(|read| {
                    read(Served {
                        token: &copy.token,
                        valid_for: copy.expires_at.duration_since(now).into(),
                        fresh_for: copy.fresh_until.duration_since(now).into(),
                        generation,
                    })
                })
            }
            _ => None,
        };
        if hit.is_none() {
            forget_if_replaced(&mut recent.borrow_mut(), generation);
        }
        hit
    });
    match hit {
        Ok(Some(value)) => Ok(value),
        _ => Err(read.expect("`read` is taken only on a hit")),
    }
}

/// On a miss: a copy of a token that was since replaced or invalidated is
/// dropped now rather than at this thread's next hit, so a dead token does
/// not linger in every thread that once read it.
#[cold]
fn forget_if_replaced(copy: &mut Option<ThreadCopy>, generation: u64) {
    if copy.as_ref().is_some_and(|c| c.generation != generation) {
        *copy = None;
    }
}

/// The generation of this thread's copy, if it holds one.
#[cfg(test)]
pub(super) fn held_generation() -> Option<u64> {
    RECENT.with(|recent| recent.borrow().as_ref().map(|c| c.generation))
}

/// Keeps the token `served` at `now` with `margin` as this thread's copy.
pub(super) fn remember(served: Served<'_>, margin: Duration, now: coarsetime::Instant) {
    let copy = ThreadCopy {
        generation: served.generation,
        margin,
        fresh_until: now + served.fresh_for.saturating_sub(COARSE_CLOCK_SLACK).into(),
        expires_at: now + served.valid_for.saturating_sub(COARSE_CLOCK_SLACK).into(),
        token: served.token.clone(),
    };
    // Ignored when the thread is exiting: its next call (if any) misses.
    let _ = RECENT.try_with(|recent| *recent.borrow_mut() = Some(copy));
}

#[cfg(test)]
mod tests {
    use crate::cache::test_support::{issued, primed, MARGIN, TIMEOUT};
    use crate::cache::Entry;
    use std::time::Duration;

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn a_threads_copy_is_never_served_after_the_token_changed() {
        let entry = primed("a", HOUR);
        // Served from this thread's copy now.
        let a = entry.token(MARGIN, TIMEOUT, |_| panic!("hit")).unwrap();
        assert_eq!(a.as_str(), "a");
        std::thread::scope(|s| {
            s.spawn(|| assert!(entry.invalidate(Some("a")).is_some()));
        });
        let b = entry
            .token(MARGIN, TIMEOUT, |_| Ok(issued("b", HOUR)))
            .unwrap();
        assert_eq!(b.as_str(), "b");
    }

    #[test]
    fn a_threads_copy_of_an_invalidated_token_goes_at_its_next_miss() {
        let entry = primed("gone", HOUR);
        // A read under the lock keeps this thread's copy.
        entry.token(MARGIN, TIMEOUT, |_| panic!("hit")).unwrap();
        assert!(super::held_generation().is_some());
        std::thread::scope(|s| {
            s.spawn(|| assert!(entry.invalidate(Some("gone")).is_some()));
        });
        assert!(entry.cached_token(MARGIN, |_| ()).is_none());
        assert_eq!(
            super::held_generation(),
            None,
            "the dead token is still held"
        );
    }

    #[test]
    fn a_threads_copy_is_only_used_with_the_margin_it_was_read_with() {
        let entry = Entry::default();
        let two_secs = Duration::from_secs(2);
        entry
            .token(Duration::ZERO, TIMEOUT, |_| Ok(issued("a", two_secs)))
            .unwrap();
        // Fresh for 2 s with no margin, so this thread's copy says fresh...
        assert_eq!(
            entry
                .token(Duration::ZERO, TIMEOUT, |_| panic!("hit"))
                .unwrap()
                .as_str(),
            "a"
        );
        std::thread::sleep(Duration::from_millis(1100));
        // ...but past half-life the default margin asks for a refresh.
        let b = entry
            .token(MARGIN, TIMEOUT, |_| Ok(issued("b", two_secs)))
            .unwrap();
        assert_eq!(b.as_str(), "b");
    }
}
