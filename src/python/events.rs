//! Python views of routed notifications: the `Notification` object (fields of its payload
//! converted only when read), a turn's stream, and mailbox streams (global queue, logins).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyType};

use crate::connection::Connection;
use crate::error::CoreError;
use crate::mailbox::{Mailbox, Popped};
use crate::protocol::{Event, ValueKind};
use crate::router::TurnSubscription;
use crate::runtime::Owner;
use crate::turn::{TurnEvent, TurnSummary};

use super::convert::{document_to_py, json_to_py};
use super::errors::to_pyerr;
use super::model::{event_fits, kind_of_type, PlanField, RawModelClass};
use super::wait::{awaitable, block_on, check_owner, timed_out, timeout_arg, with_deadline, within, TimedOut};

/// Resolves a method to what builds its payloads, `resolver(method) -> PayloadPlan | callable`;
/// installed by the Python package.
static PAYLOAD_RESOLVER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Installs the function that tells how to build a method's payloads (see `PAYLOAD_RESOLVER`).
#[pyfunction]
pub(super) fn set_payload_resolver(py: Python<'_>, resolver: Py<PyAny>) -> PyResult<()> {
    if !resolver.bind(py).is_callable() {
        return Err(PyTypeError::new_err("payload resolver must be callable"));
    }
    PAYLOAD_RESOLVER.set(py, resolver).map_err(|_| PyTypeError::new_err("the payload resolver is already installed"))
}

/// What every notification of one method shares: its name as a Python string and, once a payload
/// was asked for, what builds its payloads.
struct MethodInfo {
    name: Py<PyString>,
    builder: PyOnceLock<Option<Py<PyAny>>>,
}

impl MethodInfo {
    fn new(name: Py<PyString>) -> Arc<Self> {
        Arc::new(Self { name, builder: PyOnceLock::new() })
    }

    fn builder(&self, py: Python<'_>) -> PyResult<Option<&Py<PyAny>>> {
        let builder = self.builder.get_or_try_init(py, || -> PyResult<_> {
            match PAYLOAD_RESOLVER.get(py) {
                Some(resolver) => Ok(Some(resolver.call1(py, (self.name.clone_ref(py),))?)),
                None => Ok(None),
            }
        })?;
        Ok(builder.as_ref())
    }
}

/// Method infos by method name (a small bounded set: see `protocol::method_name`).
#[derive(Default)]
struct MethodInfos {
    by_name: ahash::AHashMap<Arc<str>, Arc<MethodInfo>>,
}

static METHOD_INFOS: PyOnceLock<std::sync::Mutex<MethodInfos>> = PyOnceLock::new();

/// The info of `method`.
fn method_info(py: Python<'_>, method: &Arc<str>) -> Arc<MethodInfo> {
    thread_local! {
        // Consecutive events mostly share a method: this thread's last answer, without a lock.
        static LAST: std::cell::RefCell<Option<(Arc<str>, Arc<MethodInfo>)>> = const { std::cell::RefCell::new(None) };
    }
    LAST.with(|last| {
        if let Some((_, info)) = last.borrow().as_ref().filter(|(name, _)| Arc::ptr_eq(name, method)) {
            return info.clone();
        }
        let info = shared_method_info(py, method);
        *last.borrow_mut() = Some((method.clone(), info.clone()));
        info
    })
}

fn shared_method_info(py: Python<'_>, method: &Arc<str>) -> Arc<MethodInfo> {
    let infos = METHOD_INFOS.get_or_init(py, Default::default);
    let mut infos = infos.lock().unwrap_or_else(|p| p.into_inner());
    let info = match infos.by_name.get(method) {
        Some(info) => info.clone(),
        None => {
            let info = MethodInfo::new(PyString::intern(py, method).unbind());
            if infos.by_name.len() < 1024 {
                infos.by_name.insert(method.clone(), info.clone());
            }
            info
        }
    };
    info
}

/// How to build the payload of a notification whose class has only scalar fields (the deltas
/// and other high-volume events) without running Python code: check the fields' presence and
/// JSON kinds on the raw bytes, then make an instance of the generated class that reads its
/// fields from those bytes (it becomes a dict only if something needs one). Params that do not
/// fit go to `fallback`, the general Python builder, which decides what they become.
#[pyclass(frozen, module = "openai_codex._core", name = "PayloadPlan")]
pub struct PayloadPlan {
    cls: RawModelClass,
    fields: Vec<PlanField>,
    fallback: Py<PyAny>,
    /// The last event shape found to fit (see `Event::shape`; 0: none): its repeats fit too.
    fitting_shape: AtomicU64,
}

