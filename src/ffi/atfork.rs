//! Registers `crate::fork`'s handlers with `pthread_atfork`, once; the
//! child handler also closes the descriptors `fork` lists. Like the exports,
//! the handlers run inside `ffi_boundary!`: a panic must not unwind into
//! libc's fork, and there is no status to give.

use crate::fork;

extern "C" fn prepare() {
    ffi_boundary!({ fork::before_fork() })
}

extern "C" fn parent() {
    ffi_boundary!({ fork::after_fork_in_parent() })
}

extern "C" fn child() {
    ffi_boundary!({
        fork::after_fork_in_child();
        fork::take_descriptors_to_close(|fd| {
            // SAFETY: `fd` is a store lock file's descriptor, inherited from
            // the parent; the `File` that owns it lives on a parent thread
            // that does not exist here, so nothing else closes it.
            unsafe { libc::close(fd) };
        });
    })
}

/// Called once per process by `fork::enter`.
pub(crate) fn install() {
    // SAFETY: the handlers are plain functions of this library, which must
    // outlive them: glibc's pthread_atfork records the library's
    // __dso_handle and drops them when it is unloaded, and musl never
    // unloads a library; elsewhere (macOS) a process must not dlclose it
    // after its first handle, as Python and .NET never do. It fails only
    // for lack of memory, and then forks are merely unguarded.
    let _ = unsafe { libc::pthread_atfork(Some(prepare), Some(parent), Some(child)) };
}
