"""Deciding what the agent may do: approval modes, approval handlers and their requests.

Two ways to control escalations (a command outside the sandbox, a file change, more
permissions):

- ``approval_mode=`` (:class:`ApprovalMode`) lets the runtime decide: ``auto_review`` asks an
  automatic reviewer (a model), ``deny_all`` refuses every escalation without asking.
- ``approval_handler=`` (on ``Codex(...)``, ``thread_start``/``thread_resume``/``thread_fork``
  or ``run()``/``turn()``) lets your code decide: the runtime then asks this client
  (``approvalPolicy: "on-request"`` with the ``user`` reviewer) and your handler gets a typed,
  immutable request (:class:`CommandApprovalRequest`, :class:`FileChangeApprovalRequest`,
  :class:`PermissionsApprovalRequest`) and returns an :class:`ApprovalDecision` (or, for
  permissions, a :class:`PermissionGrant`). A handler with ``approval_mode=ApprovalMode.deny_all``
  is a ``ValueError`` (the runtime would never ask); with ``auto_review`` the handler wins.

**The default, kept for compatibility with the reference SDK: every approval request that
reaches the client is accepted** (the same as :func:`accept_all`). With the default
``auto_review`` mode few reach it, but nothing stops the ones that do. For code that must not
escalate, pass ``approval_handler=approvals.decline_all`` (or ``approval_mode=deny_all``).

Example::

    from openai_codex import ApprovalDecision, Codex
    from openai_codex.approvals import CommandApprovalRequest

    def approve(request):
        if isinstance(request, CommandApprovalRequest) and request.command.startswith("git "):
            return ApprovalDecision.accept
        return ApprovalDecision.decline

    with Codex(approval_handler=approve) as codex:
        codex.thread_start().run("Commit the change")
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Union

from ._approval_policy import (
    _WIRE_DECISIONS,
    COMMAND_APPROVAL,
    FILE_CHANGE_APPROVAL,
    PERMISSIONS_APPROVAL,
    ApprovalDecision,
    ApprovalMode,
    decision_of,
)
from .errors import ApprovalHandlerError

if TYPE_CHECKING:
    import concurrent.futures

    from . import _core

__all__ = [
    "ApprovalDecision",
    "ApprovalHandler",
    "ApprovalHandlerError",
    "ApprovalMode",
    "ApprovalRequest",
    "CommandApprovalRequest",
    "FileChange",
    "FileChangeApprovalRequest",
    "PermissionGrant",
    "PermissionsApprovalRequest",
    "accept_all",
    "decline_all",
]


@dataclass(frozen=True, slots=True)
class _Request:
    """Fields every approval request has."""

    thread_id: str
    turn_id: str
    item_id: str
    reason: str | None
    #: The request's params as the runtime sent them.
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    _pending: _core.ServerRequest | None = field(default=None, repr=False, compare=False)

    @property
    def cancelled(self) -> bool:
        """True once the runtime withdrew the request (resolved elsewhere, or its turn ended).

        An answer given after that is ignored.
        """
        return self._pending is not None and self._pending.cancelled


@dataclass(frozen=True, slots=True)
class CommandApprovalRequest(_Request):
    """The agent wants to run a command outside its sandbox.

    Attributes:
        command: The command line, as the runtime will run it (e.g. ``/bin/bash -c '...'``).
        cwd: Its working directory.
        available_decisions: The decisions the runtime offers, as it sent them (``accept``,
            ``decline`` and ``accept_for_session`` always work).
        proposed_execpolicy_amendment: A command prefix the runtime proposes to allow from now
            on, if any.
        command_actions: What the runtime parsed the command into (reads, searches, ...).
    """

    kind: Literal["command_execution"] = "command_execution"
    command: str = ""
    cwd: str | None = None
    available_decisions: tuple[Any, ...] = ()
    proposed_execpolicy_amendment: tuple[str, ...] | None = None
    command_actions: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file a change touches.

    Attributes:
        path: The file's path.
        kind: What happens to it (the runtime's ``kind``: add, delete, update...).
        diff: The change, as a unified diff (or the new content of an added file).
    """

    path: str
    kind: Any
    diff: str


@dataclass(frozen=True, slots=True)
class FileChangeApprovalRequest(_Request):
    """The agent wants to change files outside what its sandbox allows.

    The runtime's request names no file: ``changes`` come from the matching ``fileChange`` item
    the runtime announced just before (empty if it was not seen).

    Attributes:
        changes: The files and their diffs.
        grant_root: A folder the agent asks write access to for the rest of the session, if any.
    """

    kind: Literal["file_change"] = "file_change"
    changes: tuple[FileChange, ...] = ()
    grant_root: str | None = None

    @property
    def paths(self) -> tuple[str, ...]:
        """The paths of the files the change touches."""
        return tuple(change.path for change in self.changes)


@dataclass(frozen=True, slots=True)
class PermissionsApprovalRequest(_Request):
    """The agent asks for more permissions (the runtime offers that tool only with
    ``[features] request_permissions_tool = true``).

    Attributes:
        cwd: The working directory the request is relative to.
        network: Whether network access is asked (None: not asked).
        read: Paths asked for reading.
        write: Paths asked for writing.
        permissions: The permissions asked, as the runtime sent them.
    """

    kind: Literal["permissions"] = "permissions"
    cwd: str | None = None
    network: bool | None = None
    read: tuple[str, ...] = ()
    write: tuple[str, ...] = ()
    permissions: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


