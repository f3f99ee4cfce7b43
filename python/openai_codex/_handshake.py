"""Starting a runtime connection and the ``initialize`` handshake: what both clients share."""

from __future__ import annotations

import atexit
from typing import Any

from . import _core
from .config import CodexConfig, connect_target, launch_command

# A runtime that starts but never answers the handshake (a wrong binary, say) must not hang the
# constructor forever.
INITIALIZE_TIMEOUT_S = 60.0

# At exit, close every runtime connection while the interpreter is still whole: an awaitable
# completing during finalization would have an I/O thread enter a dying interpreter.
atexit.register(_core.shutdown)


def start_client(config: CodexConfig) -> _core.Client:
    """Starts the runtime process ``config`` describes, or connects to it (no handshake yet)."""
    if config.connect is not None:
        return _core.Client.connect(*connect_target(config))
    argv, env, cwd = launch_command(config)
    return _core.Client(argv, env, cwd)


async def start_client_async(config: CodexConfig) -> _core.Client:
    """:func:`start_client` for ``AsyncCodex``: connecting does not block the event loop."""
    if config.connect is not None:
        return await _core.Client.connect_async(*connect_target(config))
    argv, env, cwd = launch_command(config)
    return _core.Client(argv, env, cwd)


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
