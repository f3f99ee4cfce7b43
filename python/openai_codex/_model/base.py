"""``WireModel``: the base of every generated object class.

It wraps the JSON object the runtime sent (``_data``, never copied) and exposes each schema
field as a snake_case attribute (``fields``); it is built from wire JSON or from Python values,
validated, and dumped back to JSON like a pydantic model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from .. import _core
from . import specs
from .checks import check_fields, compile_checker
from .contract import CACHE, new_instance
from .fields import ModelField, field_property, own_annotations, wire_name
from .specs import MISSING, DumpOptions, ValidationError, copy_json, join, json_text, json_value, type_name

if TYPE_CHECKING:
    from typing_extensions import Self, dataclass_transform
else:

    def dataclass_transform(**_kwargs: Any) -> Callable[[Any], Any]:
        return lambda cls: cls


__all__ = ["WireModel"]


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
        for name, annotation in own_annotations(cls).items():
            field = ModelField(cls, name, renamed.get(name, name), annotation, cls.__dict__.get(name, MISSING))
            fields[name] = field
            setattr(cls, name, field_property(field))
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
        obj = new_instance(cls)
        obj._data = data
        obj._cache = None
        return obj

    @classmethod
    def _check(cls, data: dict[str, Any]) -> str | None:
        """Why this JSON object does not fit the class, or None (lenient on enums and tags)."""
        return check_fields(cls, data)

    @classmethod
    def _checker(cls) -> Callable[[dict[str, Any]], str | None]:
        """A fast version of ``_check`` for this class, used on every notification."""
        checker: Callable[[dict[str, Any]], str | None] | None = cls.__dict__.get("_fast_check")
        if checker is None:
            checker = compile_checker(cls)
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
                data[key] = json_value(element, f"{where}.{key}")
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
                out[key] = copy_json(value)
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
            raise ValidationError(f"{cls.__name__}: expected an object, got {type_name(obj)}")
        data = cls._normalize(obj)
        error = cls._check(data)
        if error is not None:
            raise ValidationError(join(cls.__name__, error))
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

    def _dump(self, options: DumpOptions) -> dict[str, Any]:
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
        return self._dump(DumpOptions(bool(by_alias), exclude_none, exclude_unset, mode == "json"))

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
        return json_text(data, indent)

    def model_copy(self, *, deep: bool = False) -> Self:
        """A copy; ``deep=True`` also copies nested data, so changes to either are independent."""
        data = self._wire()
        return type(self)._from_wire(copy_json(data) if deep else dict(data))

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
            camel = wire_name(name)
            if camel in data:
                return data[camel]
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


_D_SLOT: Any = WireModel.__dict__["_d"]
specs.bind_classes(WireModel)
