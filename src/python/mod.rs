//! PyO3 bindings: the `openai_codex._core` extension module.

mod client;
mod convert;
mod errors;
mod events;
mod model;
mod server_requests;
mod wait;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // SAFETY: registers a plain `extern "C"` function with no arguments, as pthread_atfork
    // expects; it only stores to an atomic, which a fork handler may do.
    unsafe {
        libc::pthread_atfork(None, None, Some(wait::forget_parent_awaitables));
    }
    m.add_class::<client::Client>()?;
    m.add_class::<events::Notification>()?;
    m.add_class::<server_requests::PyServerRequest>()?;
    m.add_class::<events::TurnStream>()?;
    m.add_class::<events::EventStream>()?;
    m.add_class::<events::PayloadPlan>()?;
    m.add_class::<model::RawModel>()?;
    m.add_class::<model::RawField>()?;
    m.add_function(wrap_pyfunction!(events::set_payload_resolver, m)?)?;
    m.add_function(wrap_pyfunction!(client::shutdown, m)?)?;
    Ok(())
}
