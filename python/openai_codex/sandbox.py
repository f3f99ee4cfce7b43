"""Filesystem access presets for threads and turns."""

from __future__ import annotations

from enum import Enum
from typing import Any

__all__ = ["Sandbox"]


class Sandbox(str, Enum):
    """How much of the filesystem the agent's commands may touch.

    ``read_only`` allows reading only; ``workspace_write`` also allows writes inside the
    workspace (and configured writable roots); ``full_access`` lifts the restrictions. A preset
    given to a turn stays in effect for the thread's later turns.
    """

    read_only = "read-only"
    workspace_write = "workspace-write"
    full_access = "full-access"


def _require(sandbox: object) -> Sandbox:
    if isinstance(sandbox, Sandbox):
        return sandbox
    valid = ", ".join(f"Sandbox.{s.name}" for s in Sandbox)
    raise ValueError(f"sandbox must be one of: {valid} (got {sandbox!r})")


_THREAD_MODES = {
    Sandbox.read_only: "read-only",
    Sandbox.workspace_write: "workspace-write",
    Sandbox.full_access: "danger-full-access",
}


def thread_sandbox_mode(sandbox: object) -> str | None:
    """The ``sandbox`` value of thread start/resume/fork params."""
    return None if sandbox is None else _THREAD_MODES[_require(sandbox)]


def turn_sandbox_policy(sandbox: object) -> dict[str, Any] | None:
    """The ``sandboxPolicy`` value of turn params."""
    if sandbox is None:
        return None
    preset = _require(sandbox)
    if preset is Sandbox.read_only:
        return {"type": "readOnly", "networkAccess": False}
    if preset is Sandbox.workspace_write:
        return {
            "type": "workspaceWrite",
            "writableRoots": [],
            "networkAccess": False,
            "excludeTmpdirEnvVar": False,
            "excludeSlashTmp": False,
        }
    return {"type": "dangerFullAccess"}
