#!/usr/bin/env python3
"""A fake `codex app-server` (stdio JSON-RPC, one JSON object per line, no "jsonrpc" key).

It answers the handshake and thread/turn requests with payloads shaped like the 0.133.0
runtime's, and streams a whole turn on `turn/start` as fast as a pipe takes it, so an SDK's
own cost dominates a benchmark. Fault modes make the failure paths of an SDK testable:
crashes, garbage, huge lines, JSON-RPC errors, server->client requests, hangs, and the turn
that completes before its `turn/start` response (the race the reference SDK loses).

Launch it through `CodexConfig(launch_args_override=(sys.executable, "devtools/fake_app_server.py",
"--deltas", "1000"))`, or as `codex_bin` (it is executable and ignores the `--config k=v`,
`app-server` and `--listen` arguments an SDK adds). Extra flags may also come from the
FAKE_APP_SERVER_ARGS environment variable (shell-split, applied after the command line).
Run with --help for the flags. Standard library only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import select
import shlex
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

RUNTIME_VERSION = "0.133.0"
USER_AGENT_PLATFORM = "(Debian 12.0.0; x86_64) xterm"
_UNKNOWN_METHOD_LIST = (
    "initialize",
    "thread/start",
    "thread/resume",
    "turn/start",
    "turn/steer",
    "turn/interrupt",
    "account/read",
    "model/list",
)


# Compact, like serde_json; non-ASCII kept as UTF-8 as the runtime writes it. One encoder for
# the process: json.dumps with options builds a new one per call.
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _dumps(obj: Any) -> bytes:
    return _ENCODE(obj).encode()


def _hole(name: str) -> str:
    """A placeholder for a value that changes from one use of a `_Template` to the next."""
    return f"\x00{name}\x00"


class _Template:
    """Messages encoded once, with holes where the values that change go.

    Encoding a small dict takes this interpreter several microseconds and a turn sends a
    dozen of them, which would blur the client's own latency. A template is one or more
    sample messages (one line each) whose changing leaves are `_hole(name)`; a name may come
    back in several places. `render` puts each hole's encoded value into the encoded lines.
    The bytes are the same as `_dumps` of each filled-in message, a newline after each.
    """

    _HOLE = re.compile(rb'"\\u0000(\w+)\\u0000"')

    def __init__(self, *messages: dict) -> None:
        pieces = self._HOLE.split(b"".join(_dumps(message) + b"\n" for message in messages))
        self.names = tuple(name.decode() for name in pieces[1::2])
        # One `%` format for all the lines: joining literal pieces and values in a Python loop
        # costs more than the rest of a small turn's work in the fake.
        self.format = b"%b".join(literal.replace(b"%", b"%%") for literal in pieces[0::2])

    def render(self, **values: Any) -> bytes:
        """The messages' lines; a `bytes` value is JSON already, anything else is encoded."""
        encoded = {name: _encode_value(value) for name, value in values.items()}
        return self.format % tuple([encoded[name] for name in self.names])


def _encode_value(value: Any) -> bytes:
    """A `_Template` hole's JSON: bytes as they are, the common scalars without the encoder."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return _ENCODE_STR(value).encode()
    if value is None:
        return b"null"
    if type(value) is int:
        return b"%d" % value
    return _dumps(value)


_ENCODE_STR = json.encoder.encode_basestring  # type: ignore[attr-defined]
_TEMPLATES: dict[str, _Template] = {}


def _template(key: str, build: Callable[[], dict]) -> _Template:
    """The template `key`, made from `build()` the first time it is asked for."""
    template = _TEMPLATES.get(key)
    if template is None:
        template = _TEMPLATES[key] = _Template(build())
    return template


# The messages of a turn, as the runtime writes them. Each builder takes the values, or holes
# for them: the per-message templates and the whole plain turn's are made from the same ones.


def _new_turn(
    turn_id: Any, status: Any = "inProgress", started: Any = None, completed: Any = None, duration: Any = None
) -> dict:
    """A turn as turn/start reports it (and, with the times filled in, turn/completed)."""
    return {
        "id": turn_id,
        "items": [],
        "itemsView": "notLoaded",
        "status": status,
        "error": None,
        "startedAt": started,
        "completedAt": completed,
        "durationMs": duration,
    }


def _status_message(thread: Any, status: dict) -> dict:
    return {"method": "thread/status/changed", "params": {"threadId": thread, "status": status}}


def _turn_message(method: str, thread: Any, turn: Any) -> dict:
    """turn/started or turn/completed."""
    return {"method": method, "params": {"threadId": thread, "turn": turn}}


def _user_item_message(method: str, at_key: str, thread: Any, turn: Any, item: Any, content: Any, at: Any) -> dict:
    """item/started or item/completed of the turn's userMessage."""
    return {
        "method": method,
        "params": {
            "item": {"type": "userMessage", "id": item, "content": content},
            "threadId": thread,
            "turnId": turn,
            at_key: at,
        },
    }


