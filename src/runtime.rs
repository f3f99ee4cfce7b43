//! The one tokio runtime of the process. It is small on purpose: its tasks only move bytes between
//! pipes and queues; Python code never runs on it.

use std::sync::OnceLock;

use tokio::runtime::Runtime;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

pub fn runtime() -> &'static Runtime {
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("openai-codex-io")
            .enable_all()
            .build()
            .expect("failed to start the openai-codex I/O runtime")
    })
}
