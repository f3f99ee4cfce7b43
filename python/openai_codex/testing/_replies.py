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
    """Token counts reported in `response.completed`; the runtime turns them into tokenUsage."""

    input_tokens: int = 10
    output_tokens: int = 5
    cached_tokens: int = 0
    reasoning_tokens: int = 0

    def to_json(self) -> dict[str, Any]:
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
    """An assistant message output item.

    `deltas` is a count (the text is cut into that many non-empty, nearly equal pieces) or the
    explicit pieces (their concatenation is the message). `phase` ("commentary"/"final_answer")
    is passed through as the Responses API does for models that label their messages.
    """
    if not isinstance(deltas, int):
        text_value = "".join(deltas)
    return _Message(_split(text_value, deltas), phase)


def function_call(
    name: str, arguments: Mapping[str, Any] | str | None = None, *, call_id: str | None = None
) -> _FunctionCall:
    """A `function_call` output item (a tool call); `arguments` dicts are JSON-encoded."""
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments)
    return _FunctionCall(name, arguments, call_id)


class Reply:
    """One scripted answer to one model call. Subclasses write the HTTP response.

    Every reply can be delayed (`delay` seconds before anything is sent) and gated: with a
    `gate` (threading.Event) it stops after `gate_after` deltas until `release()` is called,
    the model server closes, or the runtime drops the connection (e.g. on turn/interrupt).
    """

    def __init__(self, *, delay: float = 0.0, gate: threading.Event | None = None, gate_after: int = 0) -> None:
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
        """Open this reply's gate (no-op for ungated replies)."""
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
    """A streamed reply holding several output items, e.g. a commentary message then a tool call."""
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
    """An assistant message reply (the common case)."""
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
    """A message trickled out over about `deltas * delta_delay` seconds: time to steer/interrupt."""
    if deltas > len(text_value):
        text_value = (text_value + " ") * (deltas // max(len(text_value), 1) + 1)
    return text(text_value, deltas=deltas, delta_delay=delta_delay, delay=delay, usage=usage)


def hang(
    text_value: str = "released", *, deltas: int | Sequence[str] = 1, after_deltas: int = 0, usage: Usage | None = None
) -> Reply:
    """A message that stops after `after_deltas` deltas until `reply.release()` is called.

    The stream's headers and `response.created` are sent first, so the runtime is mid-call.
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
    """A reply that calls one tool; the runtime answers with `function_call_output` next call."""
    return response(function_call(name, arguments, call_id=call_id), usage=usage, delay=delay)


def exec_command(cmd: str, *, call_id: str | None = None, usage: Usage | None = None, **arguments: Any) -> Reply:
    """Call the runtime's shell tool (`exec_command`); extra keywords become tool arguments
    (e.g. `sandbox_permissions="require_escalated"`, `justification=...`, `workdir=...`).

    Pass `login=False` for exact output: the default `bash -lc` runs login scripts, and on this
    machine pyenv's prints "cannot rehash" under the read-only sandbox."""
    return tool_call("exec_command", {"cmd": cmd, **arguments}, call_id=call_id, usage=usage)


_DEFAULT_ERROR_BODIES = {
    400: {"error": {"message": "bad request from scripted model", "type": "invalid_request_error"}},
    429: {"error": {"message": "rate limited by scripted model", "type": "rate_limit_exceeded"}},
}


def http_error(
    status: int = 500, body: Any = None, *, headers: Mapping[str, str] | None = None, delay: float = 0.0
) -> Reply:
    """A non-200 reply. `body` is JSON-encoded unless it is str/bytes."""
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
    """Escape hatch: send these frames verbatim. A `(event_type, data)` tuple becomes an SSE
    frame; bytes/str are written as they are (malformed on purpose, if you like). The
    connection closes after the last frame, so omitting `response.completed` simulates a
    dropped stream."""
    return _Raw(frames, status=status, content_type=content_type, frame_delay=frame_delay, delay=delay)
