//! The `pthread_atfork` side of `fork` (unix only): the prepare, parent and
//! child handlers, and the descriptors a child closes.

use super::{GATE, GENERATION};
use std::cell::RefCell;
use std::os::unix::io::RawFd;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{PoisonError, RwLockWriteGuard};

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

/// Registers the handlers, once per process.
pub(super) fn install() {
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
    install();
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
/// Only atomics and an unlock (no waiter can exist here).
pub(crate) fn after_fork_in_child() {
    GENERATION.fetch_add(1, Ordering::AcqRel);
    let _ = HELD.try_with(|held| held.borrow_mut().take());
}

#[cfg(test)]
mod tests {
    use super::super::enter;
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