/// A plan field as Python describes it: `(wire_key, required, allowed_types_or_None)`.
type PlanFieldSpec<'py> = (String, bool, Option<Vec<Bound<'py, PyType>>>);

#[pymethods]
impl PayloadPlan {
    /// `fields` are `(wire_key, required, allowed_types_or_None)`; types are among str, int,
    /// float, bool and NoneType. `cls` derives from `RawModel`.
    #[new]
    fn new(cls: Bound<'_, PyType>, fields: Vec<PlanFieldSpec<'_>>, fallback: Py<PyAny>) -> PyResult<Self> {
        let cls = RawModelClass::new(cls)?;
        let fields = fields
            .into_iter()
            .map(|(wire, required, types)| {
                let kinds = types
                    .unwrap_or_default()
                    .iter()
                    .map(|t| {
                        kind_of_type(t).ok_or_else(|| {
                            PyTypeError::new_err(format!("PayloadPlan field {wire:?}: unsupported type {t}"))
                        })
                    })
                    .collect::<PyResult<Vec<_>>>()?;
                Ok(PlanField { wire, required, kinds })
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Self { cls, fields, fallback, fitting_shape: AtomicU64::new(0) })
    }

    /// Builds the payload for already-parsed `params` (as the Python builder would), filling
    /// `_data` and `_cache` as `python/openai_codex/_model/contract.py` describes.
    fn __call__(&self, py: Python<'_>, params: Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let fits = params.cast::<PyDict>().is_ok_and(|data| self.fits_dict(data));
        if !fits {
            return self.fallback.call1(py, (params,));
        }
        let obj = self.cls.instance(py, None)?;
        obj.setattr(pyo3::intern!(py, "_data"), params)?;
        obj.setattr(pyo3::intern!(py, "_cache"), py.None())?;
        Ok(obj.into_any().unbind())
    }
}

impl PayloadPlan {
    fn fits_dict(&self, data: &Bound<'_, PyDict>) -> bool {
        self.fields.iter().all(|field| match data.get_item(&field.wire) {
            Ok(None) => !field.required,
            Ok(Some(value)) => field.allows(kind_of_value(&value)),
            Err(_) => false,
        })
    }

    /// Builds the payload of `event` from its raw bytes.
    fn build(&self, py: Python<'_>, event: Event) -> PyResult<Py<PyAny>> {
        let shape = event.shape();
        if shape == 0 || self.fitting_shape.load(Ordering::Relaxed) != shape {
            if !event_fits(&event, &self.fields) {
                return self.fallback.call1(py, (json_to_py(py, event.params_json())?,));
            }
            self.fitting_shape.store(shape, Ordering::Relaxed);
        }
        // `_cache` stays unset: scalar fields are read through RawField and never cached.
        Ok(self.cls.instance(py, Some(event))?.into_any().unbind())
    }
}

/// The JSON kind a parsed value came from (exact types, as the compiled checks test them).
fn kind_of_value(value: &Bound<'_, PyAny>) -> Option<ValueKind> {
    kind_of_type(&value.get_type())
}

/// One server notification: `method` and its typed `payload`.
///
/// What a turn handle's `stream()` yields. The payload is made when the notification is handed
/// out. For the high-volume notifications (the deltas) it is a thin view of the raw JSON whose
/// fields are decoded only when read; the others are converted by the generated classes, which
/// also convert nested values lazily. A method the SDK has no type for gets an
/// `UnknownNotification` holding the raw params. Notifications compare equal when both fields
/// do, and `match` takes them apart: `case Notification("turn/completed", payload):`.
///
/// Args:
///     method: The JSON-RPC method, e.g. `"item/agentMessage/delta"`.
///     payload: The notification's params as a typed object.
///
/// Attributes:
///     method: The JSON-RPC method, e.g. `"item/agentMessage/delta"`.
///     payload: The notification's params as the SDK's typed object for this method.
#[pyclass(frozen, freelist = 1024, module = "openai_codex.models", name = "Notification")]
pub struct Notification {
    // `Py` fields with `get` on a frozen class are plain struct members: Python reads them
    // without calling into Rust, and CPython's attribute cache specialises the lookups.
    /// The JSON-RPC method, e.g. `"item/agentMessage/delta"`.
    #[pyo3(get)]
    method: Py<PyString>,
    /// The notification's params as the SDK's typed object for this method.
    #[pyo3(get)]
    payload: Py<PyAny>,
}

impl Notification {
    /// The notification for `event`, its payload made by the method's builder. (Made here rather
    /// than on first read: a member is far cheaper to read than a getter, and nearly every
    /// consumer reads the payload.) The SDK's builders turn params that do not fit into
    /// `UnknownNotification` and never raise; an error from building anyway (a bug, Ctrl-C) is
    /// raised from the iteration, and that one event is lost.
    pub(crate) fn from_event(py: Python<'_>, event: Event) -> PyResult<Self> {
        let info = method_info(py, event.method_arc());
        let payload = build_payload(py, &info, event)?;
        Ok(Self { method: info.name.clone_ref(py), payload })
    }
}

/// `event`'s params as the object the method's builder makes (a dict when no resolver is
/// installed).
fn build_payload(py: Python<'_>, info: &MethodInfo, event: Event) -> PyResult<Py<PyAny>> {
    let Some(builder) = info.builder(py)? else {
        return Ok(json_to_py(py, event.params_json())?.unbind());
    };
    match builder.bind(py).cast::<PayloadPlan>() {
        Ok(plan) => plan.get().build(py, event),
        Err(_) => builder.call1(py, (json_to_py(py, event.params_json())?,)),
    }
}

#[pymethods]
impl Notification {
    #[new]
    fn new(method: Py<PyString>, payload: Py<PyAny>) -> Self {
        Self { method, payload }
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str) {
        ("method", "payload")
    }

