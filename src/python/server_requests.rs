//! Server requests decided in Python: `Client.next_server_request[_async]` takes them off the
//! core's queue (see `request_queue`) and Python answers through the [`PyServerRequest`]
//! object, from any thread, whenever it likes.

use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::protocol::RpcError;
use crate::request_queue::Held;

use super::convert::{document_to_py, py_to_json};

/// A request from the runtime that waits for this program's answer.
///
/// Answer it once, from any thread, with `respond`, `error` or `respond_default`; a second
/// answer, or one after the runtime withdrew the request (`cancelled`), is ignored (False). A
/// request dropped unanswered is answered with a JSON-RPC error, so the runtime never waits
/// forever; one still unanswered when the client closes gets the fail-closed answer (approvals
/// declined).
#[pyclass(frozen, module = "openai_codex._core", name = "ServerRequest")]
pub struct PyServerRequest {
    held: Arc<Held>,
}

impl PyServerRequest {
    pub(crate) fn new(held: Arc<Held>) -> Self {
        Self { held }
    }
}

#[pymethods]
impl PyServerRequest {
    /// The JSON-RPC id of the request (an int or a str, as the runtime sent it).
    #[getter]
    fn id<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        document_to_py(py, self.held.reply().id().as_bytes())
    }

    /// The request's method, e.g. ``item/commandExecution/requestApproval``.
    #[getter]
    fn method(&self) -> &str {
        &self.held.request().method
    }

    /// The request's params, as a new dict on each read (``{}`` when it had none).
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        document_to_py(py, self.held.request().params.as_deref().unwrap_or("{}").as_bytes())
    }

    /// The thread the request is about, if its params name one.
    #[getter]
    fn thread_id(&self) -> Option<&str> {
        self.held.thread_id()
    }

    /// The turn the request is about, if its params name one.
    #[getter]
    fn turn_id(&self) -> Option<&str> {
        self.held.turn_id()
    }

    /// For a file change approval: the ``fileChange`` item it is about (from its
    /// ``item/started``), as a dict; None when there is none or it was not seen.
    #[getter]
    fn item<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.held.item().map(|item| document_to_py(py, item.as_bytes())).transpose()
    }

    /// True once the runtime withdrew the request (it was resolved elsewhere, or its turn
    /// ended) before it was answered; an answer given now is ignored.
    #[getter]
    fn cancelled(&self) -> bool {
        self.held.cancelled()
    }

    /// True once the request was answered or withdrawn.
    #[getter]
    fn answered(&self) -> bool {
        self.held.reply().is_answered()
    }

    /// Answers with `result` (a JSON object). True if this call sent the answer.
    fn respond(&self, result: &Bound<'_, PyAny>) -> PyResult<bool> {
        let json = py_to_json(result, "the result")?;
        if !json.starts_with('{') {
            return Err(PyValueError::new_err("a server request's result must be a JSON object (a dict)"));
        }
        Ok(self.held.reply().send(Ok(&json)))
    }

    /// Answers with a JSON-RPC error. True if this call sent the answer.
    #[pyo3(signature = (code, message, data=None))]
    fn error(&self, code: i64, message: String, data: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
        let data = match data {
            Some(d) if !d.is_none() => Some(py_to_json(d, "the error data")?.into_boxed_str()),
            _ => None,
        };
        Ok(self.held.reply().send(Err(&RpcError { code, message, data })))
    }

    /// Answers as the client does when no handler is installed (see the docs). True if this
    /// call sent the answer.
    fn respond_default(&self) -> bool {
        self.held.reply().send_default(self.held.request())
    }

    /// Answers with the fail-closed answer (approvals declined, no permissions granted, the
    /// default for everything else). True if this call sent the answer.
    fn respond_fail_closed(&self) -> bool {
        self.held.reply().send_fail_closed(self.held.request())
    }

    fn __repr__(&self) -> String {
        format!(
            "ServerRequest(id={}, method={:?}, thread_id={:?}, turn_id={:?})",
            self.held.reply().id(),
            self.held.request().method,
            self.held.thread_id(),
            self.held.turn_id()
        )
    }
}
