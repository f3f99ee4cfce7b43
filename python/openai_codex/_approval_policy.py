"""The light half of the approvals concept: modes, decisions, and the names of the requests.

:mod:`openai_codex.approvals` is the public home of everything here (it re-exports it). These
names live apart from the request classes so that ``import openai_codex`` and a client without
handlers do not build those classes (frozen dataclasses cost milliseconds to create).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

__all__ = [
    "APPROVAL_METHODS",
    "HANDLER_SETTINGS",
    "USER_INPUT_METHODS",
    "ApprovalDecision",
    "ApprovalMode",
    "approval_settings",
    "check_handler",
    "check_user_input_handler",
    "decision_of",
]


class ApprovalMode(str, Enum):
    """What happens when the agent wants to do something its sandbox does not allow.

    Given as ``approval_mode=`` to ``thread_start`` (default ``auto_review``),
    ``thread_resume``, ``thread_fork``, ``turn`` and ``run``; there ``None`` sends nothing and
    keeps the thread's stored setting. A turn's setting stays in effect for the thread's later
    turns. Only members are accepted: any other value, the plain strings included, raises
    ``ValueError``.

    To decide each request yourself, pass an ``approval_handler`` instead (see
    ``docs/controlling-the-agent.md``); without one, an approval request the runtime sends to
    the client itself is granted (the ``accept_all`` preset).

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


#: The settings that make the runtime ask this client (see RUNTIME.md, "Approvals to the client").
HANDLER_SETTINGS: dict[str, Any] = {"approvalPolicy": "on-request", "approvalsReviewer": "user"}


class ApprovalDecision(str, Enum):
    """An answer to an approval request. The plain strings (``"accept"``...) are accepted too.

    For a permissions request, ``accept`` grants everything asked for this turn
    (``accept_for_session``: for the session), ``decline`` grants nothing.

    Attributes:
        accept: Allow this once.
        accept_for_session: Allow it, and the same action again on this thread without asking.
        decline: Refuse; the agent is told and the turn goes on.
        cancel: Refuse and stop the turn (its result has status ``interrupted``).
    """

    accept = "accept"
    accept_for_session = "accept_for_session"
    decline = "decline"
    cancel = "cancel"


_WIRE_DECISIONS = {
    ApprovalDecision.accept: "accept",
    ApprovalDecision.accept_for_session: "acceptForSession",
    ApprovalDecision.decline: "decline",
    ApprovalDecision.cancel: "cancel",
}


def decision_of(value: object) -> ApprovalDecision:
    """The decision ``value`` names (a member, its value, or the wire spelling).

    Raises:
        ValueError: ``value`` is not a decision.
    """
    if isinstance(value, ApprovalDecision):
        return value
    if isinstance(value, str):
        for decision, wire in _WIRE_DECISIONS.items():
            if value in (decision.value, wire):
                return decision
    valid = ", ".join(d.value for d in ApprovalDecision)
    raise ValueError(f"an approval handler must return an ApprovalDecision ({valid}), got {value!r}")


# -- the requests' methods (the client routes these to handlers) ---------------------------

COMMAND_APPROVAL = "item/commandExecution/requestApproval"
FILE_CHANGE_APPROVAL = "item/fileChange/requestApproval"
PERMISSIONS_APPROVAL = "item/permissions/requestApproval"
APPROVAL_METHODS = (COMMAND_APPROVAL, FILE_CHANGE_APPROVAL, PERMISSIONS_APPROVAL)
USER_INPUT = "item/tool/requestUserInput"
ELICITATION = "mcpServer/elicitation/request"
USER_INPUT_METHODS = (USER_INPUT, ELICITATION)


def check_handler(handler: object, approval_mode: object) -> None:
    """Refuses a handler that can never be called, or one that is not callable.

    Raises:
        TypeError: ``handler`` is not callable.
        ValueError: ``handler`` together with ``ApprovalMode.deny_all``.
    """
    if handler is None:
        return
    if not callable(handler):
        raise TypeError(f"approval_handler must be callable, got {handler!r}")
    if approval_mode is ApprovalMode.deny_all or approval_mode == ApprovalMode.deny_all.value:
        raise ValueError(
            "approval_handler cannot be combined with approval_mode=ApprovalMode.deny_all: "
            "the runtime would refuse every escalation without asking the handler"
        )


def check_user_input_handler(handler: object) -> None:
    """Refuses a user input handler that is not callable.

    Raises:
        TypeError: ``handler`` is not callable.
    """
    if handler is not None and not callable(handler):
        raise TypeError(f"user_input_handler must be callable, got {handler!r}")


# Shown (help, repr of the class) under their public module.
ApprovalMode.__module__ = ApprovalDecision.__module__ = "openai_codex.approvals"
