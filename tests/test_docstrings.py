"""Every public name of the package is documented for ``help()`` and IDE tooltips.

The walk covers ``openai_codex.__all__``, the hand-written names of ``openai_codex.errors``,
``openai_codex.models`` and ``openai_codex.types``, ``openai_codex.testing.__all__``, and
every public method and property of the public classes (with ``__init__`` and the
context-manager methods). Each needs a docstring of its own with more than one line; a
callable with parameters must name each of them in the ``Args:`` section of its docstring (a
class: in ``Args:`` or ``Attributes:`` of the class or of its ``__init__``), and an enum each
member under ``Attributes:``. So a new public method or parameter without documentation fails
here.

Type aliases cannot carry a docstring; their defining module's docstring must name them.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import inspect
import re
from collections.abc import Iterator
from typing import Any

import openai_codex
import pytest

# Names whose objects cannot hold a docstring, and the module whose docstring describes them.
ALIASES = {
    "Input": "openai_codex.inputs",
    "InputItem": "openai_codex.inputs",
    "RunInput": "openai_codex.inputs",
    "JsonObject": "openai_codex.models",
    "JsonValue": "openai_codex.models",
    "ReplySource": "openai_codex.testing",
}
NOT_OBJECTS = {"__version__"}  # a str: documented in the API reference
# Dunder methods that are part of the public surface.
PUBLIC_DUNDERS = {"__init__", "__enter__", "__exit__", "__aenter__", "__aexit__"}


def _public_names() -> list[tuple[str, str]]:
    """(module, name) of every public name to check, each object once."""
    out: list[tuple[str, str]] = [("openai_codex", n) for n in openai_codex.__all__]
    for module_name in ("openai_codex.errors", "openai_codex.models", "openai_codex.types", "openai_codex.testing"):
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            home = getattr(obj, "__module__", "") or ""
            if module_name == "openai_codex.types" and not home.startswith("openai_codex.models"):
                continue  # generated protocol classes are out of scope
            out.append((module_name, name))
    seen: set[int] = set()
    unique = []
    for module_name, name in out:
        obj = getattr(importlib.import_module(module_name), name)
        key = id(obj) if name not in ALIASES else hash(name)
        if key not in seen:
            seen.add(key)
            unique.append((module_name, name))
    return unique


def _own_doc(obj: Any) -> str | None:
    """The object's own docstring (not one inherited from a base class)."""
    if isinstance(obj, type):
        doc = obj.__dict__.get("__doc__")
    elif isinstance(obj, property):
        doc = obj.fget.__doc__ if obj.fget is not None else None
    elif isinstance(obj, (classmethod, staticmethod)):
        doc = obj.__func__.__doc__
    else:
        doc = getattr(obj, "__doc__", None)
    return inspect.cleandoc(doc) if isinstance(doc, str) else None


def _section_names(doc: str | None, *titles: str) -> set[str]:
    """The entry names of the Google-style sections ``titles`` (e.g. ``Args``) of ``doc``."""
    names: set[str] = set()
    if not doc:
        return names
    lines = doc.splitlines()
    for index, line in enumerate(lines):
        if line.strip() not in {f"{t}:" for t in titles}:
            continue
        base = len(line) - len(line.lstrip())
        entry_indent: int | None = None
        for entry in lines[index + 1 :]:
            if not entry.strip():
                continue
            indent = len(entry) - len(entry.lstrip())
            if indent <= base:
                break
            if entry_indent is None:
                entry_indent = indent
            match = re.match(r"(\w+)(?: \([^)]*\))?:", entry.strip())
            if indent == entry_indent and match:
                names.add(match.group(1))
    return names


