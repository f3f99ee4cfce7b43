"""How the SDK starts (or connects to) the Codex runtime and identifies itself to it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

from . import _validate as check
from ._runtime import RUNTIME_PACKAGE, RuntimeVersionWarning, packaged_runtime
from ._version import __version__

__all__ = ["CodexConfig", "RuntimeVersionWarning"]


@dataclass(slots=True)
class CodexConfig:
    """How to launch (or reach) the Codex runtime (``codex app-server``) and how the client introduces itself.

    Pass it to :class:`Codex` or :class:`AsyncCodex`; every field has a default, so
    ``CodexConfig()`` (what the clients use when given none) runs the runtime shipped by the
    ``openai-codex-cli-bin`` package. The runtime is found in this order:
    ``launch_args_override`` (that exact command), else ``codex_bin``, else the packaged
    binary, whose helper folder (holding ``rg``) is then put first on the child's ``PATH``.
    There is no fallback to a ``codex`` found on ``PATH``. The fields are checked when the
    client starts the runtime, not here.

    With ``connect`` the client spawns nothing: it connects to an app-server that is already
    running (``codex app-server --listen ws://IP:PORT`` or ``--listen unix://PATH``), and
    ``close()`` then ends only the connection, never the server. The fields that shape a
    spawned process (``codex_bin``, ``launch_args_override``, ``config_overrides``, ``cwd``,
    ``env``) are a ``ValueError`` together with ``connect``; the one exception is
    ``env={"CODEX_HOME": ...}`` with ``connect="unix://"``, which says whose default control
    socket to use. See ``docs/remote-runtimes.md``.

    Attributes:
        codex_bin: Path to a ``codex`` executable to run instead of the packaged one. It
            must exist, or starting the client raises ``FileNotFoundError``. Default
            ``None``.
        launch_args_override: A complete command line (program and arguments) run exactly
            as given: no ``--config`` flags are added and ``PATH`` is left alone. For
            wrappers and test doubles. An empty tuple makes starting the client raise
            ``ValueError``. Default ``None``.
        config_overrides: ``"key=value"`` strings, each passed to the runtime as
            ``--config key=value``; values are TOML (e.g. ``'model="gpt-5.4"'``). Ignored
            with ``launch_args_override``. Default ``()``.
        cwd: Working directory of the runtime process, and so the default working
            directory of its threads. It must exist (``FileNotFoundError`` otherwise).
            Default ``None``: the current directory.
        env: Environment variables added to, or replacing, the environment the runtime
            inherits (e.g. ``{"CODEX_HOME": "/path/to/home"}``). Default ``None``.
        client_name: ``clientInfo.name`` sent in the ``initialize`` handshake; the runtime
            puts it first in its user agent. Default ``"codex_python_sdk"``.
        client_title: ``clientInfo.title`` sent in the handshake. Default
            ``"Codex Python SDK"``.
        client_version: ``clientInfo.version`` sent in the handshake. Default: this SDK's
            ``__version__``.
        experimental_api: Whether to opt in to the runtime's experimental protocol surface
            (``capabilities.experimentalApi``). Default ``True``.
        start_timeout: Seconds the runtime has to answer the ``initialize`` handshake before
            the client gives up (and stops it) with ``CodexTimeoutError``. Default 20; a
            healthy runtime answers in well under a second.
        request_timeout: Seconds any other request (``thread_start``, ``models``, ...) may
            wait for its answer before ``CodexTimeoutError``, or ``None`` for no limit.
            Default 600: it only fires on a runtime that stopped answering. Turns are bounded
            separately, by the ``timeout`` of ``run()`` and ``stream()``.
        connect: The address of a running app-server to connect to instead of spawning one:
            ``"ws://host:port"`` (an optional path may follow), ``"wss://host:port/path"``
            (TLS, the certificate checked against the system's roots, or ``ca_file``),
            ``"unix:///abs/path"`` (the runtime's Unix socket), or ``"unix://"`` for the
            default control socket of ``CODEX_HOME`` (from ``env``, else the environment,
            else ``~/.codex``): ``$CODEX_HOME/app-server-control/app-server-control.sock``.
            Keyword-only, like the fields below. Default ``None``: spawn the runtime.
        auth_token: The bearer token for a server started with ``--ws-auth``, sent as
            ``Authorization: Bearer <token>`` with the WebSocket upgrade. Never shown: the
            repr masks it and no error message contains it. Default ``None``.
        auth_token_file: A file holding the token instead (surrounding whitespace, such as
            a trailing newline, is ignored), e.g. the file given to ``--ws-token-file``.
            Default ``None``.
        connect_timeout: Seconds the connection may take, from the first attempt to a
            finished WebSocket upgrade. A refused connection (nothing listening yet) is
            retried until then, so a server that is still starting is waited for; past it,
            ``ConnectError`` (refused) or ``CodexTimeoutError`` (no answer). Default ``5.0``.
        ca_file: A PEM file of the certificates to trust for ``wss://`` instead of the
            system's roots (e.g. a private CA's, or a self-signed server certificate).
            Default ``None``.

    Example::

        config = CodexConfig(
            codex_bin="/usr/local/bin/codex",
            config_overrides=('model="gpt-5.4"',),
            env={"CODEX_HOME": "/tmp/codex-home"},
        )
        with Codex(config) as codex:
            ...

        remote = CodexConfig(connect="ws://127.0.0.1:4500", auth_token_file="/run/codex/token")
        with Codex(remote) as codex:
            ...
    """

    codex_bin: str | None = None
    launch_args_override: tuple[str, ...] | None = None
    config_overrides: tuple[str, ...] = ()
    cwd: str | None = None
    env: dict[str, str] | None = None
    client_name: str = "codex_python_sdk"
    client_title: str = "Codex Python SDK"
    client_version: str = __version__
    experimental_api: bool = True
    start_timeout: float = field(default=20.0, kw_only=True)
    request_timeout: float | None = field(default=600.0, kw_only=True)
    connect: str | None = field(default=None, kw_only=True)
    auth_token: str | None = field(default=None, kw_only=True)
    auth_token_file: str | None = field(default=None, kw_only=True)
    connect_timeout: float = field(default=5.0, kw_only=True)
    ca_file: str | None = field(default=None, kw_only=True)

    def __repr__(self) -> str:
        """The fields, as a dataclass shows them, with ``auth_token`` masked."""
        shown = []
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "auth_token" and value is not None:
                shown.append("auth_token='***'")
            else:
                shown.append(f"{item.name}={value!r}")
        return f"CodexConfig({', '.join(shown)})"


def _prepend_path(env: dict[str, str], directory: str) -> None:
    """Put ``directory`` first on PATH (once), keeping the inherited PATH's spelling on Windows."""
    key = "PATH"
    if os.name == "nt":
        key = next((k for k in os.environ if k.upper() == "PATH"), "Path")
    current = env.get(key, os.environ.get(key, ""))
    same = os.path.normcase(os.path.normpath(directory))
    entries = [e for e in current.split(os.pathsep) if e and os.path.normcase(os.path.normpath(e)) != same]
    env[key] = os.pathsep.join([directory, *entries])


def checked(config: object) -> CodexConfig:
    """``config`` with every field checked, so a bad value names its field before anything starts."""
    if config is None:
        return CodexConfig()
    if not isinstance(config, CodexConfig):
        hint = ""
        if isinstance(config, str | os.PathLike):
            hint = f"; to run a particular binary, pass CodexConfig(codex_bin={os.fspath(config)!r})"
        raise TypeError(f"config must be a CodexConfig or None, not {type(config).__name__}{hint}")
    check.path("CodexConfig.codex_bin", config.codex_bin)
    override = config.launch_args_override
    if override is not None and (isinstance(override, str | bytes) or not isinstance(override, list | tuple)):
        raise TypeError(f"CodexConfig.launch_args_override must be a tuple of str, not {type(override).__name__}")
    check.str_list("CodexConfig.config_overrides", config.config_overrides)
    check.path("CodexConfig.cwd", config.cwd)
    check.str_mapping("CodexConfig.env", config.env)
    check.text("CodexConfig.client_name", config.client_name)
    check.text("CodexConfig.client_title", config.client_title)
    check.text("CodexConfig.client_version", config.client_version)
    check.flag("CodexConfig.experimental_api", config.experimental_api)
    check.seconds("CodexConfig.start_timeout", config.start_timeout)
    check.seconds("CodexConfig.request_timeout", config.request_timeout)
    _check_connect(config)
    return config


_SCHEMES = ("ws://", "wss://", "unix://")
# The fields that only shape a spawned runtime, and what "unset" is for each.
_SPAWN_FIELDS = (
    ("codex_bin", None),
    ("launch_args_override", None),
    ("config_overrides", ()),
    ("cwd", None),
    ("env", None),
)
#: Where the runtime puts its control socket under CODEX_HOME (``--listen unix://``).
CONTROL_SOCKET = os.path.join("app-server-control", "app-server-control.sock")


def _check_connect(config: CodexConfig) -> None:
    """The connection fields: each of the right type, and none that conflicts with another."""
    url = check.text("CodexConfig.connect", config.connect)
    check.text("CodexConfig.auth_token", config.auth_token)
    check.path("CodexConfig.auth_token_file", config.auth_token_file)
    timeout = check.seconds("CodexConfig.connect_timeout", config.connect_timeout)
    check.path("CodexConfig.ca_file", config.ca_file)
    if timeout is None or timeout == 0:
        raise ValueError(f"CodexConfig.connect_timeout must be a positive number of seconds (got {timeout!r})")
    if url is None:
        for name in ("auth_token", "auth_token_file", "ca_file"):
            if getattr(config, name) is not None:
                raise ValueError(f"CodexConfig.{name} is used only with CodexConfig.connect, which is not set")
        return
    if not url.lower().startswith(_SCHEMES):
        raise ValueError(f"CodexConfig.connect must start with ws://, wss:// or unix:// (got {url!r})")
    unix_path = url[len("unix://") :] if url.lower().startswith("unix://") else None
    if unix_path and not os.path.isabs(unix_path):
        raise ValueError(f"CodexConfig.connect needs an absolute path after unix:// (got {url!r})")
    for name, unset in _SPAWN_FIELDS:
        value = getattr(config, name)
        if value is None or value == unset:
            continue
        if name == "env" and unix_path == "" and set(value) <= {"CODEX_HOME"}:
            continue  # names the CODEX_HOME whose default control socket to use
        raise ValueError(
            f"CodexConfig.{name} shapes a spawned runtime and cannot be used with CodexConfig.connect "
            "(the runtime is already running)"
        )
    if config.auth_token is not None and config.auth_token_file is not None:
        raise ValueError("CodexConfig.auth_token and CodexConfig.auth_token_file are exclusive: give one")
    if config.ca_file is not None and not url.lower().startswith("wss://"):
        raise ValueError("CodexConfig.ca_file is used only with a wss:// address")


def connect_target(config: CodexConfig) -> tuple[str, str | None, float, str | None]:
    """``Client.connect``'s arguments: the address (``unix://`` resolved), token, timeout, CA file.

    Raises:
        OSError: ``auth_token_file`` cannot be read (the message names the file).
        ValueError: ``auth_token_file`` is empty.
    """
    checked(config)
    assert config.connect is not None
    scheme, rest = config.connect.split("://", 1)
    url = f"{scheme.lower()}://{rest}"  # the scheme is case-insensitive, the path is not
    if url == "unix://":
        home = (config.env or {}).get("CODEX_HOME") or os.environ.get("CODEX_HOME")
        home = home or os.path.join(os.path.expanduser("~"), ".codex")
        url = "unix://" + os.path.join(os.path.abspath(home), CONTROL_SOCKET)
    token = config.auth_token
    if config.auth_token_file is not None:
        with open(config.auth_token_file, encoding="utf-8") as handle:
            token = handle.read().strip()
        if not token:
            raise ValueError(f"CodexConfig.auth_token_file {config.auth_token_file} holds no token")
    return url, token, float(config.connect_timeout), config.ca_file


def launch_command(config: CodexConfig) -> tuple[list[str], dict[str, str], str | None]:
    """The command line, extra environment and working directory for the runtime."""
    checked(config)
    env = dict(config.env or {})
    if config.launch_args_override is not None:
        argv = [str(arg) for arg in config.launch_args_override]
        if not argv:
            raise ValueError("CodexConfig.launch_args_override must not be empty")
        return argv, env, config.cwd
    if config.codex_bin is not None:
        binary = os.fspath(config.codex_bin)
        if not os.path.exists(binary):
            raise FileNotFoundError(
                f"Codex binary not found at {binary}. Set CodexConfig.codex_bin to an existing "
                f"codex executable, or unset it to use the {RUNTIME_PACKAGE} runtime."
            )
        if os.path.isdir(binary):
            raise IsADirectoryError(
                f"CodexConfig.codex_bin is a directory: {binary}. Set it to the codex executable "
                f"itself, or unset it to use the {RUNTIME_PACKAGE} runtime."
            )
        if not os.access(binary, os.X_OK):
            raise PermissionError(
                f"CodexConfig.codex_bin is not executable: {binary}. Make it executable "
                f"(chmod +x) or point CodexConfig.codex_bin at a codex executable."
            )
    else:
        binary, path_dir = packaged_runtime()
        if path_dir is not None:
            _prepend_path(env, path_dir)
    argv = [binary]
    for override in config.config_overrides:
        argv += ["--config", override]
    argv += ["app-server", "--listen", "stdio://"]
    return argv, env, config.cwd
