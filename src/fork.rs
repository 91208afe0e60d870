//! Fork safety: a child process starts from a consistent state whatever the
//! parent's other threads were doing when it forked.
//!
//! Three mechanisms, all cheap and none on the cached hot path:
//! - The *gate*: every critical section of the library that takes one of
//!   its locks (registry, cache entries, handles' transport slots, shared
//!   transports, trust roots) first takes the gate for reading, and a
//!   `pthread_atfork` prepare handler takes it for writing. So at `fork`
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
//! The handlers are registered once, on first use (`crate::ffi::atfork`, the
//! only `unsafe`).

use std::cell::RefCell;
use std::os::unix::io::RawFd;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

static GATE: RwLock<()> = RwLock::new(());
static GENERATION: AtomicU64 = AtomicU64::new(0);
static HANDLERS_INSTALLED: AtomicBool = AtomicBool::new(false);

/// Descriptors a forked child closes: lock-free slots (-1 when free), since
/// the child handler may take no lock. More store locks held at once than
/// slots is unlikely (one per package being fetched); the excess is only
/// left open in a child.
const CLOSE_IN_CHILD_SLOTS: usize = 64;
static CLOSE_IN_CHILD: [AtomicI32; CLOSE_IN_CHILD_SLOTS] =
    [const { AtomicI32::new(-1) }; CLOSE_IN_CHILD_SLOTS];

thread_local! {
    /// The gate held for writing between prepare and the parent or child
    /// handler, which run on the forking thread.
    static HELD: RefCell<Option<RwLockWriteGuard<'static, ()>>> = const { RefCell::new(None) };
}

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
    install_handlers();
    Gate {
        _held: GATE.read().unwrap_or_else(PoisonError::into_inner),
    }
}

/// Which process generation this is: 0 in the process that loaded the
/// library, one more in each forked child.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

fn install_handlers() {
    // A thread that loses the race does not wait: the winner registers at
    // once, and only a fork in those few microseconds would miss it.
    if !HANDLERS_INSTALLED.load(Ordering::Relaxed)
        && !HANDLERS_INSTALLED.swap(true, Ordering::AcqRel)
    {
        crate::ffi::atfork::install();
    }
}

/// Registers `fd` to be closed in any child forked until the returned
/// value is dropped (which must happen before `fd` is closed).
pub fn close_in_child(fd: RawFd) -> CloseInChild {
    install_handlers();
    let slot = CLOSE_IN_CHILD.iter().position(|slot| {
        slot.compare_exchange(-1, fd, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    });
    CloseInChild { slot }
}

/// A registration of `close_in_child`.
#[derive(Debug)]
pub struct CloseInChild {
    slot: Option<usize>,
}

impl Drop for CloseInChild {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            CLOSE_IN_CHILD[slot].store(-1, Ordering::Release);
        }
    }
}

/// In the child handler: empties the registry, handing each descriptor to
/// `close` (the parent's registrations are not the child's).
pub(crate) fn take_descriptors_to_close(mut close: impl FnMut(RawFd)) {
    for slot in &CLOSE_IN_CHILD {
        let fd = slot.swap(-1, Ordering::AcqRel);
        if fd >= 0 {
            close(fd);
        }
    }
}

/// `pthread_atfork` prepare: waits for every critical section to end and
/// keeps new ones out until the fork is done.
pub(crate) fn before_fork() {
    let guard = GATE.write().unwrap_or_else(PoisonError::into_inner);
    // If this thread is exiting its slot is gone: the fork goes ahead
    // unguarded rather than fail (a fork from a thread-local destructor).
    let _ = HELD.try_with(|held| *held.borrow_mut() = Some(guard));
}

/// `pthread_atfork` parent: the fork is done, let critical sections in.
pub(crate) fn after_fork_in_parent() {
    let _ = HELD.try_with(|held| held.borrow_mut().take());
}

/// `pthread_atfork` child: a new process generation, then open the gate.
/// Only atomics and an unlock (futex-based, no waiter can exist here).
pub(crate) fn after_fork_in_child() {
    GENERATION.fetch_add(1, Ordering::AcqRel);
    let _ = HELD.try_with(|held| held.borrow_mut().take());
}

#[cfg(test)]
mod tests {
    use super::*;

    // The child handler is proved by real forks (tests/fork.rs): calling it
    // here would start a new generation under the other unit tests' feet.
    #[test]
    fn prepare_holds_the_gate_until_the_parent_handler() {
        drop(enter()); // installs the handlers
        before_fork();
        assert!(GATE.try_read().is_err(), "the gate is held across the fork");
        after_fork_in_parent();
        assert!(GATE.try_read().is_ok());
    }
}
