//! Raising the SDK's exceptions. The exception classes live in Python (`openai_codex.errors`) so
//! they can be subclassed, pickled and documented like any other; the core only picks which one.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;

use crate::error::CoreError;

use super::convert::document_to_py;

static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    ERRORS.get_or_try_init(py, || PyModule::import(py, "openai_codex.errors").map(Bound::unbind)).map(|m| m.bind(py))
}

/// Converts a core error into the matching `openai_codex.errors` exception.
pub(super) fn to_pyerr(py: Python<'_>, err: CoreError) -> PyErr {
    match build(py, err) {
        Ok(e) | Err(e) => e,
    }
}

fn build(py: Python<'_>, err: CoreError) -> PyResult<PyErr> {
    let errors = errors_module(py)?;
    let exc = match err {
        CoreError::Rpc(e) => {
            let data = match &e.data {
                Some(raw) => document_to_py(py, raw.as_bytes())?.unbind(),
                None => py.None(),
            };
            // The code -> class mapping lives next to `is_retryable_error`, which needs the same
            // overload test.
            errors.getattr("map_jsonrpc_error")?.call1((e.code, e.message, data))?
        }
        CoreError::Protocol(message) => errors.getattr("CodexError")?.call1((message,))?,
        CoreError::Closed(why) => errors.getattr("TransportClosedError")?.call1((why.message(),))?,
        CoreError::Timeout(message) => errors.getattr("CodexTimeoutError")?.call1((message,))?,
        CoreError::Connect(message) => errors.getattr("ConnectError")?.call1((message,))?,
        CoreError::Auth(message) => errors.getattr("AuthenticationError")?.call1((message,))?,
    };
    Ok(PyErr::from_value(exc))
}
