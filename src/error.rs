//! Errors of the core, independent of Python. The bindings map each kind onto the SDK's exception
//! hierarchy (`openai_codex.errors`).

use std::fmt;
use std::sync::Arc;

use crate::protocol::RpcError;

/// Why the connection to the runtime is gone. Cheap to clone: every pending waiter gets a copy.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Closed {
    message: Arc<str>,
}

impl Closed {
    pub(crate) fn new(message: impl Into<Arc<str>>) -> Self {
        Self { message: message.into() }
    }

    pub(crate) fn message(&self) -> &str {
        &self.message
    }
}

#[derive(Debug, Clone)]
pub(crate) enum CoreError {
    /// The server answered with a JSON-RPC error object.
    Rpc(RpcError),
    /// The server broke the protocol (a malformed error object, a result of the wrong shape).
    Protocol(String),
    /// The transport closed: the process exited, its stdout closed, the socket dropped, or
    /// `close()` was called.
    Closed(Closed),
    /// A wait ran past the caller's deadline (or a connection attempt past its timeout).
    Timeout(String),
    /// A running app-server could not be reached: nothing listens there, the TLS handshake or
    /// the WebSocket upgrade failed.
    Connect(String),
    /// A running app-server refused the credentials (HTTP 401 or 403 to the upgrade).
    Auth(String),
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoreError::Rpc(e) => write!(f, "JSON-RPC error {}: {}", e.code, e.message),
            CoreError::Protocol(m) | CoreError::Timeout(m) | CoreError::Connect(m) | CoreError::Auth(m) => {
                f.write_str(m)
            }
            CoreError::Closed(c) => f.write_str(c.message()),
        }
    }
}

impl std::error::Error for CoreError {}

impl From<Closed> for CoreError {
    fn from(c: Closed) -> Self {
        CoreError::Closed(c)
    }
}

pub(crate) type CoreResult<T> = Result<T, CoreError>;
