"""Type specs: what a field of a generated class holds, and how its values are checked,
converted and dumped.

A :class:`Spec` is made once per annotation (:func:`parse_annotation`, from the syntax tree of
``grammar``) or per generated class (:func:`spec_for_class`). ``check`` validates wire JSON
leniently, ``load`` turns it into what an attribute returns, ``unload`` and ``dump`` go back,
and ``coerce`` turns a value a user supplied into wire JSON, strictly.

The specs test values against the generated classes' bases (``WireModel``, ``RootWrapper``,
``WireEnum``, ``StrAlias``, ``IntAlias``), which are built on this module, so their modules bind
them here once they are made (:func:`bind_classes`) instead of being imported: that would be an
import cycle. For type checkers they are plain imports.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

from . import grammar

if TYPE_CHECKING:
    from .base import WireModel
    from .wrappers import IntAlias, RootWrapper, StrAlias, WireEnum
else:
    # Until its module binds it (bind_classes), no value or class is an instance or subclass
    # of one of these, so a stand-in that nothing derives from answers every test right.
    WireModel = RootWrapper = WireEnum = StrAlias = IntAlias = type("NotBoundYet", (), {"__slots__": ()})

__all__ = [
    "MISSING",
    "AnyJson",
    "DumpOptions",
    "Null",
    "Scalar",
    "Spec",
    "UnionSpec",
    "ValidationError",
    "annotation_scope",
    "bind_classes",
    "build_spec",
    "copy_json",
    "join",
    "json_text",
    "json_value",
    "parse_annotation",
    "spec_for_class",
    "type_name",
]


def bind_classes(*classes: type) -> None:
    """Binds the generated classes' bases under their names in this module.

    Called by ``base`` and ``wrappers`` right after they make them (``import openai_codex``
    loads ``wrappers`` only; ``base`` comes with the first generated class).

    Args:
        classes: ``WireModel``, or ``RootWrapper``, ``WireEnum``, ``StrAlias`` and ``IntAlias``.
    """
    for cls in classes:
        globals()[cls.__name__] = cls


MISSING: Any = object()


def json_text(data: Any, indent: int | None = None) -> str:
    """``data`` as JSON text, compact unless ``indent`` is given."""
    # Imported here: ``import openai_codex`` loads this module, and the json package would add
    # about 2 ms to it (or to a stream's first event) for a feature most programs never use.
    import json

    separators = (",", ":") if indent is None else None
    return json.dumps(data, indent=indent, separators=separators, ensure_ascii=False)


class ValidationError(ValueError):
    """A value does not fit its schema type. The message starts with the path of the field."""


def type_name(value: Any) -> str:
    return type(value).__name__


class Spec:
    """How values of one schema type are checked, converted and dumped.

    ``check`` validates wire JSON leniently (unknown enum strings and union tags pass, as a newer
    runtime may send them) and returns an error text or None. ``load`` turns wire JSON into what
    an attribute returns and never raises. ``unload`` is its inverse. ``coerce`` turns a value a
    user supplied into wire JSON, strictly, raising an error that names ``where``.
    """

    __slots__ = ()
    plain = False  # wire value and Python value are the same object

    def describe(self) -> str:
        raise NotImplementedError

    def check(self, value: Any) -> str | None:
        raise NotImplementedError

    def load(self, value: Any) -> Any:
        return value

    def unload(self, value: Any) -> Any:
        return value

    def coerce(self, value: Any, where: str) -> Any:
        raise NotImplementedError

    def dump(self, value: Any, options: DumpOptions) -> Any:
        return value

    def normalize(self, value: Any) -> Any:
        """A copy of user-supplied JSON-like data with snake_case keys turned into wire keys."""
        return copy_json(value)

    def mismatch(self, value: Any) -> str:
        """An error with an empty path (see ``check``)."""
        return f": expected {self.describe()}, got {type_name(value)} {_short_repr(value)}"

    def fail(self, error: type[Exception], where: str, value: Any) -> Exception:
        return error(where + self.mismatch(value))


def join(path: str, error: str) -> str:
    """Prefixes an error ("<path>: <message>", the path maybe empty) with an outer path."""
    if error.startswith((":", "[")):
        return path + error
    return f"{path}.{error}"


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class DumpOptions:
    __slots__ = ("by_alias", "exclude_none", "exclude_unset", "json")

    def __init__(self, by_alias: bool, exclude_none: bool, exclude_unset: bool, json: bool) -> None:
        self.by_alias = by_alias
        self.exclude_none = exclude_none
        self.exclude_unset = exclude_unset
        self.json = json


class Scalar(Spec):
    __slots__ = ("name", "types")
    plain = True

    def __init__(self, name: str, types: tuple[type, ...]) -> None:
        self.name = name
        self.types = types

    def describe(self) -> str:
        return self.name

    def check(self, value: Any) -> str | None:
        if type(value) in self.types:
            return None
        # A str subclass (an enum member, ThreadId) is a str; a bool is not an int here.
        if self.name == "str" and isinstance(value, str):
            return None
        return self.mismatch(value)

    def coerce(self, value: Any, where: str) -> Any:
        kind = type(value)
        if kind in self.types:
            return value
        # Subclasses (a str enum member, ThreadId) go on the wire as the plain scalar.
        if self.name == "str" and isinstance(value, str):
            return str.__str__(value)
        if self.name in ("int", "float") and isinstance(value, int) and not isinstance(value, bool):
            return int(value)
        if self.name == "float" and isinstance(value, float):
            return float(value)
        raise self.fail(TypeError, where, value)


class AnyJson(Spec):
    __slots__ = ()
    plain = True

    def describe(self) -> str:
        return "any JSON value"

    def check(self, value: Any) -> str | None:
        return None

    def coerce(self, value: Any, where: str) -> Any:
        return json_value(value, where)

    def dump(self, value: Any, options: DumpOptions) -> Any:
        return _dump_any(value, options)


class Null(Spec):
    __slots__ = ()
    plain = True

    def describe(self) -> str:
        return "None"

    def check(self, value: Any) -> str | None:
        return None if value is None else self.mismatch(value)

    def coerce(self, value: Any, where: str) -> Any:
        if value is None:
            return None
        raise self.fail(TypeError, where, value)


class _Literal(Spec):
    __slots__ = ("value",)
    plain = True

    def __init__(self, value: str) -> None:
        self.value = value

    def describe(self) -> str:
        return json_text(self.value)

    def check(self, value: Any) -> str | None:
        return None if isinstance(value, str) and value == self.value else self.mismatch(value)

    def coerce(self, value: Any, where: str) -> Any:
        if isinstance(value, str) and value == self.value:
            return self.value
        raise self.fail(ValueError, where, value)


class _EnumSpec(Spec):
    __slots__ = ("cls", "members")

    def __init__(self, cls: type[WireEnum]) -> None:
        self.cls = cls
        self.members = cls._value2member_map_

    def describe(self) -> str:
        return f"{self.cls.__name__} ({', '.join(repr(v) for v in self.members)})"

    def check(self, value: Any) -> str | None:
        # Any string: a newer runtime may add values; they read as plain strings.
        return None if isinstance(value, str) else self.mismatch(value)

    def load(self, value: Any) -> Any:
        if type(value) is str:
            return self.members.get(value, value)
        if isinstance(value, str) and not isinstance(value, self.cls):
            return self.members.get(str.__str__(value), value)
        return value

    def unload(self, value: Any) -> Any:
        return value.value if isinstance(value, Enum) else value

    def coerce(self, value: Any, where: str) -> Any:
        if isinstance(value, self.cls):
            return value.value
        if isinstance(value, str) and not isinstance(value, Enum) and value in self.members:
            return str.__str__(value)
        raise self.fail(ValueError, where, value)

    def dump(self, value: Any, options: DumpOptions) -> Any:
        return self.unload(value) if options.json else value


class _AliasSpec(Spec):
    """A named scalar (ThreadId): a str or int subclass on the Python side."""

    __slots__ = ("base", "cls")

    def __init__(self, cls: type, base: Scalar) -> None:
        self.cls = cls
        self.base = base

    def describe(self) -> str:
        return f"{self.cls.__name__} ({self.base.name})"

    def check(self, value: Any) -> str | None:
        return self.base.check(value)

    def load(self, value: Any) -> Any:
        return self.cls(value) if type(value) in self.base.types else value

    def unload(self, value: Any) -> Any:
        return self.base.coerce(value, "") if isinstance(value, self.cls) else value

    def coerce(self, value: Any, where: str) -> Any:
        return self.base.coerce(value, where)

    def dump(self, value: Any, options: DumpOptions) -> Any:
        return self.unload(value)


class _ModelSpec(Spec):
    __slots__ = ("_checker", "cls")

    def __init__(self, cls: type[WireModel]) -> None:
        self.cls = cls
        self._checker: Callable[[dict[str, Any]], str | None] | None = None

    def describe(self) -> str:
        return self.cls.__name__

    def check(self, value: Any) -> str | None:
        if type(value) is not dict:
            return self.mismatch(value)
        checker = self._checker
        if checker is None:
            checker = self._checker = self.cls._checker()
        return checker(value)

    def load(self, value: Any) -> Any:
        return self.cls._from_wire(value) if type(value) is dict else value

    def unload(self, value: Any) -> Any:
        return value._wire() if isinstance(value, WireModel) else value

    def coerce(self, value: Any, where: str) -> Any:
        cls = self.cls
        if isinstance(value, RootWrapper):
            value = value.root
        if isinstance(value, cls):
            return value._wire()
        if isinstance(value, WireModel):
            raise TypeError(f"{where}: expected {cls.__name__}, got {type_name(value)}")
        if isinstance(value, dict):
            return cls._coerce_dict(value, where)
        raise self.fail(TypeError, where, value)

    def dump(self, value: Any, options: DumpOptions) -> Any:
        if isinstance(value, WireModel):
            return value._dump(options)
        if type(value) is dict:
            return self.cls._from_wire(value)._dump(options)
        return value

    def normalize(self, value: Any) -> Any:
        return self.cls._normalize(value) if isinstance(value, dict) else copy_json(value)


class _ListSpec(Spec):
    __slots__ = ("item", "plain")

    def __init__(self, item: Spec) -> None:
        self.item = item
        self.plain = item.plain

    def describe(self) -> str:
        return f"list[{self.item.describe()}]"

    def check(self, value: Any) -> str | None:
        if type(value) is not list:
            return self.mismatch(value)
        check = self.item.check
        for i, element in enumerate(value):
            error = check(element)
            if error is not None:
                return join(f"[{i}]", error)
        return None

    def load(self, value: Any) -> Any:
        if self.plain or type(value) is not list:
            return value
        load = self.item.load
        return [load(element) for element in value]

    def unload(self, value: Any) -> Any:
        if self.plain or not isinstance(value, list):
            return value
        unload = self.item.unload
        return [unload(element) for element in value]

    def coerce(self, value: Any, where: str) -> Any:
        if not isinstance(value, (list, tuple)):
            raise self.fail(TypeError, where, value)
        coerce = self.item.coerce
        return [coerce(element, f"{where}[{i}]") for i, element in enumerate(value)]

    def dump(self, value: Any, options: DumpOptions) -> Any:
        if not isinstance(value, list):
            return value
        dump = self.item.dump
        return [dump(element, options) for element in value]

    def normalize(self, value: Any) -> Any:
        if not isinstance(value, list):
            return copy_json(value)
        return [self.item.normalize(element) for element in value]


class _MapSpec(Spec):
    __slots__ = ("plain", "value")

    def __init__(self, value: Spec) -> None:
        self.value = value
        self.plain = value.plain

    def describe(self) -> str:
        return f"dict[str, {self.value.describe()}]"

    def check(self, value: Any) -> str | None:
        if type(value) is not dict:
            return self.mismatch(value)
        check = self.value.check
        for key, element in value.items():
            error = check(element)
            if error is not None:
                return join(f"[{key!r}]", error)
        return None

    def load(self, value: Any) -> Any:
        if self.plain or type(value) is not dict:
            return value
        load = self.value.load
        return {key: load(element) for key, element in value.items()}

    def unload(self, value: Any) -> Any:
        if self.plain or not isinstance(value, dict):
            return value
        unload = self.value.unload
        return {key: unload(element) for key, element in value.items()}

    def coerce(self, value: Any, where: str) -> Any:
        if not isinstance(value, dict):
            raise self.fail(TypeError, where, value)
        coerce = self.value.coerce
        out = {}
        for key, element in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where}: keys must be str, got {type_name(key)}")
            out[key] = coerce(element, f"{where}[{key!r}]")
        return out

    def dump(self, value: Any, options: DumpOptions) -> Any:
        if not isinstance(value, dict):
            return value
        dump = self.value.dump
        return {key: dump(element, options) for key, element in value.items()}

    def normalize(self, value: Any) -> Any:
        if not isinstance(value, dict):
            return copy_json(value)
        return {key: self.value.normalize(element) for key, element in value.items()}


class UnionSpec(Spec):
    __slots__ = ("_optional", "members", "plain")

    def __init__(self, members: tuple[Spec, ...]) -> None:
        self.members = members
        self.plain = all(m.plain for m in members)
        # `X | None`, the commonest union, gets a short path.
        others = [m for m in members if not isinstance(m, Null)]
        self._optional = others[0] if len(members) == 2 and len(others) == 1 else None

    def describe(self) -> str:
        return " | ".join(m.describe() for m in self.members)

    def _member_for(self, value: Any) -> Spec | None:
        for member in self.members:
            if member.check(value) is None:
                return member
        return None

    def check(self, value: Any) -> str | None:
        optional = self._optional
        if optional is not None:
            return None if value is None else optional.check(value)
        return None if self._member_for(value) is not None else self.mismatch(value)

    def load(self, value: Any) -> Any:
        if self.plain or value is None:
            return value
        optional = self._optional
        member = optional if optional is not None else self._member_for(value)
        return value if member is None else member.load(value)

    def unload(self, value: Any) -> Any:
        if self.plain or value is None:
            return value
        for member in self.members:
            if _holds(member, value):
                return member.unload(value)
        return value

    def coerce(self, value: Any, where: str) -> Any:
        if isinstance(value, RootWrapper):
            value = value.root
        errors: list[tuple[Spec, Exception]] = []
        for member in self.members:
            try:
                return member.coerce(value, where)
            except (TypeError, ValueError) as error:
                errors.append((member, error))
        # When one member takes this kind of value (a dict for an object type, ...), its error
        # says more than "expected A | B": it names the field inside.
        same_kind = [e for m, e in errors if _same_kind(m, value)]
        if len(same_kind) == 1:
            raise same_kind[0]
        if all(isinstance(e, TypeError) for _, e in errors):
            raise self.fail(TypeError, where, value)
        raise self.fail(ValueError, where, value)

    def dump(self, value: Any, options: DumpOptions) -> Any:
        if value is None:
            return None
        for member in self.members:
            if _holds(member, value):
                return member.dump(value, options)
        return _dump_any(value, options)

    def normalize(self, value: Any) -> Any:
        if not isinstance(value, (dict, list)):
            return value
        # The first member the data fits once its keys are renamed for that member.
        for member in self.members:
            candidate = member.normalize(value)
            if member.check(candidate) is None:
                return candidate
        return copy_json(value)


def _same_kind(spec: Spec, value: Any) -> bool:
    """Whether a user value is the JSON kind this spec takes (object, array, string...)."""
    if isinstance(spec, (_ModelSpec, _MapSpec)):
        return isinstance(value, (dict, WireModel))
    if isinstance(spec, _ListSpec):
        return isinstance(value, (list, tuple))
    if isinstance(spec, (_EnumSpec, _Literal)):
        return isinstance(value, str)
    if isinstance(spec, UnionSpec):
        return any(_same_kind(member, value) for member in spec.members)
    return False


def _holds(spec: Spec, value: Any) -> bool:
    """Whether a loaded (Python-side) value belongs to this member of a union."""
    if isinstance(spec, _ModelSpec):
        return isinstance(value, spec.cls)
    if isinstance(spec, (_EnumSpec, _AliasSpec)):
        return isinstance(value, spec.cls)
    if isinstance(spec, _ListSpec):
        return isinstance(value, list)
    if isinstance(spec, _MapSpec):
        return isinstance(value, dict)
    return spec.check(value) is None


def json_value(value: Any, where: str) -> Any:
    """A value for an untyped (any JSON) field: models and enums become their wire form."""
    if value is None or (isinstance(value, (str, int, float, bool)) and not isinstance(value, Enum)):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, WireModel):
        return value._wire()
    if isinstance(value, RootWrapper):
        return value._to_wire()
    if isinstance(value, dict):
        return {k: json_value(v, f"{where}[{k!r}]") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise TypeError(f"{where}: {type_name(value)} is not JSON-serializable")


def _dump_any(value: Any, options: DumpOptions) -> Any:
    if isinstance(value, WireModel):
        return value._dump(options)
    if isinstance(value, RootWrapper):
        return value.model_dump(
            mode="json" if options.json else "python",
            by_alias=options.by_alias,
            exclude_none=options.exclude_none,
        )
    if isinstance(value, Enum):
        return value.value if options.json else value
    if isinstance(value, dict):
        return {k: _dump_any(v, options) for k, v in value.items()}
    if isinstance(value, list):
        return [_dump_any(v, options) for v in value]
    return value


def copy_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value


_SCALARS: dict[str, Spec] = {
    "str": Scalar("str", (str,)),
    "int": Scalar("int", (int,)),
    "float": Scalar("float", (float, int)),
    "bool": Scalar("bool", (bool,)),
    "None": Null(),
    "Any": AnyJson(),
}


_CLASS_SPECS: dict[type, Spec] = {}


def spec_for_class(cls: type) -> Spec:
    """The spec of values of a generated class (cached)."""
    spec = _CLASS_SPECS.get(cls)
    if spec is None:
        if issubclass(cls, WireModel):
            spec = _ModelSpec(cls)
        elif issubclass(cls, WireEnum):
            spec = _EnumSpec(cls)
        elif issubclass(cls, StrAlias):
            spec = _AliasSpec(cls, _SCALARS["str"])  # type: ignore[arg-type]
        elif issubclass(cls, IntAlias):
            spec = _AliasSpec(cls, _SCALARS["int"])  # type: ignore[arg-type]
        elif issubclass(cls, RootWrapper):
            spec = cls._root_spec()
        else:
            raise TypeError(f"{cls.__name__} is not a generated protocol class")
        _CLASS_SPECS[cls] = spec
    return spec


def annotation_scope(cls: type) -> ModuleType:
    """Where the class names in the annotations of ``cls`` are found: the module that
    ``cls.__module__`` names, imported if need be.

    Names are looked up as attributes (not in the module's dict), so a module that makes its
    classes on first use (PEP 562 ``__getattr__``, as ``generated.v2_all`` does) makes the ones
    an annotation names when the annotation is first used.
    """
    return import_module(cls.__module__)


def parse_annotation(text: str, scope: ModuleType) -> Spec:
    """The spec of an annotation, its class names looked up as attributes of ``scope``."""
    return build_spec(grammar.parse(text), scope, text)


def build_spec(node: grammar.Node, scope: ModuleType, text: str) -> Spec:
    if isinstance(node, grammar.Union):
        return UnionSpec(tuple(build_spec(m, scope, text) for m in node.members))
    if isinstance(node, grammar.Literal):
        return _Literal(node.value)
    if isinstance(node, grammar.ListOf):
        return _ListSpec(build_spec(node.item, scope, text))
    if isinstance(node, grammar.MapOf):
        return _MapSpec(build_spec(node.value, scope, text))
    assert isinstance(node, grammar.Name)
    name = node.name
    scalar = _SCALARS.get(name)
    if scalar is not None:
        return scalar
    target = getattr(scope, name, None)
    if not isinstance(target, type):
        raise NameError(f"annotation {text!r} names {name!r}, which is not a class here")
    return spec_for_class(target)
