"""Checks on the values callers pass, made before anything is sent to the runtime.

Every error names the parameter and says what it accepts, so a typo such as ``effort="ultra"``
fails at the call site with a ``ValueError`` (a value outside the choices) or a ``TypeError``
(a value of the wrong type) instead of coming back from the runtime as an anonymous
``-32600 unknown variant``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import Enum
from typing import Any

from ._model import RootWrapper


def choice(param: str, value: Any, enum: type[Enum], *extra: str) -> str | None:
    """The wire string of ``value`` for a parameter that takes one of ``enum``'s values.

    Accepts a member of ``enum`` (or of another enum with a valid value), its plain string
    value, or a protocol wrapper holding either; ``extra`` lists further accepted strings.
    """
    if value is None:
        return None
    if isinstance(value, RootWrapper):
        value = value.root
    if isinstance(value, Enum):
        value = value.value
    allowed = [str(member.value) for member in enum] + list(extra)
    if not isinstance(value, str):
        raise TypeError(f"{param} must be a {enum.__name__} or one of {_listed(allowed)}, not {_kind(value)}")
    if value not in allowed:
        raise ValueError(f"{param} must be one of {_listed(allowed)} (got {value!r})")
    return value


def choices(param: str, values: Any, enum: type[Enum]) -> list[str] | None:
    """Wire strings for a list parameter whose items each take one of ``enum``'s values."""
    if values is None:
        return None
    if isinstance(values, str | bytes) or not isinstance(values, list | tuple):
        raise TypeError(f"{param} must be a list of {enum.__name__}, not {_kind(values)}")
    return [choice(f"{param}[{i}]", item, enum) or "" for i, item in enumerate(values)]


def text(param: str, value: Any) -> str | None:
    """``value`` checked to be a ``str`` (or None)."""
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{param} must be a str, not {_kind(value)}")


def path(param: str, value: Any) -> str | None:
    """``value`` as a ``str`` path; a ``str`` or an ``os.PathLike`` (or None) is accepted."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        result = os.fspath(value)
        if isinstance(result, str):
            return result
    raise TypeError(f"{param} must be a str path, not {_kind(value)}")


def flag(param: str, value: Any) -> bool | None:
    """``value`` checked to be a ``bool`` (or None)."""
    if value is None or isinstance(value, bool):
        return value
    raise TypeError(f"{param} must be a bool, not {_kind(value)}")


def count(param: str, value: Any) -> int | None:
    """``value`` checked to be a non-negative ``int`` (or None); ``bool`` is refused."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{param} must be an int, not {_kind(value)}")
    if value < 0:
        raise ValueError(f"{param} must not be negative (got {value})")
    return value


def seconds(param: str, value: Any) -> float | None:
    """``value`` checked to be a finite, non-negative number of seconds (or None)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{param} must be a number of seconds, not {_kind(value)}")
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"{param} must be a finite, non-negative number of seconds (got {value!r})")
    return float(value)


def json_object(param: str, value: Any, what: str = "a JSON object") -> dict[str, Any] | None:
    """``value`` checked to be a mapping with ``str`` keys (or None), as a ``dict``."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"{param} must be a dict ({what}), not {_kind(value)}")
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"{param} keys must be str, not {_kind(key)} ({key!r})")
    return dict(value)


def str_list(param: str, value: Any) -> list[str] | None:
    """``value`` checked to be a list (or tuple) of ``str`` (or None)."""
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        raise TypeError(f"{param} must be a list of str, not {_kind(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise TypeError(f"{param}[{i}] must be a str, not {_kind(item)}")
    return list(value)


def str_mapping(param: str, value: Any) -> dict[str, str] | None:
    """``value`` checked to map ``str`` to ``str`` (or None); the error names the bad key."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"{param} must be a dict of str to str, not {_kind(value)}")
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"{param} keys must be str, not {_kind(key)} ({key!r})")
        if not isinstance(item, str):
            raise TypeError(f"{param}[{key!r}] must be a str, not {_kind(item)}")
    return dict(value)


def _kind(value: object) -> str:
    return type(value).__name__


def _listed(allowed: list[str]) -> str:
    return ", ".join(repr(a) for a in allowed)
