"""Module attributes loaded on first use (PEP 562), for modules that re-export many names."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(
    namespace: dict[str, Any], package: str, homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module's ``__getattr__`` and ``__dir__`` for the names in ``homes``.

    Args:
        namespace: The module's ``globals()``; a name loaded is stored there, so later
            lookups do not come back to ``__getattr__``.
        package: The package the homes are relative to.
        homes: Name -> the module (relative to ``package``) that defines it.

    Returns:
        The two functions, to assign to the module's ``__getattr__`` and ``__dir__``.
    """
    module = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{home}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *homes})

    return __getattr__, __dir__
