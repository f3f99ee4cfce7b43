//! JSON <-> Python. Incoming JSON is turned into Python objects by jiter (the parser behind
//! pydantic-core); outgoing params are serialized straight from Python objects, with errors that
//! name the offending field before anything is sent.

use jiter::{FloatMode, PartialMode, PythonParse, StringCacheMode};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// For notification payloads: keys, and short values such as ids and enum strings, repeat across
/// the events of a stream; jiter's string cache then hands out one Python string for each.
const EVENT_PARSER: PythonParse = PythonParse {
    allow_inf_nan: false,
    cache_mode: StringCacheMode::All,
    partial_mode: PartialMode::Off,
    catch_duplicate_keys: false,
    float_mode: FloatMode::Float,
};

/// For documents read once (responses, a turn's summary, errors, server requests): their values
/// are mostly new ids and timestamps, which would only take the cache's slots (it holds 16,384
/// strings, about 1.3 MB once full: that filled over the first few thousand turns).
const DOCUMENT_PARSER: PythonParse = PythonParse { cache_mode: StringCacheMode::Keys, ..EVENT_PARSER };

/// Parses a notification's params into Python objects.
pub(super) fn json_to_py<'py>(py: Python<'py>, json: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    parse_with(&EVENT_PARSER, py, json)
}

/// Parses a JSON document read once (see [`DOCUMENT_PARSER`]) into Python objects.
pub(super) fn document_to_py<'py>(py: Python<'py>, json: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    parse_with(&DOCUMENT_PARSER, py, json)
}

/// jiter refuses a few things Python's own `json` accepts (a lone UTF-16 surrogate escape); the
/// reader lets such lines through, so they are parsed here by `json.loads` rather than lost.
fn parse_with<'py>(parser: &PythonParse, py: Python<'py>, json: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    match parser.python_parse(py, json) {
        Ok(value) => Ok(value),
        Err(e) => {
            let loads = py.import(pyo3::intern!(py, "json"))?.getattr(pyo3::intern!(py, "loads"))?;
            loads.call1((pyo3::types::PyBytes::new(py, json),)).map_err(|_| jiter::map_json_error(json, &e))
        }
    }
}

/// Serializes a Python value (dict/list/tuple/str/int/float/bool/None) to JSON text.
pub(super) fn py_to_json(value: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    let mut out = Vec::with_capacity(256);
    let mut path = what.to_owned();
    write_value(value, &mut out, &mut path, 0)?;
    // Only valid UTF-8 is ever written: Python str is encoded, the rest is ASCII.
    Ok(String::from_utf8(out).expect("serializer writes UTF-8"))
}

const MAX_DEPTH: usize = 200;

fn write_value(value: &Bound<'_, PyAny>, out: &mut Vec<u8>, path: &mut String, depth: usize) -> PyResult<()> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(format!("{path}: nested too deeply (or contains a cycle)")));
    }
    if value.is_none() {
        out.extend_from_slice(b"null");
    } else if let Ok(s) = value.cast::<PyString>() {
        let text = s
            .to_str()
            .map_err(|_| PyValueError::new_err(format!("{path}: string is not valid Unicode (lone surrogate?)")))?;
        serde_json::to_writer(&mut *out, text).expect("writing to a Vec cannot fail");
    } else if let Ok(b) = value.cast::<PyBool>() {
        out.extend_from_slice(if b.is_true() { b"true" } else { b"false" });
    } else if value.is_instance_of::<PyInt>() {
        if let Ok(i) = value.extract::<i64>() {
            out.extend_from_slice(i.to_string().as_bytes());
        } else if let Ok(u) = value.extract::<u64>() {
            out.extend_from_slice(u.to_string().as_bytes());
        } else {
            // JSON has no integer limit; Python's own json module writes big ints verbatim.
            out.extend_from_slice(value.str()?.to_str()?.as_bytes());
        }
    } else if let Ok(f) = value.cast::<PyFloat>() {
        let v = f.value();
        if !v.is_finite() {
            return Err(PyValueError::new_err(format!("{path}: {v} cannot be sent as JSON")));
        }
        serde_json::to_writer(&mut *out, &v).expect("writing to a Vec cannot fail");
    } else if let Ok(d) = value.cast::<PyDict>() {
        out.push(b'{');
        for (i, (k, v)) in d.iter().enumerate() {
            let key = k
                .cast::<PyString>()
                .map_err(|_| PyTypeError::new_err(format!("{path}: keys must be str, got {}", type_name(&k))))?;
            let key = key.to_str()?;
            if i > 0 {
                out.push(b',');
            }
            serde_json::to_writer(&mut *out, key).expect("writing to a Vec cannot fail");
            out.push(b':');
            let len = path.len();
            path.push('.');
            path.push_str(key);
            write_value(&v, out, path, depth + 1)?;
            path.truncate(len);
        }
        out.push(b'}');
    } else if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        out.push(b'[');
        for (i, item) in value.try_iter()?.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            write_value(&item?, out, path, depth + 1)?;
            path.truncate(len);
        }
        out.push(b']');
    } else if value.hasattr(pyo3::intern!(value.py(), "_to_wire"))? {
        // SDK model objects know their own wire form (`_model/contract.py`).
        let dumped = value.call_method0(pyo3::intern!(value.py(), "_to_wire"))?;
        write_value(&dumped, out, path, depth + 1)?;
    } else {
        return Err(PyTypeError::new_err(format!("{path}: {} is not JSON-serializable", type_name(value))));
    }
    Ok(())
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".to_owned())
}
