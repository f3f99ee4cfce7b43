//! Rust engine of the `openai-codex` Python SDK.
//!
//! The pure-Rust core (no Python types) is organised by concern:
//! - [`framing`]: newline framing of the runtime's stdout;
//! - [`protocol`]: classifying wire messages and extracting routing keys;
//! - [`mailbox`], [`turn`], [`router`], [`activity`]: delivering notifications to whoever waits
//!   for them;
//! - [`transport`]: the child process and its pipes;
//! - [`connection`]: JSON-RPC requests over a transport, the reader loop, server requests.
//!
//! `python` holds the PyO3 bindings and is compiled only with the `python` feature.

pub mod activity;
pub mod connection;
pub mod error;
pub mod framing;
pub mod mailbox;
pub mod protocol;
pub mod router;
pub mod runtime;
pub mod transport;
pub mod turn;

#[cfg(feature = "python")]
mod python;

/// Events are allocated on the I/O thread and freed on the Python thread that consumed them;
/// mimalloc handles such cross-thread frees without the allocator-arena lock contention of the
/// system allocator (measured: the streaming hot path spent ~8% in glibc malloc/free).
#[cfg(feature = "python")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
