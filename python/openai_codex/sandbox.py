"""Filesystem access presets for threads and turns."""

from __future__ import annotations

from enum import Enum
from typing import Any

__all__ = ["Sandbox"]


class Sandbox(str, Enum):
    """How far the agent's commands may reach: a sandbox preset for threads and turns.

    Given as ``sandbox=`` to ``thread_start``, ``thread_resume``, ``thread_fork`` (sent as the
    thread's ``sandbox`` mode) and to ``turn`` / ``run`` (sent as a ``sandboxPolicy``; the
    ``read_only`` and ``workspace_write`` policies turn network access off). ``None`` sends
    nothing: the runtime's configured or stored sandbox applies. A preset given to a turn
    stays in effect for the thread's later turns. Only members are accepted: any other value,
    the plain strings included, raises ``ValueError``.

    Attributes:
        read_only: Commands may read files but not change them (mode ``"read-only"``).
        workspace_write: Commands may also write inside the workspace, the thread's working
            directory (mode ``"workspace-write"``).
        full_access: No restrictions (mode ``"danger-full-access"``).
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
