"""How the SDK starts and identifies itself to the Codex runtime."""

from __future__ import annotations

import os
from dataclasses import dataclass

from . import _validate as check
from ._runtime import RUNTIME_PACKAGE, RuntimeVersionWarning, packaged_runtime
from ._version import __version__

__all__ = ["CodexConfig", "RuntimeVersionWarning"]


@dataclass(slots=True)
class CodexConfig:
    """How to launch the Codex runtime (``codex app-server``) and how the client introduces itself.

    Pass it to :class:`Codex` or :class:`AsyncCodex`; every field has a default, so
    ``CodexConfig()`` (what the clients use when given none) runs the runtime shipped by the
    ``openai-codex-cli-bin`` package. The runtime is found in this order:
    ``launch_args_override`` (that exact command), else ``codex_bin``, else the packaged
    binary, whose helper folder (holding ``rg``) is then put first on the child's ``PATH``.
    There is no fallback to a ``codex`` found on ``PATH``. The fields are checked when the
    client starts the runtime, not here.

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

    Example::

        config = CodexConfig(
            codex_bin="/usr/local/bin/codex",
            config_overrides=('model="gpt-5.4"',),
            env={"CODEX_HOME": "/tmp/codex-home"},
        )
        with Codex(config) as codex:
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
    start_timeout: float = 20.0
    request_timeout: float | None = 600.0


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
    return config


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
