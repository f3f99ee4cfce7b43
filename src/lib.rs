//! Rust engine of the `openai-codex` Python SDK.
//!
//! The pure-Rust core (no Python types) is organised by concern; every module is private:
//! - `framing`: newline framing of the runtime's stdout;
//! - `protocol`: the wire messages: `event` (a notification as queued), `members` (the member
//!   index an event carries), `scan` (reading a line in one pass) and `lenient` (its serde
//!   fallback), `repeats` (reading lines that repeat a recent one's shape from their text alone),
//!   `writer` (the lines the client writes);
//! - `mailbox`, `turn`, `router`: delivering notifications to whoever waits for them;
//! - `activity`: threads' idle reports, and the rule that a turn waits out a compaction;
//! - `transport`: the seam between a connection and the wire: `child` (the spawned process and
//!   its pipes) and `socket` (WebSocket over TCP, TLS or a Unix socket, to a running server);
//! - `connection`: JSON-RPC over a transport: correlation, the reader loop, the turn gate;
//! - `server_requests`: what the client answers to the runtime's own requests;
//! - `error`, `runtime`: the core's errors, and its one tokio runtime.
//!
//! `python` holds the PyO3 bindings and is compiled only with the `python` feature. The crate
//! exports only `bench`'s handles on the reader's per-line work, for `benches/route.rs`.

// Without the bindings, most of the core has no user but the unit tests: dead code is only
// meaningful to report (and is, by clippy in CI) with the `python` feature on.
#![cfg_attr(not(feature = "python"), allow(dead_code, unused_imports))]

mod activity;
mod bench;
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

pub use bench::{parse_once, Parser, Pipeline};

#[cfg(feature = "python")]
mod python;

/// Events are allocated on the I/O thread and freed on the Python thread that consumed them;
/// mimalloc handles such cross-thread frees without the allocator-arena lock contention of the
/// system allocator (measured: the streaming hot path spent ~8% in glibc malloc/free).
#[cfg(feature = "python")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
