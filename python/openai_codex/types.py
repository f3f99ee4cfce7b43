"""Protocol types for annotations and matching: the names of the reference SDK's ``types``.

The protocol classes come from ``openai_codex.generated.v2_all``, and each is made when first
used (``openai_codex.types.ThreadItem``, ``from openai_codex.types import ThreadItem``): importing
this module makes none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_attributes

# UnknownNotification: named by TypedNotification, and an attribute here as it always was.
from .models import InitializeResponse, JsonObject, Notification, UnknownNotification  # noqa: F401

if TYPE_CHECKING:
    from ._typed_notification import TypedNotification as TypedNotification
    from .generated.notification_types import KnownNotification  # noqa: F401 (loaded on first use)
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

# Where each name loaded on first use comes from (a module of this package). TypedNotification
# is what ``TurnHandle.stream()`` yields; like KnownNotification it is not in ``__all__``, which
# keeps the reference SDK's names exactly.
_HOMES = {
    "Account": "generated.v2_all",
    "AccountLoginCompletedNotification": "generated.v2_all",
    "ApprovalsReviewer": "generated.v2_all",
    "AskForApproval": "generated.v2_all",
    "CancelLoginAccountResponse": "generated.v2_all",
    "CancelLoginAccountStatus": "generated.v2_all",
    "GetAccountResponse": "generated.v2_all",
    "ModelListResponse": "generated.v2_all",
    "Personality": "generated.v2_all",
    "PlanType": "generated.v2_all",
    "ReasoningEffort": "generated.v2_all",
    "ReasoningSummary": "generated.v2_all",
    "SandboxMode": "generated.v2_all",
    "SandboxPolicy": "generated.v2_all",
    "SortDirection": "generated.v2_all",
    "ThreadArchiveResponse": "generated.v2_all",
    "ThreadCompactStartResponse": "generated.v2_all",
    "ThreadItem": "generated.v2_all",
    "ThreadListCwdFilter": "generated.v2_all",
    "ThreadListResponse": "generated.v2_all",
    "ThreadReadResponse": "generated.v2_all",
    "ThreadSetNameResponse": "generated.v2_all",
    "ThreadSortKey": "generated.v2_all",
    "ThreadSource": "generated.v2_all",
    "ThreadSourceKind": "generated.v2_all",
    "ThreadStartSource": "generated.v2_all",
    "ThreadTokenUsage": "generated.v2_all",
    "ThreadTokenUsageUpdatedNotification": "generated.v2_all",
    "Turn": "generated.v2_all",
    "TurnCompletedNotification": "generated.v2_all",
    "TurnError": "generated.v2_all",
    "TurnInterruptResponse": "generated.v2_all",
    "TurnStatus": "generated.v2_all",
    "TurnSteerResponse": "generated.v2_all",
    "KnownNotification": "generated.notification_types",
    "TypedNotification": "_typed_notification",
}


if not TYPE_CHECKING:  # type checkers see the imports above, and misspelled names stay errors
    __getattr__, __dir__ = lazy_attributes(globals(), __package__, _HOMES)
