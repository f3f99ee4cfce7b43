"""Which runtime version each newer feature needs, and the check made before sending it.

The one table of "feature -> oldest Codex runtime that has it" is :data:`MINIMUM_RUNTIME`.
Each feature is known by the wire member that carries it (``turn/start``'s ``toolOutput``, ...),
so the check reads the params about to be sent: nothing else has to remember to call it. The
version is the one the runtime reported in the ``initialize`` handshake.

The versions were checked against the schema each published runtime writes
(``codex app-server generate-json-schema``): ``toolOutput``, ``turnTrigger`` and
``serviceTierForTurn`` are absent from 0.149.0 and present from 0.153.4 on (the official SDK
0.163.0 requires 0.151.0 for them; the versions between are not published where we checked);
``sectionId`` is absent from 0.144.4 and present from 0.147.0 on. ``excludeTurns`` (for
``include_turns=``) is in every supported runtime, 0.133.0 included, so it is not gated.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import RuntimeVersionError

__all__ = ["MINIMUM_RUNTIME", "check_runtime_supports", "parse_version"]

# (method, wire member) -> (the feature as the caller wrote it, the oldest runtime that has it).
MINIMUM_RUNTIME: dict[tuple[str, str], tuple[str, str]] = {
    ("turn/start", "toolOutput"): ("ExternalMessage input", "0.151.0"),
    ("turn/start", "turnTrigger"): ("source=", "0.151.0"),
    ("turn/start", "serviceTierForTurn"): ("turn_service_tier=", "0.151.0"),
    ("thread/list", "sectionId"): ("section_id=", "0.147.0"),
}

_GATED: dict[str, list[tuple[str, str, str]]] = {}
for (_method, _member), (_feature, _version) in MINIMUM_RUNTIME.items():
    _GATED.setdefault(_method, []).append((_member, _feature, _version))

_VERSION = re.compile(r"^\s*v?(\d+)\.(\d+)(?:\.(\d+))?(\S*)")


def parse_version(version: str) -> tuple[tuple[int, int, int], bool] | None:
    """``((major, minor, patch), is_release)`` of a runtime version such as ``0.163.0`` or
    ``0.154.0-alpha.1``; None when it is not one."""
    match = _VERSION.match(version or "")
    if match is None:
        return None
    major, minor, patch, rest = match.groups()
    return (int(major), int(minor), int(patch or 0)), not rest.strip("+")


def _older(runtime: str, required: str) -> bool:
    """Whether ``runtime`` is older than ``required`` (a pre-release of ``required`` is older).

    A version that cannot be read, and ``0.0.0`` (a runtime built from source, which reports
    no release), are taken as new enough: the runtime then answers for itself.
    """
    have, want = parse_version(runtime), parse_version(required)
    if have is None or want is None or have[0] == (0, 0, 0):
        return False
    return have[0] < want[0] or (have[0] == want[0] and not have[1] and want[1])


def check_runtime_supports(method: str, params: dict[str, Any] | None, runtime_version: str | None) -> None:
    """Raises :class:`RuntimeVersionError` if ``params`` use a member of ``method`` that the
    connected runtime (``runtime_version``) is too old to have; does nothing otherwise."""
    gated = _GATED.get(method)
    if not gated or not params or runtime_version is None:
        return
    for member, feature, required in gated:
        if member in params and _older(runtime_version, required):
            raise RuntimeVersionError(feature, required, runtime_version)
