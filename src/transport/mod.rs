//! The seam between a connection and the wire: where the runtime's messages come from and where
//! the client's messages go, whatever carries them.
//!
//! - `child`: a `codex app-server` this SDK spawned, spoken to over its stdin and stdout pipes
//!   (newline-delimited JSON; its stderr is kept for error reports);
//! - `socket`: an app-server that is already running, reached over WebSocket (one JSON-RPC
//!   message per text frame) on TCP, TLS or a Unix socket.
//!
//! The connection writes through [`Transport`] and reads through a [`LineSource`]. `Transport`
//! is an enum (one branch per written message, never a virtual call); the reader loop is generic
//! over its `LineSource`, so each kind gets a loop compiled for it and the pipe's per-line path
//! is exactly the one it had before sockets existed.

mod child;
mod socket;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::process::ChildStdout;

use crate::framing::{Line, LineReader};

pub(crate) use child::{forget_parent_children, wait_for_reaps, LaunchSpec, Process, StderrTail};
// `Keepalive` is named only by the bindings and the tests.
#[cfg_attr(not(feature = "python"), allow(unused_imports))]
pub(crate) use socket::{connect, ConnectSpec, Keepalive, Socket};

/// The runtime's messages, as the reader loop takes them: every message already received, then
/// a wait for more.
pub(crate) trait LineSource: Send + 'static {
    /// The next complete message already received, without its terminator; `None` when the
    /// reader has to [`fill`](LineSource::fill) first. Borrowed until the next call.
    fn next_buffered(&mut self) -> Option<Line<'_>>;

    /// Waits for more input. `Ok(false)` once the stream has ended and everything received was
    /// handed out; `Err` says why reading failed.
    fn fill(&mut self) -> impl Future<Output = Result<bool, String>> + Send;

    /// How the stream ended, after `fill` returned `Ok(false)`: completes "The Codex app-server
    /// …" (child) or "The connection to the Codex app-server at … " (socket).
    fn ended(&self) -> String;
}

impl LineSource for LineReader<ChildStdout> {
    fn next_buffered(&mut self) -> Option<Line<'_>> {
        LineReader::next_buffered(self)
    }

    async fn fill(&mut self) -> Result<bool, String> {
        LineReader::fill(self).await.map_err(|e| format!("stdout could not be read ({e})"))
    }

    fn ended(&self) -> String {
        "closed its stdout".to_owned()
    }
}

/// How many stderr lines and characters an error report carries.
const TAIL_LINES: usize = 40;
const TAIL_CHARS: usize = 4000;

/// Where a connection's bytes go: a child's stdin, or a socket.
pub(crate) enum Transport {
    Child(Process),
    Socket(Socket),
}

impl Transport {
    /// Queues one message (a line ending in `\n`, as `protocol::writer` makes them). False when
    /// the transport no longer takes input (it ended, or is shutting down).
    pub(crate) fn write(&self, line: Vec<u8>) -> bool {
        match self {
            Transport::Child(process) => process.write(line),
            Transport::Socket(socket) => socket.write(line),
        }
    }

    /// The child's process id; `None` for a socket.
    pub(crate) fn pid(&self) -> Option<u32> {
        match self {
            Transport::Child(process) => process.pid(),
            Transport::Socket(_) => None,
        }
    }

    /// Lines kept for error reports: the child's recent stderr, and notes of the SDK's own
    /// (input it skipped). A socket has no stderr: only the notes.
    pub(crate) fn notes(&self) -> &Arc<StderrTail> {
        match self {
            Transport::Child(process) => process.stderr(),
            Transport::Socket(socket) => socket.notes(),
        }
    }

    /// Why writing failed, when the connection itself has not recorded a reason.
    pub(crate) fn refusal(&self) -> &'static str {
        match self {
            Transport::Child(_) => "the Codex process is no longer accepting input",
            Transport::Socket(_) => "the connection to the Codex app-server is no longer accepting input",
        }
    }

    /// Ends the transport from this side: a child is stopped and reaped (stdin EOF, terminate,
    /// kill); a socket is closed with a close frame, and the server it reached keeps running.
    /// Idempotent.
    /// Ends the transport from this side without waiting for a child to exit: it is told to
    /// (stdin EOF), then terminated or killed if it lingers, and reaped in the background; a
    /// socket is closed as by [`Transport::shutdown`].
    pub(crate) async fn begin_shutdown(&self) {
        match self {
            Transport::Child(process) => process.begin_shutdown(),
            Transport::Socket(socket) => socket.shutdown().await,
        }
    }

    pub(crate) async fn shutdown(&self) -> Option<String> {
        match self {
            Transport::Child(process) => process.shutdown().await.map(|exit| exit.0),
            Transport::Socket(socket) => {
                socket.shutdown().await;
                None
            }
        }
    }

    /// The report every waiter gets when the input ended by itself (`ended` is the source's
    /// [`LineSource::ended`] or its read error).
    pub(crate) async fn lost(&self, ended: &str) -> String {
        match self {
            Transport::Child(process) => {
                // Long enough for an exiting process to be reaped, short enough not to delay
                // the report of one that closed stdout and lives on.
                let exit = process.wait_exit(Duration::from_millis(100)).await;
                let how = exit.map_or_else(|| "is still running".to_owned(), |e| e.0);
                let tail = process.stderr().tail(TAIL_LINES, TAIL_CHARS);
                let mut message = format!("The Codex app-server {ended} (process {how}).");
                if !tail.is_empty() {
                    message.push_str(" stderr_tail=\n");
                    message.push_str(&tail);
                }
                message
            }
            Transport::Socket(socket) => socket.lost(ended),
        }
    }
}
