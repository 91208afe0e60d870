//! The operating-system calls the safe core needs that std does not offer.

/// The effective user id: the shared cache's folder and files must be ours.
pub(crate) fn effective_uid() -> u32 {
    // SAFETY: geteuid has no arguments and cannot fail.
    unsafe { libc::geteuid() }
}
