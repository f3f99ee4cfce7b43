"""Type hints to JSON Schema, and the model's JSON arguments back to the hinted Python values.

Each supported hint compiles once (at decoration) into a node that does both jobs: ``schema()``
gives the JSON Schema the model sees, ``convert(value, path)`` checks a JSON value against the
hint and returns the Python value the function gets (a dict becomes a dataclass, a string an
Enum member, a list a tuple where the hint says so). A hint that cannot be compiled raises
``UnsupportedHint``; the decorator turns it into a ``TypeError`` naming the parameter.

Standard library only.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

__all__ = ["ArgumentError", "Node", "UnsupportedHint", "compile_hint", "describe_json"]

_NONE_TYPE = type(None)
# `X | Y` (PEP 604) builds types.UnionType; typing.Union builds typing.Union.
_UNION_ORIGINS: tuple[Any, ...] = (typing.Union, types.UnionType)
_REQUIRED = getattr(typing, "Required", None)
_NOT_REQUIRED = getattr(typing, "NotRequired", None)


class UnsupportedHint(Exception):
    """A type hint this module cannot describe as JSON Schema (the message says which and why)."""


class ArgumentError(Exception):
    """A JSON value does not fit the hint: ``path`` says where (``"items[2].name"``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def describe_json(value: Any) -> str:
    """How a JSON value reads in an error message: its JSON type, and a short repr."""
    kind = {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
        _NONE_TYPE: "null",
    }.get(type(value), type(value).__name__)
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{kind} {text}" if value is not None else "null"


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Node:
    """One compiled hint."""

    description: str | None = None

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def convert(self, value: Any, path: str) -> Any:
        raise NotImplementedError

    def accepts_none(self) -> bool:
        return False

    def with_description(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.description:
            return {**schema, "description": self.description}
        return schema


class _Any(Node):
    def schema(self) -> dict[str, Any]:
        return self.with_description({})

    def convert(self, value: Any, path: str) -> Any:
        return value

    def accepts_none(self) -> bool:
        return True


class _Scalar(Node):
    """str, int, float, bool, None."""

    NAMES: ClassVar[dict[type, str]] = {
        str: "string",
        int: "integer",
        float: "number",
        bool: "boolean",
        _NONE_TYPE: "null",
    }

    def __init__(self, kind: type) -> None:
        self.kind = kind

    def schema(self) -> dict[str, Any]:
        return self.with_description({"type": self.NAMES[self.kind]})

    def accepts_none(self) -> bool:
        return self.kind is _NONE_TYPE

    def convert(self, value: Any, path: str) -> Any:
        kind = self.kind
        if kind is bool:
            if isinstance(value, bool):
                return value
        elif kind is int:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)  # JSON has one number type: 3.0 is the integer 3
        elif kind is float:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
        elif kind is str:
            if isinstance(value, str):
                return value
        elif value is None:
            return None
        raise ArgumentError(path, f"expected {self.NAMES[kind]}, got {describe_json(value)}")


class _List(Node):
    def __init__(self, item: Node, as_tuple: bool = False) -> None:
        self.item = item
        self.as_tuple = as_tuple

    def schema(self) -> dict[str, Any]:
        return self.with_description({"type": "array", "items": self.item.schema()})

    def convert(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise ArgumentError(path, f"expected array, got {describe_json(value)}")
        items = [self.item.convert(v, _join(path, i)) for i, v in enumerate(value)]
        return tuple(items) if self.as_tuple else items


class _Tuple(Node):
    """A fixed-length ``tuple[A, B]``: a JSON array with one schema per position."""

    def __init__(self, items: list[Node]) -> None:
        self.items = items

    def schema(self) -> dict[str, Any]:
        # The runtime keeps neither `prefixItems` nor the item counts in what the model sees:
        # the items' schemas are offered as alternatives, and the order is said in words.
        n = len(self.items)
        options = list({json.dumps(i.schema(), sort_keys=True): i.schema() for i in self.items}.values())
        items = options[0] if len(options) == 1 else {"anyOf": options}
        kinds = ", ".join(
            i.schema().get("type", "any") if isinstance(i.schema().get("type"), str) else "any" for i in self.items
        )
        schema = self.with_description({"type": "array", "items": items, "minItems": n, "maxItems": n})
        schema["description"] = _append(schema, f"Exactly {n} items, in this order: {kinds}.")
        return schema

    def convert(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise ArgumentError(path, f"expected array, got {describe_json(value)}")
        if len(value) != len(self.items):
            raise ArgumentError(path, f"expected an array of {len(self.items)} items, got {len(value)}")
        return tuple(node.convert(v, _join(path, i)) for i, (node, v) in enumerate(zip(self.items, value, strict=True)))


class _Dict(Node):
    def __init__(self, value: Node) -> None:
        self.value = value

    def schema(self) -> dict[str, Any]:
        return self.with_description({"type": "object", "additionalProperties": self.value.schema()})

    def convert(self, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise ArgumentError(path, f"expected object, got {describe_json(value)}")
        return {k: self.value.convert(v, _join(path, k)) for k, v in value.items()}


class _Union(Node):
    def __init__(self, options: list[Node]) -> None:
        self.options = options

    def schema(self) -> dict[str, Any]:
        return self.with_description({"anyOf": [o.schema() for o in self.options]})

    def accepts_none(self) -> bool:
        return any(o.accepts_none() for o in self.options)

    def convert(self, value: Any, path: str) -> Any:
        errors: list[ArgumentError] = []
        for option in self.options:
            try:
                return option.convert(value, path)
            except ArgumentError as exc:
                if value is not None and isinstance(option, _Scalar) and option.kind is _NONE_TYPE:
                    continue  # "expected null" says nothing useful about a value that is not null
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]  # keeps the deeper path, e.g. tags[1]
        raise ArgumentError(path, " or ".join(dict.fromkeys(e.message for e in errors)))


class _Literal(Node):
    def __init__(self, values: tuple[Any, ...]) -> None:
        self.values = values

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"enum": list(self.values)}
        kinds = {_Scalar.NAMES[type(v)] for v in self.values}
        if len(kinds) == 1:
            schema = {"type": kinds.pop(), **schema}
        return self.with_description(schema)

    def accepts_none(self) -> bool:
        return None in self.values

    def convert(self, value: Any, path: str) -> Any:
        for allowed in self.values:
            # `True == 1` in Python: compare the types too.
            if value == allowed and type(value) is type(allowed):
                return allowed
        raise ArgumentError(path, f"expected one of {list(self.values)!r}, got {describe_json(value)}")


class _Enum(Node):
    def __init__(self, cls: type[enum.Enum]) -> None:
        self.cls = cls
        values = [m.value for m in cls]
        bad = [v for v in values if type(v) not in (str, int, float, bool)]
        if bad:
            raise UnsupportedHint(f"Enum {cls.__name__} has values that are not JSON scalars: {bad!r}")
        self.literal = _Literal(tuple(values))
        if cls.__doc__ and cls.__doc__ != enum.Enum.__doc__ and not cls.__doc__.startswith("An enumeration."):
            self.doc: str | None = _first_paragraph(cls.__doc__)
        else:
            self.doc = None

    def schema(self) -> dict[str, Any]:
        schema = self.literal.schema()
        if self.doc and not self.description:
            schema["description"] = self.doc
        return self.with_description(schema)

    def convert(self, value: Any, path: str) -> Any:
        if isinstance(value, self.cls):
            return value
        try:
            return self.cls(self.literal.convert(value, path))
        except ArgumentError:
            raise ArgumentError(
                path, f"expected one of {list(self.literal.values)!r}, got {describe_json(value)}"
            ) from None


class Field:
    """One property of an object node: a TypedDict key, a dataclass field, or a parameter."""

    def __init__(self, name: str, node: Node, required: bool, default: Any = dataclasses.MISSING) -> None:
        self.name = name
        self.node = node
        self.required = required
        self.default = default

    def schema(self) -> dict[str, Any]:
        schema = self.node.schema()
        if self.default is not dataclasses.MISSING:
            default = _json_default(self.default)
            if default is not dataclasses.MISSING:
                # The runtime drops `default` from the schema the model sees: say it in words too.
                shown = json.dumps(default, ensure_ascii=False)
                if default is not None and len(shown) <= 80:
                    schema = {**schema, "default": default, "description": _append(schema, f"Default: {shown}.")}
                else:
                    schema = {**schema, "default": default}
        return schema


def _append(schema: Mapping[str, Any], sentence: str) -> str:
    text = str(schema.get("description") or "").rstrip()
    if not text:
        return sentence
    return f"{text} {sentence}" if text.endswith((".", "!", "?", ":")) else f"{text}. {sentence}"


def _json_default(value: Any) -> Any:
    """A default value as JSON, or MISSING when it has no JSON form (it is then left out)."""
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        items = [_json_default(v) for v in value]
        return dataclasses.MISSING if any(i is dataclasses.MISSING for i in items) else items
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        mapped = {k: _json_default(v) for k, v in value.items()}
        return dataclasses.MISSING if any(v is dataclasses.MISSING for v in mapped.values()) else mapped
    return dataclasses.MISSING


class ObjectNode(Node):
    """A JSON object with known properties; ``build`` turns the converted fields into the value."""

    def __init__(self, title: str | None, doc: str | None, build: Callable[[dict[str, Any]], Any]) -> None:
        self.title = title
        self.doc = doc
        self.fields: list[Field] = []
        self.build = build

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {f.name: f.schema() for f in self.fields},
            "required": [f.name for f in self.fields if f.required],
            "additionalProperties": False,
        }
        if self.doc and not self.description:
            schema["description"] = self.doc
        return self.with_description(schema)

    def convert_fields(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ArgumentError(path, f"expected object, got {describe_json(value)}")
        known = {f.name for f in self.fields}
        unknown = [k for k in value if k not in known]
        if unknown:
            where = f" in {path}" if path else ""
            raise ArgumentError(
                "",
                f"unexpected argument{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}{where}"
                f" (expected: {', '.join(sorted(known)) or 'none'})",
            )
        out: dict[str, Any] = {}
        for f in self.fields:
            if f.name in value:
                item = value[f.name]
                if item is None and not f.required and not f.node.accepts_none():
                    # Models often send null for an optional argument they mean to leave out.
                    continue
                out[f.name] = f.node.convert(item, _join(path, f.name))
            elif f.required:
                raise ArgumentError(_join(path, f.name), "required argument missing")
        return out

    def convert(self, value: Any, path: str) -> Any:
        return self.build(self.convert_fields(value, path))


def _first_paragraph(doc: str) -> str:
    import inspect

    return inspect.cleandoc(doc).split("\n\n", 1)[0].replace("\n", " ").strip()


def _class_doc(cls: type) -> str | None:
    doc = cls.__dict__.get("__doc__")
    if not doc:
        return None
    if dataclasses.is_dataclass(cls) and doc.startswith(f"{cls.__name__}("):
        return None  # the signature dataclasses writes when a class has no docstring
    return _first_paragraph(doc)


def _is_typeddict(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, dict) and hasattr(hint, "__required_keys__")


def _annotated_description(metadata: Sequence[Any]) -> str | None:
    for item in metadata:
        if isinstance(item, str):
            return item
    return None


class _Compiler:
    def __init__(self) -> None:
        self.in_progress: set[type] = set()

    def hints(self, cls: type) -> dict[str, Any]:
        try:
            return typing.get_type_hints(cls, include_extras=True)
        except Exception as exc:  # NameError for a forward reference that does not resolve, etc.
            raise UnsupportedHint(f"cannot resolve the type hints of {cls.__name__}: {exc}") from None

    def compile(self, hint: Any) -> Node:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin is typing.Annotated:
            node = self.compile(args[0])
            description = _annotated_description(hint.__metadata__)
            if description:
                node.description = description
            return node
        if _REQUIRED is not None and origin in (_REQUIRED, _NOT_REQUIRED):
            return self.compile(args[0])
        if hint is Any or hint is object:
            return _Any()
        if hint is None or hint is _NONE_TYPE:
            return _Scalar(_NONE_TYPE)
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return _Enum(hint)
        if hint in (str, int, float, bool):
            return _Scalar(hint)
        if origin in _UNION_ORIGINS:
            return _Union([self.compile(a) for a in args])
        if origin is typing.Literal:
            bad = [a for a in args if type(a) not in (str, int, float, bool, _NONE_TYPE)]
            if bad:
                raise UnsupportedHint(f"Literal values must be JSON scalars, got {bad!r}")
            return _Literal(tuple(args))
        if hint in (list, Sequence) or origin in (list, Sequence):
            return _List(self.compile(args[0]) if args else _Any())
        if hint is tuple or origin is tuple:
            if not args:
                return _List(_Any(), as_tuple=True)
            if len(args) == 2 and args[1] is Ellipsis:
                return _List(self.compile(args[0]), as_tuple=True)
            if args == ((),):
                return _Tuple([])
            return _Tuple([self.compile(a) for a in args])
        if hint in (dict, Mapping) or origin in (dict, Mapping):
            if not args:
                return _Dict(_Any())
            key, value = args
            if key is not str:
                raise UnsupportedHint(f"JSON object keys are strings: use dict[str, ...], not {_name(hint)}")
            return _Dict(self.compile(value))
        if _is_typeddict(hint):
            return self.object_of(hint, self.typeddict_fields)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self.object_of(hint, self.dataclass_fields)
        if isinstance(hint, str):
            raise UnsupportedHint(f"the forward reference {hint!r} does not resolve")
        raise UnsupportedHint(f"{_name(hint)} has no JSON Schema form")

    def object_of(self, cls: type, fields: Callable[[type, ObjectNode], None]) -> ObjectNode:
        if cls in self.in_progress:
            raise UnsupportedHint(f"{cls.__name__} refers to itself; recursive types are not supported")
        self.in_progress.add(cls)
        try:
            if _is_typeddict(cls):
                node = ObjectNode(cls.__name__, _class_doc(cls), dict)
            else:
                node = ObjectNode(cls.__name__, _class_doc(cls), lambda kwargs: cls(**kwargs))
            fields(cls, node)
            return node
        finally:
            self.in_progress.discard(cls)

    def typeddict_fields(self, cls: type, node: ObjectNode) -> None:
        required = cls.__required_keys__  # type: ignore[attr-defined]
        for name, hint in self.hints(cls).items():
            node.fields.append(Field(name, self.field(cls, name, hint), name in required))

    def dataclass_fields(self, cls: type, node: ObjectNode) -> None:
        hints = self.hints(cls)
        for f in dataclasses.fields(cls):
            if not f.init:
                continue
            has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
            node.fields.append(Field(f.name, self.field(cls, f.name, hints[f.name]), not has_default, f.default))

    def field(self, cls: type, name: str, hint: Any) -> Node:
        try:
            return self.compile(hint)
        except UnsupportedHint as exc:
            raise UnsupportedHint(f"field {name!r} of {cls.__name__}: {exc}") from None


def _name(hint: Any) -> str:
    if isinstance(hint, type):
        return hint.__qualname__
    return repr(hint).replace("typing.", "")


def compile_hint(hint: Any) -> Node:
    """The node for one (resolved) type hint; raises UnsupportedHint."""
    return _Compiler().compile(hint)
