"""The runtime behind the generated protocol classes (``openai_codex.generated.v2_all``).

A generated object class is a :class:`WireModel`: it wraps the JSON object the runtime sent
(``_data``, camelCase keys, never copied) and exposes each schema field as a snake_case
attribute. Reading an attribute converts only that field, once (nested objects become their
classes, enum strings their members) and caches the result; scalar fields are returned straight
from the dict. Fields the schema does not know stay in ``_data``: ``model_extra`` lists them and
they can be read as attributes. Nothing is validated on the way in unless asked
(``model_validate``, or the notification factory's check); what is built by hand (constructor,
attribute assignment) is validated field by field, and errors name the field.

Field metadata comes from the generated class itself: its annotations (kept as strings by
``from __future__ import annotations``, parsed on first use), ``__wire_names__`` for fields whose
wire name differs, and class-level defaults. Type checkers see the classes as dataclass-like
(``dataclass_transform``), so ``mypy --strict`` checks constructor calls and attribute types.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from .. import _core
from . import grammar
from .contract import CACHE, DATA, new_instance

if TYPE_CHECKING:
    from typing_extensions import Self, dataclass_transform
else:

    def dataclass_transform(**_kwargs: Any) -> Callable[[Any], Any]:
        return lambda cls: cls


__all__ = [
    "IntAlias",
    "RootWrapper",
    "StrAlias",
    "TaggedUnion",
    "ValidationError",
    "WireEnum",
    "WireModel",
]

_MISSING: Any = object()


def _json_text(data: Any, indent: int | None = None) -> str:
    """``data`` as JSON text, compact unless ``indent`` is given."""
    # Imported here: a stream's first payload loads this module, and the json package would
    # add about 2 ms to that first event for a feature most streams never use.
    import json

    separators = (",", ":") if indent is None else None
    return json.dumps(data, indent=indent, separators=separators, ensure_ascii=False)


# An instance without running ``__init__`` (see ``contract``).
_new = new_instance
_E = TypeVar("_E", bound="WireEnum")


class ValidationError(ValueError):
    """A value does not fit its schema type. The message starts with the path of the field."""


# --------------------------------------------------------------------------------------------
# type specs: what a field holds, how to check, convert and dump it


def _type_name(value: Any) -> str:
    return type(value).__name__


class _Spec:
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

    def dump(self, value: Any, options: _DumpOptions) -> Any:
        return value

    def normalize(self, value: Any) -> Any:
        """A copy of user-supplied JSON-like data with snake_case keys turned into wire keys."""
        return _copy_json(value)

    def mismatch(self, value: Any) -> str:
        """An error with an empty path (see ``check``)."""
        return f": expected {self.describe()}, got {_type_name(value)} {_short_repr(value)}"

    def fail(self, error: type[Exception], where: str, value: Any) -> Exception:
        return error(where + self.mismatch(value))


def _join(path: str, error: str) -> str:
    """Prefixes an error ("<path>: <message>", the path maybe empty) with an outer path."""
    if error.startswith((":", "[")):
        return path + error
    return f"{path}.{error}"


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _DumpOptions:
    __slots__ = ("by_alias", "exclude_none", "exclude_unset", "json")

    def __init__(self, by_alias: bool, exclude_none: bool, exclude_unset: bool, json: bool) -> None:
        self.by_alias = by_alias
        self.exclude_none = exclude_none
        self.exclude_unset = exclude_unset
        self.json = json


class _Scalar(_Spec):
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


class _AnyJson(_Spec):
    __slots__ = ()
    plain = True

    def describe(self) -> str:
        return "any JSON value"

    def check(self, value: Any) -> str | None:
        return None

    def coerce(self, value: Any, where: str) -> Any:
        return _json_value(value, where)

    def dump(self, value: Any, options: _DumpOptions) -> Any:
        return _dump_any(value, options)


class _Null(_Spec):
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


class _Literal(_Spec):
    __slots__ = ("value",)
    plain = True

    def __init__(self, value: str) -> None:
        self.value = value

    def describe(self) -> str:
        return _json_text(self.value)

    def check(self, value: Any) -> str | None:
        return None if isinstance(value, str) and value == self.value else self.mismatch(value)

    def coerce(self, value: Any, where: str) -> Any:
        if isinstance(value, str) and value == self.value:
            return self.value
        raise self.fail(ValueError, where, value)


class _EnumSpec(_Spec):
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

    def dump(self, value: Any, options: _DumpOptions) -> Any:
        return self.unload(value) if options.json else value


class _AliasSpec(_Spec):
    """A named scalar (ThreadId): a str or int subclass on the Python side."""

    __slots__ = ("base", "cls")

    def __init__(self, cls: type, base: _Scalar) -> None:
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

    def dump(self, value: Any, options: _DumpOptions) -> Any:
        return self.unload(value)


class _ModelSpec(_Spec):
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
            raise TypeError(f"{where}: expected {cls.__name__}, got {_type_name(value)}")
        if isinstance(value, dict):
            return cls._coerce_dict(value, where)
        raise self.fail(TypeError, where, value)

    def dump(self, value: Any, options: _DumpOptions) -> Any:
        if isinstance(value, WireModel):
            return value._dump(options)
        if type(value) is dict:
            return self.cls._from_wire(value)._dump(options)
        return value

    def normalize(self, value: Any) -> Any:
        return self.cls._normalize(value) if isinstance(value, dict) else _copy_json(value)


class _ListSpec(_Spec):
    __slots__ = ("item", "plain")

    def __init__(self, item: _Spec) -> None:
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
                return _join(f"[{i}]", error)
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

    def dump(self, value: Any, options: _DumpOptions) -> Any:
        if not isinstance(value, list):
            return value
        dump = self.item.dump
        return [dump(element, options) for element in value]

    def normalize(self, value: Any) -> Any:
        if not isinstance(value, list):
            return _copy_json(value)
        return [self.item.normalize(element) for element in value]


class _MapSpec(_Spec):
    __slots__ = ("plain", "value")

    def __init__(self, value: _Spec) -> None:
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
                return _join(f"[{key!r}]", error)
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
                raise TypeError(f"{where}: keys must be str, got {_type_name(key)}")
            out[key] = coerce(element, f"{where}[{key!r}]")
        return out

    def dump(self, value: Any, options: _DumpOptions) -> Any:
        if not isinstance(value, dict):
            return value
        dump = self.value.dump
        return {key: dump(element, options) for key, element in value.items()}

    def normalize(self, value: Any) -> Any:
        if not isinstance(value, dict):
            return _copy_json(value)
        return {key: self.value.normalize(element) for key, element in value.items()}


class _UnionSpec(_Spec):
    __slots__ = ("_optional", "members", "plain")

    def __init__(self, members: tuple[_Spec, ...]) -> None:
        self.members = members
        self.plain = all(m.plain for m in members)
        # `X | None`, the commonest union, gets a short path.
        others = [m for m in members if not isinstance(m, _Null)]
        self._optional = others[0] if len(members) == 2 and len(others) == 1 else None

    def describe(self) -> str:
        return " | ".join(m.describe() for m in self.members)

    def _member_for(self, value: Any) -> _Spec | None:
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
        errors: list[tuple[_Spec, Exception]] = []
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

    def dump(self, value: Any, options: _DumpOptions) -> Any:
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
        return _copy_json(value)


def _same_kind(spec: _Spec, value: Any) -> bool:
    """Whether a user value is the JSON kind this spec takes (object, array, string...)."""
    if isinstance(spec, (_ModelSpec, _MapSpec)):
        return isinstance(value, (dict, WireModel))
    if isinstance(spec, _ListSpec):
        return isinstance(value, (list, tuple))
    if isinstance(spec, (_EnumSpec, _Literal)):
        return isinstance(value, str)
    if isinstance(spec, _UnionSpec):
        return any(_same_kind(member, value) for member in spec.members)
    return False


def _holds(spec: _Spec, value: Any) -> bool:
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


def _json_value(value: Any, where: str) -> Any:
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
        return {k: _json_value(v, f"{where}[{k!r}]") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise TypeError(f"{where}: {_type_name(value)} is not JSON-serializable")


def _dump_any(value: Any, options: _DumpOptions) -> Any:
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


_SCALARS: dict[str, _Spec] = {
    "str": _Scalar("str", (str,)),
    "int": _Scalar("int", (int,)),
    "float": _Scalar("float", (float, int)),
    "bool": _Scalar("bool", (bool,)),
    "None": _Null(),
    "Any": _AnyJson(),
}
_CLASS_SPECS: dict[type, _Spec] = {}


def spec_for_class(cls: type) -> _Spec:
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


# --------------------------------------------------------------------------------------------
# annotations -> specs: the syntax tree of ``grammar`` with its names resolved


def parse_annotation(text: str, namespace: dict[str, Any]) -> _Spec:
    """The spec of an annotation, its class names looked up in ``namespace``."""
    return build_spec(grammar.parse(text), namespace, text)


def build_spec(node: grammar.Node, namespace: dict[str, Any], text: str) -> _Spec:
    if isinstance(node, grammar.Union):
        return _UnionSpec(tuple(build_spec(m, namespace, text) for m in node.members))
    if isinstance(node, grammar.Literal):
        return _Literal(node.value)
    if isinstance(node, grammar.ListOf):
        return _ListSpec(build_spec(node.item, namespace, text))
    if isinstance(node, grammar.MapOf):
        return _MapSpec(build_spec(node.value, namespace, text))
    assert isinstance(node, grammar.Name)
    name = node.name
    scalar = _SCALARS.get(name)
    if scalar is not None:
        return scalar
    target = namespace.get(name)
    if not isinstance(target, type):
        raise NameError(f"annotation {text!r} names {name!r}, which is not a class here")
    return spec_for_class(target)


# --------------------------------------------------------------------------------------------
# fields


class ModelField:
    """One field of a generated class: Python name, wire name, type and default."""

    __slots__ = ("_spec", "alias", "annotation", "default", "is_tag", "name", "owner", "required")

    def __init__(self, owner: type, name: str, alias: str, annotation: str, default: Any) -> None:
        self.owner = owner
        self.name = name
        self.alias = alias
        self.annotation = annotation
        self.default = default  # _MISSING when the field has none
        self.required = default is _MISSING
        self.is_tag = False  # the discriminator of a tagged union's variant: always sent
        self._spec: _Spec | None = None

    @property
    def spec(self) -> _Spec:
        spec = self._spec
        if spec is None:
            namespace = vars(sys.modules[self.owner.__module__])
            spec = self._spec = parse_annotation(self.annotation, namespace)
        return spec

    def is_required(self) -> bool:
        return self.required

    def fresh_default(self) -> Any:
        """The default as an attribute returns it (a new list or dict each time, like pydantic)."""
        default = self.default
        if default is _MISSING:
            return None
        if isinstance(default, list):
            return list(default)
        if isinstance(default, dict):
            return dict(default)
        return default

    def __repr__(self) -> str:
        return f"ModelField(name={self.name!r}, alias={self.alias!r}, annotation={self.annotation!r})"


def _field_property(field: ModelField) -> Any:
    wire = field.alias
    default = field.default
    try:
        node: grammar.Node | None = grammar.parse(field.annotation)
    except SyntaxError:
        node = None  # reported when the field is used (``ModelField.spec``)
    mutable_default = isinstance(default, (list, dict))
    if node is not None and node.scalar and not mutable_default:
        # Read by the Rust core, from the raw JSON while there is no dict yet (payloads of
        # notifications), else from the dict.
        return _core.RawField(
            wire, None if default is _MISSING else default, _field_setter(field), f"The ``{wire}`` field."
        )
    if node is not None and node.plain and not mutable_default:
        if default is _MISSING:
            default = None

        def get_plain(self: WireModel) -> Any:
            return self._data.get(wire, default)

        getter = get_plain
    else:

        def get_converted(self: WireModel) -> Any:
            cache = self._cache
            if cache is None:
                cache = self._cache = {}
            elif wire in cache:
                return cache[wire]
            raw = self._data.get(wire, _MISSING)
            value = field.fresh_default() if raw is _MISSING else field.spec.load(raw)
            cache[wire] = value
            return value

        getter = get_converted

    getter.__name__ = field.name
    return property(getter, _field_setter(field), doc=f"The ``{wire}`` field.")


def _field_setter(field: ModelField) -> Callable[[WireModel, Any], None]:
    wire = field.alias

    def set_value(self: WireModel, value: Any) -> None:
        self._data[wire] = field.spec.coerce(value, f"{type(self).__name__}.{field.name}")
        # Unset on payloads the Rust core built (their scalar fields need no cache).
        cache = getattr(self, CACHE, None)
        if cache:
            cache.pop(wire, None)

    return set_value


def _own_annotations(cls: type) -> dict[str, str]:
    # The class's own annotations only (not inherited), as written: `from __future__ import
    # annotations` keeps them strings.
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    return {
        name: annotation
        for name, annotation in annotations.items()
        if not name.startswith("_") and isinstance(annotation, str) and "ClassVar" not in annotation
    }


# --------------------------------------------------------------------------------------------
# objects


@dataclass_transform(kw_only_default=True)
class WireModel(_core.RawModel):
    """Base of every generated object class: a typed, lazily converted view of a JSON object.

    Build one from wire JSON with :meth:`model_validate`, or from Python values with keyword
    arguments (snake_case names or wire names); read fields as attributes; turn it back into
    JSON with :meth:`model_dump` / :meth:`model_dump_json`. Passed as request params, it is sent
    as ``model_dump(by_alias=True, exclude_none=True, mode="json")``.
    """

    # ``_d`` holds the JSON object as a dict. A payload built by the Rust core from a notification
    # starts without one: the base class holds its undecoded JSON (shared with the event), scalar
    # fields are read from there, and the dict is made the first time anything else needs it
    # (``_data``).
    __slots__ = ("_cache", "_d")

    __wire_names__: ClassVar[dict[str, str]] = {}
    model_fields: ClassVar[dict[str, ModelField]] = {}
    _by_wire: ClassVar[dict[str, ModelField]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = dict(cls.model_fields)
        renamed = cls.__dict__.get("__wire_names__", {})
        for name, annotation in _own_annotations(cls).items():
            field = ModelField(cls, name, renamed.get(name, name), annotation, cls.__dict__.get(name, _MISSING))
            fields[name] = field
            setattr(cls, name, _field_property(field))
        cls.model_fields = fields
        cls._by_wire = {f.alias: f for f in fields.values()}

    def __init__(self, **values: Any) -> None:
        cls = type(self)
        data: dict[str, Any] = {}
        for field in cls.model_fields.values():
            if field.name in values:
                value = values.pop(field.name)
            elif field.alias in values:
                value = values.pop(field.alias)
            elif field.required:
                raise TypeError(f"{cls.__name__}: missing required field {field.name!r}")
            elif field.is_tag:
                value = field.default
            else:
                # Unset fields read as their defaults but are not sent: the runtime has the
                # same defaults, and some fields are experimental (refused unless opted in).
                continue
            data[field.alias] = field.spec.coerce(value, f"{cls.__name__}.{field.name}")
        if values:
            unknown = ", ".join(repr(name) for name in values)
            raise TypeError(f"{cls.__name__}: unexpected field(s) {unknown}")
        self._data = data
        # Annotated here, not in the class body, where it would read as a field.
        self._cache: dict[str, Any] | None = None

    @property
    def _data(self) -> dict[str, Any]:
        """The JSON object (camelCase keys) as a dict, decoded from the raw JSON on first use."""
        try:
            data: dict[str, Any] = _D_SLOT.__get__(self)
            return data
        except AttributeError:
            pass
        data = self._raw_dict()
        if data is None:
            raise AttributeError("_data")
        # The dict is in place before the raw JSON goes: another thread reading a field meanwhile
        # finds one or the other.
        _D_SLOT.__set__(self, data)
        self._drop_raw()
        return data

    @_data.setter
    def _data(self, data: dict[str, Any]) -> None:
        self._drop_raw()
        _D_SLOT.__set__(self, data)

    # -- building from wire JSON ----------------------------------------------------------

    @classmethod
    def _from_wire(cls, data: dict[str, Any]) -> Self:
        """Wraps runtime JSON as is: no copy, no validation (fields convert when read)."""
        obj = _new(cls)
        obj._data = data
        obj._cache = None
        return obj

    @classmethod
    def _check(cls, data: dict[str, Any]) -> str | None:
        """Why this JSON object does not fit the class, or None (lenient on enums and tags)."""
        return _check_fields(cls, data)

    @classmethod
    def _checker(cls) -> Callable[[dict[str, Any]], str | None]:
        """A fast version of ``_check`` for this class, used on every notification."""
        checker: Callable[[dict[str, Any]], str | None] | None = cls.__dict__.get("_fast_check")
        if checker is None:
            checker = _compile_checker(cls)
            cls._fast_check = checker  # type: ignore[attr-defined]
        return checker

    @classmethod
    def _coerce_dict(cls, value: dict[str, Any], where: str) -> dict[str, Any]:
        """Wire JSON from a dict a user wrote (snake_case or wire keys), validated strictly."""
        data: dict[str, Any] = {}
        by_name = cls.model_fields
        by_wire = cls._by_wire
        for key, element in value.items():
            field = by_wire.get(key) or by_name.get(key)
            if field is None:
                data[key] = _json_value(element, f"{where}.{key}")
            else:
                data[field.alias] = field.spec.coerce(element, f"{where}.{field.name}")
        for field in by_name.values():
            if field.alias not in data:
                if field.required:
                    raise TypeError(f"{where}: missing required field {field.name!r}")
                if field.is_tag:
                    data[field.alias] = field.default
        return data

    @classmethod
    def _normalize(cls, data: dict[str, Any]) -> dict[str, Any]:
        """A copy of JSON-like data with fields under their wire names (pydantic accepts both)."""
        out: dict[str, Any] = {}
        by_wire = cls._by_wire
        by_name = cls.model_fields
        for key, value in data.items():
            field = by_wire.get(key) or by_name.get(key)
            if field is None:
                out[key] = _copy_json(value)
            elif field.alias not in out:
                out[field.alias] = field.spec.normalize(value)
        return out

    @classmethod
    def model_validate(cls, obj: Any) -> Self:
        """Builds an instance from JSON-like data (wire or snake_case keys), checking its shape.

        Raises :class:`ValidationError` naming the first field that does not fit. Unknown
        fields are kept; enum strings the schema does not list are accepted and read as plain
        strings, since a newer runtime may send them.
        """
        if isinstance(obj, cls):
            return obj
        if not isinstance(obj, dict):
            raise ValidationError(f"{cls.__name__}: expected an object, got {_type_name(obj)}")
        data = cls._normalize(obj)
        error = cls._check(data)
        if error is not None:
            raise ValidationError(_join(cls.__name__, error))
        return cls._from_wire(data)

    # -- back to JSON ---------------------------------------------------------------------

    def _wire(self) -> dict[str, Any]:
        """Wire JSON for this object, including changes made through converted attributes."""
        # Unset on payloads the Rust core built (their scalar fields need no cache).
        cache = getattr(self, CACHE, None)
        if not cache:
            return self._data
        data = dict(self._data)
        by_wire = type(self)._by_wire
        for wire, value in cache.items():
            # A default that was only read is not part of the data, as in pydantic's fields_set.
            if wire in data:
                data[wire] = by_wire[wire].spec.unload(value)
        return data

    def _to_wire(self) -> dict[str, Any]:
        """What is sent when this object is used as request params: the fields that were set
        (or received), by wire name, without None values."""
        return self.model_dump(by_alias=True, exclude_none=True, exclude_unset=True, mode="json")

    def _dump(self, options: _DumpOptions) -> dict[str, Any]:
        out: dict[str, Any] = {}
        data = self._data
        for field in type(self).model_fields.values():
            if options.exclude_unset and field.alias not in data:
                continue
            value = getattr(self, field.name)
            if value is None:
                if options.exclude_none:
                    continue
                dumped = None
            else:
                dumped = field.spec.dump(value, options)
            out[field.alias if options.by_alias else field.name] = dumped
        for key, value in self.model_extra.items():
            if value is None and options.exclude_none:
                continue
            out[key] = value
        return out

    def model_dump(
        self,
        *,
        mode: str = "python",
        by_alias: bool | None = None,
        exclude_none: bool = False,
        exclude_unset: bool = False,
    ) -> dict[str, Any]:
        """The object as a dict, like pydantic's ``model_dump``.

        ``by_alias=True`` gives wire (camelCase) keys; ``mode="json"`` gives only JSON types
        (enums as their values); ``exclude_none`` drops None fields; ``exclude_unset`` drops
        fields that were neither sent nor set. Unknown fields are included as received.
        """
        if mode not in ("python", "json"):
            raise ValueError(f"mode must be 'python' or 'json', not {mode!r}")
        return self._dump(_DumpOptions(bool(by_alias), exclude_none, exclude_unset, mode == "json"))

    def model_dump_json(
        self,
        *,
        indent: int | None = None,
        by_alias: bool | None = None,
        exclude_none: bool = False,
        exclude_unset: bool = False,
    ) -> str:
        """The object as JSON text (compact unless ``indent`` is given)."""
        data = self.model_dump(mode="json", by_alias=by_alias, exclude_none=exclude_none, exclude_unset=exclude_unset)
        return _json_text(data, indent)

    def model_copy(self, *, deep: bool = False) -> Self:
        """A copy; ``deep=True`` also copies nested data, so changes to either are independent."""
        data = self._wire()
        return type(self)._from_wire(_copy_json(data) if deep else dict(data))

    @property
    def model_extra(self) -> dict[str, Any]:
        """Fields the runtime sent that the schema does not define, with their raw values."""
        known = type(self)._by_wire
        return {k: v for k, v in self._data.items() if k not in known}

    # -- Python protocol ------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, WireModel)
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        parts = [f"{name}={getattr(self, name)!r}" for name in type(self).model_fields]
        parts += [f"{key}={value!r}" for key, value in self.model_extra.items()]
        return f"{type(self).__name__}({', '.join(parts)})"

    def __getstate__(self) -> dict[str, Any]:
        return self._wire()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._data = state
        self._cache = None

    if not TYPE_CHECKING:
        # Hidden from type checkers so that misspelled attributes stay errors there.

        def __getattr__(self, name: str) -> Any:
            """Fields the schema does not know (a newer runtime), by wire or snake_case name."""
            if name.startswith("_"):
                raise AttributeError(name)
            data = self._data
            if name in data:
                return data[name]
            camel = _camel(name)
            if camel in data:
                return data[camel]
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


_D_SLOT: Any = WireModel.__dict__["_d"]


def _check_fields(cls: type[WireModel], data: dict[str, Any]) -> str | None:
    for field in cls.model_fields.values():
        value = data.get(field.alias, _MISSING)
        if value is _MISSING:
            if field.required and field.spec.check(None) is not None:
                return f"{field.alias}: missing"
            continue
        error = field.spec.check(value)
        if error is not None:
            return _join(field.alias, error)
    return None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _copy_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_json(v) for v in value]
    return value


def _check_lines(cls: type[WireModel], namespace: dict[str, Any], on_misfit: str) -> list[str]:
    """Source lines testing that ``data`` (a dict) fits ``cls``, running ``on_misfit`` if not.

    The lines are indented for a function body. Required fields are read by subscript in one
    try block (a missing key is a misfit), which is cheaper than a ``.get()`` call per field;
    scalar fields are tested inline, other fields through their spec.
    """
    lines = ["    get = data.get", "    try:"]
    for i, field in enumerate(cls.model_fields.values()):
        spec = field.spec
        required = field.required and spec.check(None) is not None
        members = spec.members if isinstance(spec, _UnionSpec) else (spec,)
        if isinstance(spec, _AnyJson):
            if required:
                lines.append(f"        data[{field.alias!r}]")
            continue
        if all(isinstance(m, (_Scalar, _Null)) for m in members):
            types = tuple(t for m in members for t in (m.types if isinstance(m, _Scalar) else (type(None),)))
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


def _compile(name: str, lines: list[str], namespace: dict[str, Any]) -> Any:
    # Built from field names and type tests only, the way dataclasses builds __init__.
    exec("\n".join(lines), namespace)
    return namespace[name]


def _compile_checker(cls: type[WireModel]) -> Callable[[dict[str, Any]], str | None]:
    """``cls._check`` as straight-line code: answers "fits" fast, defers to ``_check`` for why not."""
    # On a misfit: the field-by-field check of this very class, for the message.
    namespace: dict[str, Any] = {"MISSING": _MISSING, "slow": partial(_check_fields, cls)}
    lines = ["def check(data):", *_check_lines(cls, namespace, "return slow(data)"), "    return None"]
    checker: Callable[[dict[str, Any]], str | None] = _compile("check", lines, namespace)
    return checker


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
        members = spec.members if isinstance(spec, _UnionSpec) else (spec,)
        if isinstance(spec, _AnyJson):
            fields.append((field.alias, required, None))
        elif all(isinstance(m, (_Scalar, _Null)) for m in members):
            types = [t for m in members for t in (m.types if isinstance(m, _Scalar) else (type(None),))]
            fields.append((field.alias, required, types))
        else:
            return None
    return _core.PayloadPlan(cls, fields, fallback)


def payload_maker(cls: type[WireModel], fallback: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A function turning notification params into an instance of ``cls``, or ``fallback(params)``
    when they do not fit. It runs once per event of every stream, so the check and the wrapping
    are one compiled function: no copy, no conversion (attributes convert when read)."""
    namespace: dict[str, Any] = {"MISSING": _MISSING, "new": _new, "cls": cls, "fallback": fallback}
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
        body = _check_lines(cls, namespace, "return recheck(data)")
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
    maker = _compile("make", lines, namespace)

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
        members = spec.members if isinstance(spec, _UnionSpec) else (spec,)
        if not all(isinstance(m, (_Scalar, _Null, _AnyJson)) for m in members):
            return False
    return not issubclass(cls, TaggedUnion)


