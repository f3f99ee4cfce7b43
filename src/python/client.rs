//! `Client`: one app-server connection as seen from Python. Sync methods block with the GIL
//! released; `*_async` methods return awaitables driven by the I/O runtime (no thread hop per
//! call).

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::connection::{self, Connection, Reply, Response};
use crate::error::{CoreError, CoreResult};
use crate::router::{Limits, TurnSubscription};
use crate::runtime::{runtime, Owner};
use crate::transport::{ConnectSpec, Keepalive, LaunchSpec};

use super::convert::{document_to_py, py_to_json};
use super::errors::to_pyerr;
use super::events::{EventStream, TurnStream};
use super::server_requests::PyServerRequest;
use super::wait::{awaitable, block_on, check_owner, timeout_arg, wait_for_awaitables, with_deadline, within};
use crate::mailbox::Popped;
use crate::request_queue::QueueResponder;

/// Every connection opened (in this process or, before a fork, in its parent), for closing them
/// all at interpreter exit.
static LIVE: Mutex<Vec<(Owner, Weak<Connection>)>> = Mutex::new(Vec::new());

fn register(conn: &Arc<Connection>, owner: Owner) {
    let mut live = LIVE.lock().unwrap_or_else(|p| p.into_inner());
    live.retain(|(_, w)| w.strong_count() > 0);
    live.push((owner, Arc::downgrade(conn)));
}

/// Closes every connection and lets pending awaitables settle. Registered with `atexit` by the
/// Python package: it runs while the interpreter is still whole, so nothing from the I/O threads
/// reaches Python during finalization.
#[pyfunction]
pub(super) fn shutdown(py: Python<'_>) {
    // Only this process's own connections: the parent's runtimes are the parent's to end.
    let live: Vec<Arc<Connection>> = LIVE
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .drain(..)
        .filter(|(owner, _)| owner.is_current())
        .filter_map(|(_, w)| w.upgrade())
        .collect();
    py.detach(|| {
        runtime().block_on(async {
            for conn in &live {
                conn.close().await;
            }
            // close() does not wait for a runtime's exit; here, at the very end, we do (past
            // the stop sequence's own bounds, a lingering child has been killed).
            crate::transport::wait_for_reaps(Duration::from_secs(4)).await;
        })
    });
    wait_for_awaitables(py, Duration::from_secs(2));
}

/// A connection to a `codex app-server` speaking JSON-RPC: a child process on stdio, or a
/// running server reached over a socket (`Client.connect`).
#[pyclass(frozen, module = "openai_codex._core", name = "Client")]
pub struct Client {
    conn: Arc<Connection>,
    owner: Owner,
    /// Installed on the first `set_server_request_methods`; stays installed from then on.
    responder: OnceLock<Arc<QueueResponder>>,
}

fn params_json(params: Option<&Bound<'_, PyAny>>, method: &str) -> PyResult<Option<String>> {
    match params {
        Some(p) if !p.is_none() => Ok(Some(py_to_json(p, &format!("{method} params"))?)),
        _ => Ok(None),
    }
}

/// The thread id a `turn/start` is for, read from the serialized params.
fn thread_id_of(params: &str) -> PyResult<String> {
    connection::thread_id_of(params).ok_or_else(|| PyValueError::new_err("turn/start params need a string 'threadId'"))
}

impl Client {
    fn connected(conn: Arc<Connection>) -> Self {
        let owner = Owner::current();
        register(&conn, owner);
        Self { conn, owner, responder: OnceLock::new() }
    }

    fn send(&self, py: Python<'_>, method: &str, params: Option<&str>) -> PyResult<Reply> {
        check_owner(py, self.owner)?;
        self.conn.request(method, params).map_err(|e| to_pyerr(py, e))
    }

    fn responder(&self) -> &Arc<QueueResponder> {
        self.responder.get_or_init(|| {
            let responder = QueueResponder::new();
            self.conn.server_requests().set_responder(Some(responder.clone()));
            if let Some(why) = self.conn.closed() {
                // Closed before: nothing will ever come.
                responder.queue().close(why);
            }
            responder
        })
    }

    fn wait(&self, py: Python<'_>, method: &str, reply: Reply, timeout: Option<Duration>) -> PyResult<Response> {
        let outcome = block_on(py, timeout, response(&self.conn, reply))?;
        within(outcome, format_args!("the response to {method}"), timeout).map_err(|e| to_pyerr(py, e))
    }
}

