//! The one tokio runtime of the process. It is small on purpose: its tasks only move bytes between
//! pipes and queues; Python code never runs on it.
//!
//! "Of the process" is meant literally: after `fork()` the child inherits the parent's runtime
//! as memory only, without the threads that drive it, so the first use in the child builds a
//! runtime of its own. The parent's runtime is leaked there, never dropped: dropping it would
//! wait for worker threads that do not exist in the child.

use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
use std::sync::Once;

use tokio::runtime::Runtime;

/// A runtime and the process it was built in. Entries are leaked: each lives as long as its
/// process, and a process builds at most one (plus one per fork generation).
struct Entry {
    pid: u32,
    runtime: Runtime,
}

static CURRENT: AtomicPtr<Entry> = AtomicPtr::new(ptr::null_mut());

/// This process's id, cached (event hot paths check it) and refreshed in a forked child.
static PID: AtomicU32 = AtomicU32::new(0);
static PID_TRACKING: Once = Once::new();

extern "C" fn refresh_pid() {
    // Only getpid and atomic stores: async-signal-safe, as a fork handler must be.
    PID.store(std::process::id(), Ordering::Release);
    crate::transport::forget_parent_children();
}

/// The current process id, without a system call on the common path.
pub(crate) fn current_pid() -> u32 {
    PID_TRACKING.call_once(|| {
        refresh_pid();
        // SAFETY: registers a plain `extern "C"` function with no arguments, as pthread_atfork
        // expects; it runs in the child only and does nothing a fork handler may not do.
        unsafe {
            libc::pthread_atfork(None, None, Some(refresh_pid));
        }
    });
    PID.load(Ordering::Acquire)
}

/// The I/O runtime of this process, built on first use (again in a forked child).
pub(crate) fn runtime() -> &'static Runtime {
    let pid = current_pid();
    let seen = CURRENT.load(Ordering::Acquire);
    // SAFETY: non-null pointers in CURRENT come from `Box::leak` below and are never freed.
    if let Some(entry) = unsafe { seen.as_ref() } {
        if entry.pid == pid {
            return &entry.runtime;
        }
    }
    let built = Box::into_raw(Box::new(Entry { pid, runtime: build() }));
    match CURRENT.compare_exchange(seen, built, Ordering::AcqRel, Ordering::Acquire) {
        // SAFETY: `built` was just leaked by `Box::into_raw` and is now owned by CURRENT forever.
        Ok(_) => unsafe { &(*built).runtime },
        Err(winner) => {
            // Another thread of this process installed its runtime first: use that one, and
            // shut down ours (it has run nothing yet).
            // SAFETY: `built` was not published, so this thread still owns it exclusively.
            let ours = unsafe { Box::from_raw(built) };
            ours.runtime.shutdown_background();
            // SAFETY: as above, published entries are never freed; the winner is of this
            // process because only this process's threads can have raced with us.
            unsafe { &(*winner).runtime }
        }
    }
}

fn build() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("openai-codex-io")
        .enable_all()
        .build()
        .expect("failed to start the openai-codex I/O runtime")
}

/// Marks objects that belong to the process that made them. A connection made before `fork()`
/// talks to a runtime process the parent owns through I/O threads the child does not have: in
/// the child it must refuse at once instead of waiting forever (or closing the parent's pipes).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Owner(u32);

impl Owner {
    /// The current process.
    pub(crate) fn current() -> Self {
        Self(current_pid())
    }

    /// Whether this is still the process that made the object.
    pub(crate) fn is_current(self) -> bool {
        self.0 == current_pid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_runtime_per_process() {
        assert!(ptr::eq(runtime(), runtime()));
        assert_eq!(runtime().block_on(async { 7 }), 7);
        assert!(Owner::current().is_current());
        assert_eq!(current_pid(), std::process::id());
    }
}
