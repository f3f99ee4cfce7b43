"""Turning wire JSON (camelCase dicts) into the objects users read.

Every conversion from runtime JSON to a user-facing object goes through ``model_for`` and
``notification_payload``, so the type system can change behind these two functions.
"""

from __future__ import annotations

import re
from typing import Any

_CAMEL_CACHE: dict[str, str] = {}
_SNAKE_PART = re.compile(r"_([a-z0-9])")


def _camel(name: str) -> str:
    camel = _CAMEL_CACHE.get(name)
    if camel is None:
        camel = _CAMEL_CACHE[name] = _SNAKE_PART.sub(lambda m: m.group(1).upper(), name)
    return camel


class WireObject:
    """A read-only view of a JSON object with snake_case attribute access.

    ``obj.turn_id`` reads the wire field ``turnId``; nested objects and lists are wrapped on
    access.
    """

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getattr__(self, name: str) -> Any:
        data = self._data
        if name in data:
            return _wrap(data[name])
        camel = _camel(name)
        if camel in data:
            return _wrap(data[camel])
        if name.startswith("_"):
            raise AttributeError(name)
        # Optional fields the runtime left out read as None, like the schema's defaults.
        return None

    def model_dump(self) -> dict[str, Any]:
        return dict(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, WireObject):
            return bool(self._data == other._data)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"


def _wrap(value: Any) -> Any:
    if isinstance(value, dict):
        return WireObject(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def model_for(type_name: str, data: Any) -> Any:
    """The object for a value of schema type ``type_name``."""
    return _wrap(data)


def notification_payload(method: str, params: Any) -> Any:
    """The payload object of a notification with this method."""
    return _wrap(params)