/// The connection settings `Client.connect` was given, checked.
fn connect_spec(url: String, token: Option<String>, timeout: f64, ca_file: Option<PathBuf>) -> PyResult<ConnectSpec> {
    let timeout = timeout_arg(Some(timeout))?.unwrap_or_default();
    Ok(ConnectSpec { url, token, timeout, ca_file, keepalive: Keepalive::default() })
}

/// Waits for the response to a sent request.
async fn response(conn: &Connection, reply: Reply) -> CoreResult<Response> {
    // The sender vanishes without a reply only when the connection is torn down.
    reply.await.unwrap_or_else(|_| {
        Err(conn.closed().map_or_else(|| CoreError::Protocol("the request was abandoned".into()), CoreError::from))
    })
}

/// Sends `turn/start` once the thread is free (see `Connection::start_turn`) and waits for the
/// response.
async fn start_turn(conn: &Connection, thread_id: &str, params: &str) -> CoreResult<Response> {
    let reply = conn.start_turn(thread_id, params).await?;
    response(conn, reply).await
}

/// `(result, TurnStream)` for a `turn/start` response.
fn turn_pair<'py>(py: Python<'py>, conn: &Arc<Connection>, response: Response) -> PyResult<Bound<'py, PyTuple>> {
    let result = document_to_py(py, response.result.as_bytes())?;
    let channel =
        response.turn.ok_or_else(|| to_pyerr(py, CoreError::Protocol("turn/start response has no turn.id".into())))?;
    let stream = TurnStream::new(conn.clone(), TurnSubscription::new(conn.router().clone(), channel), Owner::current());
    PyTuple::new(py, [result.unbind(), Bound::new(py, stream)?.into_any().unbind()])
}

#[pymethods]
impl Client {
    /// Starts `argv` (the app-server command line) with `env` added to the inherited environment.
    #[new]
    #[pyo3(signature = (argv, env=None, cwd=None))]
    fn new(
        py: Python<'_>,
        argv: Vec<OsString>,
        env: Option<HashMap<OsString, OsString>>,
        cwd: Option<PathBuf>,
    ) -> PyResult<Self> {
        let Some((program, args)) = argv.split_first() else {
            return Err(PyValueError::new_err("argv must name a program"));
        };
        let spec = LaunchSpec {
            program: program.clone(),
            args: args.to_vec(),
            env: env.map(|e| e.into_iter().collect()).unwrap_or_default(),
            cwd,
        };
        let started = py.detach(|| Connection::start(&spec, Limits::default()));
        let conn = started.map_err(|e| {
            let program = spec.program.to_string_lossy();
            match e.kind() {
                std::io::ErrorKind::NotFound => match &spec.cwd {
                    Some(cwd) if !cwd.is_dir() => PyFileNotFoundError::new_err((
                        2,
                        format!("working directory for the Codex runtime does not exist: {}", cwd.display()),
                        cwd.display().to_string(),
                    )),
                    _ => PyFileNotFoundError::new_err((
                        2,
                        format!("Codex binary not found: {program}"),
                        program.to_string(),
                    )),
                },
                _ => PyOSError::new_err(format!("could not start the Codex runtime {program}: {e}")),
            }
        })?;
        Ok(Self::connected(conn))
    }

    /// Connects to an app-server that is already running: `url` is `ws://host:port[/path]`,
    /// `wss://…` or `unix:///abs/path`; `token` goes out as `Authorization: Bearer`; `timeout`
    /// bounds the whole connection (refused attempts are retried until then); `ca_file` is a
    /// PEM file of the certificates to trust for `wss://` instead of the system's roots. GIL
    /// released; Ctrl-C interrupts the wait.
    #[staticmethod]
    #[pyo3(signature = (url, token=None, timeout=5.0, ca_file=None))]
    fn connect(
        py: Python<'_>,
        url: String,
        token: Option<String>,
        timeout: f64,
        ca_file: Option<PathBuf>,
    ) -> PyResult<Self> {
        let spec = connect_spec(url, token, timeout, ca_file)?;
        // The connection attempt has its own deadline (`spec.timeout`), reported as such.
        let outcome = block_on(py, None, async { Connection::connect(&spec, Limits::default()).await })?;
        let conn = within(outcome, "the connection", None).map_err(|e| to_pyerr(py, e))?;
        Ok(Self::connected(conn))
    }

