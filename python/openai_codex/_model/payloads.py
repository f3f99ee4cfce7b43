"""Notification payloads: how the params of each notification become an instance of its
generated class, once per event of every stream.

:func:`payload_plan` gives the Rust core a plan it runs itself (plain classes of scalar fields);
:func:`payload_maker` compiles a Python function for the rest. Loaded on the first stream, not
on ``import openai_codex``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _core
from .base import WireModel
from .checks import check_lines, compile_function
from .contract import CACHE, DATA, new_instance
from .specs import MISSING, AnyJson, Null, Scalar, UnionSpec
from .unions import TaggedUnion
from .wrappers import RootWrapper

__all__ = ["payload_maker", "payload_plan"]


def payload_plan(cls: type[WireModel], fallback: Callable[[Any], Any]) -> Any:
    """A ``_core.PayloadPlan`` building ``cls`` payloads in Rust, when ``cls`` is a plain object
    class whose fields are all scalars, null or any JSON (the check the plan can do itself);
    None otherwise. It applies the same test as the compiled checker: exact types, required
    fields present. Params that do not fit go to ``fallback``.
    """
    if issubclass(cls, TaggedUnion) or issubclass(cls, RootWrapper):
        return None
    fields: list[tuple[str, bool, list[type] | None]] = []
    for field in cls.model_fields.values():
        spec = field.spec
        required = field.required and spec.check(None) is not None
        members = spec.members if isinstance(spec, UnionSpec) else (spec,)
        if isinstance(spec, AnyJson):
            fields.append((field.alias, required, None))
        elif all(isinstance(m, (Scalar, Null)) for m in members):
            types = [t for m in members for t in (m.types if isinstance(m, Scalar) else (type(None),))]
            fields.append((field.alias, required, types))
        else:
            return None
    return _core.PayloadPlan(cls, fields, fallback)


def payload_maker(cls: type[WireModel], fallback: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A function turning notification params into an instance of ``cls``, or ``fallback(params)``
    when they do not fit. It runs once per event of every stream, so the check and the wrapping
    are one compiled function: no copy, no conversion (attributes convert when read)."""
    namespace: dict[str, Any] = {"MISSING": MISSING, "new": new_instance, "cls": cls, "fallback": fallback}
    if issubclass(cls, TaggedUnion):
        namespace["check"] = cls._check
        body = ["    if check(data) is not None:", "        return fallback(data)"]
        namespace["cls_for"] = cls._variant_for
        create = "new(cls_for(data))"
    else:
        # The inline tests are exact (type(x) is str); what they reject gets the full check,
        # which also takes str subclasses, before it is declared a misfit.
        def recheck(data: dict[str, Any]) -> Any:
            return fallback(data) if cls._check(data) is not None else cls._from_wire(data)

        namespace["recheck"] = recheck
        body = check_lines(cls, namespace, "return recheck(data)")
        create = "new(cls)"
    lines = [
        "def make(data):",
        "    if type(data) is not dict:",
        "        return fallback(data)",
        *body,
        f"    payload = {create}",
        f"    payload.{DATA} = data",
        f"    payload.{CACHE} = None",
        "    return payload",
    ]
    maker = compile_function("make", lines, namespace)

    def make_safely(params: Any) -> Any:
        try:
            return maker(params)
        except Exception:  # a bug in a check must not cost the user the event
            return fallback(params)

    # The compiled maker only calls type tests and the specs' own checks, which do not raise
    # on JSON input; the wrapper is kept for anything else the Rust side might hand over.
    return maker if _maker_is_total(cls) else make_safely


def _maker_is_total(cls: type[WireModel]) -> bool:
    """True when every field check is an inline type test (nothing that could raise)."""
    for field in cls.model_fields.values():
        spec = field.spec
        members = spec.members if isinstance(spec, UnionSpec) else (spec,)
        if not all(isinstance(m, (Scalar, Null, AnyJson)) for m in members):
            return False
    return not issubclass(cls, TaggedUnion)
