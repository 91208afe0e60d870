//! When to try a token request again: network errors, 5xx and 429, with
//! exponential backoff and jitter, honouring `Retry-After`, never past the
//! call's deadline.

use crate::error::{Error, Status};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;
pub const MAX_ATTEMPTS_LIMIT: u32 = 10;
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// How one attempt failed.
#[derive(Debug)]
pub enum AttemptError {
    /// Worth another attempt, after at least `retry_after` if the server said so.
    Retryable {
        error: Error,
        retry_after: Option<Duration>,
    },
    /// Retrying cannot help (bad credentials, bad answer, budget spent).
    Final(Error),
}

/// Runs `attempt` until it succeeds, fails for good, `max_attempts` are
/// used, or the next wait would end past `deadline`. The error is the last
/// attempt's, so the status names the cause rather than "gave up".
pub fn with_retries<T>(
    max_attempts: u32,
    deadline: Instant,
    mut attempt: impl FnMut() -> Result<T, AttemptError>,
) -> Result<T, Error> {
    let mut number = 1;
    loop {
        let (error, retry_after) = match attempt() {
            Ok(value) => return Ok(value),
            Err(AttemptError::Final(error)) => return Err(error),
            Err(AttemptError::Retryable { error, retry_after }) => (error, retry_after),
        };
        if number >= max_attempts {
            return Err(annotate(error, &format!("after {}", attempts(number))));
        }
        let wait = retry_after.unwrap_or_else(|| backoff(number));
        let remaining = deadline.saturating_duration_since(Instant::now());
        if wait >= remaining {
            let why = match retry_after {
                Some(s) => format!(
                    "after {}; the server's Retry-After of {} s does not fit the remaining time budget",
                    attempts(number),
                    s.as_secs()
                ),
                None => format!("after {}; no time budget left for another", attempts(number)),
            };
            return Err(annotate(error, &why));
        }
        std::thread::sleep(wait);
        number += 1;
    }
}

/// Exponential backoff with "equal jitter": half fixed, half random, so
/// that clients that failed together do not retry together.
fn backoff(failed_attempts: u32) -> Duration {
    let exp = FIRST_BACKOFF.saturating_mul(1 << failed_attempts.saturating_sub(1).min(16));
    let ceiling = exp.min(MAX_BACKOFF);
    let half = ceiling / 2;
    half + half.mul_f64(random_fraction())
}

fn random_fraction() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

fn attempts(n: u32) -> String {
    if n == 1 {
        "1 attempt".to_owned()
    } else {
        format!("{n} attempts")
    }
}

/// Adds `note` to a retryable error that is final for lack of attempts or
/// time: transient, so a caller with more of either may try again.
fn annotate(error: Error, note: &str) -> Error {
    let status: Status = error.status();
    Error::new(status, format!("{} ({note})", error.message())).transient()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn retryable(retry_after: Option<Duration>) -> AttemptError {
        AttemptError::Retryable {
            error: Error::new(Status::Http, "HTTP 503"),
            retry_after,
        }
    }

    /// Runs `with_retries` with the `n`th attempt (from 1) giving
    /// `outcome(n)`; gives how many attempts it made and its result.
    fn run<T>(
        max_attempts: u32,
        budget: Duration,
        outcome: impl Fn(u32) -> Result<T, AttemptError>,
    ) -> (u32, Result<T, Error>) {
        let calls = Cell::new(0);
        let result = with_retries(max_attempts, Instant::now() + budget, || {
            calls.set(calls.get() + 1);
            outcome(calls.get())
        });
        (calls.get(), result)
    }

    const FAR: Duration = Duration::from_secs(60);

    #[test]
    fn stops_after_max_attempts_with_the_last_status() {
        let (calls, result) = run(3, FAR, |_| -> Result<(), _> {
            Err(retryable(Some(Duration::ZERO)))
        });
        assert_eq!(calls, 3);
        let err = result.unwrap_err();
        assert_eq!(err.status(), Status::Http);
        assert!(err.message().contains("after 3 attempts"), "{err}");
    }

    #[test]
    fn final_errors_are_not_retried() {
        let (calls, result) = run(4, FAR, |_| -> Result<(), _> {
            Err(AttemptError::Final(Error::new(Status::Unauthorized, "401")))
        });
        assert_eq!(calls, 1);
        assert_eq!(result.unwrap_err().status(), Status::Unauthorized);
    }

    #[test]
    fn succeeds_after_transient_failures() {
        let (calls, result) = run(4, FAR, |n| match n {
            1 | 2 => Err(retryable(Some(Duration::ZERO))),
            n => Ok(n),
        });
        assert_eq!((calls, result.unwrap()), (3, 3));
    }

    #[test]
    fn a_retry_after_beyond_the_deadline_ends_early() {
        let (calls, result) = run(4, Duration::from_millis(200), |_| -> Result<(), _> {
            Err(retryable(Some(Duration::from_secs(30))))
        });
        assert_eq!(calls, 1);
        let err = result.unwrap_err();
        assert!(err.message().contains("Retry-After of 30 s"), "{err}");
    }

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        for n in 1..=20 {
            let ceiling = FIRST_BACKOFF
                .saturating_mul(1 << (n - 1).min(16))
                .min(MAX_BACKOFF);
            let b = backoff(n);
            assert!(b >= ceiling / 2 && b <= ceiling, "attempt {n}: {b:?}");
        }
        let samples: std::collections::HashSet<Duration> = (0..20).map(|_| backoff(3)).collect();
        assert!(samples.len() > 1, "backoff is not jittered");
    }
}
