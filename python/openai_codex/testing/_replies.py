"""Scripted replies: what the model answers to one call (text, tool calls, errors, hangs)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._sse import sse_frame

if TYPE_CHECKING:
    from ._server import _Writer

__all__ = [
    "Reply",
    "Usage",
    "exec_command",
    "function_call",
    "hang",
    "http_error",
    "message",
    "raw",
    "response",
    "slow",
    "text",
    "tool_call",
]


@dataclass(frozen=True)
class Usage:
    """Token counts a scripted reply reports in its ``response.completed`` event.

    The runtime turns them into its ``thread/tokenUsage/updated`` notification, so they are
    what ``TurnResult.usage`` shows. ``total_tokens`` is input plus output.

    Attributes:
        input_tokens: Tokens of the request. Default 10.
        output_tokens: Tokens of the reply. Default 5.
        cached_tokens: Of the input tokens, how many came from the cache. Default 0.
        reasoning_tokens: Of the output tokens, how many were reasoning. Default 0.
    """

    input_tokens: int = 10
    output_tokens: int = 5
    cached_tokens: int = 0
    reasoning_tokens: int = 0

    def to_json(self) -> dict[str, Any]:
        """The ``usage`` object as the Responses API writes it.

        Returns:
            A dict with ``input_tokens``, ``input_tokens_details``, ``output_tokens``,
            ``output_tokens_details`` and ``total_tokens``.
        """
        return {
            "input_tokens": self.input_tokens,
            "input_tokens_details": {"cached_tokens": self.cached_tokens},
            "output_tokens": self.output_tokens,
            "output_tokens_details": {"reasoning_tokens": self.reasoning_tokens},
            "total_tokens": self.input_tokens + self.output_tokens,
        }


@dataclass(frozen=True)
class _Message:
    pieces: tuple[str, ...]
    phase: str | None

    @property
    def text(self) -> str:
        return "".join(self.pieces)


@dataclass(frozen=True)
class _FunctionCall:
    name: str
    arguments: str
    call_id: str | None


_Item = _Message | _FunctionCall


def _split(text_value: str, deltas: int | Sequence[str]) -> tuple[str, ...]:
    if not isinstance(deltas, int):
        return tuple(deltas)
    if deltas < 1:
        raise ValueError("deltas must be >= 1")
    if deltas > max(len(text_value), 1):
        # Empty deltas would make "N deltas in, N delta events out" assertions meaningless.
        raise ValueError(f"cannot split {len(text_value)} characters into {deltas} non-empty deltas")
    size, extra = divmod(len(text_value), deltas)
    pieces, start = [], 0
    for index in range(deltas):
        end = start + size + (1 if index < extra else 0)
        pieces.append(text_value[start:end])
        start = end
    return tuple(pieces)


def message(text_value: str = "ok", *, deltas: int | Sequence[str] = 1, phase: str | None = None) -> _Message:
    """An assistant message output item, to combine with others in :func:`response`.

    Args:
        text_value: The message text. Default ``"ok"``. Ignored when ``deltas`` lists the
            pieces.
        deltas: How the text is streamed: a count (the text is cut into that many non-empty,
            nearly equal pieces, one ``response.output_text.delta`` each) or the explicit
            pieces (their concatenation is the message). Default 1.
        phase: ``"commentary"`` or ``"final_answer"``, passed through as the Responses API
            does for models that label their messages; ``None`` (the default) sends none.

    Returns:
        The output item.

    Raises:
        ValueError: ``deltas`` is a count below 1 or above the number of characters.
    """
    if not isinstance(deltas, int):
        text_value = "".join(deltas)
    return _Message(_split(text_value, deltas), phase)


def function_call(
    name: str, arguments: Mapping[str, Any] | str | None = None, *, call_id: str | None = None
) -> _FunctionCall:
    """A ``function_call`` output item (a tool call), to combine with others in :func:`response`.

    Args:
        name: The tool's name, e.g. ``"exec_command"``.
        arguments: The call's arguments: a mapping (JSON-encoded here) or a JSON string sent
            as is. ``None`` (the default) means ``{}``.
        call_id: The call's id; by default a fresh one is made when the reply is served.

    Returns:
        The output item.
    """
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments)
    return _FunctionCall(name, arguments, call_id)


class Reply:
    """One scripted answer to one model call; made by :func:`text`, :func:`response` and the like.

    Every reply can be delayed (``delay`` seconds before anything is sent) and gated: with a
    ``gate`` it stops after ``gate_after`` deltas until :meth:`release` is called, the model
    server closes, or the runtime drops the connection (e.g. on ``turn/interrupt``). Its
    events tell a test where the runtime is. Subclasses write the HTTP response.

    Args:
        delay: Seconds to wait before sending anything. Default 0.
        gate: A ``threading.Event`` the reply waits for; ``None`` (the default) for none.
        gate_after: How many deltas to send before waiting for ``gate``. Default 0: wait
            before the first output item.

    Attributes:
        delay: As given.
        gate: As given.
        gate_after: As given.
        started: A ``threading.Event`` set once the server starts sending this reply (the
            runtime is then mid-call: time to steer or interrupt).
        finished: A ``threading.Event`` set when the reply ends, completed or cut off.
        aborted: True when the runtime closed the connection before the reply was written
            in full.
    """

    def __init__(self, *, delay: float = 0.0, gate: threading.Event | None = None, gate_after: int = 0) -> None:
        """Makes a reply; use the builder functions rather than this base class directly.

        Args:
            delay: Seconds to wait before sending anything.
            gate: A ``threading.Event`` the reply waits for, or ``None``.
            gate_after: How many deltas to send before waiting for ``gate``.
        """
        self.delay = delay
        self.gate = gate
        self.gate_after = gate_after
        # Set once the server has started sending this reply; lets a test wait until the
        # runtime is really mid-call before it steers or interrupts.
        self.started = threading.Event()
        # Set when the reply ends, whether completed or cut off by the client.
        self.finished = threading.Event()
        # True when the runtime closed the connection before the reply was fully written.
        self.aborted = False

    def release(self) -> None:
        """Opens this reply's gate, so a parked reply goes on.

        Does nothing for a reply without a gate.
        """
        if self.gate is not None:
            self.gate.set()

    def _serve(self, out: _Writer) -> None:
        raise NotImplementedError


class _Stream(Reply):
    """A 200 `text/event-stream` reply made of output items, framed like the real API."""

    def __init__(
        self, items: Sequence[_Item], *, usage: Usage | None = None, delta_delay: float = 0.0, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.items = tuple(items)
        self.usage = usage or Usage()
        self.delta_delay = delta_delay

    def _serve(self, out: _Writer) -> None:
        ids = out.ids
        response_id = ids("resp")
        out.start(200, "text/event-stream")
        out.frame("response.created", {"response": {"id": response_id}})
        sent_deltas = 0
        if self.gate_after == 0:
            out.wait_gate(self)
        for index, item in enumerate(self.items):
            if isinstance(item, _Message):
                item_id = ids("msg")
                added = {"type": "message", "role": "assistant", "id": item_id, "content": []}
                if item.phase is not None:
                    added["phase"] = item.phase
                out.frame("response.output_item.added", {"output_index": index, "item": added})
                for piece in item.pieces:
                    if sent_deltas and self.delta_delay:
                        out.sleep(self.delta_delay)
                    out.frame(
                        "response.output_text.delta",
                        {
                            "item_id": item_id,
                            "output_index": index,
                            "content_index": 0,
                            "delta": piece,
                        },
                    )
                    sent_deltas += 1
                    if self.gate_after and sent_deltas == self.gate_after:
                        out.wait_gate(self)
                done = dict(added, content=[{"type": "output_text", "text": item.text, "annotations": []}])
                out.frame("response.output_item.done", {"output_index": index, "item": done})
            else:
                call = {
                    "type": "function_call",
                    "id": ids("fc"),
                    "call_id": item.call_id or ids("call"),
                    "name": item.name,
                }
                out.frame("response.output_item.added", {"output_index": index, "item": dict(call, arguments="")})
                out.frame(
                    "response.output_item.done", {"output_index": index, "item": dict(call, arguments=item.arguments)}
                )
        out.frame("response.completed", {"response": {"id": response_id, "usage": self.usage.to_json()}})


class _HttpError(Reply):
    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.status = status
        self.body = body
        self.headers = dict(headers or {})

    def _serve(self, out: _Writer) -> None:
        out.wait_gate(self)
        payload = self.body if isinstance(self.body, (bytes, str)) else json.dumps(self.body)
        out.start(self.status, "application/json", self.headers)
        out.write(payload.encode() if isinstance(payload, str) else payload)


class _Raw(Reply):
    def __init__(
        self,
        frames: Iterable[tuple[str, Mapping[str, Any]] | bytes | str],
        *,
        status: int = 200,
        content_type: str = "text/event-stream",
        frame_delay: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.frames = list(frames)
        self.status = status
        self.content_type = content_type
        self.frame_delay = frame_delay

    def _serve(self, out: _Writer) -> None:
        out.start(self.status, self.content_type)
        out.wait_gate(self)
        for index, frame in enumerate(self.frames):
            if index and self.frame_delay:
                out.sleep(self.frame_delay)
            if isinstance(frame, tuple):
                out.write(sse_frame(*frame))
            else:
                out.write(frame.encode() if isinstance(frame, str) else frame)


def response(
    *items: _Item,
    usage: Usage | None = None,
    delay: float = 0.0,
    delta_delay: float = 0.0,
    gate: threading.Event | None = None,
    gate_after: int = 0,
) -> Reply:
    """A streamed reply holding several output items, e.g. a commentary message then a tool call.

    Args:
        *items: The output items, from :func:`message` and :func:`function_call`, in order.
        usage: The token counts to report; ``None`` (the default) means ``Usage()``.
        delay: Seconds to wait before sending anything. Default 0.
        delta_delay: Seconds between two text deltas. Default 0.
        gate: A ``threading.Event`` to wait for (see :class:`Reply`); default none.
        gate_after: How many deltas to send before waiting for ``gate``. Default 0.

    Returns:
        The reply, to :meth:`ScriptedModel.enqueue`.
    """
    return _Stream(items, usage=usage, delay=delay, delta_delay=delta_delay, gate=gate, gate_after=gate_after)


def text(
    text_value: str = "ok",
    *,
    deltas: int | Sequence[str] = 1,
    phase: str | None = None,
    usage: Usage | None = None,
    delay: float = 0.0,
    delta_delay: float = 0.0,
    gate: threading.Event | None = None,
    gate_after: int = 0,
) -> Reply:
    """A reply with one assistant message: the common case.

    Args:
        text_value: The message text. Default ``"ok"``.
        deltas: A count of nearly equal pieces, or the explicit pieces, to stream the text
            in (see :func:`message`). Default 1.
        phase: ``"commentary"``, ``"final_answer"`` or ``None`` (the default: no phase).
        usage: The token counts to report; ``None`` means ``Usage()``.
        delay: Seconds to wait before sending anything. Default 0.
        delta_delay: Seconds between two deltas. Default 0.
        gate: A ``threading.Event`` to wait for (see :class:`Reply`); default none.
        gate_after: How many deltas to send before waiting for ``gate``. Default 0.

    Returns:
        The reply, to :meth:`ScriptedModel.enqueue`.

    Raises:
        ValueError: ``deltas`` is a count below 1 or above the number of characters.

    Example::

        model.enqueue(text("hello there", deltas=3))
    """
    return response(
        message(text_value, deltas=deltas, phase=phase),
        usage=usage,
        delay=delay,
        delta_delay=delta_delay,
        gate=gate,
        gate_after=gate_after,
    )


def slow(
    text_value: str = "slow reply",
    *,
    deltas: int = 20,
    delta_delay: float = 0.1,
    delay: float = 0.0,
    usage: Usage | None = None,
) -> Reply:
    """A message trickled out over about ``deltas * delta_delay`` seconds: time to steer or interrupt.

    Args:
        text_value: The message text, repeated if it has fewer characters than ``deltas``.
            Default ``"slow reply"``.
        deltas: How many pieces to send. Default 20.
        delta_delay: Seconds between two pieces. Default 0.1.
        delay: Seconds to wait before sending anything. Default 0.
        usage: The token counts to report; ``None`` means ``Usage()``.

    Returns:
        The reply, to :meth:`ScriptedModel.enqueue`.

    Raises:
        ValueError: ``deltas`` is below 1.
    """
    if deltas > len(text_value):
        text_value = (text_value + " ") * (deltas // max(len(text_value), 1) + 1)
    return text(text_value, deltas=deltas, delta_delay=delta_delay, delay=delay, usage=usage)


def hang(
    text_value: str = "released", *, deltas: int | Sequence[str] = 1, after_deltas: int = 0, usage: Usage | None = None
) -> Reply:
    """A message that stops after ``after_deltas`` deltas until ``reply.release()`` is called.

    The stream's headers and ``response.created`` are sent first, so the runtime is mid-call.
    A parked reply also ends when the model server closes or the runtime hangs up (an
    interrupted turn).

    Args:
        text_value: The message sent once released. Default ``"released"``.
        deltas: A count of pieces, or the explicit pieces (see :func:`message`). Default 1.
        after_deltas: How many pieces to send before stopping. Default 0.
        usage: The token counts to report; ``None`` means ``Usage()``.

    Returns:
        The reply, with a gate of its own; keep it to call :meth:`Reply.release`.

    Raises:
        ValueError: ``after_deltas`` exceeds the number of pieces, or ``deltas`` is invalid.

    Example::

        parked = hang("done")
        model.enqueue(parked)
        handle = thread.turn("wait")
        parked.started.wait(10)
        handle.interrupt()
    """
    pieces = message(text_value, deltas=deltas).pieces
    if after_deltas > len(pieces):
        raise ValueError("after_deltas exceeds the number of deltas")
    return _Stream([_Message(pieces, None)], usage=usage, gate=threading.Event(), gate_after=after_deltas)


def tool_call(
    name: str,
    arguments: Mapping[str, Any] | str | None = None,
    *,
    call_id: str | None = None,
    usage: Usage | None = None,
    delay: float = 0.0,
) -> Reply:
    """A reply that calls one tool; the runtime sends the tool's result in its next model call.

    The result arrives as a ``function_call_output`` item of the next request (see
    :func:`function_call_outputs`), so enqueue a reply for that call too.

    Args:
        name: The tool's name.
        arguments: A mapping (JSON-encoded) or a JSON string; ``None`` means ``{}``.
        call_id: The call's id; by default a fresh one.
        usage: The token counts to report; ``None`` means ``Usage()``.
        delay: Seconds to wait before sending anything. Default 0.

    Returns:
        The reply, to :meth:`ScriptedModel.enqueue`.
    """
    return response(function_call(name, arguments, call_id=call_id), usage=usage, delay=delay)


def exec_command(cmd: str, *, call_id: str | None = None, usage: Usage | None = None, **arguments: Any) -> Reply:
    """A reply that runs a shell command through the runtime's ``exec_command`` tool.

    Pass ``login=False`` for exact output: the default ``bash -lc`` runs login scripts, which
    may print to the output (pyenv's, for one, prints "cannot rehash" under the read-only
    sandbox). Enqueue a reply for the next model call, which carries the command's output.

    Args:
        cmd: The command line.
        call_id: The call's id; by default a fresh one.
        usage: The token counts to report; ``None`` means ``Usage()``.
        **arguments: More tool arguments, e.g. ``login=False``, ``workdir=...``,
            ``sandbox_permissions="require_escalated"``, ``justification=...``.

    Returns:
        The reply, to :meth:`ScriptedModel.enqueue`.

    Example::

        model.enqueue(exec_command("echo hi", login=False), text("done"))
    """
    return tool_call("exec_command", {"cmd": cmd, **arguments}, call_id=call_id, usage=usage)


_DEFAULT_ERROR_BODIES = {
    400: {"error": {"message": "bad request from scripted model", "type": "invalid_request_error"}},
    429: {"error": {"message": "rate limited by scripted model", "type": "rate_limit_exceeded"}},
}


def http_error(
    status: int = 500, body: Any = None, *, headers: Mapping[str, str] | None = None, delay: float = 0.0
) -> Reply:
    """A reply with an HTTP error status instead of a stream.

    The config that :meth:`ScriptedModel.config` writes turns the runtime's retries off, so
    the error fails the turn at once.

    Args:
        status: The HTTP status. Default 500.
        body: The response body: JSON-encoded unless it is ``str`` or ``bytes``. ``None``
            (the default) gives an OpenAI-style error object fitting the status.
        headers: Extra response headers (e.g. ``{"Retry-After": "1"}``).
        delay: Seconds to wait before answering. Default 0.

    Returns:
        The reply, to :meth:`ScriptedModel.enqueue`.
    """
    if body is None:
        generic = {"error": {"message": f"scripted model error {status}", "type": "server_error"}}
        body = _DEFAULT_ERROR_BODIES.get(status, generic)
    return _HttpError(status, body, headers, delay=delay)


def raw(
    frames: Iterable[tuple[str, Mapping[str, Any]] | bytes | str],
    *,
    status: int = 200,
    content_type: str = "text/event-stream",
    frame_delay: float = 0.0,
    delay: float = 0.0,
) -> Reply:
    """Escape hatch: a reply that sends these frames verbatim.

    The connection closes after the last frame, so leaving out ``response.completed``
    simulates a dropped stream.

    Args:
        frames: The body, in order: an ``(event_type, data)`` tuple becomes an SSE frame
            (:func:`sse_frame`); ``bytes`` or ``str`` are written as they are (malformed on
            purpose, if you like).
        status: The HTTP status. Default 200.
        content_type: The ``Content-Type`` header. Default ``"text/event-stream"``.
        frame_delay: Seconds between two frames. Default 0.
        delay: Seconds to wait before answering. Default 0.

    Returns:
        The reply, to :meth:`ScriptedModel.enqueue`.
    """
    return _Raw(frames, status=status, content_type=content_type, frame_delay=frame_delay, delay=delay)
