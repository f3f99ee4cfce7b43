//! Rust support for the generated protocol classes (`openai_codex._model.WireModel`): their base
//! class, and reading scalar fields straight from the raw JSON of a notification, so a payload
//! that is only read for a field or two never becomes a Python dict.
//!
//! The attribute names this module and `events.rs`/`convert.rs` read or fill on Python objects
//! (`_data`, `_cache`, `_to_wire`, `_raw_dict`, `_drop_raw`) are the payload contract described
//! in `python/openai_codex/_model/contract.py`; change them there and here together.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;

use jiter::{Jiter, JiterResult, Peek};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};

use crate::protocol::{skip_value, span_within, Event, Span, ValueKind};

use super::convert::json_to_py;

/// Base class of the generated protocol classes (`_model.WireModel`). A payload the core builds
/// from a notification keeps the event here, undecoded and shared with it (not copied): its
/// scalar fields are read from the raw JSON (`RawField`), and it becomes a dict only when
/// something needs one (`_raw_dict`, then `_drop_raw`). Keeping the event in the instance itself
/// spares a second Python object per payload.
#[pyclass(subclass, frozen, module = "openai_codex._core", name = "RawModel")]
pub struct RawModel {
    raw: Mutex<Option<Event>>,
}

impl RawModel {
    /// The event, while the instance still reads from it. A clone (one reference count), so no
    /// lock is held while Python objects are made.
    fn event(&self) -> Option<Event> {
        self.raw.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// A class whose instances have RawModel's layout (a subclass of it), checked once when made, so
/// that instances can then be made without checking again.
pub(super) struct RawModelClass {
    cls: Py<PyType>,
    /// RawModel's own tp_new slot (read through the limited API).
    tp_new: pyo3::ffi::newfunc,
}

impl RawModelClass {
    /// Fails unless `cls` derives from RawModel. (A plain MRO check: `__subclasscheck__` hooks do
    /// not make a layout compatible.)
    pub(super) fn new(cls: Bound<'_, PyType>) -> PyResult<Self> {
        let base = cls.py().get_type::<RawModel>();
        // SAFETY: both are live type objects.
        if unsafe { pyo3::ffi::PyType_IsSubtype(cls.as_type_ptr(), base.as_type_ptr()) } == 0 {
            return Err(PyTypeError::new_err(format!("{} does not derive from RawModel", cls.name()?)));
        }
        // SAFETY: a live type object whose tp_new slot pyo3 always fills (with a `newfunc`).
        let tp_new = unsafe {
            std::mem::transmute::<*mut std::ffi::c_void, pyo3::ffi::newfunc>(pyo3::ffi::PyType_GetSlot(
                base.as_type_ptr(),
                pyo3::ffi::Py_tp_new,
            ))
        };
        Ok(Self { cls: cls.unbind(), tp_new })
    }

    /// A new instance holding `raw`, made without running `__init__`.
    pub(super) fn instance<'py>(&self, py: Python<'py>, raw: Option<Event>) -> PyResult<Bound<'py, RawModel>> {
        // SAFETY: RawModel's tp_new makes an instance of any subtype of it, as `self.cls` was
        // checked to be (what `RawModel.__new__(cls)` does, without the Python call); the result
        // is such an instance, or null with an exception set.
        let obj = unsafe {
            let args = PyTuple::empty(py);
            Bound::from_owned_ptr_or_err(
                py,
                (self.tp_new)(self.cls.as_ptr().cast(), args.as_ptr(), std::ptr::null_mut()),
            )?
            .cast_into_unchecked::<RawModel>()
        };
        if raw.is_some() {
            *obj.get().raw.lock().unwrap_or_else(|p| p.into_inner()) = raw;
        }
        Ok(obj)
    }
}

