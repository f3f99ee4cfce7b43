"""Turns: one request to the agent and everything it did in response."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from . import _core
from ._wire import model_for
from .errors import TurnFailedError
from .inputs import RunInput, input_to_wire
from .models import Notification

if TYPE_CHECKING:
    from .codex import AsyncCodex, Codex
    from .generated.v2_all import (
        ThreadItem,
        ThreadTokenUsage,
        TurnError,
        TurnInterruptResponse,
        TurnStatus,
        TurnSteerResponse,
    )

__all__ = ["AsyncTurnHandle", "TurnHandle", "TurnResult"]

# The runtime refuses steer/interrupt for a turn it has not announced yet; wait this long for
# `turn/started` before sending them anyway.
_STARTED_WAIT_S = 30.0


@dataclass(slots=True)
class TurnResult:
    """What a finished turn produced.

    ``final_response`` is the text of the agent's final answer: the last agent message marked
    as the final answer, else the last agent message without a phase, else None.
    """

    id: str
    status: TurnStatus
    error: TurnError | None
    started_at: int | None
    completed_at: int | None
    duration_ms: int | None
    final_response: str | None
    items: list[ThreadItem]
    usage: ThreadTokenUsage | None


def _final_response(items: list[dict[str, Any]]) -> str | None:
    unphased: str | None = None
    for item in reversed(items):
        if item.get("type") != "agentMessage":
            continue
        phase = item.get("phase")
        text: str | None = item.get("text")
        if phase == "final_answer":
            return text
        if phase is None and unphased is None:
            unphased = text
    return unphased


def turn_result(summary: tuple[Any, list[Any], Any]) -> TurnResult:
    """Builds the result from a stream's summary; raises if the turn failed."""
    # Imported here: the generated classes load on first use, not with the package.
    from ._model import enum_member
    from .generated.v2_all import TurnStatus

    completed, item_events, usage_event = summary
    turn = completed["turn"]
    raw_items = [event["item"] for event in item_events]
    # A status this SDK does not know (a newer runtime) stays a plain string.
    status = enum_member(TurnStatus, turn["status"])
    error = turn.get("error")
    if status is TurnStatus.failed:
        message = (error or {}).get("message") or "turn failed with status failed"
        raise TurnFailedError(message, turn_id=turn["id"], error=model_for("TurnError", error))
    return TurnResult(
        id=turn["id"],
        status=status,
        error=model_for("TurnError", error) if error is not None else None,
        started_at=turn.get("startedAt"),
        completed_at=turn.get("completedAt"),
        duration_ms=turn.get("durationMs"),
        final_response=_final_response(raw_items),
        items=[model_for("ThreadItem", item) for item in raw_items],
        usage=model_for("ThreadTokenUsage", usage_event["tokenUsage"]) if usage_event else None,
    )


class TurnHandle:
    """A running (or finished) turn: stream its events, wait for its result, steer or stop it.

    Events are kept from the moment the turn starts, so nothing is missed however late
    ``stream()`` or ``run()`` is called. Each event is delivered once: ``stream()`` yields what
    has not been consumed yet, and ``run()`` returns the result even after a full ``stream()``.
    """

    __slots__ = ("_codex", "_stream", "id", "thread_id")

    def __init__(self, _client: Codex, thread_id: str, id: str, *, _stream: _core.TurnStream | None = None) -> None:
        codex = self._codex = _client
        self.thread_id = thread_id
        self.id = id
        self._stream = _stream if _stream is not None else codex._client.turn_stream(id)

    def stream(self) -> Iterator[Notification]:
        """Yields this turn's notifications in order, ending with its ``turn/completed``.

        The iterator is the turn's own event channel: leaving a loop early loses nothing, and a
        later ``stream()`` (or ``run()``) continues where it stopped.
        """
        return self._stream

    def run(self) -> TurnResult:
        """Waits for the turn to finish and returns its result (raises if it failed)."""
        return turn_result(self._stream.collect())

    def steer(self, input: RunInput) -> TurnSteerResponse:
        """Adds input to the running turn (``turn/steer``)."""
        self._stream.wait_started(_STARTED_WAIT_S)
        params = {"threadId": self.thread_id, "expectedTurnId": self.id, "input": input_to_wire(input)}
        return cast(
            "TurnSteerResponse", model_for("TurnSteerResponse", self._codex._client.request("turn/steer", params))
        )

    def interrupt(self) -> TurnInterruptResponse:
        """Asks the runtime to stop the turn; it then completes with status ``interrupted``."""
        self._stream.wait_started(_STARTED_WAIT_S)
        params = {"threadId": self.thread_id, "turnId": self.id}
        return cast(
            "TurnInterruptResponse",
            model_for("TurnInterruptResponse", self._codex._client.request("turn/interrupt", params)),
        )

    def __repr__(self) -> str:
        return f"TurnHandle(thread_id={self.thread_id!r}, id={self.id!r})"


class AsyncTurnHandle:
    """Async twin of :class:`TurnHandle`."""

    __slots__ = ("_codex", "_stream", "id", "thread_id")

    def __init__(self, _codex: AsyncCodex, thread_id: str, id: str, *, _stream: _core.TurnStream | None = None) -> None:
        self._codex = _codex
        self.thread_id = thread_id
        self.id = id
        self._stream = _stream

    async def _ensure_stream(self) -> _core.TurnStream:
        if self._stream is None:
            client = await self._codex._ensure_client()
            self._stream = client.turn_stream(self.id)
        return self._stream

    async def stream(self) -> AsyncIterator[Notification]:
        """Yields this turn's notifications in order, ending with its ``turn/completed``."""
        stream = await self._ensure_stream()
        try_next = stream.try_next
        while True:
            # One event at a time: an abandoned loop leaves the rest queued for the next reader.
            event = try_next()
            if event is not None:
                yield event
            elif stream.finished:
                return
            else:
                await stream.wait_ready()

    async def run(self) -> TurnResult:
        """Waits for the turn to finish and returns its result (raises if it failed)."""
        stream = await self._ensure_stream()
        return turn_result(await stream.collect_async())

    async def steer(self, input: RunInput) -> TurnSteerResponse:
        """Adds input to the running turn (``turn/steer``)."""
        stream = await self._ensure_stream()
        await stream.wait_started_async(_STARTED_WAIT_S)
        params = {"threadId": self.thread_id, "expectedTurnId": self.id, "input": input_to_wire(input)}
        client = await self._codex._ensure_client()
        return cast(
            "TurnSteerResponse", model_for("TurnSteerResponse", await client.request_async("turn/steer", params))
        )

    async def interrupt(self) -> TurnInterruptResponse:
        """Asks the runtime to stop the turn; it then completes with status ``interrupted``."""
        stream = await self._ensure_stream()
        await stream.wait_started_async(_STARTED_WAIT_S)
        params = {"threadId": self.thread_id, "turnId": self.id}
        client = await self._codex._ensure_client()
        return cast(
            "TurnInterruptResponse",
            model_for("TurnInterruptResponse", await client.request_async("turn/interrupt", params)),
        )

    def __repr__(self) -> str:
        return f"AsyncTurnHandle(thread_id={self.thread_id!r}, id={self.id!r})"
