"""The scripted model's HTTP server: plays one scripted reply per ``POST /v1/responses``."""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import select
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ..config import CodexConfig
from ._home import codex_env, write_codex_home
from ._replies import Reply, text
from ._sse import sse_frame

__all__ = ["ReplySource", "ScriptedModel"]


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


ReplySource = Reply | Callable[[dict[str, Any]], Reply]


class ScriptedModel:
    """A Responses-API model on 127.0.0.1 that plays scripted replies in order.

    The real Codex runtime talks to it as it would to OpenAI's API, so turns run for real
    (tools, approvals, streaming) with no account and no network. Use it as a context manager
    (or :meth:`start` / :meth:`close`), script its answers with :meth:`enqueue`, point a client
    at it with :meth:`config`, and read what the runtime sent it from :attr:`requests`.

    Args:
        replies: Replies to serve first, one per model call, in order. An entry may also be a
            callable that takes the request body (a dict) and returns a :class:`Reply`.
        default: Builds the reply for a call when the script is empty: a function of the
            request body. Defaults to a fresh ``text("ok")``; :func:`echo` answers with what
            the model was sent.

    Example::

        with ScriptedModel() as model, Codex(model.config()) as codex:
            model.enqueue(text("hello there"))
            assert codex.thread_start().run("Say hello").final_response == "hello there"
            assert user_texts(model.requests[0])[-1] == "Say hello"
    """

    def __init__(
        self, replies: Iterable[ReplySource] = (), *, default: Callable[[dict[str, Any]], Reply] | None = None
    ) -> None:
        """Makes the model; it serves nothing until :meth:`start` (or ``with``).

        Args:
            replies: Replies to serve first, in order (a :class:`Reply`, or a callable that
                takes the request body and returns one).
            default: Builds the reply for a call when the script is empty; by default
                ``text("ok")``.
        """
        self._lock = threading.Condition()
        self._queue: list[ReplySource] = list(replies)
        self._default = default or (lambda _body: text("ok"))
        self._requests: list[dict[str, Any]] = []
        self._headers: list[dict[str, str]] = []
        self._served: list[Reply] = []
        self._other: list[tuple[str, str]] = []
        self._stop = threading.Event()
        self._counter = itertools.count(1)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._homes: list[tempfile.TemporaryDirectory[str]] = []

    # lifecycle --------------------------------------------------------------------------

    def start(self) -> ScriptedModel:
        """Starts serving on a free port of 127.0.0.1, in a daemon thread.

        Does nothing if it is already serving; after :meth:`close` it starts again, on a new
        port.

        Returns:
            This model.
        """
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
        """Stops serving; parked (gated or sleeping) replies are cut off.

        Also deletes the temporary ``CODEX_HOME`` folders :meth:`config` made. Calling it
        again does nothing.
        """
        server, self._server = self._server, None
        if server is None:
            return
        self._stop.set()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        homes, self._homes = self._homes, []
        for home in homes:
            home.cleanup()

    def __enter__(self) -> ScriptedModel:
        """Calls :meth:`start` and returns this model.

        Returns:
            This model, serving.
        """
        return self.start()

    def __exit__(self, *_exc: Any) -> None:
        """Calls :meth:`close`.

        An exception raised in the ``with`` block propagates unchanged.
        """
        self.close()

    @property
    def port(self) -> int:
        """The TCP port the model listens on (on 127.0.0.1).

        Raises:
            RuntimeError: The model is not serving.
        """
        if self._server is None:
            raise RuntimeError("ScriptedModel is not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """The model provider's ``base_url`` for ``config.toml``: ``http://127.0.0.1:<port>/v1``.

        The runtime appends ``/responses``. Raises ``RuntimeError`` when the model is not
        serving.
        """
        return f"http://127.0.0.1:{self.port}/v1"

    # scripting --------------------------------------------------------------------------

    def enqueue(self, *replies: ReplySource) -> None:
        """Appends replies to the script: served in order, one per model call.

        Args:
            *replies: Each a :class:`Reply`, or a callable that takes the request body (a
                dict) and returns one.
        """
        with self._lock:
            self._queue.extend(replies)

    @property
    def pending(self) -> int:
        """How many scripted replies have not been served yet.

        Zero at the end of a test means the runtime made every model call the test expected.
        """
        with self._lock:
            return len(self._queue)

    # observation ------------------------------------------------------------------------

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The JSON bodies of every model call so far, decoded, in arrival order.

        A copy: later calls do not change the list. Read them with :func:`user_texts` and
        :func:`function_call_outputs`.
        """
        with self._lock:
            return list(self._requests)

    @property
    def request_headers(self) -> list[dict[str, str]]:
        """The HTTP headers of every model call, parallel to :attr:`requests`.

        A copy, as a list of dicts.
        """
        with self._lock:
            return list(self._headers)

    @property
    def served(self) -> list[Reply]:
        """The :class:`Reply` objects played so far, parallel to :attr:`requests`.

        Replies made by ``default`` are included. A copy.
        """
        with self._lock:
            return list(self._served)

    @property
    def other_requests(self) -> list[tuple[str, str]]:
        """``(method, path)`` of the HTTP requests that were not model calls.

        They were answered with 404. A copy.
        """
        with self._lock:
            return list(self._other)

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Waits until at least ``count`` model calls have arrived.

        Args:
            count: How many calls to wait for.
            timeout: The longest wait, in seconds. Default 10.

        Returns:
            A copy of :attr:`requests`.

        Raises:
            TimeoutError: Fewer than ``count`` calls arrived within ``timeout``.
        """
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
        """Writes a ``CODEX_HOME`` whose ``config.toml`` sends model calls to this model.

        The same as ``write_codex_home(directory, self.base_url, **overrides)``.

        Args:
            directory: The folder to write (created if missing).
            **overrides: As for :func:`write_codex_home`.

        Returns:
            The folder, as a ``Path``.
        """
        return write_codex_home(directory, self.base_url, **overrides)

    def codex_env(self, directory: str | os.PathLike[str], **overrides: Any) -> dict[str, str]:
        """Writes a ``CODEX_HOME`` pointing at this model and returns the environment for it.

        Args:
            directory: The folder to write (created if missing).
            **overrides: As for :func:`write_codex_home`.

        Returns:
            ``{"CODEX_HOME": <absolute path>}``, for ``CodexConfig(env=...)``.
        """
        return codex_env(self.write_codex_home(directory, **overrides))

    def config(
        self, home: str | os.PathLike[str] | None = None, *, base: CodexConfig | None = None, **overrides: Any
    ) -> CodexConfig:
        """A :class:`~openai_codex.CodexConfig` that runs the real runtime against this model.

        Args:
            home: The ``CODEX_HOME`` folder to write (created if missing). By default a fresh
                temporary folder, deleted when the model closes.
            base: A config to start from (its ``env`` is kept, ``CODEX_HOME`` set on top).
            **overrides: Passed to :func:`write_codex_home`: top-level ``config.toml`` keys
                (e.g. ``approval_policy="on-request"``), ``provider={...}`` for keys of the
                model provider, ``extra_toml="..."`` for tables such as ``[features]``.

        Returns:
            The config; pass it to ``Codex(...)`` or ``AsyncCodex(...)``.
        """
        if home is None:
            holder = tempfile.TemporaryDirectory(prefix="codex-home-")
            self._homes.append(holder)
            home = holder.name
        config = base if base is not None else CodexConfig()
        env = {**(config.env or {}), **self.codex_env(home, **overrides)}
        return dataclasses.replace(config, env=env)

    # server side ------------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._counter)}"

    def _next_reply(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
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