#[pymethods]
impl RawModel {
    /// An instance holding no raw JSON. Any arguments are for the subclass's `__init__`.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        Self { raw: Mutex::new(None) }
    }

    /// The undecoded JSON object, decoded into a new dict; None when the instance holds none
    /// (any more). The instance goes on reading from the raw JSON until `_drop_raw`.
    fn _raw_dict<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.event().map(|event| json_to_py(py, event.params_json())).transpose()
    }

    /// Forgets the undecoded JSON (the instance's data was replaced).
    fn _drop_raw(&self) {
        *self.raw.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// The value of top-level `key` of `event`'s params, as Python; None when absent. Found through
/// the member index the reader made while scanning the line, or, for objects it did not index,
/// by scanning the JSON.
fn event_field<'py>(py: Python<'py>, event: &Event, key: &str, hint: &AtomicU8) -> PyResult<Option<Bound<'py, PyAny>>> {
    let bytes = event.params_json();
    if let Some(members) = event.members() {
        // As in the dict the JSON would make, the last of repeated keys counts. Payloads of one
        // method mostly list their members in one order: where this field was found last time
        // is tried first (it holds if no later member has the key).
        let is_key = |i: usize| members.get(i).filter(|m| same_key(m.key_in(bytes), key.as_bytes()));
        let hinted = usize::from(hint.load(Ordering::Relaxed));
        let found = match is_key(hinted) {
            Some(m) if (hinted + 1..members.len()).all(|i| is_key(i).is_none()) => Some(m),
            _ => (0..members.len()).rev().find_map(|i| {
                let m = is_key(i)?;
                hint.store(i as u8, Ordering::Relaxed);
                Some(m)
            }),
        };
        return match found {
            Some(m) => Ok(Some(value_to_py(py, m.value_in(bytes))?)),
            None => Ok(None),
        };
    }
    match find_key(bytes, key.as_bytes()) {
        Ok(Some(span)) => Ok(Some(json_to_py(py, &bytes[span])?)),
        Ok(None) => Ok(None),
        // Not an object we can scan: let the full parse report it.
        Err(_) => Ok(json_to_py(py, bytes)?.cast::<PyDict>().ok().and_then(|d| d.get_item(key).ok().flatten())),
    }
}

/// Whether `event`'s params have the fields a plan expects: required ones present, each of a
/// JSON kind it allows (none listed: any); false for anything that is not such an object.
pub(super) fn event_fits(event: &Event, fields: &[PlanField]) -> bool {
    let mut seen = [false; 64];
    if fields.len() > seen.len() {
        return false;
    }
    let bytes = event.params_json();
    let mut check = |key: &[u8], kind: ValueKind| -> bool {
        match fields.iter().position(|f| same_key(f.wire.as_bytes(), key)) {
            Some(i) => {
                seen[i] = true;
                fields[i].allows(Some(kind))
            }
            None => true,
        }
    };
    let ok = match event.members() {
        Some(members) => members.iter().all(|m| check(m.key_in(bytes), m.kind)),
        None => scan_object(bytes, |key, j| {
            let span = skip_value(j)?;
            Ok(check(key, ValueKind::of(&bytes[span])))
        })
        .unwrap_or(false),
    };
    ok && fields.iter().zip(seen).all(|(f, seen)| seen || !f.required)
}

/// Key equality, inlined: keys are a few bytes long, and a call to `memcmp` for each candidate
/// key of each event costs more than the comparison itself.
#[inline]
fn same_key(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// A JSON value as Python. A string without escapes (the common case: ids, text deltas) is made
/// straight from its bytes (Python checks the UTF-8 as it decodes); anything else goes through
/// the JSON parser.
fn value_to_py<'py>(py: Python<'py>, json: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    if let [b'"', inner @ .., b'"'] = json {
        if !inner.contains(&b'\\') {
            if let Ok(text) = PyString::from_bytes(py, inner) {
                return Ok(text.into_any());
            }
        }
    }
    json_to_py(py, json)
}

/// One field a payload plan checks on the raw JSON (or on a parsed dict).
pub(super) struct PlanField {
    pub wire: String,
    pub required: bool,
    /// Allowed kinds; empty: any value.
    pub kinds: Vec<ValueKind>,
}

impl PlanField {
    /// Whether a value of `kind` (None: of no JSON kind) may fill the field.
    pub(super) fn allows(&self, kind: Option<ValueKind>) -> bool {
        self.kinds.is_empty() || kind.is_some_and(|k| self.kinds.contains(&k))
    }
}

