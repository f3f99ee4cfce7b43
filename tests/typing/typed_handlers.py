"""Approval and user input handlers as a user would type them, checked with ``mypy --strict``
(scripts/test.sh) and imported by tests/test_approvals_e2e.py so they are valid at runtime."""

from __future__ import annotations

import concurrent.futures
from typing import Any

from openai_codex import ApprovalDecision, AsyncCodex, Codex
from openai_codex.approvals import (
    ApprovalRequest,
    CommandApprovalRequest,
    FileChangeApprovalRequest,
    PermissionGrant,
    PermissionsApprovalRequest,
    decline_all,
)
from openai_codex.user_input import ElicitationRequest, ElicitationResponse, UserInputRequest


def approve(request: ApprovalRequest) -> ApprovalDecision | PermissionGrant:
    """Narrowing by class gives each kind's fields."""
    if isinstance(request, CommandApprovalRequest):
        return ApprovalDecision.accept if request.command.startswith("git ") else ApprovalDecision.decline
    if isinstance(request, FileChangeApprovalRequest):
        return ApprovalDecision.accept if all(p.endswith(".md") for p in request.paths) else ApprovalDecision.decline
    assert isinstance(request, PermissionsApprovalRequest)
    return PermissionGrant(write=request.write[:1])


async def approve_async(request: ApprovalRequest) -> ApprovalDecision:
    return ApprovalDecision.cancel if request.cancelled else ApprovalDecision.decline


def approve_later(request: ApprovalRequest) -> concurrent.futures.Future[ApprovalDecision]:
    future: concurrent.futures.Future[ApprovalDecision] = concurrent.futures.Future()
    future.set_result(ApprovalDecision.accept)
    return future


def answer(request: UserInputRequest | ElicitationRequest) -> dict[str, Any] | ElicitationResponse:
    if isinstance(request, UserInputRequest):
        return {q.id: q.options[0].label for q in request.questions if q.options}
    return ElicitationResponse("decline")


def wire_up() -> None:
    """Never called: it only has to type-check."""
    codex = Codex(approval_handler=approve, user_input_handler=answer)
    codex.thread_start(approval_handler=approve_later).run("x", approval_handler=decline_all)
    AsyncCodex(approval_handler=approve_async)
