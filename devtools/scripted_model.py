"""A scripted Responses-API model server, so the real `codex app-server` can run turns offline.

The runtime is pointed at this server through a `config.toml` in its CODEX_HOME (see
`write_codex_home`). Every `POST /v1/responses` it makes pops the next scripted reply; when the
script runs out a default reply (an assistant message "ok") is served, so an unscripted model call
never hangs a test.

    with ScriptedModel() as model:
        model.enqueue(text("hello there", deltas=3), exec_command("echo hi"), text("done"))
        env = model.codex_env(tmp_path / "codex-home")      # {"CODEX_HOME": ...}
        ...drive the runtime...
        assert user_texts(model.requests[0])[-1] == "hi"

Standard library only: the SDK's tests, examples and benchmarks import it without extra installs.

Where CODEX_HOME lives (checked with codex 0.133.0): inside the system temp folder (pytest's
tmp_path) the runtime prints "Refusing to create helper binaries under temporary dir" on stderr
and skips `$CODEX_HOME/tmp/arg0/...`, the folder that puts an `apply_patch` executable on the
PATH of the model's shell commands. Plain turns, exec_command and apply_patch (which the runtime
intercepts and reports as a fileChange item) behave the same either way, so tmp_path is fine;
only a test that runs `apply_patch` as a program needs a home outside the temp folder.

Runtime behaviours worth knowing when scripting: after `turn/interrupt` the runtime keeps the
model connection open, so a `hang()` reply stays parked until released or until the model
closes; a `slow()` reply sees the hang-up at its next write (`reply.aborted`). Steering input
reaches the model in the *next* call, after the current reply completes. With retries off
(the default config), any HTTP error fails the turn at once.
"""

from __future__ import annotations

import itertools
import json
import os
import select
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = [
    "Reply",
    "ScriptedModel",
    "Usage",
    "codex_env",
    "exec_command",
    "function_call",
    "function_call_outputs",
    "hang",
    "http_error",
    "message",
    "parse_sse",
    "raw",
    "response",
    "slow",
    "sse_frame",
    "text",
    "tool_call",
    "user_texts",
    "write_codex_home",
]


# --------------------------------------------------------------------------------------------
# SSE framing


def sse_frame(event_type: str, data: Mapping[str, Any]) -> bytes:
    """One server-sent event as the runtime reads it: `event: T`, `data: JSON`, blank line."""
    body = dict(data)
    # The real API repeats the event type inside the payload; the runtime dispatches on it.
    body.setdefault("type", event_type)
    return f"event: {event_type}\ndata: {json.dumps(body, separators=(',', ':'))}\n\n".encode()


def parse_sse(raw_bytes: bytes | str) -> list[tuple[str, Any]]:
    """Parse an SSE body back into `(event_type, data)` pairs (data JSON-decoded when possible)."""
    text_body = raw_bytes.decode() if isinstance(raw_bytes, bytes) else raw_bytes
    events: list[tuple[str, Any]] = []
    for block in text_body.replace("\r\n", "\n").split("\n\n"):
        event_type, data_lines = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                event_type = line[len("event:") :].strip()
            elif line.startswith("data:"):
                data_lines.append(line[len("data:") :].lstrip())
        if not data_lines:
            continue
        data_text = "\n".join(data_lines)
        try:
            data: Any = json.loads(data_text)
        except ValueError:
            data = data_text
        events.append((event_type, data))
    return events


# --------------------------------------------------------------------------------------------
# Reply building blocks


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


# --------------------------------------------------------------------------------------------
# The server


class _ClientGone(Exception):
    """The runtime closed the connection (e.g. the turn was interrupted)."""


