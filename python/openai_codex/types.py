"""Protocol types of the Codex app-server (placeholder until the generated type system lands)."""

from __future__ import annotations

from enum import Enum

from .models import InitializeResponse, JsonObject, Notification

__all__ = ["InitializeResponse", "JsonObject", "Notification", "TurnStatus"]


class TurnStatus(str, Enum):
    """Where a turn is in its life."""

    completed = "completed"
    interrupted = "interrupted"
    failed = "failed"
    in_progress = "inProgress"
