"""Whether a JSON object fits a generated class: field by field (:func:`check_fields`, which
says why not), or as straight-line code made once per class (:func:`compile_checker`), which
every notification's payload goes through.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from .specs import MISSING, AnyJson, Null, Scalar, UnionSpec, join

if TYPE_CHECKING:
    from .base import WireModel

__all__ = ["check_fields", "check_lines", "compile_checker", "compile_function"]


def check_fields(cls: type[WireModel], data: dict[str, Any]) -> str | None:
    for field in cls.model_fields.values():
        value = data.get(field.alias, MISSING)
        if value is MISSING:
            if field.required and field.spec.check(None) is not None:
                return f"{field.alias}: missing"
            continue
        error = field.spec.check(value)
        if error is not None:
            return join(field.alias, error)
    return None


def check_lines(cls: type[WireModel], namespace: dict[str, Any], on_misfit: str) -> list[str]:
    """Source lines testing that ``data`` (a dict) fits ``cls``, running ``on_misfit`` if not.

    The lines are indented for a function body. Required fields are read by subscript in one
    try block (a missing key is a misfit), which is cheaper than a ``.get()`` call per field;
    scalar fields are tested inline, other fields through their spec.
    """
    lines = ["    get = data.get", "    try:"]
    for i, field in enumerate(cls.model_fields.values()):
        spec = field.spec
        required = field.required and spec.check(None) is not None
        members = spec.members if isinstance(spec, UnionSpec) else (spec,)
        if isinstance(spec, AnyJson):
            if required:
                lines.append(f"        data[{field.alias!r}]")
            continue
        if all(isinstance(m, (Scalar, Null)) for m in members):
            types = tuple(t for m in members for t in (m.types if isinstance(m, Scalar) else (type(None),)))
            namespace[f"types_{i}"] = types
            test = "type({}) is not types_{}[0]" if len(types) == 1 else "type({}) not in types_{}"
            test = test.format("{}", i)
        else:
            namespace[f"check_{i}"] = spec.check
            test = f"check_{i}({{}}) is not None"
        if required:
            lines.append(f"        if {test.format(f'data[{field.alias!r}]')}:")
        else:
            lines.append(f"        value = get({field.alias!r}, MISSING)")
            lines.append(f"        if value is not MISSING and {test.format('value')}:")
        lines.append(f"            {on_misfit}")
    lines += ["    except KeyError:", f"        {on_misfit}"]
    return lines


def compile_function(name: str, lines: list[str], namespace: dict[str, Any]) -> Any:
    # Built from field names and type tests only, the way dataclasses builds __init__.
    exec("\n".join(lines), namespace)
    return namespace[name]


def compile_checker(cls: type[WireModel]) -> Callable[[dict[str, Any]], str | None]:
    """``cls._check`` as straight-line code: answers "fits" fast, defers to ``_check`` for why not."""
    # On a misfit: the field-by-field check of this very class, for the message.
    namespace: dict[str, Any] = {"MISSING": MISSING, "slow": partial(check_fields, cls)}
    lines = ["def check(data):", *check_lines(cls, namespace, "return slow(data)"), "    return None"]
    checker: Callable[[dict[str, Any]], str | None] = compile_function("check", lines, namespace)
    return checker
