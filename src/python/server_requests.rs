//! Server requests decided in Python. The reader never waits for Python: a [`QueueResponder`]
//! queues each request it keeps (with the reply owed), and Python takes them with
//! `Client.next_server_request[_async]` and answers through the [`PyServerRequest`] object, from
//! any thread, whenever it likes.
//!
//! The responder also watches the notifications: a request the runtime withdraws
//! (`serverRequest/resolved` before we answered, or its turn ending) is marked cancelled and a
//! late answer is dropped; the latest `fileChange` item of each item id is kept, because a file
//! change approval names its item but carries none of its paths.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::error::Closed;
use crate::mailbox::{Mailbox, Popped};
use crate::protocol::{Event, RpcError};
use crate::server_requests::{PendingReply, Responder, ServerRequest};
use crate::turn::TURN_COMPLETED;

use super::convert::{json_to_py, py_to_json};

const RESOLVED: &str = "serverRequest/resolved";
const ITEM_STARTED: &str = "item/started";
const FILE_CHANGE_APPROVAL: &str = "item/fileChange/requestApproval";
/// How many `fileChange` items are remembered (the newest), for approvals yet to come.
const FILE_ITEMS: usize = 256;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One request kept for Python, and the reply owed to it.
pub(crate) struct Held {
    request: ServerRequest,
    /// The id as a JSON value, to compare with the ids `serverRequest/resolved` names.
    id_value: serde_json::Value,
    thread_id: Option<String>,
    turn_id: Option<String>,
    /// For a file change approval: the matching `fileChange` item (raw JSON), if it was seen.
    item: Option<Box<str>>,
    reply: PendingReply,
    cancelled: AtomicBool,
}

impl Held {
    fn withdraw(&self) {
        if self.reply.withdraw() {
            self.cancelled.store(true, Ordering::Release);
        }
    }
}

#[derive(Default)]
struct FileItems {
    /// `(item id, turn id, item JSON)`, oldest first.
    items: VecDeque<(String, Option<String>, Box<str>)>,
}

impl FileItems {
    fn put(&mut self, item_id: String, turn_id: Option<String>, item: Box<str>) {
        self.items.retain(|(id, _, _)| *id != item_id);
        self.items.push_back((item_id, turn_id, item));
        while self.items.len() > FILE_ITEMS {
            self.items.pop_front();
        }
    }

    fn get(&self, item_id: &str) -> Option<Box<str>> {
        self.items.iter().rev().find(|(id, _, _)| id == item_id).map(|(_, _, item)| item.clone())
    }

    fn forget_turn(&mut self, turn_id: &str) {
        self.items.retain(|(_, t, _)| t.as_deref() != Some(turn_id));
    }
}

/// Hands the requests of chosen methods to Python through a queue; the others get the default
/// answers at once.
pub(crate) struct QueueResponder {
    methods: RwLock<HashSet<String>>,
    queue: Arc<Mailbox<Arc<Held>>>,
    /// Requests handed out and not yet answered (weak: Python owns them).
    outstanding: Mutex<Vec<Weak<Held>>>,
    file_items: Mutex<FileItems>,
}

impl QueueResponder {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            methods: RwLock::new(HashSet::new()),
            queue: Mailbox::new(None),
            outstanding: Mutex::new(Vec::new()),
            file_items: Mutex::new(FileItems::default()),
        })
    }

    pub(crate) fn set_methods(&self, methods: HashSet<String>) {
        *self.methods.write().unwrap_or_else(|p| p.into_inner()) = methods;
    }

    pub(crate) fn queue(&self) -> &Arc<Mailbox<Arc<Held>>> {
        &self.queue
    }

    fn wants(&self, method: &str) -> bool {
        self.methods.read().unwrap_or_else(|p| p.into_inner()).contains(method)
    }

    /// Applies `f` to every outstanding request still alive, forgetting answered ones.
    fn each_outstanding(&self, mut f: impl FnMut(&Held)) {
        let mut outstanding = lock(&self.outstanding);
        outstanding.retain(|w| match w.upgrade() {
            Some(held) if !held.reply.is_answered() => {
                f(&held);
                !held.reply.is_answered()
            }
            _ => false,
        });
    }
}

#[derive(serde::Deserialize)]
struct Keys {
    #[serde(rename = "threadId")]
    thread_id: Option<String>,
    #[serde(rename = "turnId")]
    turn_id: Option<String>,
    #[serde(rename = "itemId")]
    item_id: Option<String>,
}

impl Responder for QueueResponder {
    fn respond(&self, request: ServerRequest, reply: PendingReply) -> bool {
        if !self.wants(&request.method) {
            reply.send_default(&request);
            return false;
        }
        let keys = request.params.as_deref().and_then(|p| serde_json::from_str::<Keys>(p).ok());
        let (thread_id, turn_id, item_id) = keys.map_or((None, None, None), |k| (k.thread_id, k.turn_id, k.item_id));
        let item = match (&*request.method, &item_id) {
            (FILE_CHANGE_APPROVAL, Some(item_id)) => lock(&self.file_items).get(item_id),
            _ => None,
        };
        let id_value = serde_json::from_str(reply.id()).unwrap_or(serde_json::Value::Null);
        let held =
            Arc::new(Held { request, id_value, thread_id, turn_id, item, reply, cancelled: AtomicBool::new(false) });
        {
            let mut outstanding = lock(&self.outstanding);
            outstanding.retain(|w| w.upgrade().is_some_and(|h| !h.reply.is_answered()));
            outstanding.push(Arc::downgrade(&held));
        }
        self.queue.push(held);
        true
    }

