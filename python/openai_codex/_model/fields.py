"""Fields of the generated classes: what each is (:class:`ModelField`, from the class's own
annotations) and the attribute that reads and sets it (:func:`field_property`).

What kind of attribute a field gets comes from its parsed annotation (``grammar``): scalar fields
are read by the Rust core (``_core.RawField``), plain JSON straight from the dict, and the rest
converted once through the field's spec and cached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import _core
from . import grammar
from .contract import CACHE
from .specs import MISSING, Spec, annotation_scope, parse_annotation

if TYPE_CHECKING:
    from .base import WireModel

__all__ = ["ModelField", "field_property", "own_annotations", "wire_name"]


class ModelField:
    """One field of a generated class: Python name, wire name, type and default."""

    __slots__ = ("_spec", "alias", "annotation", "default", "is_tag", "name", "owner", "required")

    def __init__(self, owner: type, name: str, alias: str, annotation: str, default: Any) -> None:
        self.owner = owner
        self.name = name
        self.alias = alias
        self.annotation = annotation
        self.default = default  # MISSING when the field has none
        self.required = default is MISSING
        self.is_tag = False  # the discriminator of a tagged union's variant: always sent
        self._spec: Spec | None = None

    @property
    def spec(self) -> Spec:
        spec = self._spec
        if spec is None:
            spec = self._spec = parse_annotation(self.annotation, annotation_scope(self.owner))
        return spec

    def is_required(self) -> bool:
        return self.required

    def fresh_default(self) -> Any:
        """The default as an attribute returns it (a new list or dict each time, like pydantic)."""
        default = self.default
        if default is MISSING:
            return None
        if isinstance(default, list):
            return list(default)
        if isinstance(default, dict):
            return dict(default)
        return default

    def __repr__(self) -> str:
        return f"ModelField(name={self.name!r}, alias={self.alias!r}, annotation={self.annotation!r})"


def field_property(field: ModelField) -> Any:
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
            wire, None if default is MISSING else default, _field_setter(field), f"The ``{wire}`` field."
        )
    if node is not None and node.plain and not mutable_default:
        if default is MISSING:
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
            raw = self._data.get(wire, MISSING)
            value = field.fresh_default() if raw is MISSING else field.spec.load(raw)
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


def own_annotations(cls: type) -> dict[str, str]:
    # The class's own annotations only (not inherited), as written: `from __future__ import
    # annotations` keeps them strings.
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    return {
        name: annotation
        for name, annotation in annotations.items()
        if not name.startswith("_") and isinstance(annotation, str) and "ClassVar" not in annotation
    }


def wire_name(name: str) -> str:
    """The wire (camelCase) spelling of a snake_case field name: ``turn_id`` -> ``turnId``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
