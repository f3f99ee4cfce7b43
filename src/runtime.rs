//! The one tokio runtime of the process. It is small on purpose: its tasks only move bytes between
//! pipes and queues; Python code never runs on it.

use std::sync::OnceLock;

use tokio::runtime::Runtime;

static RUNTIME: OnceLock<(u32, Runtime)> = OnceLock::new();

pub(crate) fn runtime() -> &'static Runtime {
    &RUNTIME
        .get_or_init(|| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("openai-codex-io")
                .enable_all()
                .build()
                .expect("failed to start the openai-codex I/O runtime");
            (std::process::id(), runtime)
        })
        .1
}

/// Whether the runtime, if started, belongs to this process. After `fork()` the child inherits
/// the runtime's memory but not its threads, so nothing scheduled on it would ever run: callers
/// refuse to use it rather than hang.
pub(crate) fn usable_in_this_process() -> bool {
    RUNTIME.get().is_none_or(|(pid, _)| *pid == std::process::id())
}
