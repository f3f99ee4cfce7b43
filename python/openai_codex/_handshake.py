"""Starting a runtime connection and the ``initialize`` handshake: what both clients share."""

from __future__ import annotations

import atexit
import sys
from typing import Any

from . import _core
from .config import CodexConfig, connect_target, launch_command
from .errors import CodexTimeoutError, UnexpectedResponseError

_WARNING = 30  # logging.WARNING, without importing logging

# At exit, close every runtime connection while the interpreter is still whole: an awaitable
# completing during finalization would have an I/O thread enter a dying interpreter.
atexit.register(_core.shutdown)


def start_client(config: CodexConfig) -> tuple[_core.Client, str]:
    """Starts the runtime process ``config`` describes, or connects to it (no handshake yet);
    returns the client and what it started or reached (a program or an address), for errors."""
    if config.connect is not None:
        return _core.Client.connect(*connect_target(config)), config.connect
    argv, env, cwd = launch_command(config)
    return _core.Client(argv, env, cwd), argv[0]


async def start_client_async(config: CodexConfig) -> tuple[_core.Client, str]:
    """:func:`start_client` for ``AsyncCodex``: connecting does not block the event loop."""
    if config.connect is not None:
        return await _core.Client.connect_async(*connect_target(config)), config.connect
    argv, env, cwd = launch_command(config)
    return _core.Client(argv, env, cwd), argv[0]


def startup_failure(config: CodexConfig, program: str, error: Exception) -> Exception:
    """The error to raise when the handshake with ``program`` failed with ``error``: the same
    type, with a message that names the program, says what it did and how to fix it."""
    if config.connect is not None:
        # A reached server that then fails the handshake: say so plainly, with no spawn advice.
        return type(error)(f"The Codex app-server at {program} failed the initialize handshake: {error}")
    chosen = config.codex_bin is not None or config.launch_args_override is not None
    who = f"{program!r}" if chosen else f"the packaged Codex runtime ({program!r})"
    if isinstance(error, CodexTimeoutError):
        what = f"did not answer the initialize handshake within {config.start_timeout:g} s"
    elif isinstance(error, UnexpectedResponseError):
        what = f"answered the initialize handshake, but not as a Codex runtime does ({error})"
    else:
        what = str(error)
        for prefix in ("The Codex app-server ", "the Codex app-server "):
            what = what.removeprefix(prefix)
        what = what.replace(". stderr_tail=\n", "; its last stderr lines:\n    ", 1)
        head, sep, tail = what.partition("\n    ")
        what = head + sep + tail.replace("\n", "\n    ") if sep else what
    if chosen:
        fix = (
            "Check that it is a Codex runtime (a codex binary that serves `codex app-server`): "
            "set CodexConfig.codex_bin to one, or unset it to use the openai-codex-cli-bin package."
        )
    else:
        fix = "Reinstall openai-codex-cli-bin, or set CodexConfig.codex_bin to a working codex binary."
    return type(error)(f"Could not start {who}: it {what}\n{fix}")


def log_diagnostics(client: _core.Client) -> None:
    """Logs, on this (Python) thread, what the I/O threads noted for the log: skipped stdout
    lines, the runtime's exit. Through ``logging.getLogger("openai_codex")``; never a secret
    (the records hold no request or response content beyond a skipped line's first bytes)."""
    records = client.take_diagnostics()
    if records and ("logging" in sys.modules or max(level for level, _ in records) >= _WARNING):
        # Imported only when a record can be seen: with logging never imported, nobody has set
        # up a handler, and Python's last-resort handler shows WARNING and above only. (A
        # close() would otherwise import it, about 5 ms, for its DEBUG note of the exit.)
        import logging

        logger = logging.getLogger("openai_codex")
        for level, message in records:
            logger.log(level, message)


def initialize_params(config: CodexConfig) -> dict[str, Any]:
    """Params of the ``initialize`` request."""
    return {
        "clientInfo": {
            "name": config.client_name,
            "title": config.client_title,
            "version": config.client_version,
        },
        "capabilities": {"experimentalApi": config.experimental_api},
    }


def thread_id_of(result: dict[str, Any]) -> str:
    """The thread id in a ``thread/start``-like response."""
    return str(result["thread"]["id"])
