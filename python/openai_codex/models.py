"""Small data types shared across the SDK: notifications and the initialize handshake.

``JsonValue`` is any value JSON can hold (``str``, ``int``, ``float``, ``bool``, ``None``, and
lists and string-keyed dicts of them); ``JsonObject`` is ``dict[str, JsonValue]``, the type
of ``config=`` and ``output_schema=``.
"""

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
"""One server notification: ``method`` and its typed ``payload`` (see the class's own help).

What :meth:`TurnHandle.stream` yields. ``method`` is the JSON-RPC method (e.g.
``"item/agentMessage/delta"``); ``payload`` is the typed object for it, or an
:class:`UnknownNotification` for a method the SDK has no type for. It supports
``match Notification(method, payload)``.
"""

_core.set_payload_resolver(payload_builder)


@dataclass(slots=True)
class UnknownNotification:
    """Payload of a notification the SDK cannot type.

    Used for a method the protocol schema does not know, or for params that do not fit the
    method's class (a newer or misbehaving runtime), so such a notification never breaks a
    stream.

    Args:
        params: The notification's raw params.

    Attributes:
        params: The notification's raw params, as decoded from JSON.
    """

    params: JsonObject

    def __getattr__(self, name: str) -> Any:
        """Reads a field of the raw params by its Python name: ``turn_id`` reads ``turnId``.

        So code written for a method's typed payload keeps working on an unknown one (the
        value is the raw JSON value, not converted).

        Raises:
            AttributeError: The params have no such field.
        """
        if name.startswith("_") or name == "params":
            raise AttributeError(name)
        from ._model.fields import wire_name

        params = self.params
        wire = wire_name(name)
        for key in (name, wire):
            if key in params:
                return params[key]
        raise AttributeError(f"this notification's params have no field {wire!r} ({name})")


@dataclass(slots=True)
class ServerInfo:
    """Name and version of the runtime, as derived from the handshake.

    Args:
        name: The server's name (the user agent's first part, e.g. the client name).
        version: The runtime's version, e.g. ``"0.133.0"``.

    Attributes:
        name: The server's name.
        version: The runtime's version.
    """

    name: str | None = None
    version: str | None = None


@dataclass(slots=True)
class InitializeResponse:
    """The runtime's answer to the ``initialize`` handshake, as ``Codex.metadata`` returns it.

    The field names follow the wire (``userAgent``), as in the reference SDK; the snake_case
    properties (``user_agent``, ...) read the same values. The runtime sends no
    ``serverInfo``: the client fills it in from the user agent when it starts.

    Args:
        serverInfo: The server's name and version.
        userAgent: The runtime's user agent, e.g. ``"codex_python_sdk/0.133.0 (Debian 12.0.0;
            x86_64) ..."``.
        platformFamily: The runtime's platform family (e.g. ``"unix"``).
        platformOs: The runtime's operating system (e.g. ``"linux"``).
        codexHome: The runtime's home folder (``CODEX_HOME``), where it keeps credentials,
            configuration and sessions.
        extra: Members of the answer this SDK does not know, kept as they came.

    Attributes:
        serverInfo: See ``server_info``.
        userAgent: See ``user_agent``.
        platformFamily: See ``platform_family``.
        platformOs: See ``platform_os``.
        codexHome: See ``codex_home``.
        extra: Members of the answer this SDK does not know, kept as they came.
    """

    serverInfo: ServerInfo | None = None
    userAgent: str | None = None
    platformFamily: str | None = None
    platformOs: str | None = None
    codexHome: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> InitializeResponse:
        """Builds the object from the ``initialize`` result as decoded from JSON.

        Args:
            data: The result (camelCase keys); unknown keys go to ``extra``.

        Returns:
            The new object. ``serverInfo`` is ``None`` unless ``data`` holds one.
        """
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
        """The runtime's name and version (:class:`ServerInfo`).

        Filled in from the user agent when the client starts, so it is set on
        ``Codex.metadata``.
        """
        return self.serverInfo

    @property
    def user_agent(self) -> str | None:
        """The runtime's user agent string.

        It starts with ``CodexConfig.client_name`` and the runtime's version.
        """
        return self.userAgent

    @property
    def platform_family(self) -> str | None:
        """The platform family of the machine running the runtime (e.g. ``"unix"``).

        ``None`` if the runtime did not say.
        """
        return self.platformFamily

    @property
    def platform_os(self) -> str | None:
        """The operating system of the machine running the runtime (e.g. ``"linux"``).

        ``None`` if the runtime did not say.
        """
        return self.platformOs

    @property
    def codex_home(self) -> str | None:
        """The runtime's home folder (``CODEX_HOME``).

        Where it keeps credentials, configuration and stored threads; ``None`` if the runtime
        did not say.
        """
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
