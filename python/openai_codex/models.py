"""Small data types shared across the SDK: notifications and the initialize handshake."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from . import _core
from ._wire import payload_builder
from .errors import UnexpectedResponseError

__all__ = ["InitializeResponse", "JsonObject", "JsonValue", "Notification", "ServerInfo", "UnknownNotification"]

# A recursive alias: its forward references need Union (the | operator cannot take a string).
JsonValue = Union[str, int, float, bool, None, list["JsonValue"], dict[str, "JsonValue"]]  # noqa: UP007
JsonObject = dict[str, JsonValue]

Notification = _core.Notification
"""One server notification: ``method`` and its typed ``payload``."""

_core.set_payload_resolver(payload_builder)


@dataclass(slots=True)
class UnknownNotification:
    """Payload of a notification the SDK cannot type: a method the schema does not know, or params
    that do not fit the method's class (a newer or misbehaving runtime). ``params`` is the raw JSON.
    """

    params: JsonObject


@dataclass(slots=True)
class ServerInfo:
    """Name and version of the runtime, as derived from the handshake."""

    name: str | None = None
    version: str | None = None


@dataclass(slots=True)
class InitializeResponse:
    """The runtime's answer to ``initialize`` (``Codex.metadata``).

    Attribute names follow the wire (``userAgent``); snake_case properties are provided too.
    """

    serverInfo: ServerInfo | None = None
    userAgent: str | None = None
    platformFamily: str | None = None
    platformOs: str | None = None
    codexHome: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> InitializeResponse:
        known = {"serverInfo", "userAgent", "platformFamily", "platformOs", "codexHome"}
        info = data.get("serverInfo")
        return cls(
            serverInfo=ServerInfo(info.get("name"), info.get("version")) if isinstance(info, dict) else None,
            userAgent=data.get("userAgent"),
            platformFamily=data.get("platformFamily"),
            platformOs=data.get("platformOs"),
            codexHome=data.get("codexHome"),
            extra={k: v for k, v in data.items() if k not in known},
        )

    @property
    def server_info(self) -> ServerInfo | None:
        return self.serverInfo

    @property
    def user_agent(self) -> str | None:
        return self.userAgent

    @property
    def platform_family(self) -> str | None:
        return self.platformFamily

    @property
    def platform_os(self) -> str | None:
        return self.platformOs

    @property
    def codex_home(self) -> str | None:
        return self.codexHome


def _split_user_agent(user_agent: str) -> tuple[str | None, str | None]:
    # "<name>/<version> (<platform>) ..." — the runtime sends no serverInfo, so this is the
    # source. The version is the token after the slash, without the platform details.
    raw = user_agent.strip()
    if "/" in raw:
        name, _, rest = raw.partition("/")
        version = rest.split(maxsplit=1)[0] if rest.strip() else None
        return name or None, version
    parts = raw.split(maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (raw or None, None)


def validate_initialize_metadata(meta: InitializeResponse) -> InitializeResponse:
    """Fill in ``serverInfo`` from the user agent; fail if the runtime identified itself poorly."""
    user_agent = (meta.userAgent or "").strip()
    name = ((meta.serverInfo.name if meta.serverInfo else None) or "").strip() or None
    version = ((meta.serverInfo.version if meta.serverInfo else None) or "").strip() or None
    if (name is None or version is None) and user_agent:
        parsed_name, parsed_version = _split_user_agent(user_agent)
        name = name or parsed_name
        version = version or parsed_version
    name = (name or "").strip()
    version = (version or "").strip()
    if not user_agent or not name or not version:
        raise UnexpectedResponseError(
            "initialize response missing required metadata "
            f"(user_agent={user_agent!r}, server_name={name!r}, server_version={version!r})"
        )
    if meta.serverInfo is None:
        meta.serverInfo = ServerInfo(name=name, version=version)
    else:
        meta.serverInfo.name, meta.serverInfo.version = name, version
    return meta