def _agent_item_message(method: str, at_key: str, thread: Any, turn: Any, item: Any, text: Any, at: Any) -> dict:
    """item/started or item/completed of an agentMessage."""
    return {
        "method": method,
        "params": {
            "item": {"type": "agentMessage", "id": item, "text": text, "phase": None, "memoryCitation": None},
            "threadId": thread,
            "turnId": turn,
            at_key: at,
        },
    }


def _delta_message(thread: Any, turn: Any, item: Any, delta: Any) -> dict:
    """item/agentMessage/delta; the delta is its last member (`agent_message` relies on it)."""
    return {
        "method": "item/agentMessage/delta",
        "params": {"threadId": thread, "turnId": turn, "itemId": item, "delta": delta},
    }


def _usage_message(thread: Any, turn: Any, deltas: int) -> dict:
    usage = {
        "totalTokens": 100 + deltas,
        "inputTokens": 100,
        "cachedInputTokens": 0,
        "outputTokens": deltas,
        "reasoningOutputTokens": 0,
    }
    return {
        "method": "thread/tokenUsage/updated",
        "params": {
            "threadId": thread,
            "turnId": turn,
            "tokenUsage": {"total": usage, "last": usage, "modelContextWindow": 258400},
        },
    }


def _rate_limits_message() -> dict:
    limits = {
        "limitId": "codex",
        "limitName": None,
        "primary": None,
        "secondary": None,
        "credits": None,
        "planType": None,
        "rateLimitReachedType": None,
    }
    return {"method": "account/rateLimits/updated", "params": {"rateLimits": limits}}


def _user_content(inputs: list) -> bytes:
    """A userMessage item's content: the turn's input, text items with their (empty) elements."""
    return _dumps([dict(item, text_elements=[]) if item.get("type") == "text" else item for item in inputs])


_ACTIVE = {"type": "active", "activeFlags": []}
_IDLE = {"type": "idle"}


def _turn_template() -> _Template:
    return _template(
        "turn",
        lambda: _new_turn(_hole("id"), _hole("status"), _hole("startedAt"), _hole("completedAt"), _hole("durationMs")),
    )


def _agent_item_template(method: str, at: str) -> _Template:
    """item/started or item/completed of an agentMessage."""
    return _template(
        method + "/agentMessage",
        lambda: _agent_item_message(
            method, at, _hole("thread"), _hole("turn"), _hole("item"), _hole("text"), _hole("at")
        ),
    )


def _plain_turn_template(deltas: int, delta: str, usage_deltas: int) -> _Template:
    """A whole plain turn after its turn/start response, what `stream_turn` writes for it, as
    one template: the fake's per-message work would be most of a small turn's time."""
    hole = _hole
    thread, turn = hole("thread"), hole("turn")

    def build() -> list[dict]:
        return [
            _status_message(thread, _ACTIVE),
            _turn_message("turn/started", thread, _new_turn(turn, started=hole("started_s"))),
            _user_item_message(
                "item/started", "startedAtMs", thread, turn, hole("user"), hole("content"), hole("user_started")
            ),
            _user_item_message(
                "item/completed", "completedAtMs", thread, turn, hole("user"), hole("content"), hole("user_completed")
            ),
            _agent_item_message("item/started", "startedAtMs", thread, turn, hole("item"), "", hole("item_started")),
            *[_delta_message(thread, turn, hole("item"), delta)] * deltas,
            _agent_item_message(
                "item/completed", "completedAtMs", thread, turn, hole("item"), hole("text"), hole("item_completed")
            ),
            _usage_message(thread, turn, usage_deltas),
            _rate_limits_message(),
            _status_message(thread, _IDLE),
            _turn_message(
                "turn/completed",
                thread,
                _new_turn(turn, "completed", hole("begun_s"), hole("completed_s"), hole("duration_ms")),
            ),
        ]

    key = f"plain turn {deltas} {delta!r} {usage_deltas}"
    template = _TEMPLATES.get(key)
    if template is None:
        template = _TEMPLATES[key] = _Template(*build())
    return template


def _turn_json(turn: dict, **changes: Any) -> bytes:
    """`_dumps(dict(turn, **changes))` for a turn as on_turn_start makes it, minus the newline."""
    fields = dict(turn, **changes)
    plain = not fields["items"] and fields["error"] is None and fields["itemsView"] == "notLoaded"
    if fields.keys() != _TURN_KEYS or not plain:
        return _dumps(fields)
    template = _turn_template()
    return template.render(**{name: fields[name] for name in template.names})[:-1]


_TURN_KEYS = {"id", "items", "itemsView", "status", "error", "startedAt", "completedAt", "durationMs"}


# UUID-shaped ids: a random uuid4 prefix for the process, then a counter. uuid.uuid4() costs a
# system call and an object, a tenth of the fake's work in a small turn.
_ID_PREFIX = str(uuid.uuid4())[:24]
_ID_COUNTER = itertools.count(1)


def _new_id() -> str:
    """A new id in the form of a uuid4, unique within the process and, by its prefix, across them."""
    return f"{_ID_PREFIX}{next(_ID_COUNTER):012x}"