    /// `Notification[Method, Payload]`: the notification of one method, for annotations (the
    /// typed aliases of `openai_codex.types` are unions of these). A `types.GenericAlias`.
    #[classmethod]
    fn __class_getitem__(cls: &Bound<'_, PyType>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let alias = cls.py().import("types")?.getattr("GenericAlias")?;
        Ok(alias.call1((cls, key))?.unbind())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Notification(method={}, payload={})", self.method.bind(py).repr()?, self.payload.bind(py).repr()?))
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(other) = other.cast::<Notification>() else {
            return Ok(py.NotImplemented());
        };
        let other = other.get();
        let same = self.method.bind(py).as_any().eq(other.method.bind(py))?
            && self.payload.bind(py).eq(other.payload.bind(py))?;
        Ok(same.into_pyobject(py)?.to_owned().into_any().unbind())
    }

    fn __hash__(&self) -> PyResult<isize> {
        Err(PyTypeError::new_err("unhashable type: 'Notification'"))
    }
}

/// The events of one turn, in order, ending with its `turn/completed`.
#[pyclass(frozen, module = "openai_codex._core", name = "TurnStream")]
pub struct TurnStream {
    sub: Arc<TurnSubscription>,
    conn: Arc<Connection>,
    owner: Owner,
}

/// How long Ctrl-C during a blocking wait on a turn spends stopping the turn at the runtime before
/// `KeyboardInterrupt` propagates (a second Ctrl-C propagates it at once).
const CTRL_C_STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

impl TurnStream {
    /// A blocking wait on this turn ended with `error`. When that is the user's Ctrl-C, the turn
    /// is stopped at the runtime first (bounded), so it does not run on unattended.
    fn abandoned(&self, py: Python<'_>, error: PyErr) -> PyErr {
        if error.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) && !self.sub.is_finished() {
            let (conn, sub) = (self.conn.clone(), self.sub.clone());
            // A second Ctrl-C ends this wait too (its error is dropped: the first one is raised).
            let _ = block_on(py, Some(CTRL_C_STOP_GRACE), async move { conn.interrupt_turn(&sub).await });
        }
        error
    }

    pub(crate) fn new(conn: Arc<Connection>, sub: TurnSubscription, owner: Owner) -> Self {
        Self { sub: Arc::new(sub), conn, owner }
    }
}

#[pymethods]
impl TurnStream {
    #[getter]
    fn turn_id(&self) -> &str {
        self.sub.turn_id()
    }

    #[getter]
    fn thread_id(&self) -> Option<&str> {
        self.sub.thread_id()
    }