    /// Async twin of `connect`: an awaitable of the connected `Client`.
    #[staticmethod]
    #[pyo3(signature = (url, token=None, timeout=5.0, ca_file=None))]
    fn connect_async(
        py: Python<'_>,
        url: String,
        token: Option<String>,
        timeout: f64,
        ca_file: Option<PathBuf>,
    ) -> PyResult<Bound<'_, PyAny>> {
        let spec = connect_spec(url, token, timeout, ca_file)?;
        awaitable(py, async move {
            let outcome = Connection::connect(&spec, Limits::default()).await;
            Python::attach(|py| outcome.map(Self::connected).map_err(|e| to_pyerr(py, e)))
        })
    }

    /// Sends a request and waits for its result (GIL released; Ctrl-C interrupts the wait).
    #[pyo3(signature = (method, params=None, *, timeout=None))]
    fn request(
        &self,
        py: Python<'_>,
        method: &str,
        params: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
    ) -> PyResult<Py<PyAny>> {
        let timeout = timeout_arg(timeout)?;
        let params = params_json(params, method)?;
        let reply = self.send(py, method, params.as_deref())?;
        let response = self.wait(py, method, reply, timeout)?;
        Ok(document_to_py(py, response.result.as_bytes())?.unbind())
    }

    /// Async twin of `request`.
    #[pyo3(signature = (method, params=None, *, timeout=None))]
    fn request_async<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        params: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let timeout = timeout_arg(timeout)?;
        let params = params_json(params, method)?;
        let reply = self.send(py, method, params.as_deref())?;
        let method = method.to_owned();
        let conn = self.conn.clone();
        awaitable(py, async move {
            let outcome = with_deadline(timeout, response(&conn, reply)).await;
            let outcome = within(outcome, format_args!("the response to {method}"), timeout);
            Python::attach(|py| {
                let response = outcome.map_err(|e| to_pyerr(py, e))?;
                Ok(document_to_py(py, response.result.as_bytes())?.unbind())
            })
        })
    }

    /// Sends `turn/start` and returns `(result, TurnStream)`; the stream already holds every event
    /// of the turn that arrived before the response.
    #[pyo3(signature = (params, *, timeout=None))]
    fn start_turn<'py>(
        &self,
        py: Python<'py>,
        params: &Bound<'_, PyAny>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        check_owner(py, self.owner)?;
        let timeout = timeout_arg(timeout)?;
        let params = params_json(Some(params), "turn/start")?.unwrap_or_default();
        let thread_id = thread_id_of(&params)?;
        let outcome = block_on(py, timeout, start_turn(&self.conn, &thread_id, &params))?;
        let response = within(outcome, "the response to turn/start", timeout).map_err(|e| to_pyerr(py, e))?;
        turn_pair(py, &self.conn, response)
    }

    /// Async twin of `start_turn`.
    #[pyo3(signature = (params, *, timeout=None))]
    fn start_turn_async<'py>(
        &self,
        py: Python<'py>,
        params: &Bound<'_, PyAny>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        check_owner(py, self.owner)?;
        let timeout = timeout_arg(timeout)?;
        let params = params_json(Some(params), "turn/start")?.unwrap_or_default();
        let thread_id = thread_id_of(&params)?;
        let conn = self.conn.clone();
        awaitable(py, async move {
            let outcome = with_deadline(timeout, start_turn(&conn, &thread_id, &params)).await;
            let outcome = within(outcome, "the response to turn/start", timeout);
            Python::attach(|py| {
                let response = outcome.map_err(|e| to_pyerr(py, e))?;
                turn_pair(py, &conn, response).map(Bound::unbind)
            })
        })
    }

    /// Chooses which server request methods are handed to Python (through
    /// `next_server_request`); every other method keeps its default answer. None or an empty
    /// list hands none. Applies to requests that arrive from now on.
    #[pyo3(signature = (methods))]
    fn set_server_request_methods(&self, py: Python<'_>, methods: Option<Vec<String>>) -> PyResult<()> {
        check_owner(py, self.owner)?;
        self.responder().set_methods(methods.unwrap_or_default().into_iter().collect());
        Ok(())
    }

    /// The next server request handed to Python, waiting up to `timeout` seconds (forever
    /// when None) with the GIL released; None when the time ran out. Raises
    /// TransportClosedError once the connection is closed.
    #[pyo3(signature = (timeout=None))]
    fn next_server_request(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<PyServerRequest>> {
        check_owner(py, self.owner)?;
        let timeout = timeout_arg(timeout)?;
        let queue = self.responder().queue().clone();
        loop {
            match queue.pop() {
                Popped::Item(held) => return Ok(Some(PyServerRequest::new(held))),
                Popped::Closed(why) => return Err(to_pyerr(py, why.into())),
                Popped::Empty => {}
            }
            let waiting = queue.clone();
            if block_on(py, timeout, async move { waiting.ready().await })?.is_err() {
                return Ok(None);
            }
        }
    }

    /// Async twin of `next_server_request`.
    #[pyo3(signature = (timeout=None))]
    fn next_server_request_async<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        check_owner(py, self.owner)?;
        let timeout = timeout_arg(timeout)?;
        let queue = self.responder().queue().clone();
        awaitable(py, async move {
            let outcome = with_deadline(timeout, async {
                loop {
                    match queue.pop() {
                        Popped::Item(held) => return Ok(held),
                        Popped::Closed(why) => return Err(CoreError::from(why)),
                        Popped::Empty => queue.ready().await,
                    }
                }
            })
            .await;
            Python::attach(|py| match outcome {
                Err(_) => Ok(None),
                Ok(Err(e)) => Err(to_pyerr(py, e)),
                Ok(Ok(held)) => Ok(Some(PyServerRequest::new(held))),
            })
        })
    }

    /// A stream of an existing turn's events (those not yet consumed by another stream).
    fn turn_stream(&self, turn_id: &str) -> TurnStream {
        let channel = self.conn.router().subscribe_turn(turn_id);
        TurnStream::new(self.conn.clone(), TurnSubscription::new(self.conn.router().clone(), channel), self.owner)
    }

    /// The mailbox receiving `account/login/completed` for `login_id`.
    fn login_stream(&self, login_id: &str) -> EventStream {
        EventStream::new(self.conn.router().subscribe_login(login_id), self.owner)
    }

    /// Notifications that belong to no turn or login (bounded: oldest dropped when unread).
    fn global_stream(&self) -> EventStream {
        EventStream::new(self.conn.router().global().clone(), self.owner)
    }

    /// Sends a notification.
    #[pyo3(signature = (method, params=None))]
    fn notify(&self, py: Python<'_>, method: &str, params: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        check_owner(py, self.owner)?;
        let params = params_json(params, method)?;
        self.conn.notify(method, params.as_deref()).map_err(|e| to_pyerr(py, e))
    }

    /// Ends the connection and fails every pending wait: a spawned runtime is stopped (stdin
    /// EOF, then terminate, then kill); a connected server is only disconnected from, and keeps
    /// running. Idempotent.
    fn close(&self, py: Python<'_>) {
        if !self.owner.is_current() {
            return; // the parent owns the runtime process; nothing to close from here
        }
        let conn = self.conn.clone();
        py.detach(|| runtime().block_on(async move { conn.close().await }));
    }

    /// Async twin of `close`.
    fn close_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        check_owner(py, self.owner)?;
        let conn = self.conn.clone();
        awaitable(py, async move {
            conn.close().await;
            Ok(())
        })
    }

    /// True once the connection is closed (by `close()` or because the runtime went away).
    #[getter]
    fn closed(&self) -> bool {
        self.conn.closed().is_some()
    }

    /// Why the connection closed, if it did.
    #[getter]
    fn close_reason(&self) -> Option<String> {
        self.conn.closed().map(|c| c.message().to_owned())
    }

    #[getter]
    fn pid(&self) -> Option<u32> {
        self.conn.pid()
    }

    /// Log records (`(level, message)`, Python `logging` levels) noted on the I/O threads since
    /// the last call; the Python side logs them on its own thread.
    fn take_diagnostics(&self) -> Vec<(u8, String)> {
        self.conn.take_diagnostics()
    }

    /// The runtime's most recent stderr lines.
    #[pyo3(signature = (max_lines=40, max_chars=4000))]
    fn stderr_tail(&self, max_lines: usize, max_chars: usize) -> String {
        self.conn.stderr_tail(max_lines, max_chars)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if !self.owner.is_current() {
            // Inherited through fork(): the connection's pipes and process are the parent's.
            // Never drop it here (that would kill the parent's runtime): leak this reference.
            std::mem::forget(self.conn.clone());
            return;
        }
        // Dropped without close(): end the runtime in the background so it never outlives us.
        let conn = self.conn.clone();
        runtime().spawn(async move { conn.close().await });
    }
}