def _now_s() -> int:
    return int(time.time())


def _now_ms() -> int:
    return int(time.time() * 1000)


class ErrorRule:
    """`--error-on METHOD[*TIMES]:CODE:MESSAGE[:DATA_JSON]`."""

    def __init__(self, spec: str) -> None:
        parts = spec.split(":", 3)
        if len(parts) < 3:
            raise argparse.ArgumentTypeError(f"expected METHOD:CODE:MESSAGE[:DATA_JSON], got {spec!r}")
        method, _, times = parts[0].partition("*")
        self.method = method
        self.remaining: int | None = int(times) if times else None
        self.code = int(parts[1])
        self.message = parts[2]
        self.has_data = len(parts) == 4
        self.data = json.loads(parts[3]) if self.has_data else None

    def take(self) -> dict | None:
        if self.remaining is not None:
            if self.remaining <= 0:
                return None
            self.remaining -= 1
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.has_data:
            error["data"] = self.data
        return error


def _method_and_json(spec: str) -> tuple[str, Any]:
    method, sep, payload = spec.partition(":")
    return method, (json.loads(payload) if sep else None)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="fake_app_server.py",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # What an SDK passes when this script stands in for the codex binary; accepted and ignored.
    parser.add_argument("subcommand", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("-c", "--config", action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--listen", default="stdio://", help=argparse.SUPPRESS)

    turn = parser.add_argument_group("turn shape")
    turn.add_argument(
        "--deltas", type=int, default=10, help="item/agentMessage/delta notifications per turn (default 10)"
    )
    turn.add_argument(
        "--delta-text",
        default="tok ",
        help="text of each delta; '{i}' is replaced by the delta's index (slower: each line is encoded separately)",
    )
    turn.add_argument(
        "--delta-delay",
        type=float,
        default=0.0,
        help="seconds between deltas; while a turn trickles, turn/steer and "
        "turn/interrupt act on it as the runtime does",
    )
    turn.add_argument(
        "--first-turn-deltas",
        type=int,
        metavar="N",
        help="the process's first turn streams N deltas instead of --deltas (a warm-up turn before a measured one)",
    )
    turn.add_argument(
        "--turn-delay",
        type=float,
        default=0.0,
        help="seconds between the turn/start response and the turn's first notification, "
        "like a model's time to first token (default 0: the turn follows at once)",
    )
    turn.add_argument("--runtime-version", default=RUNTIME_VERSION, help="version reported in the initialize userAgent")

    faults = parser.add_argument_group("fault injection")
    faults.add_argument(
        "--crash-after-deltas",
        type=int,
        metavar="K",
        help="write a line to stderr and exit(1) after K deltas of a turn",
    )
    faults.add_argument(
        "--garbage-line", action="store_true", help="emit a non-JSON line on stdout right after turn/started"
    )
    faults.add_argument(
        "--huge-line-bytes",
        type=int,
        metavar="B",
        help="make the first delta's line exactly B bytes (plus newline); its delta is that many 'x' less the envelope",
    )
    faults.add_argument(
        "--error-on",
        action="append",
        default=[],
        type=ErrorRule,
        metavar="METHOD[*N]:CODE:MESSAGE[:DATA_JSON]",
        help="answer METHOD with this JSON-RPC error (only the first N times with *N); repeatable",
    )
    faults.add_argument(
        "--stderr-flood",
        type=int,
        metavar="BYTES",
        help="write this many bytes of log lines to stderr at the start of each turn",
    )
    faults.add_argument(
        "--close-stdout-mid-turn",
        action="store_true",
        help="close stdout after turn/started and stay alive (a runtime whose output is gone)",
    )
    faults.add_argument(
        "--late-item-completed",
        type=float,
        metavar="SECONDS",
        help="send the agent message's item/completed this long after turn/completed (as the runtime does under load)",
    )
    faults.add_argument(
        "--complete-before-response",
        action="store_true",
        help="stream the whole turn, turn/completed included, before the turn/start response",
    )
    faults.add_argument(
        "--server-request",
        action="append",
        default=[],
        metavar="METHOD[:PARAMS_JSON]",
        help="send this server->client request mid-turn (before the agent "
        "message) and wait for the answer; repeatable, in order",
    )
    calls = parser.add_argument_group("dynamic tool calls (benchmarks)")
    calls.add_argument(
        "--tool-calls",
        type=int,
        default=0,
        metavar="N",
        help="send N item/tool/call requests mid-turn, one at a time, each after the previous answer",
    )
    calls.add_argument("--tool-name", default="lookup", help="the tool those calls name (default lookup)")
    calls.add_argument(
        "--tool-arguments", default='{"query": "hi"}', metavar="JSON", help='their arguments (default {"query": "hi"})'
    )
    calls.add_argument(
        "--tool-call-times",
        metavar="PATH",
        help="write a JSON list of each call's round trip in nanoseconds (request written -> answer read) to PATH",
    )
    faults.add_argument(
        "--hang-on", action="append", default=[], metavar="METHOD", help="never answer METHOD; repeatable"
    )
    faults.add_argument(
        "--respond",
        action="append",
        default=[],
        metavar="METHOD:RESULT_JSON",
        help="answer METHOD with this result (also for methods the fake does not know); repeatable",
    )
    faults.add_argument(
        "--raw-line",
        action="append",
        default=[],
        metavar="LINE",
        help="write LINE verbatim after the agent message ({thread} and {turn} "
        "become the turn's ids), e.g. a notification with its keys in an "
        "unusual order; repeatable, in order",
    )
    faults.add_argument(
        "--record",
        metavar="PATH",
        help="append every line received on stdin to PATH (to assert what an SDK sent, e.g. approval answers)",
    )
    extra = shlex.split(os.environ.get("FAKE_APP_SERVER_ARGS", ""))
    return parser.parse_intermixed_args(argv + extra)


# A plain turn of up to this many deltas is written from one template (`_plain_turn`).
_PLAIN_TURN_MAX_DELTAS = 64


def _turns_are_plain(args: argparse.Namespace) -> bool:
    """Whether no option changes what a turn sends or when, beyond its number of deltas."""
    return not (
        args.delta_delay > 0
        or args.crash_after_deltas is not None
        or args.garbage_line
        or args.huge_line_bytes
        or args.stderr_flood
        or args.close_stdout_mid_turn
        or args.late_item_completed is not None
        or args.server_request
        or args.tool_calls
        or args.raw_line
        or "{i}" in args.delta_text
    )


class FakeAppServer:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        # Plain turns take the whole-turn template; tests turn it off to compare the two paths.
        self.plain_turns = _turns_are_plain(args)
        # Buffered whatever the environment says (PYTHONUNBUFFERED=1 or -u would make every line
        # its own write, and so its own wake-up of the client): the fake flushes where the
        # runtime's output would reach the client, at each response and at the end of a turn.
        self.out = open(sys.stdout.fileno(), "wb", buffering=1 << 16, closefd=False)
        self.stdin_fd = sys.stdin.fileno()
        self.stdin_buffer = bytearray()
        self.stdin_eof = False
        self.threads: dict[str, dict] = {}
        self.responses: dict[Any, dict] = {}
        self.deferred: list[dict] = []
        self.active_turn: dict | None = None
        self.late_items: list[dict] = []
        self.next_server_request_id = 0
        self.item_counter = 0
        self.turns_streamed = 0
        self.hang_on = set(args.hang_on)
        self.respond = dict(_method_and_json(spec) for spec in args.respond)
        self.handlers: dict[str, Callable[[Any, dict], None]] = {
            "initialize": self.on_initialize,
            "thread/start": self.on_thread_start,
            "thread/resume": self.on_thread_resume,
            "turn/start": self.on_turn_start,
            "turn/steer": self.on_turn_steer,
            "turn/interrupt": self.on_turn_interrupt,
            "account/read": lambda rid, _p: self.reply(rid, {"account": None, "requiresOpenaiAuth": True}),
            "model/list": lambda rid, _p: self.reply(rid, {"data": [], "nextCursor": None}),
        }
        self.record = open(args.record, "ab") if args.record else None

    # I/O --------------------------------------------------------------------------------

    def _next_line(self, deadline: float | None) -> bytes | None:
        """The next line from stdin, None at EOF; TimeoutError once `deadline` passes.

        Read on the serving thread itself, with select() for the deadline: a reader thread
        handing lines over through a queue costs two thread wake-ups per message, which is
        most of a small turn's time here.
        """
        while True:
            end = self.stdin_buffer.find(b"\n")
            if end >= 0:
                line = bytes(self.stdin_buffer[: end + 1])
                del self.stdin_buffer[: end + 1]
                return line
            if self.stdin_eof:
                if not self.stdin_buffer:
                    return None
                line = bytes(self.stdin_buffer)
                self.stdin_buffer.clear()
                return line
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([self.stdin_fd], [], [], remaining)[0]:
                    raise TimeoutError
            chunk = os.read(self.stdin_fd, 1 << 16)
            if chunk:
                self.stdin_buffer += chunk
            else:
                self.stdin_eof = True

    def send(self, obj: dict) -> None:
        self.out.write(_dumps(obj) + b"\n")

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def send_status(self, thread_id: str, status: dict) -> None:
        """thread/status/changed, from a template per status."""
        template = _template(
            "thread/status/changed " + _dumps(status).decode(), lambda: _status_message(_hole("thread"), status)
        )
        self.out.write(template.render(thread=thread_id))

    def reply(self, request_id: Any, result: Any) -> None:
        self.send({"id": request_id, "result": result})
        self.out.flush()

    def reply_turn(self, request_id: Any, turn: dict) -> None:
        """`reply(request_id, {"turn": turn})`, from a template."""
        template = _template("reply/turn", lambda: {"id": _hole("id"), "result": {"turn": _hole("turn")}})
        self.out.write(template.render(id=request_id, turn=_turn_json(turn)))
        self.out.flush()

    def reply_error(self, request_id: Any, code: int, message: str) -> None:
        self.send({"id": request_id, "error": {"code": code, "message": message}})
        self.out.flush()

    def next_message(self, timeout: float | None = None) -> dict:
        """The next client message; exits the process on stdin EOF, TimeoutError after `timeout`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            line = self._next_line(deadline)
            if line is None:
                self.out.flush()  # EOF: the runtime exits when its stdin closes; so do we
                sys.exit(0)
            if self.record is not None:
                self.record.write(line if line.endswith(b"\n") else line + b"\n")
                self.record.flush()
            if not line.strip():
                continue
            try:
                return json.loads(line)
            except ValueError:
                return {"_unparsable": line.decode("utf-8", "replace")}

    # dispatch ---------------------------------------------------------------------------

    def serve(self) -> None:
        while True:
            msg = self.deferred.pop(0) if self.deferred else self.next_message()
            self.dispatch(msg)

    def dispatch(self, msg: dict) -> None:
        if "_unparsable" in msg:
            self.reply_error(None, -32700, "Parse error")
            return
        method = msg.get("method")
        if method is None:
            self.responses[msg.get("id")] = msg  # an answer to one of our server requests
            return
        if "id" not in msg:
            return  # client notification (`initialized`): nothing to do
        request_id, params = msg["id"], msg.get("params") or {}
        if method in self.hang_on:
            return
        for rule in self.args.error_on:
            if rule.method == method:
                error = rule.take()
                if error is not None:
                    self.send({"id": request_id, "error": error})
                    self.out.flush()
                    return
        if method in self.respond:
            self.reply(request_id, self.respond[method])
            return
        handler = self.handlers.get(method)
        if handler is None:
            expected = ", ".join(f"`{name}`" for name in _UNKNOWN_METHOD_LIST)
            message = f"Invalid request: unknown variant `{method}`, expected one of {expected}"
            self.reply_error(request_id, -32600, message)
            return
        handler(request_id, params)

    # handshake and threads --------------------------------------------------------------

    def on_initialize(self, request_id: Any, params: dict) -> None:
        client = params.get("clientInfo") or {}
        name = client.get("name") or "codex_client"
        version = client.get("version") or "0.0.0"
        runtime = self.args.runtime_version
        self.reply(
            request_id,
            {
                "userAgent": f"{name}/{runtime} {USER_AGENT_PLATFORM} ({name}; {version})",
                "codexHome": os.environ.get("CODEX_HOME") or os.path.expanduser("~/.codex"),
                "platformFamily": "unix",
                "platformOs": "linux",
            },
        )

    def _thread(self, thread_id: str, params: dict) -> dict:
        cwd = params.get("cwd") or os.getcwd()
        now = _now_s()
        return {
            "id": thread_id,
            "sessionId": thread_id,
            "forkedFromId": None,
            "preview": "",
            "ephemeral": bool(params.get("ephemeral", False)),
            "modelProvider": "mock",
            "createdAt": now,
            "updatedAt": now,
            "status": {"type": "idle"},
            "path": None,
            "cwd": cwd,
            "cliVersion": self.args.runtime_version,
            "source": "vscode",
            "threadSource": None,
            "agentNickname": None,
            "agentRole": None,
            "gitInfo": None,
            "name": None,
            "turns": [],
        }

    def _thread_response(self, thread: dict, params: dict) -> dict:
        return {
            "thread": thread,
            "model": params.get("model") or "mock-model",
            "modelProvider": "mock",
            "serviceTier": None,
            "cwd": thread["cwd"],
            "runtimeWorkspaceRoots": [thread["cwd"]],
            "instructionSources": [],
            "approvalPolicy": params.get("approvalPolicy") or "never",
            "approvalsReviewer": "user",
            "sandbox": {"type": "readOnly", "networkAccess": False},
            "activePermissionProfile": None,
            "reasoningEffort": None,
        }

    def on_thread_start(self, request_id: Any, params: dict) -> None:
        thread = self._thread(_new_id(), params)
        self.threads[thread["id"]] = thread
        self.reply(request_id, self._thread_response(thread, params))
        self.notify("thread/started", {"thread": thread})
        self.out.flush()

    def on_thread_resume(self, request_id: Any, params: dict) -> None:
        thread_id = params.get("threadId") or _new_id()
        thread = self.threads.setdefault(thread_id, self._thread(thread_id, params))
        self.reply(request_id, self._thread_response(thread, params))

    # turns ------------------------------------------------------------------------------

    def on_turn_start(self, request_id: Any, params: dict) -> None:
        thread_id = params.get("threadId")
        if thread_id not in self.threads:
            self.reply_error(request_id, -32600, f"thread not found: {thread_id}")
            return
        if self.active_turn is not None:
            # Only reachable while a turn waits on a server request or trickles deltas: run
            # the new turn after this one, as the runtime queues work per connection.
            self.deferred.append({"id": request_id, "method": "turn/start", "params": params})
            return
        turn = _new_turn(_new_id())
        if self.args.complete_before_response:
            self.stream_turn(thread_id, turn, params)
            self.reply_turn(request_id, turn)
        else:
            self.reply_turn(request_id, turn)
            if self.args.turn_delay > 0:
                # Marked active while it waits, so a turn/start arriving meanwhile is queued.
                self.active_turn = {"id": turn["id"], "interrupted": False, "steers": []}
                self._idle(self.args.turn_delay)
                self.active_turn = None
            self.stream_turn(thread_id, turn, params)

    def on_turn_steer(self, request_id: Any, params: dict) -> None:
        active = self.active_turn
        if active is None or params.get("expectedTurnId") not in (None, active["id"]):
            self.reply_error(request_id, -32600, "no active turn to steer")
            return
        active["steers"].append(params.get("input") or [])
        self.reply(request_id, {"turnId": active["id"]})

    def on_turn_interrupt(self, request_id: Any, params: dict) -> None:
        active = self.active_turn
        if active is None or params.get("turnId") != active["id"]:
            self.reply_error(request_id, -32600, "no active turn to interrupt")
            return
        active["interrupted"] = True
        self.reply(request_id, {})

    def _item_id(self, prefix: str) -> str:
        self.item_counter += 1
        return f"{prefix}_{self.item_counter}"

    def _user_message(self, thread_id: str, turn_id: str, inputs: list) -> None:
        values = {"thread": thread_id, "turn": turn_id, "id": _new_id(), "content": _user_content(inputs)}
        for method, at in (("item/started", "startedAtMs"), ("item/completed", "completedAtMs")):
            template = _template(
                method + "/userMessage",
                lambda method=method, at=at: _user_item_message(
                    method, at, _hole("thread"), _hole("turn"), _hole("id"), _hole("content"), _hole("at")
                ),
            )
            self.out.write(template.render(at=_now_ms(), **values))

    def stream_turn(self, thread_id: str, turn: dict, params: dict) -> None:
        """Emit one whole turn, from thread/status/changed(active) to turn/completed."""
        args = self.args
        first_deltas = args.first_turn_deltas if self.turns_streamed == 0 else None
        deltas = args.deltas if first_deltas is None else first_deltas
        if self.plain_turns and deltas <= _PLAIN_TURN_MAX_DELTAS:
            self._plain_turn(thread_id, turn, params, deltas)
            return
        turn_id = turn["id"]
        started = time.time()
        self.active_turn = {"id": turn_id, "interrupted": False, "steers": []}
        self.send_status(thread_id, _ACTIVE)
        template = _template("turn/started", lambda: _turn_message("turn/started", _hole("thread"), _hole("turn")))
        self.out.write(template.render(thread=thread_id, turn=_turn_json(turn, startedAt=_now_s())))
        if args.garbage_line:
            self.out.write(b"this is not JSON {\n")
        if args.stderr_flood:
            line = b"fake app-server: " + b"log " * 20 + b"\n"
            for _ in range(args.stderr_flood // len(line) + 1):
                sys.stderr.buffer.write(line)
            sys.stderr.buffer.flush()
        if args.close_stdout_mid_turn:
            self.out.flush()
            os.close(sys.stdout.fileno())
            time.sleep(3600)
        self._user_message(thread_id, turn_id, params.get("input") or [])
        for spec in args.server_request:
            self.server_request(thread_id, turn_id, spec)
        if args.tool_calls:
            self.tool_calls(thread_id, turn_id)

        self.turns_streamed += 1
        text = self.agent_message(thread_id, turn_id, deltas=first_deltas)
        total_text = len(text)
        for raw in args.raw_line:
            self.out.write(raw.replace("{thread}", thread_id).replace("{turn}", turn_id).encode() + b"\n")
        while self.active_turn["steers"] and not self.active_turn["interrupted"]:
            inputs = self.active_turn["steers"].pop(0)
            self._user_message(thread_id, turn_id, inputs)
            total_text += len(self.agent_message(thread_id, turn_id, deltas=1))

        interrupted = self.active_turn["interrupted"]
        if not interrupted:
            template = _template(
                f"thread/tokenUsage/updated {args.deltas}",
                lambda: _usage_message(_hole("thread"), _hole("turn"), args.deltas),
            )
            self.out.write(template.render(thread=thread_id, turn=turn_id))
        self.out.write(_template("account/rateLimits/updated", _rate_limits_message).render())
        self.send_status(thread_id, _IDLE)
        turn.update(
            status="interrupted" if interrupted else "completed",
            startedAt=int(started),
            completedAt=_now_s(),
            durationMs=int((time.time() - started) * 1000),
        )
        template = _template("turn/completed", lambda: _turn_message("turn/completed", _hole("thread"), _hole("turn")))
        self.out.write(template.render(thread=thread_id, turn=_turn_json(turn)))
        self.active_turn = None
        self.out.flush()
        if self.late_items:
            time.sleep(args.late_item_completed or 0.0)
            for done in self.late_items:
                self.notify("item/completed", done)
            self.late_items.clear()
            self.out.flush()
        # The response that follows (for --complete-before-response) reports the turn as
        # the runtime did when it accepted it.
        turn.update(status="inProgress", startedAt=None, completedAt=None, durationMs=None)

    def _plain_turn(self, thread_id: str, turn: dict, params: dict, deltas: int) -> None:
        """`stream_turn` of a plain turn (`_turns_are_plain`): the same bytes, from one template,
        with the clock read as often and in the same order."""
        args = self.args
        started = time.time()
        self.turns_streamed += 1
        template = _plain_turn_template(deltas, args.delta_text, args.deltas)
        values = {"thread": thread_id, "turn": turn["id"], "started_s": _now_s()}
        values.update(user=_new_id(), content=_user_content(params.get("input") or []))
        values.update(user_started=_now_ms(), user_completed=_now_ms(), item=self._item_id("msg"))
        values.update(item_started=_now_ms(), text=args.delta_text * deltas, item_completed=_now_ms())
        values.update(begun_s=int(started), completed_s=_now_s(), duration_ms=int((time.time() - started) * 1000))
        self.out.write(template.render(**values))
        self.out.flush()

    def agent_message(self, thread_id: str, turn_id: str, deltas: int | None = None) -> str:
        """Stream one agentMessage item; returns its text ("" pieces after an interrupt)."""
        args = self.args
        count = args.deltas if deltas is None else deltas
        item_id = self._item_id("msg")
        item = {"type": "agentMessage", "id": item_id, "text": "", "phase": None, "memoryCitation": None}
        ids = {"thread": thread_id, "turn": turn_id, "item": item_id}
        self.out.write(_agent_item_template("item/started", "startedAtMs").render(text="", at=_now_ms(), **ids))
        envelope = _template(
            "item/agentMessage/delta", lambda: _delta_message(_hole("thread"), _hole("turn"), _hole("item"), "")
        )
        prefix = envelope.render(**ids)[: -len(b'""}}\n')]  # everything up to the delta's JSON string
        pieces: list[str] = []

        def line(delta: str) -> bytes:
            return prefix + _dumps(delta) + b"}}\n"

        first = 0
        if args.huge_line_bytes and count:
            pad = args.huge_line_bytes - len(line("")) + 1  # +1: the newline is not counted
            if pad < 0:
                sys.exit(f"--huge-line-bytes must be at least {len(line('')) - 1}")
            pieces.append("x" * pad)
            self.out.write(line(pieces[0]))
            first = 1

        crash_at = args.crash_after_deltas
        templated = "{i}" in args.delta_text
        if args.delta_delay > 0:
            for index in range(first, count):
                if self.active_turn["interrupted"] or self._crash_if_due(crash_at, index):
                    break
                delta = args.delta_text.replace("{i}", str(index))
                pieces.append(delta)
                self.out.write(line(delta))
                self.out.flush()
                self._idle(args.delta_delay)
        else:
            # The fast path: every line is pre-encoded, and identical lines are written in
            # large slabs, so the fake costs a few milliseconds per 100k deltas.
            end = count if crash_at is None else min(count, max(crash_at, first))
            if templated:
                batch: list[bytes] = []
                for index in range(first, end):
                    delta = args.delta_text.replace("{i}", str(index))
                    pieces.append(delta)
                    batch.append(line(delta))
                    if len(batch) >= 4096:
                        self.out.write(b"".join(batch))
                        batch.clear()
                self.out.write(b"".join(batch))
            else:
                encoded = line(args.delta_text)
                remaining = end - first
                slab = encoded * min(remaining, 8192)
                while remaining > 0:
                    take = min(remaining, 8192)
                    self.out.write(slab if take == 8192 else encoded * take)
                    remaining -= take
                pieces.append(args.delta_text * (end - first))
            self._crash_if_due(crash_at, end)

        text = "".join(pieces)
        if not self.active_turn["interrupted"]:
            completed_at = _now_ms()
            if args.late_item_completed is not None:
                item_ids = {"threadId": thread_id, "turnId": turn_id}
                self.late_items.append({"item": dict(item, text=text), **item_ids, "completedAtMs": completed_at})
            else:
                template = _agent_item_template("item/completed", "completedAtMs")
                self.out.write(template.render(text=text, at=completed_at, **ids))
        return text

    def _crash_if_due(self, crash_at: int | None, sent: int) -> bool:
        if crash_at is not None and sent >= crash_at:
            self.out.flush()
            sys.stderr.write(f"fake app-server: simulated crash after {sent} deltas\n")
            sys.stderr.flush()
            os._exit(1)  # abrupt: no cleanup, like a runtime that died
        return False

    def _idle(self, seconds: float) -> None:
        """Sleep while still serving steer/interrupt (and other) requests."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                msg = self.next_message(timeout=remaining)
            except TimeoutError:
                return
            self.dispatch(msg)

    # server -> client requests ----------------------------------------------------------

    def server_request(self, thread_id: str, turn_id: str, spec: str) -> None:
        method, override = _method_and_json(spec)
        request_id = self.next_server_request_id
        self.next_server_request_id += 1
        base = {"threadId": thread_id, "turnId": turn_id}
        command_item = None
        if method == "item/commandExecution/requestApproval":
            item_id = self._item_id("call")
            command_item = {
                "type": "commandExecution",
                "id": item_id,
                "command": "/bin/bash -c 'echo hi'",
                "cwd": os.getcwd(),
                "processId": None,
                "source": "agent",
                "status": "inProgress",
                "commandActions": [{"type": "unknown", "command": "echo hi"}],
                "aggregatedOutput": None,
                "exitCode": None,
                "durationMs": None,
            }
            self.notify("item/started", dict(base, item=command_item, startedAtMs=_now_ms()))
            params = dict(
                base,
                itemId=item_id,
                startedAtMs=_now_ms(),
                reason="needs approval",
                command=command_item["command"],
                cwd=command_item["cwd"],
                commandActions=command_item["commandActions"],
                availableDecisions=["accept", "cancel"],
            )
        else:
            params = self._request_params(method, base)
        if isinstance(override, dict):
            params = override
        self.send({"method": method, "id": request_id, "params": params})
        self.out.flush()

        while request_id not in self.responses:
            self.dispatch(self.next_message())
        answer = self.responses.pop(request_id)
        self.notify("serverRequest/resolved", {"threadId": thread_id, "requestId": request_id})
        sys.stderr.write(f"fake app-server: {method} answered {json.dumps(answer)}\n")
        if command_item is not None:
            decision = (answer.get("result") or {}).get("decision")
            accepted = decision in ("accept", "acceptForSession") or isinstance(decision, dict)
            done = dict(
                command_item,
                status="completed" if accepted else "declined",
                aggregatedOutput="hi\n" if accepted else None,
                exitCode=0 if accepted else None,
                durationMs=1 if accepted else None,
            )
            self.notify("item/completed", dict(base, item=done, completedAtMs=_now_ms()))
        self.out.flush()

    def tool_calls(self, thread_id: str, turn_id: str) -> None:
        """`--tool-calls N`: N dynamic tool calls in a row, each timed from write to answer."""
        args = self.args
        arguments = json.loads(args.tool_arguments)
        times: list[int] = []
        clock = time.perf_counter_ns
        for _ in range(args.tool_calls):
            request_id = self.next_server_request_id
            self.next_server_request_id += 1
            params = {
                "threadId": thread_id,
                "turnId": turn_id,
                "callId": self._item_id("call"),
                "namespace": None,
                "tool": args.tool_name,
                "arguments": arguments,
            }
            line = _dumps({"method": "item/tool/call", "id": request_id, "params": params}) + b"\n"
            started = clock()
            self.out.write(line)
            self.out.flush()
            while request_id not in self.responses:
                self.dispatch(self.next_message())
            times.append(clock() - started)
            answer = self.responses.pop(request_id)
            if "result" not in answer:
                sys.stderr.write(f"fake app-server: item/tool/call got {json.dumps(answer)}\n")
        if args.tool_call_times:
            with open(args.tool_call_times, "w") as f:
                json.dump(times, f)

    def _request_params(self, method: str, base: dict) -> dict:
        now = _now_ms()
        if method == "item/fileChange/requestApproval":
            return dict(base, itemId=self._item_id("call"), startedAtMs=now, reason=None, grantRoot=None)
        if method == "item/permissions/requestApproval":
            return dict(
                base,
                itemId=self._item_id("call"),
                startedAtMs=now,
                cwd=os.getcwd(),
                reason="needs network",
                permissions={"network": {"enabled": True}},
            )
        if method == "item/tool/requestUserInput":
            return dict(
                base,
                itemId=self._item_id("call"),
                questions=[
                    {
                        "id": "q1",
                        "header": "Pick",
                        "question": "Which one?",
                        "isOther": False,
                        "isSecret": False,
                        "options": [{"label": "a", "description": "first"}],
                    }
                ],
            )
        if method == "item/tool/call":
            return dict(base, callId=self._item_id("call"), tool="lookup", arguments={"query": "hi"})
        if method == "mcpServer/elicitation/request":
            return dict(
                base,
                serverName="fake",
                mode="form",
                message="Need a value",
                requestedSchema={"type": "object", "properties": {}},
            )
        if method in ("execCommandApproval", "applyPatchApproval"):
            return {
                "conversationId": base["threadId"],
                "callId": self._item_id("call"),
                "command": ["echo", "hi"],
                "cwd": os.getcwd(),
                "parsedCmd": [],
                "fileChanges": {},
                "reason": None,
            }
        return base


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        FakeAppServer(args).serve()
    except (BrokenPipeError, KeyboardInterrupt):
        # The client went away mid-write: the real runtime just exits too.
        os._exit(0)


if __name__ == "__main__":
    main()