/// The kind of JSON value a Python type stands for in a payload plan (`str`, `int`, `float`,
/// `bool`, `NoneType`).
pub(super) fn kind_of_type(t: &Bound<'_, PyType>) -> Option<ValueKind> {
    let py = t.py();
    if t.is(py.get_type::<pyo3::types::PyString>()) {
        Some(ValueKind::String)
    } else if t.is(py.get_type::<pyo3::types::PyBool>()) {
        Some(ValueKind::Bool)
    } else if t.is(py.get_type::<pyo3::types::PyInt>()) {
        Some(ValueKind::Int)
    } else if t.is(py.get_type::<pyo3::types::PyFloat>()) {
        Some(ValueKind::Float)
    } else if t.is(py.None().bind(py).get_type()) {
        Some(ValueKind::Null)
    } else {
        None
    }
}

/// Visits each top-level key of a JSON object (raw key bytes; keys with escapes never match a
/// plain field name, which is what callers look for). `visit` must consume the value; it returns
/// false to reject the object.
fn scan_object(bytes: &[u8], mut visit: impl FnMut(&[u8], &mut Jiter<'_>) -> JiterResult<bool>) -> JiterResult<bool> {
    // The key slices borrow the parser; keep their place in `bytes` instead.
    let span = |k: &[u8]| span_within(bytes, k).expect("jiter hands out keys as slices of its input");
    let mut j = Jiter::new(bytes);
    if j.peek()? != Peek::Object {
        return Ok(false);
    }
    let mut key = j.next_object_bytes()?.map(span);
    while let Some(k) = key {
        if !visit(&bytes[k], &mut j)? {
            return Ok(false);
        }
        key = j.next_key_bytes()?.map(span);
    }
    Ok(true)
}

/// Where the value of top-level `key` lies in `bytes` (the last, if it repeats: as in a dict).
fn find_key(bytes: &[u8], key: &[u8]) -> JiterResult<Option<Span>> {
    let mut found = None;
    scan_object(bytes, |k, j| {
        let span = skip_value(j)?;
        if k == key {
            found = Some(span);
        }
        Ok(true)
    })?;
    Ok(found)
}

/// A scalar field of a generated class: reads from the raw JSON while the instance has it, from
/// the `_data` dict once that exists; assignment goes through the class's own (validating)
/// setter. (`_data`: see `_model/contract.py`.)
#[pyclass(frozen, module = "openai_codex._core", name = "RawField")]
pub struct RawField {
    wire: Py<PyString>,
    /// `wire` as Rust text, to look it up in raw JSON without asking Python for it.
    wire_key: Box<str>,
    /// Where in the member index the field was found last (see `event_field`).
    hint: AtomicU8,
    default: Py<PyAny>,
    setter: Py<PyAny>,
    doc: Option<String>,
}

#[pymethods]
impl RawField {
    #[new]
    #[pyo3(signature = (wire, default, setter, doc=None))]
    fn new(wire: Bound<'_, PyString>, default: Py<PyAny>, setter: Py<PyAny>, doc: Option<String>) -> PyResult<Self> {
        let wire_key = wire.to_str()?.into();
        Ok(Self { wire: wire.unbind(), wire_key, hint: AtomicU8::new(0), default, setter, doc })
    }

    #[getter]
    fn __doc__(&self) -> Option<&str> {
        self.doc.as_deref()
    }

    fn __get__<'py>(
        slf: &Bound<'py, Self>,
        obj: Option<Bound<'py, PyAny>>,
        _owner: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let Some(obj) = obj.filter(|o| !o.is_none()) else {
            return Ok(slf.clone().into_any());
        };
        let this = slf.get();
        if let Some(event) = obj.cast::<RawModel>().ok().and_then(|model| model.get().event()) {
            let value = event_field(py, &event, &this.wire_key, &this.hint)?;
            return Ok(value.unwrap_or_else(|| this.default.bind(py).clone()));
        }
        let data = obj.getattr(pyo3::intern!(py, "_data"))?;
        match data.cast::<PyDict>() {
            Ok(data) => Ok(data.get_item(this.wire.bind(py))?.unwrap_or_else(|| this.default.bind(py).clone())),
            Err(_) => data.call_method1(pyo3::intern!(py, "get"), (this.wire.bind(py), this.default.bind(py))),
        }
    }

    fn __set__(&self, py: Python<'_>, obj: Bound<'_, PyAny>, value: Bound<'_, PyAny>) -> PyResult<()> {
        self.setter.call1(py, (obj, value)).map(drop)
    }
}
