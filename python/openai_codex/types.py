"""Protocol types for annotations and matching: the names of the reference SDK's ``types``.

Importing this module loads the generated protocol classes (``openai_codex.generated.v2_all``);
``import openai_codex`` alone does not.
"""

from __future__ import annotations

from typing import Literal

from .approvals import CommandApprovalRequest, FileChangeApprovalRequest, PermissionsApprovalRequest
from .generated.notification_types import KnownNotification
from .generated.v2_all import (
    Account,
    AccountLoginCompletedNotification,
    ApprovalsReviewer,
    AskForApproval,
    CancelLoginAccountResponse,
    CancelLoginAccountStatus,
    GetAccountResponse,
    ModelListResponse,
    Personality,
    PlanType,
    ReasoningEffort,
    ReasoningSummary,
    SandboxMode,
    SandboxPolicy,
    SortDirection,
    ThreadArchiveResponse,
    ThreadCompactStartResponse,
    ThreadItem,
    ThreadListCwdFilter,
    ThreadListResponse,
    ThreadReadResponse,
    ThreadSetNameResponse,
    ThreadSortKey,
    ThreadSource,
    ThreadSourceKind,
    ThreadStartSource,
    ThreadTokenUsage,
    ThreadTokenUsageUpdatedNotification,
    Turn,
    TurnCompletedNotification,
    TurnError,
    TurnInterruptResponse,
    TurnStatus,
    TurnSteerResponse,
)
from .models import InitializeResponse, JsonObject, Notification, UnknownNotification

__all__ = [
    "Account",
    "AccountLoginCompletedNotification",
    "ApprovalsReviewer",
    "AskForApproval",
    "CancelLoginAccountResponse",
    "CancelLoginAccountStatus",
    "GetAccountResponse",
    "InitializeResponse",
    "JsonObject",
    "ModelListResponse",
    "Notification",
    "Personality",
    "PlanType",
    "ReasoningEffort",
    "ReasoningSummary",
    "SandboxMode",
    "SandboxPolicy",
    "SortDirection",
    "ThreadArchiveResponse",
    "ThreadCompactStartResponse",
    "ThreadItem",
    "ThreadListCwdFilter",
    "ThreadListResponse",
    "ThreadReadResponse",
    "ThreadSetNameResponse",
    "ThreadSortKey",
    "ThreadSource",
    "ThreadSourceKind",
    "ThreadStartSource",
    "ThreadTokenUsage",
    "ThreadTokenUsageUpdatedNotification",
    "Turn",
    "TurnCompletedNotification",
    "TurnError",
    "TurnInterruptResponse",
    "TurnStatus",
    "TurnSteerResponse",
]

#: What ``TurnHandle.stream()`` yields: each server notification as
#: ``Notification[Literal[method], payload]``, and the approval requests the turn's stream shows
#: (their payload is the typed request). Comparing ``event.method`` (``==`` or ``match``) narrows
#: ``event.payload`` for mypy and pyright. A payload is ``UnknownNotification`` when the params do
#: not fit the method's class; a method this SDK has no type for (a newer runtime) still arrives,
#: as a plain ``Notification`` with an ``UnknownNotification`` payload. Not in ``__all__``, which
#: keeps the reference SDK's names exactly.
TypedNotification = (
    KnownNotification
    | Notification[Literal["item/commandExecution/requestApproval"], CommandApprovalRequest | UnknownNotification]
    | Notification[Literal["item/fileChange/requestApproval"], FileChangeApprovalRequest | UnknownNotification]
    | Notification[Literal["item/permissions/requestApproval"], PermissionsApprovalRequest | UnknownNotification]
)
