"""Turning wire JSON (camelCase dicts) into the objects users read.

Every conversion from runtime JSON to a user-facing object goes through ``model_for`` and
``notification_payload``. Both resolve the generated class on first use, so importing
``openai_codex`` makes none of the generated classes, and a conversion makes only the one it
needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_PayloadBuilder = Callable[[Any], Any]

# Notification method -> what builds its payload, filled on first sight of each method.
_BUILDERS: dict[str, _PayloadBuilder] = {}
# Schema type name -> function converting a value of that type.
_LOADERS: dict[str, Callable[[Any], Any]] = {}


def notification_payload(method: str, params: Any) -> Any:
    """The payload object of a notification with this method (never raises).

    Params that fit the method's class become an instance of it; anything else (an unknown
    method, params that do not match the schema) becomes ``UnknownNotification(params)``, so a
    newer or misbehaving runtime cannot break the stream.
    """
    return payload_builder(method)(params)


def payload_builder(method: str) -> _PayloadBuilder:
    """What builds the payloads of ``method``: the Rust core calls this once per method.

    For a class with only scalar fields (the high-volume deltas) it is a ``_core.PayloadPlan``,
    which checks and wraps params without running Python code; otherwise the compiled Python
    builder of ``_model``.
    """
    builder = _BUILDERS.get(method)
    if builder is None:
        builder = _BUILDERS[method] = _resolve_builder(method)
    return builder


def _approval_payload(method: str) -> _PayloadBuilder:
    """Builds the typed request of an approval request shown in a turn's stream."""
    from .approvals import request_from_wire
    from .models import UnknownNotification

    def build(params: Any) -> Any:
        try:
            return request_from_wire(method, params)
        except Exception:
            return UnknownNotification(params)

    return build


def _resolve_builder(method: str) -> _PayloadBuilder:
    from ._approval_policy import APPROVAL_METHODS

    if method in APPROVAL_METHODS:
        # Server requests, not notifications: the core shows them in their turn's stream.
        return _approval_payload(method)
    from ._model.payloads import payload_maker, payload_plan
    from .generated.notification_registry import NOTIFICATION_MODELS
    from .models import UnknownNotification

    # Makes this method's class only (and what it is made with), not the whole protocol.
    cls = NOTIFICATION_MODELS.get(method)
    if cls is None:
        return UnknownNotification
    maker = payload_maker(cls, UnknownNotification)
    plan = payload_plan(cls, maker)
    return maker if plan is None else plan


def model_for(type_name: str, data: Any) -> Any:
    """The object for a value of schema type ``type_name`` (e.g. ``"ThreadItem"``).

    Objects become their generated class (a tagged union: the variant its tag names), enum
    strings their members; None stays None. Nothing is copied or validated up front: fields
    convert when read, and values the schema does not know are kept as they came.
    """
    if data is None:
        return None
    load = _LOADERS.get(type_name)
    if load is None:
        load = _loader(type_name)
    return load(data)


def _loader(type_name: str) -> Callable[[Any], Any]:
    from ._model import spec_for_class
    from .generated.v2_all import CLASSES

    cls = CLASSES.get(type_name)
    if cls is None:
        raise KeyError(f"no protocol type named {type_name!r}")
    load = spec_for_class(cls).load
    _LOADERS[type_name] = load
    return load