    fn observe(&self, event: &Event) {
        match event.method() {
            RESOLVED => {
                #[derive(serde::Deserialize)]
                struct Resolved {
                    #[serde(rename = "requestId")]
                    request_id: serde_json::Value,
                }
                if let Ok(resolved) = serde_json::from_slice::<Resolved>(event.params_json()) {
                    self.each_outstanding(|held| {
                        if held.id_value == resolved.request_id {
                            held.withdraw();
                        }
                    });
                }
            }
            TURN_COMPLETED => {
                #[derive(serde::Deserialize)]
                struct Completed {
                    turn: TurnId,
                }
                #[derive(serde::Deserialize)]
                struct TurnId {
                    id: String,
                }
                if let Ok(done) = serde_json::from_slice::<Completed>(event.params_json()) {
                    self.each_outstanding(|held| {
                        if held.turn_id.as_deref() == Some(&done.turn.id) {
                            held.withdraw();
                        }
                    });
                    lock(&self.file_items).forget_turn(&done.turn.id);
                }
            }
            ITEM_STARTED if contains(event.params_json(), b"\"fileChange\"") => {
                #[derive(serde::Deserialize)]
                struct Started<'a> {
                    #[serde(rename = "turnId")]
                    turn_id: Option<String>,
                    #[serde(borrow)]
                    item: &'a serde_json::value::RawValue,
                }
                #[derive(serde::Deserialize)]
                struct ItemHead {
                    id: String,
                    #[serde(rename = "type")]
                    kind: String,
                }
                let Ok(started) = serde_json::from_slice::<Started<'_>>(event.params_json()) else { return };
                let Ok(head) = serde_json::from_str::<ItemHead>(started.item.get()) else { return };
                if head.kind == "fileChange" {
                    lock(&self.file_items).put(head.id, started.turn_id, started.item.get().into());
                }
            }
            _ => {}
        }
    }

    fn closed(&self, why: &Closed) {
        self.queue.close(why.clone());
        // Whatever Python never decided is answered now, failing closed.
        self.each_outstanding(|held| {
            held.reply.send_fail_closed(&held.request);
        });
        // Requests still queued (never taken) are held only by the queue: fail them closed too.
        while let Popped::Item(held) = self.queue.pop() {
            held.reply.send_fail_closed(&held.request);
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

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
        json_to_py(py, self.held.reply.id().as_bytes())
    }

    /// The request's method, e.g. ``item/commandExecution/requestApproval``.
    #[getter]
    fn method(&self) -> &str {
        &self.held.request.method
    }

    /// The request's params, as a new dict on each read (``{}`` when it had none).
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, self.held.request.params.as_deref().unwrap_or("{}").as_bytes())
    }

    /// The thread the request is about, if its params name one.
    #[getter]
    fn thread_id(&self) -> Option<&str> {
        self.held.thread_id.as_deref()
    }

    /// The turn the request is about, if its params name one.
    #[getter]
    fn turn_id(&self) -> Option<&str> {
        self.held.turn_id.as_deref()
    }

    /// For a file change approval: the ``fileChange`` item it is about (from its
    /// ``item/started``), as a dict; None when there is none or it was not seen.
    #[getter]
    fn item<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.held.item.as_deref().map(|item| json_to_py(py, item.as_bytes())).transpose()
    }

    /// True once the runtime withdrew the request (it was resolved elsewhere, or its turn
    /// ended) before it was answered; an answer given now is ignored.
    #[getter]
    fn cancelled(&self) -> bool {
        self.held.cancelled.load(Ordering::Acquire)
    }

    /// True once the request was answered or withdrawn.
    #[getter]
    fn answered(&self) -> bool {
        self.held.reply.is_answered()
    }

    /// Answers with `result` (a JSON object). True if this call sent the answer.
    fn respond(&self, result: &Bound<'_, PyAny>) -> PyResult<bool> {
        let json = py_to_json(result, "the result")?;
        if !json.starts_with('{') {
            return Err(PyValueError::new_err("a server request's result must be a JSON object (a dict)"));
        }
        Ok(self.held.reply.send(Ok(&json)))
    }

    /// Answers with a JSON-RPC error. True if this call sent the answer.
    #[pyo3(signature = (code, message, data=None))]
    fn error(&self, code: i64, message: String, data: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
        let data = match data {
            Some(d) if !d.is_none() => Some(py_to_json(d, "the error data")?.into_boxed_str()),
            _ => None,
        };
        Ok(self.held.reply.send(Err(&RpcError { code, message, data })))
    }

    /// Answers as the client does when no handler is installed (see the docs). True if this
    /// call sent the answer.
    fn respond_default(&self) -> bool {
        self.held.reply.send_default(&self.held.request)
    }

    /// Answers with the fail-closed answer (approvals declined, no permissions granted, the
    /// default for everything else). True if this call sent the answer.
    fn respond_fail_closed(&self) -> bool {
        self.held.reply.send_fail_closed(&self.held.request)
    }

    fn __repr__(&self) -> String {
        format!(
            "ServerRequest(id={}, method={:?}, thread_id={:?}, turn_id={:?})",
            self.held.reply.id(),
            self.held.request.method,
            self.held.thread_id,
            self.held.turn_id
        )
    }
}