class _Writer:
    """What a Reply may do to its HTTP response; hides the handler and the stop signal."""

    def __init__(self, handler: _Handler, stop: threading.Event, ids: Callable[[str], str]) -> None:
        self._handler = handler
        self._stop = stop
        self.ids = ids

    def start(self, status: int, content_type: str, headers: Mapping[str, str] | None = None) -> None:
        handler = self._handler
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Cache-Control", "no-cache")
        # One reply per connection, ended by closing it: no Content-Length or chunking needed,
        # and a cut-off stream is visible to the runtime exactly as a real dropped stream is.
        handler.send_header("Connection", "close")
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.flush()

    def write(self, data: bytes) -> None:
        if self._stop.is_set():
            raise _ClientGone
        try:
            self._handler.wfile.write(data)
            self._handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise _ClientGone from exc

    def frame(self, event_type: str, data: Mapping[str, Any]) -> None:
        self.write(sse_frame(event_type, data))

    def sleep(self, seconds: float) -> None:
        self._wait(threading.Event(), seconds)

    def wait_gate(self, reply: Reply) -> None:
        if reply.gate is not None:
            self._wait(reply.gate, None)

    def _wait(self, event: threading.Event, timeout: float | None) -> None:
        # Poll so that a server close or the runtime hanging up (turn interrupted) ends the
        # wait promptly instead of parking this thread until someone releases the gate.
        deadline = None if timeout is None else time.monotonic() + timeout
        while not event.is_set():
            if self._stop.is_set() or self._peer_closed():
                raise _ClientGone
            remaining = 0.05 if deadline is None else min(0.05, deadline - time.monotonic())
            if remaining <= 0:
                return
            event.wait(remaining)

    def _peer_closed(self) -> bool:
        conn: socket.socket = self._handler.connection
        try:
            readable, _, _ = select.select([conn], [], [], 0)
            if not readable:
                return False
            return conn.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # The runtime's retries and probes would otherwise spam test output.

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body_bytes = self.rfile.read(length) if length else b""
        model = self.server.model
        if self.path.rstrip("/").endswith("/responses"):
            try:
                body = json.loads(body_bytes or b"{}")
            except ValueError:
                body = {"_undecodable": body_bytes.decode("utf-8", "replace")}
            reply = model._next_reply(body, dict(self.headers))
            self._play(reply)
        else:
            model._record_other("POST", self.path)
            self._not_found()

    def do_GET(self) -> None:
        self.server.model._record_other("GET", self.path)
        self._not_found()

    def _not_found(self) -> None:
        payload = json.dumps({"error": {"message": f"no route {self.path}"}}).encode()
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    def _play(self, reply: Reply) -> None:
        model = self.server.model
        out = _Writer(self, model._stop, model._new_id)
        reply.started.set()
        try:
            if reply.delay:
                out.sleep(reply.delay)
            reply._serve(out)
        except _ClientGone:
            reply.aborted = True
        finally:
            self.close_connection = True
            reply.finished.set()


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a reply parked on a gate must never keep the process alive
    allow_reuse_address = True

    def __init__(self, model: ScriptedModel) -> None:
        self.model = model
        super().__init__(("127.0.0.1", 0), _Handler)


ReplySource = Reply | Callable[[dict], Reply]


