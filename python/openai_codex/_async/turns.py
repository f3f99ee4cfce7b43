"""Turn handles: stream a running turn's events, wait for its result, steer or stop it."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .. import _core
from .._turn_result import TurnResult, turn_result
from .._wire import model_for
from ..inputs import RunInput, input_to_wire
from ..models import Notification
from . import ASYNC

if TYPE_CHECKING:
    from ..generated.v2_all import TurnInterruptResponse, TurnSteerResponse
    from .codex import AsyncCodex

    if ASYNC:
        from collections.abc import AsyncIterator
    else:
        from collections.abc import Iterator

__all__ = ["AsyncTurnHandle"]

# The runtime refuses steer/interrupt for a turn it has not announced yet; wait this long for
# `turn/started` before sending them anyway.
_STARTED_WAIT_S = 30.0


class AsyncTurnHandle:
    """A running (or finished) turn: stream its events, wait for its result, steer or stop it.

    Events are kept from the moment the turn starts, so nothing is missed however late
    ``stream()`` or ``run()`` is called. Each event is delivered once: ``stream()`` yields what
    has not been consumed yet, and ``run()`` returns the result even after a full ``stream()``.
    """

    __slots__ = ("_codex", "_stream", "id", "thread_id")

    def __init__(self, _codex: AsyncCodex, thread_id: str, id: str, *, _stream: _core.TurnStream | None = None) -> None:
        self._codex = _codex
        self.thread_id = thread_id
        self.id = id
        client = _codex._client
        if _stream is None and client is not None:
            # Subscribe at once: the turn's events are kept from here on, whenever they are read.
            _stream = client.turn_stream(id)
        self._stream = _stream

    async def _ensure_stream(self) -> _core.TurnStream:
        if self._stream is None:
            client = await self._codex._ensure_client()
            self._stream = client.turn_stream(self.id)
        return self._stream

    if ASYNC:

        async def stream(self) -> AsyncIterator[Notification]:
            """Yields this turn's notifications in order, ending with its ``turn/completed``.

            Leaving the loop early loses nothing: a later ``stream()`` (or ``run()``) continues
            where it stopped.
            """
            stream = await self._ensure_stream()
            try_next = stream.try_next
            while True:
                # One event at a time: an abandoned loop leaves the rest queued for the next reader.
                event = try_next()
                if event is not None:
                    yield event
                elif stream.finished:
                    self._raise_handler_error()
                    return
                else:
                    await stream.wait_ready()

    else:

        def stream(self) -> Iterator[Notification]:
            """Yields this turn's notifications in order, ending with its ``turn/completed``.

            The iterator is the turn's own event channel: leaving a loop early loses nothing, and
            a later ``stream()`` (or ``run()``) continues where it stopped. When an approval
            handler raised during the turn, its ``ApprovalHandlerError`` is raised at the end.
            """
            stream = self._ensure_stream()
            if not (self._codex._approvals.active() or self._codex._user_input.active()):
                return stream
            return self._checked(stream)

        def _checked(self, stream: _core.TurnStream) -> Iterator[Notification]:
            yield from stream
            self._raise_handler_error()

    def _raise_handler_error(self) -> None:
        """Raises the first exception a handler (approval, then user input) raised in this turn."""
        approval = self._codex._approvals.take_error(self.id)
        question = self._codex._user_input.take_error(self.id)
        if approval is not None:
            raise approval
        if question is not None:
            raise question

    async def run(self) -> TurnResult:
        """Waits for the turn to finish and returns its result (raises if it failed).

        Raises:
            ApprovalHandlerError: An approval handler raised during the turn (the request was
                declined, failing closed); the handler's exception is its ``__cause__``.
            TurnFailedError: The turn failed.
        """
        stream = await self._ensure_stream()
        summary = await stream.collect_async()
        self._raise_handler_error()
        return turn_result(summary)

    async def steer(self, input: RunInput) -> TurnSteerResponse:
        """Adds input to the running turn (``turn/steer``)."""
        stream = await self._ensure_stream()
        await stream.wait_started_async(_STARTED_WAIT_S)
        params = {"threadId": self.thread_id, "expectedTurnId": self.id, "input": input_to_wire(input)}
        client = await self._codex._ensure_client()
        result = await client.request_async("turn/steer", params)
        return cast("TurnSteerResponse", model_for("TurnSteerResponse", result))

    async def interrupt(self) -> TurnInterruptResponse:
        """Asks the runtime to stop the turn; it then completes with status ``interrupted``."""
        stream = await self._ensure_stream()
        await stream.wait_started_async(_STARTED_WAIT_S)
        params = {"threadId": self.thread_id, "turnId": self.id}
        client = await self._codex._ensure_client()
        result = await client.request_async("turn/interrupt", params)
        return cast("TurnInterruptResponse", model_for("TurnInterruptResponse", result))

    def __repr__(self) -> str:
        return f"AsyncTurnHandle(thread_id={self.thread_id!r}, id={self.id!r})"