class _UnionMeta(type):
    """Lets ``ThreadItem(root=item)`` work as in the reference: it returns the variant itself."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if "__variants__" in cls.__dict__:
            return cls._from_root(*args, **kwargs)  # type: ignore[attr-defined]
        return super().__call__(*args, **kwargs)


class TaggedUnion(WireModel, metaclass=_UnionMeta):
    """Base of a tagged union (ThreadItem, SandboxPolicy, ...) and of its variant classes.

    The union class is the common base of its variants, so ``isinstance(item, ThreadItem)``
    holds for every item. Building one from JSON gives the variant its tag names; an unknown
    tag (a newer runtime) gives an instance of the union class itself, with every field
    readable as an attribute. ``.root`` returns the object itself, so code written for the
    reference SDK's RootModel wrappers (``item.root``) keeps working.
    """

    __slots__ = ()
    __tag__: ClassVar[str]
    __variants__: ClassVar[dict[str, type[TaggedUnion]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__tag__" in cls.__dict__:
            cls.__variants__ = {}
            return
        tag = cls.__tag__
        field = cls._by_wire.get(tag)
        if field is not None and isinstance(field.default, str):
            field.is_tag = True
            for base in cls.__mro__[1:]:
                if "__variants__" in base.__dict__:
                    base.__dict__["__variants__"][field.default] = cls

    @property
    def root(self) -> Self:
        """This object (the reference SDK wrapped union values; here they are the variant)."""
        return self

    @classmethod
    def _variant_for(cls, data: dict[str, Any]) -> type[Self]:
        variants = cls.__dict__.get("__variants__")
        if variants is None:
            return cls
        tag = data.get(cls.__tag__)
        return variants.get(tag, cls) if type(tag) is str else cls

    @classmethod
    def _from_wire(cls, data: dict[str, Any]) -> Self:
        obj = _new(cls._variant_for(data))
        obj._data = data
        obj._cache = None
        return obj

    @classmethod
    def _check(cls, data: dict[str, Any]) -> str | None:
        variant = cls._variant_for(data)
        if variant is cls and "__variants__" in cls.__dict__:
            if type(data.get(cls.__tag__)) is not str:
                return f"{cls.__tag__}: missing or not a string"
            return None  # a variant this SDK does not know yet
        return variant._checker()(data)

    @classmethod
    def _checker(cls) -> Callable[[dict[str, Any]], str | None]:
        if "__variants__" in cls.__dict__:
            return cls._check  # dispatches to the variant's compiled checker
        return super()._checker()

    @classmethod
    def _normalize(cls, data: dict[str, Any]) -> dict[str, Any]:
        variant = cls._variant_for(data)
        if variant is cls:
            return super()._normalize(data)
        return variant._normalize(data)

    @classmethod
    def _coerce_dict(cls, value: dict[str, Any], where: str) -> dict[str, Any]:
        if "__variants__" in cls.__dict__:
            tag = value.get(cls.__tag__)
            variant = cls.__variants__.get(tag) if isinstance(tag, str) else None
            if variant is None:
                known = ", ".join(repr(t) for t in cls.__variants__)
                raise ValueError(f"{where}: {cls.__tag__} must be one of {known}, got {tag!r}")
            return variant._coerce_dict(value, where)
        return super()._coerce_dict(value, where)

    @classmethod
    def model_validate(cls, obj: Any) -> Self:
        if isinstance(obj, RootWrapper):
            obj = obj.root
        return super().model_validate(obj)

    @classmethod
    def _from_root(cls, root: Any = _MISSING, **kwargs: Any) -> Any:
        if root is _MISSING:
            if "root" not in kwargs:
                raise TypeError(f"{cls.__name__}(root=...) needs one of its variants or a dict")
            root = kwargs.pop("root")
        if kwargs:
            raise TypeError(f"{cls.__name__}: unexpected argument(s) {', '.join(kwargs)}")
        if isinstance(root, cls):
            return root
        if isinstance(root, dict):
            return cls._from_wire(cls._coerce_dict(root, cls.__name__))
        raise TypeError(f"{cls.__name__}: expected one of its variants or a dict, got {_type_name(root)}")

    def __repr__(self) -> str:
        if "__variants__" in type(self).__dict__:
            return f"{type(self).__name__}({self._data!r})"
        return super().__repr__()


# --------------------------------------------------------------------------------------------
# other kinds of generated classes


class RootWrapper:
    """A RootModel-style holder for schema types that are neither objects nor tagged unions
    (``AskForApproval``: a string value or a ``{"granular": ...}`` object; ``ThreadListCwdFilter``:
    a str or a list of str). ``root`` holds the value. Fields of these types return the value
    itself, not the wrapper; the wrapper is what ``Cls(value)`` and ``Cls.model_validate`` build.
    """

    __slots__ = ("_root",)

    _root: Any

    def __init__(self, root: Any = _MISSING, **kwargs: Any) -> None:
        if root is _MISSING:
            if "root" not in kwargs:
                raise TypeError(f"{type(self).__name__}() needs its value")
            root = kwargs.pop("root")
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected argument(s) {', '.join(kwargs)}")
        if isinstance(root, RootWrapper):
            root = root.root
        spec = type(self)._root_spec()
        self._root = spec.load(spec.coerce(root, type(self).__name__))

    @classmethod
    def _root_spec(cls) -> _Spec:
        spec: _Spec | None = cls.__dict__.get("_spec")
        if spec is None:
            annotation = _own_annotations(cls)["root"]
            spec = parse_annotation(annotation, vars(sys.modules[cls.__module__]))
            cls._spec = spec  # type: ignore[attr-defined]
        return spec

    @property
    def root(self) -> Any:
        """The value."""
        return self._root

    @classmethod
    def model_validate(cls, obj: Any) -> Self:
        """Builds the wrapper from a value, checking it against the schema."""
        if isinstance(obj, cls):
            return obj
        try:
            return cls(obj)
        except (TypeError, ValueError) as error:
            raise ValidationError(str(error)) from None

    def model_dump(self, *, mode: str = "python", by_alias: bool | None = None, exclude_none: bool = False) -> Any:
        """The value in dumped form (see :meth:`WireModel.model_dump`)."""
        options = _DumpOptions(bool(by_alias), exclude_none, False, mode == "json")
        return type(self)._root_spec().dump(self._root, options)

    def model_dump_json(self, *, indent: int | None = None, by_alias: bool | None = None) -> str:
        return _json_text(self.model_dump(mode="json", by_alias=by_alias), indent)

    def _to_wire(self) -> Any:
        return type(self)._root_spec().unload(self._root)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, RootWrapper)
        return bool(self._root == other._root)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(root={self._root!r})"


class WireEnum(str, Enum):
    """Base of the generated string enums: members are ``str`` and equal their wire value.

    ``str()`` and f-strings give the value on every Python version. ``.root`` returns the
    member, for code written against the reference SDK's RootModel unions.
    """

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, format_spec: str) -> str:
        return str.__format__(str.__str__(self), format_spec)

    @property
    def root(self) -> Self:
        """The member itself."""
        return self


class StrAlias(str):
    """Base of named strings (``ThreadId``): a ``str`` whose ``.root`` is the plain string."""

    __slots__ = ()

    @property
    def root(self) -> str:
        """The plain string."""
        return str.__str__(self)

    @classmethod
    def model_validate(cls, obj: Any) -> Self:
        if not isinstance(obj, str):
            raise ValidationError(f"{cls.__name__}: expected str, got {_type_name(obj)}")
        return cls(obj)

    def model_dump(self, *, mode: str = "python", by_alias: bool | None = None) -> str:
        return str.__str__(self)

    def _to_wire(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str.__repr__(self)})"


class IntAlias(int):
    """Base of named integers: an ``int`` whose ``.root`` is the plain integer."""

    __slots__ = ()

    @property
    def root(self) -> int:
        """The plain integer."""
        return int(self)

    @classmethod
    def model_validate(cls, obj: Any) -> Self:
        if type(obj) is not int and not isinstance(obj, IntAlias):
            raise ValidationError(f"{cls.__name__}: expected int, got {_type_name(obj)}")
        return cls(obj)

    def model_dump(self, *, mode: str = "python", by_alias: bool | None = None) -> int:
        return int(self)

    def _to_wire(self) -> int:
        return int(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({int(self)})"


def enum_member(cls: type[_E], value: Any) -> _E:
    """The member of ``cls`` with this value, or the value itself when the enum lacks it."""
    member: Any = cls._value2member_map_.get(value, value) if isinstance(value, str) else value
    return member  # type: ignore[no-any-return]
