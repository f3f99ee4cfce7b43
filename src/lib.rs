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

// Without the bindings, most of the core has no user but the unit tests: dead code is only
// meaningful to report (and is, by clippy in CI) with the `python` feature on.
#![cfg_attr(not(feature = "python"), allow(dead_code))]

mod activity;
mod connection;
mod error;
mod framing;
mod mailbox;
mod protocol;
mod request_queue;
mod router;
mod runtime;
mod server_requests;
mod transport;
mod turn;

mod bench;

// The crate's Rust API is only what `benches/route.rs` drives: the reader's per-line work. The
// Python bindings and the unit tests live in the crate and use crate paths.
pub use bench::{parse_once, Parser, Pipeline};

#[cfg(feature = "python")]
mod python;

/// Events are allocated on the I/O thread and freed on the Python thread that consumed them;
/// mimalloc handles such cross-thread frees without the allocator-arena lock contention of the
/// system allocator (measured: the streaming hot path spent ~8% in glibc malloc/free).
#[cfg(feature = "python")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
