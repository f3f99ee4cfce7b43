"""Turn handles: stream a running turn's events, wait for its result, steer or stop it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, cast

from .. import _core
from .. import _validate as check
from .._handshake import log_diagnostics
from .._turn_result import STOP_GRACE_S, TurnResult, turn_result, turn_timed_out
from .._wire import model_for
from ..errors import CodexError, CodexTimeoutError
from ..inputs import Input, input_to_wire
from . import ASYNC

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..errors import TurnTimeoutError
    from ..generated.v2_all import TurnInterruptResponse, TurnSteerResponse
    from ..types import TypedNotification
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

    Returned by :meth:`AsyncThread.turn`; do not build it yourself. The turn's events are kept
    from the moment it starts, so nothing is missed however late :meth:`stream` or :meth:`run`
    is called. Each event is handed out once: :meth:`stream` yields the events not consumed
    yet, and :meth:`run` returns the result whether or not the events were streamed.

    Args:
        thread_id: Id of the thread the turn belongs to.
        id: The turn's id.

    Attributes:
        thread_id: Id of the thread the turn belongs to.
        id: The turn's id.
    """

    __slots__ = ("_codex", "_stream", "id", "thread_id")

    def __init__(self, _codex: AsyncCodex, thread_id: str, id: str, *, _stream: _core.TurnStream | None = None) -> None:
        """Wraps a started turn; made by :meth:`AsyncThread.turn`.

        Subscribes to the turn's events at once (if the client has started), so they are kept
        from here on.

        Args:
            thread_id: Id of the thread the turn belongs to.
            id: The turn's id.
        """
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

    if not ASYNC:

        def stream(self, *, timeout: float | None = None) -> Iterator[TypedNotification]:
            """Iterates over this turn's notifications in order, ending with its ``turn/completed``.

            Each is a :class:`~openai_codex.types.Notification` with ``method`` (e.g.
            ``"item/agentMessage/delta"``, ``"item/completed"``, ``"turn/completed"``) and
            ``payload``, the typed notification object (``UnknownNotification`` for a method
            the SDK has no type for). The iterator is the turn's own event channel, taken one
            event at a time: leaving a loop early loses nothing, and a later ``stream()`` (or
            ``run()``) continues where it stopped. Once the turn's events are all consumed,
            it yields nothing more. Waiting for the next event releases the GIL; Ctrl-C there
            stops the turn at the runtime (for 2 s at most; a second Ctrl-C at once) and then
            raises ``KeyboardInterrupt``.

            Args:
                timeout: Seconds the whole turn may take from this call, or ``None`` (the
                    default) for no limit. When it passes, the turn is interrupted at the
                    runtime and :class:`~openai_codex.errors.TurnTimeoutError` is raised.

            Returns:
                An iterator over the turn's notifications, the last being its
                ``turn/completed``.

            Raises:
                ApprovalHandlerError: (at the end) An approval or user-input handler raised
                    during the turn; the handler's exception is its ``__cause__``.
                TurnTimeoutError: (while iterating) The turn ran past ``timeout``; it was
                    interrupted, and the error holds what it produced.
                TransportClosedError: (while iterating) The runtime exited, or the client was
                    closed, before the turn completed.

            Example::

                for event in handle.stream():
                    if event.method == "item/agentMessage/delta":
                        print(event.payload.delta, end="", flush=True)
            """
            stream = self._ensure_stream()
            limit = check.seconds("timeout", timeout)
            handlers = self._codex._approvals.active() or self._codex._user_input.active()
            if limit is None and not handlers:
                # The extension's own iterator: no Python frame per event.
                return cast("Iterator[TypedNotification]", stream)
            return self._events_until(stream, None if limit is None else time.monotonic() + limit, limit)

        def _events_until(
            self, stream: _core.TurnStream, deadline: float | None, limit: float | None
        ) -> Iterator[TypedNotification]:
            next_event = cast("Callable[[float | None], TypedNotification | None]", stream.next_event)
            while True:
                try:
                    event = next_event(None if deadline is None else max(0.0, deadline - time.monotonic()))
                except CodexTimeoutError:
                    raise self._timed_out(stream, limit or 0.0) from None
                if event is None:
                    self._raise_handler_error()
                    return
                yield event

    if ASYNC:
        # After the blocking twin's: a type checker that does not know ASYNC (pyright) takes a
        # name's last definition, which must be the one this module runs.
        async def stream(self, *, timeout: float | None = None) -> AsyncIterator[TypedNotification]:
            """Yields this turn's notifications in order, ending with its ``turn/completed``.

            Each is a :class:`~openai_codex.types.Notification` with ``method`` (e.g.
            ``"item/agentMessage/delta"``, ``"item/completed"``, ``"turn/completed"``) and
            ``payload``, the typed notification object (``UnknownNotification`` for a method
            the SDK has no type for). Events are taken one at a time: leaving the loop early
            loses nothing, and a later ``stream()`` (or ``run()``) continues where it stopped.
            Once the turn's events are all consumed, ``stream()`` yields nothing more.

            Cancelling the task that iterates (``task.cancel()``, ``asyncio.timeout``, a
            failing ``TaskGroup``) stops the turn at the runtime too; leaving the loop with
            ``break`` does not.

            Args:
                timeout: Seconds the whole turn may take from this call, or ``None`` (the
                    default) for no limit. When it passes, the turn is interrupted at the
                    runtime and :class:`~openai_codex.errors.TurnTimeoutError` is raised.

            Yields:
                The turn's notifications, the last being its ``turn/completed``.

            Raises:
                ApprovalHandlerError: (at the end) An approval or user-input handler raised
                    during the turn; the handler's exception is its ``__cause__``.
                TurnTimeoutError: The turn ran past ``timeout``; it was interrupted, and the
                    error holds what it produced (a ``CodexTimeoutError`` and ``TimeoutError``).
                TransportClosedError: The runtime exited, or the client was closed, before the
                    turn completed.

            Example::

                async for event in handle.stream():
                    if event.method == "item/agentMessage/delta":
                        print(event.payload.delta, end="", flush=True)
            """
            import asyncio

            stream = await self._ensure_stream()
            limit = check.seconds("timeout", timeout)
            deadline = None if limit is None else time.monotonic() + limit
            # The core's events are TypedNotifications (typed once here, not per event).
            try_next = cast("Callable[[], TypedNotification | None]", stream.try_next)
            while True:
                # One event at a time: an abandoned loop leaves the rest queued for the next reader.
                event = try_next()
                if event is not None:
                    yield event
                elif stream.finished:
                    self._raise_handler_error()
                    return
                else:
                    try:
                        await stream.wait_ready(None if deadline is None else max(0.0, deadline - time.monotonic()))
                    except CodexTimeoutError:
                        raise await self._timed_out(stream, limit or 0.0) from None
                    except asyncio.CancelledError:
                        # The caller gave up on the turn: stop it rather than let it run on.
                        stream.stop_soon()
                        raise

    def _raise_handler_error(self) -> None:
        """Raises the first exception a handler (approval, then user input) raised in this turn."""
        approval = self._codex._approvals.take_error(self.id)
        question = self._codex._user_input.take_error(self.id)
        if approval is not None:
            raise approval
        if question is not None:
            raise question

    async def run(self, *, timeout: float | None = None) -> TurnResult:
        """Waits for the turn to finish and returns its result.

        Works before, during or after :meth:`stream`, and can be called again: the result is
        built from every item and usage report of the turn, streamed or not. An interrupted
        turn is returned with ``status`` ``TurnStatus.interrupted``.
        [async: Cancelling the awaiting task (``task.cancel()``, ``asyncio.wait_for``,
        ``asyncio.timeout``) stops the turn at the runtime too, so the thread is free for the
        next turn.]
        [sync: The wait releases the GIL; Ctrl-C in it stops the turn at the runtime (for 2 s at
        most; a second Ctrl-C at once) and then raises ``KeyboardInterrupt``. To stop a
        ``run()`` from another thread, call :meth:`interrupt` on the handle
        (``AsyncThread.turn()`` then ``handle.run()`` instead of ``AsyncThread.run()``).]

        Args:
            timeout: Seconds to wait for the turn to end, or ``None`` (the default) for no
                limit. When it passes, the turn is interrupted at the runtime and
                :class:`~openai_codex.errors.TurnTimeoutError` is raised.

        Returns:
            The :class:`~openai_codex.TurnResult` (``final_response``, ``items``, ``usage``,
            ``status``, timings).

        Raises:
            ApprovalHandlerError: An approval or user-input handler raised during the turn (the
                request was declined, failing closed); the handler's exception is its
                ``__cause__``.
            TurnFailedError: The turn ended with status ``failed``; the message is the
                runtime's error message and ``error`` its ``TurnError`` (a ``RuntimeError``
                too).
            TurnTimeoutError: The turn ran past ``timeout``; it was interrupted, and the
                error holds what it produced (a ``CodexTimeoutError`` and ``TimeoutError``).
            TransportClosedError: The runtime exited, or the client was closed, before the
                turn completed.
        """
        limit = check.seconds("timeout", timeout)
        return await self._run(limit, limit)

    async def _run(self, wait: float | None, limit: float | None) -> TurnResult:
        """``run()``, waiting ``wait`` seconds at most, for a caller whose timeout is ``limit``."""
        stream = await self._ensure_stream()
        try:
            if ASYNC:
                import asyncio

                try:
                    summary = await stream.collect_async(wait)
                except asyncio.CancelledError:
                    # The caller gave up on the turn: stop it rather than let it run on.
                    stream.stop_soon()
                    raise
            else:
                summary = await stream.collect_async(wait)
        except CodexTimeoutError:
            raise await self._timed_out(stream, limit or 0.0) from None
        finally:
            if self._codex._client is not None:
                log_diagnostics(self._codex._client)
        self._raise_handler_error()
        return turn_result(summary)

    async def _timed_out(self, stream: _core.TurnStream, limit: float) -> TurnTimeoutError:
        """Stops a turn that ran past ``limit`` seconds; returns the error to raise for it."""
        summary = None
        try:
            if await stream.stop_async(STOP_GRACE_S):
                summary = await stream.collect_async(STOP_GRACE_S)
        except CodexError:
            pass  # the turn's end is not known: the error carries what was gathered
        return turn_timed_out(self.id, limit, summary, stream.summary())

    async def steer(self, input: Input | str) -> TurnSteerResponse:
        """Adds input to the running turn, for the agent to take into account.

        The agent reads it once its current step is done; the turn goes on (its ``id`` does
        not change). The runtime refuses a steer for a turn it has not announced yet, so this
        first waits (up to 30 seconds) for the turn's ``turn/started``; calling it right after
        :meth:`AsyncThread.turn` works.

        Args:
            input: What to add: a ``str``, one input item (``TextInput``, ``ImageInput``, ...)
                or a list of them. Not an ``ExternalMessage``: ``turn/steer`` cannot carry
                one (send it with :meth:`AsyncThread.turn` or ``run()``).

        Returns:
            A :class:`~openai_codex.types.TurnSteerResponse` whose ``turn_id`` names the
            steered turn.

        Raises:
            TypeError: ``input`` (or an item of it) is not one of the accepted types (an
                ``ExternalMessage`` included); raised before waiting or sending anything.
            InvalidRequestError: The turn is no longer running ("no active turn to steer").
            JsonRpcError: The runtime refused the steer for another reason.
            TransportClosedError: The runtime has exited or the client was closed.
        """
        items = input_to_wire(input)
        stream = await self._ensure_stream()
        await stream.wait_started_async(_STARTED_WAIT_S)
        params = {"threadId": self.thread_id, "expectedTurnId": self.id, "input": items}
        client = await self._codex._ensure_client()
        result = await client.request_async("turn/steer", params)
        return cast("TurnSteerResponse", model_for("TurnSteerResponse", result))

    async def interrupt(self) -> TurnInterruptResponse:
        """Asks the runtime to stop the turn.

        Returns once the runtime has accepted the request; the turn then completes with
        status ``TurnStatus.interrupted`` (:meth:`run` returns it; it does not raise). Like
        :meth:`steer`, this first waits (up to 30 seconds) for the turn's ``turn/started``.

        Returns:
            A :class:`~openai_codex.types.TurnInterruptResponse`, which has no fields.

        Raises:
            InvalidRequestError: The turn is no longer running ("no active turn to
                interrupt").
            JsonRpcError: The runtime refused the request for another reason.
            TransportClosedError: The runtime has exited or the client was closed.

        Example::

            handle = await thread.turn("Count to a million, slowly")
            await handle.interrupt()
            result = await handle.run()  # result.status is TurnStatus.interrupted
        """
        stream = await self._ensure_stream()
        await stream.wait_started_async(_STARTED_WAIT_S)
        params = {"threadId": self.thread_id, "turnId": self.id}
        client = await self._codex._ensure_client()
        result = await client.request_async("turn/interrupt", params)
        return cast("TurnInterruptResponse", model_for("TurnInterruptResponse", result))

    def __repr__(self) -> str:
        return f"AsyncTurnHandle(thread_id={self.thread_id!r}, id={self.id!r})"


if ASYNC:
    # help() shows the asyncio side of the docstrings above; the sync twin's are resolved when
    # it is generated (tools/async_to_sync.py).
    from .._twin_docs import resolve_module

    resolve_module(globals())