    /// True once the turn's completion has been handed out.
    #[getter]
    fn finished(&self) -> bool {
        self.sub.is_finished()
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The next event, waiting for it (GIL released, Ctrl-C honoured); the iteration ends after
    /// the turn's `turn/completed`. Events are taken one at a time, so leaving a loop early loses
    /// nothing: the next iteration continues where this one stopped.
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Notification>> {
        self.next_event(py, None)
    }

    /// Like `next(stream)`, with a deadline; None once the turn is finished.
    #[pyo3(signature = (timeout=None))]
    fn next_event(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<Notification>> {
        check_owner(py, self.owner)?;
        let timeout = timeout_arg(timeout)?;
        loop {
            if let Some(notification) = self.try_next(py)? {
                return Ok(Some(notification));
            }
            if self.sub.is_finished() {
                return Ok(None);
            }
            let sub = self.sub.clone();
            let waited = block_on(py, timeout, async move { sub.ready().await }).map_err(|e| self.abandoned(py, e))?;
            if let Err(TimedOut) = waited {
                return Err(to_pyerr(py, timed_out("the next turn event", timeout)));
            }
        }
    }

    /// The next event if one is queued, else None (also once the turn is finished: see
    /// `finished`).
    fn try_next(&self, py: Python<'_>) -> PyResult<Option<Notification>> {
        check_owner(py, self.owner)?;
        match self.sub.take_one() {
            TurnEvent::Event(event) => Ok(Some(Notification::from_event(py, event)?)),
            TurnEvent::Finished | TurnEvent::Empty => Ok(None),
            TurnEvent::Closed(why) => Err(to_pyerr(py, why.into())),
        }
    }

    /// Awaitable that resolves when `try_next` has something to return (or the turn ended).
    /// It consumes nothing, so cancelling it loses no event.
    #[pyo3(signature = (timeout=None))]
    fn wait_ready<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        check_owner(py, self.owner)?;
        let timeout = timeout_arg(timeout)?;
        let sub = self.sub.clone();
        awaitable(py, async move {
            match with_deadline(timeout, sub.ready()).await {
                Ok(()) => Ok(()),
                Err(TimedOut) => Err(Python::attach(|py| to_pyerr(py, timed_out("the next turn event", timeout)))),
            }
        })
    }

    /// Waits (up to `timeout` seconds) until the runtime has announced the turn; true if it has.
    #[pyo3(signature = (timeout))]
    fn wait_started(&self, py: Python<'_>, timeout: f64) -> PyResult<bool> {
        check_owner(py, self.owner)?;
        let timeout = timeout_arg(Some(timeout))?;
        let sub = self.sub.clone();
        Ok(block_on(py, timeout, async move { sub.started().await })?.is_ok())
    }

    /// Async twin of `wait_started`.
    #[pyo3(signature = (timeout))]
    fn wait_started_async<'py>(&self, py: Python<'py>, timeout: f64) -> PyResult<Bound<'py, PyAny>> {
        check_owner(py, self.owner)?;
        let timeout = timeout_arg(Some(timeout))?;
        let sub = self.sub.clone();
        awaitable(py, async move { Ok(with_deadline(timeout, sub.started()).await.is_ok()) })
    }

    /// Stops the turn at the runtime (`turn/interrupt`, sent once the runtime has announced the
    /// turn) and waits, up to `timeout`, for the runtime's answer. True if it answered in time
    /// (or the turn had already completed). GIL released; Ctrl-C interrupts the wait.
    #[pyo3(signature = (timeout=None))]
    fn stop(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        check_owner(py, self.owner)?;
        let timeout = timeout_arg(timeout)?;
        let (conn, sub) = (self.conn.clone(), self.sub.clone());
        match block_on(py, timeout, async move { conn.interrupt_turn(&sub).await })? {
            Ok(outcome) => outcome.map(|()| true).map_err(|e| to_pyerr(py, e)),
            Err(TimedOut) => Ok(false),
        }
    }

    /// Async twin of `stop`.
    #[pyo3(signature = (timeout=None))]
    fn stop_async<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        check_owner(py, self.owner)?;
        let timeout = timeout_arg(timeout)?;
        let (conn, sub) = (self.conn.clone(), self.sub.clone());
        awaitable(py, async move {
            match with_deadline(timeout, async move { conn.interrupt_turn(&sub).await }).await {
                Ok(outcome) => Python::attach(|py| outcome.map(|()| true).map_err(|e| to_pyerr(py, e))),
                Err(TimedOut) => Ok(false),
            }
        })
    }

    /// `stop` in the background, without waiting: for a turn whose caller is going away (a
    /// cancelled task). The stream keeps the turn's events meanwhile.
    fn stop_soon(&self, py: Python<'_>) -> PyResult<()> {
        check_owner(py, self.owner)?;
        let (conn, sub) = (self.conn.clone(), self.sub.clone());
        crate::runtime::runtime().spawn(async move {
            let _ = conn.interrupt_turn(&sub).await;
        });
        Ok(())
    }

    /// Consumes the rest of the turn without building Python objects for its events and returns
    /// `(turn_completed_params, [item_completed_params...], token_usage_params)`.
    #[pyo3(signature = (timeout=None))]
    fn collect<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyTuple>> {
        check_owner(py, self.owner)?;
        let timeout = timeout_arg(timeout)?;
        let sub = self.sub.clone();
        let outcome =
            block_on(py, timeout, async move { drain_to_end(&sub).await }).map_err(|e| self.abandoned(py, e))?;
        let summary = within(outcome, "the turn to complete", timeout).map_err(|e| to_pyerr(py, e))?;
        summary_to_py(py, &summary)
    }

    /// Async twin of `collect`.
    #[pyo3(signature = (timeout=None))]
    fn collect_async<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        check_owner(py, self.owner)?;
        let timeout = timeout_arg(timeout)?;
        let sub = self.sub.clone();
        awaitable(py, async move {
            let outcome = within(with_deadline(timeout, drain_to_end(&sub)).await, "the turn to complete", timeout);
            Python::attach(|py| {
                let summary = outcome.map_err(|e| to_pyerr(py, e))?;
                summary_to_py(py, &summary).map(Bound::unbind)
            })
        })
    }

    /// What has been gathered so far, in the shape `collect` returns.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        summary_to_py(py, &self.sub.summary())
    }

    fn __repr__(&self) -> String {
        format!(
            "<TurnStream turn_id={:?} finished={} pid={:?}>",
            self.sub.turn_id(),
            self.sub.is_finished(),
            self.conn.pid()
        )
    }
}