def _documented_params(func: Any) -> list[str]:
    """The parameters of ``func`` that need documenting: not self/cls, private or ``*args``."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return []
    skip = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return [
        p.name
        for p in sig.parameters.values()
        if p.name not in ("self", "cls") and not p.name.startswith("_") and p.kind not in skip
    ]


def _members(cls: type) -> Iterator[tuple[str, Any]]:
    """The public methods and properties of ``cls``, inherited ones from this package included."""
    seen: set[str] = set()
    for klass in cls.__mro__:
        if not (klass.__module__ or "").startswith("openai_codex"):
            continue
        for name, member in vars(klass).items():
            if name in seen or (name.startswith("_") and name not in PUBLIC_DUNDERS):
                continue
            if not (inspect.isfunction(member) or isinstance(member, (property, classmethod, staticmethod))):
                continue
            if name == "__init__" and dataclasses.is_dataclass(cls):
                continue  # generated from the fields, which the class docstring documents
            seen.add(name)
            yield name, member


def _objects() -> list[tuple[str, Any]]:
    out = []
    for module_name, name in _public_names():
        if name in NOT_OBJECTS or name in ALIASES:
            continue
        obj = getattr(importlib.import_module(module_name), name)
        out.append((f"{module_name}.{name}", obj))
        if isinstance(obj, type):
            out.extend((f"{module_name}.{name}.{member}", m) for member, m in _members(obj))
    return out


OBJECTS = _objects()


def test_the_walk_covers_the_client_classes() -> None:
    names = {name for name, _ in OBJECTS}
    for expected in (
        "openai_codex.Codex.__init__",
        "openai_codex.AsyncCodex.thread_start",
        "openai_codex.Thread.run",
        "openai_codex.AsyncTurnHandle.stream",
        "openai_codex.ChatgptLoginHandle.wait",
        "openai_codex.errors.TurnFailedError",
        "openai_codex.models.InitializeResponse.user_agent",
        "openai_codex.testing.ScriptedModel.enqueue",
        "openai_codex.testing.text",
    ):
        assert expected in names


@pytest.mark.parametrize(("name", "obj"), OBJECTS, ids=[name for name, _ in OBJECTS])
def test_has_a_docstring_of_more_than_one_line(name: str, obj: Any) -> None:
    doc = _own_doc(obj)
    assert doc, f"{name} has no docstring"
    assert "Initialize self" not in doc
    lines = [line for line in doc.splitlines() if line.strip()]
    assert len(lines) > 1, f"{name}: the docstring is one line: {doc!r}"


@pytest.mark.parametrize(("name", "obj"), OBJECTS, ids=[name for name, _ in OBJECTS])
def test_every_parameter_is_documented(name: str, obj: Any) -> None:
    if isinstance(obj, property):
        return
    func = obj.__func__ if isinstance(obj, (classmethod, staticmethod)) else obj
    if isinstance(obj, type):
        if issubclass(obj, enum.Enum):
            missing = {m.name for m in obj} - _section_names(_own_doc(obj), "Attributes")
            assert not missing, f"{name}: members not under Attributes: {sorted(missing)}"
            return
        # The constructor's documentation lives with the class that defines it (a subclass of
        # JsonRpcError inherits its constructor and the Args that go with it).
        owner = next((k for k in obj.__mro__ if "__init__" in vars(k)), obj)
        if not (owner.__module__ or "").startswith("openai_codex"):
            owner = obj
        init = owner.__dict__.get("__init__")
        documented = _section_names(_own_doc(obj), "Args", "Attributes")
        documented |= _section_names(_own_doc(owner), "Args", "Attributes")
        documented |= _section_names(_own_doc(init) if init is not None else None, "Args")
        params = _documented_params(obj)
    else:
        documented = _section_names(_own_doc(func), "Args")
        params = _documented_params(func)
        if name.endswith(".__init__"):
            return  # checked with the class, whose docstring may hold the Args
    missing = [p for p in params if p not in documented]
    assert not missing, f"{name}: parameters missing from Args: {missing}"


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_type_aliases_are_described_by_their_module(alias: str) -> None:
    module = importlib.import_module(ALIASES[alias])
    assert hasattr(module, alias)
    assert re.search(rf"``{alias}``", module.__doc__ or ""), f"{module.__name__} does not describe {alias}"


def test_section_parser() -> None:
    doc = inspect.cleandoc(
        """Summary.

        Args:
            alpha: First.
                More about it.
            beta (int): Second.

        Returns:
            gamma: not an argument.
        """
    )
    assert _section_names(doc, "Args") == {"alpha", "beta"}