class ScriptedModel:
    """A Responses-API model on 127.0.0.1 that plays scripted replies in order.

    `replies` are consumed one per `POST .../responses`; an entry may also be a callable taking
    the request body and returning a Reply (for replies that depend on the request). When the
    queue is empty `default` is used (a fresh `text("ok")` each time unless given).
    """

    def __init__(self, replies: Iterable[ReplySource] = (), *, default: Callable[[dict], Reply] | None = None) -> None:
        self._lock = threading.Condition()
        self._queue: list[ReplySource] = list(replies)
        self._default = default or (lambda _body: text("ok"))
        self._requests: list[dict] = []
        self._headers: list[dict[str, str]] = []
        self._served: list[Reply] = []
        self._other: list[tuple[str, str]] = []
        self._stop = threading.Event()
        self._counter = itertools.count(1)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle --------------------------------------------------------------------------

    def start(self) -> ScriptedModel:
        if self._server is None:
            # A fresh stop signal per run: replies still parked from an earlier run keep theirs.
            self._stop = threading.Event()
            self._server = _Server(self)
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="scripted-model", daemon=True
            )
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving; parked (gated or sleeping) replies are cut off. Idempotent."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stop.set()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ScriptedModel:
        return self.start()

    def __exit__(self, *_exc: Any) -> None:
        self.close()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("ScriptedModel is not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """The provider `base_url` for config.toml (the runtime appends `/responses`)."""
        return f"http://127.0.0.1:{self.port}/v1"

    # scripting --------------------------------------------------------------------------

    def enqueue(self, *replies: ReplySource) -> None:
        """Append replies to the script (served in order, one per model call)."""
        with self._lock:
            self._queue.extend(replies)

    @property
    def pending(self) -> int:
        """How many scripted replies have not been served yet."""
        with self._lock:
            return len(self._queue)

    # observation ------------------------------------------------------------------------

    @property
    def requests(self) -> list[dict]:
        """Parsed JSON bodies of every model call so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def request_headers(self) -> list[dict[str, str]]:
        """HTTP headers of every model call, parallel to `requests`."""
        with self._lock:
            return list(self._headers)

    @property
    def served(self) -> list[Reply]:
        """The Reply objects played so far, parallel to `requests` (defaults included)."""
        with self._lock:
            return list(self._served)

    @property
    def other_requests(self) -> list[tuple[str, str]]:
        """(method, path) of requests that were not model calls (answered 404)."""
        with self._lock:
            return list(self._other)

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[dict]:
        """Block until at least `count` model calls arrived; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._requests) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"expected {count} model calls, got {len(self._requests)} in {timeout}s")
                self._lock.wait(remaining)
            return list(self._requests)

    # CODEX_HOME -------------------------------------------------------------------------

    def write_codex_home(self, directory: str | os.PathLike[str], **overrides: Any) -> Path:
        """`write_codex_home(directory, self.base_url, **overrides)`."""
        return write_codex_home(directory, self.base_url, **overrides)

    def codex_env(self, directory: str | os.PathLike[str], **overrides: Any) -> dict[str, str]:
        """Write a CODEX_HOME pointing at this model and return the env overrides for the child."""
        return codex_env(self.write_codex_home(directory, **overrides))

    # server side ------------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._counter)}"

    def _next_reply(self, body: dict, headers: dict[str, str]) -> Reply:
        with self._lock:
            source = self._queue.pop(0) if self._queue else self._default
            self._requests.append(body)
            self._headers.append(headers)
            self._lock.notify_all()
        reply = source if isinstance(source, Reply) else source(body)
        with self._lock:
            self._served.append(reply)
        return reply

    def _record_other(self, method: str, path: str) -> None:
        with self._lock:
            self._other.append((method, path))


# --------------------------------------------------------------------------------------------
# CODEX_HOME


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to config.toml")


def _toml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key)


def write_codex_home(
    directory: str | os.PathLike[str],
    base_url: str,
    *,
    provider: Mapping[str, Any] | None = None,
    extra_toml: str = "",
    **overrides: Any,
) -> Path:
    """Create `directory` with a config.toml that sends every model call to `base_url`.

    Top-level keys default to model "mock-model", approval_policy "never", sandbox_mode
    "read-only"; keyword overrides replace or add top-level keys (None removes one; dicts become
    inline tables). `provider` adds/replaces keys of `[model_providers.mock]` (e.g.
    `requires_openai_auth=True`). `extra_toml` is appended verbatim (tables go there).
    Retries are off so that an error reply surfaces at once instead of after backoff.
    """
    home = Path(directory)
    home.mkdir(parents=True, exist_ok=True)
    top: dict[str, Any] = {
        "model": "mock-model",
        "model_provider": "mock",
        "approval_policy": "never",
        "sandbox_mode": "read-only",
    }
    top.update(overrides)
    mock: dict[str, Any] = {
        "name": "mock",
        "base_url": base_url,
        "wire_api": "responses",
        "request_max_retries": 0,
        "stream_max_retries": 0,
        "supports_websockets": False,
    }
    mock.update(provider or {})
    lines = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in top.items() if v is not None]
    lines.append("")
    lines.append("[model_providers.mock]")
    lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in mock.items() if v is not None]
    if extra_toml:
        lines += ["", extra_toml.strip()]
    (home / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return home


def codex_env(codex_home: str | os.PathLike[str]) -> dict[str, str]:
    """Env overrides for the runtime child (merge into os.environ, as CodexConfig.env is)."""
    return {"CODEX_HOME": str(Path(codex_home).resolve())}


# --------------------------------------------------------------------------------------------
# Reading request bodies


def user_texts(body: Mapping[str, Any]) -> list[str]:
    """The text parts of the user messages in a request's `input`, in order."""
    found = []
    for item in body.get("input") or []:
        if item.get("type", "message") == "message" and item.get("role") == "user":
            for part in item.get("content") or []:
                if part.get("type") == "input_text":
                    found.append(part.get("text", ""))
    return found


def function_call_outputs(body: Mapping[str, Any]) -> list[dict]:
    """The `function_call_output` items in a request's `input` (tool results sent back)."""
    return [item for item in body.get("input") or [] if item.get("type") == "function_call_output"]
