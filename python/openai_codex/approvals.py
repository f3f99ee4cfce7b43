"""How a thread or turn handles actions that need approval."""

from __future__ import annotations

from enum import Enum
from typing import Any

__all__ = ["ApprovalMode"]


class ApprovalMode(str, Enum):
    """What happens when the agent wants to do something its sandbox does not allow.

    ``auto_review`` lets an automatic reviewer decide each request; ``deny_all`` refuses every
    escalation without asking.
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
