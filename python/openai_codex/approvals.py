"""How a thread or turn handles actions that need approval."""

from __future__ import annotations

from enum import Enum
from typing import Any

__all__ = ["ApprovalMode"]


class ApprovalMode(str, Enum):
    """What happens when the agent wants to do something its sandbox does not allow.

    Given as ``approval_mode=`` to ``thread_start`` (default ``auto_review``),
    ``thread_resume``, ``thread_fork``, ``turn`` and ``run``; there ``None`` sends nothing and
    keeps the thread's stored setting. A turn's setting stays in effect for the thread's later
    turns. Only members are accepted: any other value, the plain strings included, raises
    ``ValueError``.

    The SDK has no approval callback: an approval request the runtime sends to the client
    itself (to run a command, change files, or widen permissions for the turn) is granted,
    and an MCP server's request for input is declined.

    Attributes:
        auto_review: An automatic reviewer, run by the runtime, approves or declines each
            request (sent as ``approvalPolicy: "on-request"`` with
            ``approvalsReviewer: "auto_review"``).
        deny_all: Every such request is declined without asking (sent as
            ``approvalPolicy: "never"``).
    """

    deny_all = "deny_all"
    auto_review = "auto_review"


def approval_settings(mode: object) -> dict[str, Any]:
    """Wire settings (``approvalPolicy`` and ``approvalsReviewer``) for a mode; {} for None."""
    if mode is None:
        return {}
    if mode is ApprovalMode.auto_review:
        return {"approvalPolicy": "on-request", "approvalsReviewer": "auto_review"}
    if mode is ApprovalMode.deny_all:
        return {"approvalPolicy": "never"}
    valid = ", ".join(m.value for m in ApprovalMode)
    raise ValueError(f"approval_mode must be one of: {valid} (got {mode!r})")