async fn drain_to_end(sub: &TurnSubscription) -> Result<TurnSummary, CoreError> {
    loop {
        match sub.take_one() {
            TurnEvent::Event(_) => continue,
            TurnEvent::Finished => return Ok(sub.summary()),
            TurnEvent::Closed(why) => return Err(why.into()),
            TurnEvent::Empty => sub.ready().await,
        }
    }
}

fn summary_to_py<'py>(py: Python<'py>, s: &TurnSummary) -> PyResult<Bound<'py, PyTuple>> {
    let params = |e: &Option<Event>| -> PyResult<Py<PyAny>> {
        match e {
            Some(e) => Ok(document_to_py(py, e.params_json())?.unbind()),
            None => Ok(py.None()),
        }
    };
    let items =
        PyList::new(py, s.items.iter().map(|e| document_to_py(py, e.params_json())).collect::<PyResult<Vec<_>>>()?)?;
    PyTuple::new(py, [params(&s.completed)?, items.into_any().unbind(), params(&s.usage)?])
}

/// Notifications from one mailbox: the global queue, or one login's completion.
#[pyclass(frozen, module = "openai_codex._core", name = "EventStream")]
pub struct EventStream {
    mailbox: Arc<Mailbox<Event>>,
    owner: Owner,
}

impl EventStream {
    pub(crate) fn new(mailbox: Arc<Mailbox<Event>>, owner: Owner) -> Self {
        Self { mailbox, owner }
    }
}

#[pymethods]
impl EventStream {
    /// The next notification, waiting for one.
    #[pyo3(signature = (timeout=None))]
    fn next(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Notification> {
        check_owner(py, self.owner)?;
        let timeout = timeout_arg(timeout)?;
        loop {
            if let Some(notification) = self.try_next(py)? {
                return Ok(notification);
            }
            let mailbox = self.mailbox.clone();
            if let Err(TimedOut) = block_on(py, timeout, async move { mailbox.ready().await })? {
                return Err(to_pyerr(py, timed_out("a notification", timeout)));
            }
        }
    }

    /// The next notification if one is queued, else None.
    fn try_next(&self, py: Python<'_>) -> PyResult<Option<Notification>> {
        check_owner(py, self.owner)?;
        match self.mailbox.pop() {
            Popped::Item(event) => Ok(Some(Notification::from_event(py, event)?)),
            Popped::Closed(why) => Err(to_pyerr(py, why.into())),
            Popped::Empty => Ok(None),
        }
    }

    /// Async twin of `next`.
    #[pyo3(signature = (timeout=None))]
    fn next_async<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        check_owner(py, self.owner)?;
        let timeout = timeout_arg(timeout)?;
        let mailbox = self.mailbox.clone();
        awaitable(py, async move {
            let outcome = with_deadline(timeout, async {
                loop {
                    match mailbox.pop() {
                        Popped::Item(event) => return Ok(event),
                        Popped::Closed(why) => return Err(CoreError::from(why)),
                        Popped::Empty => mailbox.ready().await,
                    }
                }
            })
            .await;
            let outcome = within(outcome, "a notification", timeout);
            Python::attach(|py| Notification::from_event(py, outcome.map_err(|e| to_pyerr(py, e))?))
        })
    }

    /// Notifications discarded because nobody read this (bounded) queue in time.
    #[getter]
    fn dropped(&self) -> u64 {
        self.mailbox.dropped()
    }
}
