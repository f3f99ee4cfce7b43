//! Rust support for the generated protocol classes (`openai_codex._model.WireModel`): reading
//! scalar fields straight from the raw JSON of a notification, so a payload that is only read for
//! a field or two never becomes a Python dict.

use jiter::{Jiter, JiterResult, Peek};

use crate::protocol::{skip_value, span_within, Span, ValueKind};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyType};

use crate::protocol::Event;

use super::convert::json_to_py;

/// The raw JSON object a payload was sent as (shared with the event, not copied). Fields are
/// found through the member index the reader made while scanning the line, or, for objects it
/// did not index, by scanning the JSON.
#[pyclass(frozen, freelist = 1024, module = "openai_codex._core", name = "RawJson")]
pub struct RawJson {
    event: Event,
}

impl RawJson {
    pub fn new(event: Event) -> Self {
        Self { event }
    }

    fn bytes(&self) -> &[u8] {
        self.event.params_json()
    }

    /// The value of top-level `key`, as Python; None when absent.
    fn field<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        let bytes = self.bytes();
        if let Some(mut members) = self.event.members() {
            let found = members.find(|m| m.key_in(bytes) == key.as_bytes());
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

    /// Whether the object has the fields a plan expects: required ones present, each of a JSON
    /// kind it allows (none listed: any); false for anything that is not such an object.
    pub fn fits(&self, fields: &[PlanField]) -> bool {
        let mut seen = [false; 64];
        if fields.len() > seen.len() {
            return false;
        }
        let bytes = self.bytes();
        let mut check = |key: &[u8], kind: ValueKind| -> bool {
            match fields.iter().position(|f| f.wire.as_bytes() == key) {
                Some(i) => {
                    seen[i] = true;
                    fields[i].kinds.is_empty() || fields[i].kinds.contains(&kind)
                }
                None => true,
            }
        };
        let ok = match self.event.members() {
            Some(mut members) => members.all(|m| check(m.key_in(bytes), m.kind)),
            None => scan_object(bytes, |key, j| {
                let span = skip_value(j)?;
                Ok(check(key, ValueKind::of(&bytes[span])))
            })
            .unwrap_or(false),
        };
        ok && fields.iter().zip(seen).all(|(f, seen)| seen || !f.required)
    }
}

#[pymethods]
impl RawJson {
    /// The whole object as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, self.bytes())
    }

    /// `dict.get` on the object, without building the dict.
    #[pyo3(signature = (key, default=None))]
    fn get<'py>(&self, py: Python<'py>, key: &str, default: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.field(py, key)?.or(default).unwrap_or_else(|| py.None().into_bound(py)))
    }
}

/// A JSON value as Python. A string without escapes (the common case: ids, text deltas) is made
/// straight from its bytes; anything else goes through the JSON parser.
fn value_to_py<'py>(py: Python<'py>, json: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    if let [b'"', inner @ .., b'"'] = json {
        if !inner.contains(&b'\\') {
            if let Ok(text) = std::str::from_utf8(inner) {
                return Ok(PyString::new(py, text).into_any());
            }
        }
    }
    json_to_py(py, json)
}

/// Direct access to one `__slots__` member of Python instances, through its member descriptor:
/// what `obj._raw` does, minus the attribute lookup (which `WireModel.__getattr__` routes
/// through a comparatively slow hook). The descriptor checks the instance's type itself.
pub struct SlotAccess {
    descr: Py<PyAny>,
    get: pyo3::ffi::descrgetfunc,
    set: pyo3::ffi::descrsetfunc,
}

impl SlotAccess {
    pub fn new(descr: Bound<'_, PyAny>) -> PyResult<Self> {
        // SAFETY: reading slots of a live type object through the limited API; a null slot is
        // reported, not called.
        let (get, set) = unsafe {
            let t = pyo3::ffi::Py_TYPE(descr.as_ptr());
            (
                pyo3::ffi::PyType_GetSlot(t, pyo3::ffi::Py_tp_descr_get),
                pyo3::ffi::PyType_GetSlot(t, pyo3::ffi::Py_tp_descr_set),
            )
        };
        if get.is_null() || set.is_null() {
            return Err(PyTypeError::new_err(format!("{} is not a slot descriptor", descr.repr()?)));
        }
        // SAFETY: non-null slots of these names hold functions of these signatures.
        let (get, set) = unsafe {
            (
                std::mem::transmute::<*mut std::ffi::c_void, pyo3::ffi::descrgetfunc>(get),
                std::mem::transmute::<*mut std::ffi::c_void, pyo3::ffi::descrsetfunc>(set),
            )
        };
        Ok(Self { descr: descr.unbind(), get, set })
    }

    /// `obj.<slot>`; AttributeError when unset.
    pub fn get<'py>(&self, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        // SAFETY: the descriptor's own getter, called as `descr.__get__(obj, type(obj))`.
        unsafe {
            let owner = pyo3::ffi::Py_TYPE(obj.as_ptr()).cast();
            Bound::from_owned_ptr_or_err(obj.py(), (self.get)(self.descr.as_ptr(), obj.as_ptr(), owner))
        }
    }

    /// `obj.<slot> = value`.
    pub fn set(&self, obj: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        // SAFETY: the descriptor's own setter, called as `descr.__set__(obj, value)`.
        match unsafe { (self.set)(self.descr.as_ptr(), obj.as_ptr(), value.as_ptr()) } {
            0 => Ok(()),
            _ => Err(PyErr::fetch(obj.py())),
        }
    }
}

/// One field a payload plan checks on the raw JSON.
pub struct PlanField {
    pub wire: String,
    pub required: bool,
    /// Allowed kinds; empty: any JSON value.
    pub kinds: Vec<ValueKind>,
}

/// The kind of JSON value a Python type stands for in a payload plan (`str`, `int`, `float`,
/// `bool`, `NoneType`).
pub fn kind_of_type(t: &Bound<'_, PyType>) -> Option<ValueKind> {
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
    let span = |k: &[u8]| span_within(bytes, k);
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

/// Where the value of top-level `key` lies in `bytes`.
fn find_key(bytes: &[u8], key: &[u8]) -> JiterResult<Option<Span>> {
    let mut found = None;
    scan_object(bytes, |k, j| {
        let span = skip_value(j)?;
        if found.is_none() && k == key {
            found = Some(span);
        }
        Ok(true)
    })?;
    Ok(found)
}

/// A scalar field of a generated class: reads from the raw JSON while the instance has it, from
/// the `_data` dict once that exists; assignment goes through the class's own (validating)
/// setter.
#[pyclass(frozen, module = "openai_codex._core", name = "RawField")]
pub struct RawField {
    wire: Py<PyString>,
    default: Py<PyAny>,
    setter: Py<PyAny>,
    raw: SlotAccess,
    doc: Option<String>,
}

#[pymethods]
impl RawField {
    /// `raw_slot` is the member descriptor of the instances' `_raw` slot.
    #[new]
    #[pyo3(signature = (wire, default, setter, raw_slot, doc=None))]
    fn new(
        wire: Py<PyString>,
        default: Py<PyAny>,
        setter: Py<PyAny>,
        raw_slot: Bound<'_, PyAny>,
        doc: Option<String>,
    ) -> PyResult<Self> {
        Ok(Self { wire, default, setter, raw: SlotAccess::new(raw_slot)?, doc })
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
        let raw = this.raw.get(&obj)?;
        if let Ok(raw) = raw.cast::<RawJson>() {
            let wire = this.wire.bind(py).to_str()?;
            return Ok(raw.get().field(py, wire)?.unwrap_or_else(|| this.default.bind(py).clone()));
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
