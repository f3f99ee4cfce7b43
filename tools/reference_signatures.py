"""Write the call signatures of the reference SDK's public API as a JSON fact file.

Run it with an interpreter that has the reference release installed (not this SDK):

    .bench/refvenv/bin/python tools/reference_signatures.py > tests/data/reference_signatures.json

The file records, for every name in ``openai_codex.__all__`` and ``openai_codex.types.__all__``,
what kind of object it is and the parameters (name, kind, default) of every public callable:
functions, constructors, methods, properties. ``tests/test_signatures.py`` compares this SDK
against it. Stdlib only.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import json
import sys
import types
from typing import Any


def _default(value: Any) -> str | None:
    if value is inspect.Parameter.empty:
        return None
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    return repr(value)


def signature_of(func: Any) -> list[dict[str, Any]] | None:
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    return [{"name": p.name, "kind": p.kind.name, "default": _default(p.default)} for p in sig.parameters.values()]


def _is_async(func: Any) -> bool:
    return inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func)


def describe_class(cls: type) -> dict[str, Any]:
    if issubclass(cls, enum.Enum):
        return {"kind": "enum", "members": {m.name: m.value for m in cls}}
    fields = getattr(cls, "model_fields", None)
    if fields is not None:
        # A pydantic model (types module): its data shape, not pydantic's own methods.
        return {
            "kind": "model",
            "fields": {name: (f.alias or name) for name, f in fields.items()},
        }
    methods: dict[str, Any] = {}
    properties: list[str] = []
    if "__init__" not in vars(cls) and not issubclass(cls, BaseException):
        # A class whose constructor is inherited or native (e.g. built in Rust): its call signature.
        params = signature_of(cls)
        if params is not None:
            self_param = {"name": "self", "kind": "POSITIONAL_OR_KEYWORD", "default": None}
            methods["__init__"] = {"async": False, "params": [self_param, *params]}
    for name, member in sorted(vars(cls).items()):
        if name.startswith("_") and name not in {"__init__", "__enter__", "__exit__", "__aenter__", "__aexit__"}:
            continue
        if isinstance(member, property) or inspect.isgetsetdescriptor(member):
            properties.append(name)
        elif (
            isinstance(member, (staticmethod, classmethod))
            or inspect.isfunction(member)
            or inspect.ismethoddescriptor(member)
        ):
            func = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
            methods[name] = {"async": _is_async(func), "params": signature_of(func)}
    return {"kind": "class", "methods": methods, "properties": properties}


def describe(obj: Any) -> dict[str, Any]:
    # ``dict[str, X]`` passes isclass() on Python 3.10: a generic alias is an alias.
    if inspect.isclass(obj) and not isinstance(obj, types.GenericAlias):
        return describe_class(obj)
    if inspect.isfunction(obj):
        return {"kind": "function", "async": _is_async(obj), "params": signature_of(obj)}
    if isinstance(obj, str):
        return {"kind": "value", "value": obj}
    # Type aliases (unions, generic aliases) and other values.
    return {"kind": "alias"}


def main() -> int:
    facts: dict[str, Any] = {}
    for module_name in ("openai_codex", "openai_codex.types"):
        module = importlib.import_module(module_name)
        facts[module_name] = {
            "__all__": list(module.__all__),
            "names": {name: describe(getattr(module, name)) for name in module.__all__ if name != "__version__"},
        }
    facts["reference_version"] = importlib.import_module("openai_codex").__version__
    json.dump(facts, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
