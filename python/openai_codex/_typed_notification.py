"""``TypedNotification``, exported by ``openai_codex.types``: in a module of its own because it
names every notification payload class, so it (and they) load when it is first used.
"""

from __future__ import annotations

from typing import Literal

from .approvals import CommandApprovalRequest, FileChangeApprovalRequest, PermissionsApprovalRequest
from .generated.notification_types import KnownNotification
from .models import Notification, UnknownNotification

__all__ = ["TypedNotification"]

#: What ``TurnHandle.stream()`` yields: each server notification as
#: ``Notification[Literal[method], payload]``, and the approval requests the turn's stream shows
#: (their payload is the typed request). Comparing ``event.method`` (``==`` or ``match``) narrows
#: ``event.payload`` for mypy and pyright. A payload is ``UnknownNotification`` when the params do
#: not fit the method's class; a method this SDK has no type for (a newer runtime) still arrives,
#: as a plain ``Notification`` with an ``UnknownNotification`` payload. Not in the ``__all__`` of
#: ``openai_codex.types``, which keeps the reference SDK's names exactly.
TypedNotification = (
    KnownNotification
    | Notification[Literal["item/commandExecution/requestApproval"], CommandApprovalRequest | UnknownNotification]
    | Notification[Literal["item/fileChange/requestApproval"], FileChangeApprovalRequest | UnknownNotification]
    | Notification[Literal["item/permissions/requestApproval"], PermissionsApprovalRequest | UnknownNotification]
)
