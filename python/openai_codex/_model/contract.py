"""The payload contract between the Rust core (``src/python/*.rs``) and the Python model classes.

This module is the one place that says which attributes the two sides read or fill on each
other's objects; the Rust doc comments point here. Python code uses the constants below (a
rename is then one edit here plus the ``intern!`` strings in Rust); Rust cannot import them,
so each constant names the Rust code that spells it.

Set by Rust, on instances of a generated class (a subclass of ``_core.RawModel``):

- ``_data`` (:data:`DATA`): the JSON object, as a dict. ``PayloadPlan.__call__`` assigns it
  on an instance made without ``__init__`` (``src/python/events.rs``); ``RawField.__get__``
  reads it once the instance holds no raw JSON (``src/python/model.rs``), and calls its
  ``get(wire, default)`` when it is not a dict.
- ``_cache`` (:data:`CACHE`): converted field values, set to None next to ``_data``
  (``events.rs``). A payload built from the raw line (``PayloadPlan.build``) leaves it unset:
  its fields are all scalars, read through ``RawField`` and never cached, so Python reads it
  with ``getattr(obj, CACHE, None)``.

Read by Rust, on any value sent as request params:

- ``_to_wire()`` (:data:`TO_WIRE`): the object's wire JSON (``src/python/convert.rs``);
  defined by ``WireModel``, ``RootWrapper``, ``StrAlias`` and ``IntAlias``.

Provided by Rust, called by Python (``_core.RawModel``, ``src/python/model.rs``):

- ``_raw_dict()`` (:data:`RAW_DICT`): the undecoded JSON decoded into a new dict, or None;
- ``_drop_raw()`` (:data:`DROP_RAW`): forget the undecoded JSON (the dict replaces it).

Constructors and hooks (typed in ``_core.pyi``): ``RawField(wire, default, setter, doc)``,
``PayloadPlan(cls, [(wire, required, types_or_None)], fallback)`` with types among str, int,
float, bool and NoneType, and ``set_payload_resolver(resolver)``, where ``resolver(method)``
returns a ``PayloadPlan`` or a callable taking the params.
"""

from __future__ import annotations

from .. import _core

__all__ = ["CACHE", "DATA", "DROP_RAW", "RAW_DICT", "TO_WIRE", "new_instance"]

DATA = "_data"
CACHE = "_cache"
TO_WIRE = "_to_wire"
RAW_DICT = "_raw_dict"
DROP_RAW = "_drop_raw"

# An instance without running ``__init__`` (RawModel's ``__new__`` ignores any arguments), as
# the Rust core makes payloads.
new_instance = _core.RawModel.__new__
