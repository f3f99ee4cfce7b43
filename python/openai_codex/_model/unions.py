"""``TaggedUnion``: the base of a tagged union (``ThreadItem``, ``SandboxPolicy``, ...) and of
its variant classes, which register under their tag as they are made.

A union class names its variants (``__variant_names__``) and does not make them: each one is
made the first time data with its tag is read, or its name is used, so reading an item makes
its own variant's class, not the other twenty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from .base import WireModel
from .contract import new_instance
from .specs import MISSING, annotation_scope, type_name
from .wrappers import RootWrapper, root_argument

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["TaggedUnion"]


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
    # On a union class: tag value -> variant class name (generated), and the variants made so far.
    __variant_names__: ClassVar[dict[str, str]]
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
    def _variant(cls, tag: str) -> type[Self] | None:
        """The variant of this union class with this tag (made if need be), or None."""
        variant = cls.__variants__.get(tag)
        if variant is None:
            name = cls.__dict__.get("__variant_names__", {}).get(tag)
            if name is None:
                return None
            # Making the class registers it in __variants__. Its name is found where the
            # union's own annotations are (the generated classes' public module).
            variant = getattr(annotation_scope(cls), name)
        return variant  # type: ignore[return-value]

    @classmethod
    def _variant_for(cls, data: dict[str, Any]) -> type[Self]:
        variants = cls.__dict__.get("__variants__")
        if variants is None:
            return cls
        tag = data.get(cls.__tag__)
        if type(tag) is not str:
            return cls
        variant = variants.get(tag)
        if variant is None:
            variant = cls._variant(tag) or cls
        return variant  # type: ignore[no-any-return]

    @classmethod
    def _from_wire(cls, data: dict[str, Any]) -> Self:
        obj = new_instance(cls._variant_for(data))
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
            variant = cls._variant(tag) if isinstance(tag, str) else None
            if variant is None:
                known = ", ".join(repr(t) for t in cls.__dict__.get("__variant_names__", cls.__variants__))
                raise ValueError(f"{where}: {cls.__tag__} must be one of {known}, got {tag!r}")
            return variant._coerce_dict(value, where)
        return super()._coerce_dict(value, where)

    @classmethod
    def model_validate(cls, obj: Any) -> Self:
        if isinstance(obj, RootWrapper):
            obj = obj.root
        return super().model_validate(obj)

    @classmethod
    def _from_root(cls, root: Any = MISSING, **kwargs: Any) -> Any:
        root = root_argument(cls.__name__, root, kwargs, "(root=...) needs one of its variants or a dict")
        if isinstance(root, cls):
            return root
        if isinstance(root, dict):
            return cls._from_wire(cls._coerce_dict(root, cls.__name__))
        raise TypeError(f"{cls.__name__}: expected one of its variants or a dict, got {type_name(root)}")

    def __repr__(self) -> str:
        if "__variants__" in type(self).__dict__:
            return f"{type(self).__name__}({self._data!r})"
        return super().__repr__()
