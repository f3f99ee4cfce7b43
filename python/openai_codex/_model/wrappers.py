"""The generated classes that are not objects: ``RootWrapper`` (a value that is neither an
object nor a tagged union, in ``root``), the string enums (``WireEnum``), and named strings and
integers (``StrAlias``, ``IntAlias``).
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from . import specs
from .fields import own_annotations
from .specs import (
    MISSING,
    DumpOptions,
    Spec,
    ValidationError,
    annotation_scope,
    json_text,
    parse_annotation,
    type_name,
)

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["IntAlias", "RootWrapper", "StrAlias", "WireEnum", "enum_member", "root_argument"]


_E = TypeVar("_E", bound="WireEnum")


def root_argument(owner: str, root: Any, kwargs: dict[str, Any], missing: str) -> Any:
    """The value given as ``root`` (positionally or by keyword), refusing any other argument.

    Raises:
        TypeError: No value (the message is ``owner + missing``), or other keyword arguments.
    """
    if root is MISSING:
        if "root" not in kwargs:
            raise TypeError(owner + missing)
        root = kwargs.pop("root")
    if kwargs:
        raise TypeError(f"{owner}: unexpected argument(s) {', '.join(kwargs)}")
    return root


class RootWrapper:
    """A RootModel-style holder for schema types that are neither objects nor tagged unions
    (``AskForApproval``: a string value or a ``{"granular": ...}`` object; ``ThreadListCwdFilter``:
    a str or a list of str). ``root`` holds the value. Fields of these types return the value
    itself, not the wrapper; the wrapper is what ``Cls(value)`` and ``Cls.model_validate`` build.
    """

    __slots__ = ("_root",)

    _root: Any

    def __init__(self, root: Any = MISSING, **kwargs: Any) -> None:
        root = root_argument(type(self).__name__, root, kwargs, "() needs its value")
        if isinstance(root, RootWrapper):
            root = root.root
        spec = type(self)._root_spec()
        self._root = spec.load(spec.coerce(root, type(self).__name__))

    @classmethod
    def _root_spec(cls) -> Spec:
        spec: Spec | None = cls.__dict__.get("_spec")
        if spec is None:
            annotation = own_annotations(cls)["root"]
            spec = parse_annotation(annotation, annotation_scope(cls))
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
        options = DumpOptions(bool(by_alias), exclude_none, False, mode == "json")
        return type(self)._root_spec().dump(self._root, options)

    def model_dump_json(self, *, indent: int | None = None, by_alias: bool | None = None) -> str:
        return json_text(self.model_dump(mode="json", by_alias=by_alias), indent)

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
            raise ValidationError(f"{cls.__name__}: expected str, got {type_name(obj)}")
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
            raise ValidationError(f"{cls.__name__}: expected int, got {type_name(obj)}")
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


specs.bind_classes(RootWrapper, WireEnum, StrAlias, IntAlias)
