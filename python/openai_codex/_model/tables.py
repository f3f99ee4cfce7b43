"""Tables of generated classes that make each class on first lookup (:class:`ClassTable`).

The protocol has about 1,400 classes and a program uses a few dozen, so the generated package
keeps each class in a module of its own, and its tables (``v2_all.CLASSES``, the notification
registry) hold names: a lookup imports the one module that defines the class, and later
lookups find it cached.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from importlib import import_module
from typing import Any, TypeVar

__all__ = ["ClassTable", "classes_in"]

_T = TypeVar("_T")


class ClassTable(Mapping[str, _T]):
    """A read-only mapping whose values are made on first lookup, by ``load(key)``.

    Keys, ``len`` and ``in`` need no value; ``items()`` and ``values()`` make every value.
    """

    __slots__ = ("_keys", "_load", "_loaded")

    def __init__(self, keys: Collection[str], load: Callable[[str], _T]) -> None:
        self._keys = keys
        self._load = load
        self._loaded: dict[str, _T] = {}

    def __getitem__(self, key: str) -> _T:
        try:
            return self._loaded[key]
        except KeyError:
            if key not in self._keys:
                raise
        # Two threads may both get here: the import system makes the class once, so both
        # store the same object.
        value = self._loaded[key] = self._load(key)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {len(self)} entries, {len(self._loaded)} loaded>"


def classes_in(package: str, names: Iterable[str], namespace: dict[str, Any]) -> ClassTable[type]:
    """Class name -> class, for classes that each have a module of their name in ``package``:
    the first lookup of a name imports its module, which makes the class. Each class made is
    also put in ``namespace`` (the exporting module's globals), where attribute lookups and
    ``typing.get_type_hints`` then find it."""

    def load(name: str) -> type:
        cls: type = getattr(import_module(f"{package}.{name}"), name)
        namespace[name] = cls
        return cls

    return ClassTable(frozenset(names), load)