ApprovalRequest = CommandApprovalRequest | FileChangeApprovalRequest | PermissionsApprovalRequest


@dataclass(frozen=True, slots=True)
class PermissionGrant:
    """An answer to a :class:`PermissionsApprovalRequest` that grants part of what was asked.

    Args:
        read: Paths granted for reading.
        write: Paths granted for writing.
        network: Grant network access (None: leave it out).
        scope: ``"turn"`` (this turn only) or ``"session"`` (the rest of the session).
    """

    read: tuple[str, ...] = ()
    write: tuple[str, ...] = ()
    network: bool | None = None
    scope: Literal["turn", "session"] = "turn"

    def to_wire(self) -> dict[str, Any]:
        """The ``item/permissions/requestApproval`` result for this grant."""
        permissions: dict[str, Any] = {}
        file_system: dict[str, Any] = {}
        if self.read:
            file_system["read"] = list(self.read)
        if self.write:
            file_system["write"] = list(self.write)
        if file_system:
            permissions["fileSystem"] = file_system
        if self.network is not None:
            permissions["network"] = {"enabled": self.network}
        return {"permissions": permissions, "scope": self.scope}


ApprovalAnswer = ApprovalDecision | str | PermissionGrant

#: What an approval handler is: a function of the request returning a decision (or grant), or
#: an awaitable / ``concurrent.futures.Future`` of one, resolved later.
ApprovalHandler = Callable[
    [Any],
    Union[ApprovalAnswer, Awaitable[ApprovalAnswer], "concurrent.futures.Future[Any]"],
]


def accept_all(request: ApprovalRequest) -> ApprovalDecision:
    """Accepts every request (what the client does without a handler).

    Args:
        request: The request (any kind).

    Returns:
        ``ApprovalDecision.accept``; for permissions that grants all that was asked, for the turn.
    """
    return ApprovalDecision.accept


def decline_all(request: ApprovalRequest) -> ApprovalDecision:
    """Declines every request at once: nothing escalates, and nothing waits for a person.

    Args:
        request: The request (any kind).

    Returns:
        ``ApprovalDecision.decline``; for permissions that grants nothing.
    """
    return ApprovalDecision.decline


# -- wire <-> objects (used by the client; not public API) -----------------------------------


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(v if isinstance(v, str) else str(v.get("path", v)) if isinstance(v, dict) else str(v) for v in value)


def request_from_wire(
    method: str, params: Mapping[str, Any], *, item: Mapping[str, Any] | None = None, pending: Any = None
) -> ApprovalRequest:
    """The typed request for an approval request's params.

    Raises:
        ValueError: ``method`` is not an approval method.
    """
    common: dict[str, Any] = {
        "thread_id": str(params.get("threadId", "")),
        "turn_id": str(params.get("turnId", "")),
        "item_id": str(params.get("itemId", "")),
        "reason": params.get("reason"),
        "raw": dict(params),
        "_pending": pending,
    }
    if method == COMMAND_APPROVAL:
        amendment = params.get("proposedExecpolicyAmendment")
        return CommandApprovalRequest(
            **common,
            command=str(params.get("command") or ""),
            cwd=params.get("cwd"),
            available_decisions=tuple(params.get("availableDecisions") or ()),
            proposed_execpolicy_amendment=tuple(amendment) if isinstance(amendment, list) else None,
            command_actions=tuple(params.get("commandActions") or ()),
        )
    if method == FILE_CHANGE_APPROVAL:
        changes = (item or {}).get("changes") or []
        return FileChangeApprovalRequest(
            **common,
            changes=tuple(
                FileChange(path=str(c.get("path", "")), kind=c.get("kind"), diff=str(c.get("diff") or ""))
                for c in changes
                if isinstance(c, dict)
            ),
            grant_root=params.get("grantRoot"),
        )
    if method == PERMISSIONS_APPROVAL:
        asked = params.get("permissions") or {}
        file_system = asked.get("fileSystem") or {}
        network = asked.get("network")
        return PermissionsApprovalRequest(
            **common,
            cwd=params.get("cwd"),
            network=network.get("enabled") if isinstance(network, dict) else None,
            read=_strings(file_system.get("read")),
            write=_strings(file_system.get("write")),
            permissions=dict(asked),
        )
    raise ValueError(f"not an approval request method: {method!r}")


def answer_to_wire(request: ApprovalRequest, answer: object) -> dict[str, Any]:
    """The result that answers ``request`` with what a handler returned.

    Raises:
        ValueError: ``answer`` is not a decision (or, for permissions, a grant).
    """
    if isinstance(request, PermissionsApprovalRequest):
        if isinstance(answer, PermissionGrant):
            return answer.to_wire()
        decision = decision_of(answer)
        if decision is ApprovalDecision.accept:
            return {"permissions": dict(request.permissions), "scope": "turn"}
        if decision is ApprovalDecision.accept_for_session:
            return {"permissions": dict(request.permissions), "scope": "session"}
        return {"permissions": {}, "scope": "turn"}
    if isinstance(answer, PermissionGrant):
        raise ValueError(f"a PermissionGrant answers only permissions requests, not {request.kind}")
    return {"decision": _WIRE_DECISIONS[decision_of(answer)]}


def declined(request: ApprovalRequest) -> dict[str, Any]:
    """The fail-closed answer to ``request``."""
    return answer_to_wire(request, ApprovalDecision.decline)
