//! Fork safety: a child process starts from a consistent state whatever the
//! parent's other threads were doing when it forked.
//!
//! Three mechanisms, all cheap and none on the cached hot path:
//! - The *gate*: every critical section of the library that takes one of
//!   its locks (registry, cache entries, handles' transport and shared
//!   cache slots, the shared transports and Redis stores, Redis connection
//!   pools, resolved hosts, trust roots) first takes the gate for reading,
//!   and a `pthread_atfork` prepare handler takes it for writing. So at `fork`
//!   no thread is inside, or waiting for, any of those locks, and no
//!   once-only initialisation of ours is half done: the child finds every
//!   lock free and every structure whole. Nothing slow runs under the gate
//!   (never a network exchange, never a wait for another thread's request),
//!   so a fork waits at most for a trust store load.
//! - The *fork generation*: a counter the child handler bumps. State that
//!   belongs to threads or sockets of the process that made it records the
//!   generation it was made in, and a child discards what it inherited: a
//!   token request in flight (its thread does not exist here) and pooled
//!   connections (the parent still uses those sockets).
//! - *Descriptors closed in the child*: a store's lock file descriptor
//!   (`store::file`) would keep the parent's `flock` alive in a child that
//!   outlives it, so the child handler closes every one registered here.
//!
//! The handlers (`handlers`) are registered once, on first use
//! (`crate::ffi::atfork`, the only `unsafe`). They exist on unix systems
//! only: elsewhere nothing forks, so the gate is never taken for writing
//! and the generation stays 0.

#[cfg(unix)]
mod handlers;
#[cfg(unix)]
pub(crate) use handlers::{
    after_fork_in_child, after_fork_in_parent, before_fork, close_in_child,
    take_descriptors_to_close, CloseInChild,
};

/// No `fork` on this system: no handlers to register.
#[cfg(not(unix))]
mod handlers {
    pub(super) fn install() {}
}

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard};

static GATE: RwLock<()> = RwLock::new(());
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Proof that the caller holds the gate: functions that take a library lock
/// ask for a `&Gate` instead of taking it again, because taking a read lock
/// twice on one thread deadlocks once a fork (a writer) is waiting.
#[derive(Debug)]
pub struct Gate {
    _held: RwLockReadGuard<'static, ()>,
}

/// Takes the gate for a critical section. Must not be called by a thread
/// that already holds it (pass the `&Gate` down instead).
pub fn enter() -> Gate {
    handlers::install();
    Gate {
        _held: GATE.read().unwrap_or_else(PoisonError::into_inner),
    }
}

/// Which process generation this is: 0 in the process that loaded the
/// library, one more in each forked child.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}
