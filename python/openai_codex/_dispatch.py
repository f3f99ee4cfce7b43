"""Routing the runtime's requests to Python handlers, per client, by method.

The Rust core queues every server request whose method has a handler here (its reader never
waits for Python); a dispatcher takes them off that queue and runs the handler registered for
the method. Methods without a handler keep the core's default answers, byte for byte.

One dispatcher per client, always at ``codex._dispatcher`` (``Codex`` / ``AsyncCodex``); it
is bound to the connection when the client starts and runs only once a handler is registered:

- :class:`ThreadDispatcher` (for ``Codex``): a daemon thread takes requests (the GIL released
  while it waits) and runs each handler in a small thread pool, so a slow handler (a person at a
  prompt for a minute) never holds up other requests, other turns' streams, or the reader.
- :class:`AsyncioDispatcher` (for ``AsyncCodex``): the pump is a task on the client's event
  loop; ``async def`` handlers run on that loop, plain functions via ``loop.run_in_executor``.

Contract (shared with every feature that answers server requests, e.g. approvals and Python
tools)::

    dispatcher.register(method, handler, on_error=None)
    dispatcher.unregister(method)

- ``handler(request)`` gets the core's ``ServerRequest`` (``.id``, ``.method``, ``.params``,
  ``.thread_id``, ``.turn_id``, ``.item``, ``.cancelled``) and returns the JSON result ``dict``,
  or an awaitable of it (a coroutine, an ``asyncio`` future), or a
  ``concurrent.futures.Future`` resolved later (a deferred answer: no thread waits for it). The
  dispatcher answers ``request.respond(result)``. A handler may also answer the request itself
  and return None.
- When the handler (or its future) raises, ``on_error(request, exc)`` gives the result dict to
  answer instead. Without ``on_error``, or when it raises too, the request gets the core's
  fail-closed answer (approvals declined, no permissions granted, the default for others); the
  exception is logged on the ``openai_codex`` logger either way.
- An answer after the runtime withdrew the request (``request.cancelled``) is dropped.
- Registering a method again replaces its handler; ``unregister`` restores the default answer
  for requests that arrive afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from . import _core
from .errors import TransportClosedError

if TYPE_CHECKING:
    import asyncio
    import concurrent.futures
    import logging

__all__ = ["AsyncioDispatcher", "Dispatcher", "ErrorHandler", "Handler", "ThreadDispatcher"]


def _logger() -> logging.Logger:
    """The SDK's logger (logging is imported on first use: importing openai_codex stays light)."""
    import logging

    return logging.getLogger("openai_codex")


#: What a handler returns: the result dict, something that resolves to it later, or None when
#: the handler answered the request itself.
HandlerResult = Union[dict[str, Any], Awaitable[Any], "concurrent.futures.Future[Any]", None]
Handler = Callable[[_core.ServerRequest], object]
ErrorHandler = Callable[[_core.ServerRequest, BaseException], dict[str, Any]]

# How many handlers may run at once in the blocking client's pool (more wait their turn).
_POOL_SIZE = 16
# How often the blocking client's pump looks up from its wait to see whether it must stop.
_POLL_S = 0.5


@dataclass(frozen=True)
class _Route:
    handler: Handler
    on_error: ErrorHandler | None


class Dispatcher:
    """The routes, and answering a request from a handler's outcome; shared by both kinds."""

    def __init__(self) -> None:
        self._routes: dict[str, _Route] = {}
        self._lock = threading.Lock()
        self._client: _core.Client | None = None

    def register(self, method: str, handler: Handler, *, on_error: ErrorHandler | None = None) -> None:
        """Routes requests of ``method`` to ``handler`` from now on.

        Args:
            method: A server request method, e.g. ``"item/commandExecution/requestApproval"``.
            handler: Called with each ``ServerRequest``; returns the result dict, an awaitable
                or future of it, or None after answering the request itself.
            on_error: Called with the request and the exception when the handler raises;
                returns the result dict to answer instead.

        Raises:
            TypeError: ``handler`` (or ``on_error``) is not callable.
        """
        if not callable(handler):
            raise TypeError(f"handler must be callable, got {handler!r}")
        if on_error is not None and not callable(on_error):
            raise TypeError(f"on_error must be callable, got {on_error!r}")
        with self._lock:
            self._routes[method] = _Route(handler, on_error)
            client = self._client
        if client is not None:
            self._publish(client)
            self._ensure_started(client)

    def unregister(self, method: str) -> None:
        """Stops routing ``method``; its requests get the default answer again. No error if absent.

        Args:
            method: The server request method to stop handling.
        """
        with self._lock:
            self._routes.pop(method, None)
            client = self._client
        if client is not None:
            self._publish(client)

    def methods(self) -> list[str]:
        """The methods that have a handler."""
        with self._lock:
            return sorted(self._routes)

    def attach(self, client: _core.Client) -> None:
        """Binds the dispatcher to the started client and starts it if a handler is registered."""
        with self._lock:
            self._client = client
        self._publish(client)
        self._ensure_started(client)

    def _publish(self, client: _core.Client) -> None:
        try:
            client.set_server_request_methods(self.methods())
        except TransportClosedError:
            pass

    def _ensure_started(self, client: _core.Client) -> None:
        raise NotImplementedError

    def _route(self, method: str) -> _Route | None:
        with self._lock:
            return self._routes.get(method)

    # -- answering -------------------------------------------------------------------------

    @staticmethod
    def _answer(request: _core.ServerRequest, route: _Route, result: object) -> None:
        if result is None:
            if not request.answered:
                Dispatcher._fail(request, route, TypeError("the handler returned None without answering the request"))
            return
        if not isinstance(result, dict):
            Dispatcher._fail(request, route, TypeError(f"the handler returned {type(result).__name__}, not a dict"))
            return
        try:
            request.respond(result)
        except Exception as exc:  # an unserializable result
            Dispatcher._fail(request, route, exc)

    @staticmethod
    def _fail(request: _core.ServerRequest, route: _Route, exc: BaseException) -> None:
        _logger().error("handler for %s (request %r) raised: %r", request.method, request.id, exc, exc_info=exc)
        if route.on_error is not None:
            try:
                request.respond(route.on_error(request, exc))
                return
            except Exception:
                _logger().exception("on_error for %s (request %r) raised", request.method, request.id)
        request.respond_fail_closed()

    @staticmethod
    def _settle_later(request: _core.ServerRequest, route: _Route, future: concurrent.futures.Future[Any]) -> None:
        import concurrent.futures

        def done(f: concurrent.futures.Future[Any]) -> None:
            if f.cancelled():
                Dispatcher._fail(request, route, concurrent.futures.CancelledError())
                return
            exc = f.exception()
            if exc is not None:
                Dispatcher._fail(request, route, exc)
            else:
                Dispatcher._answer(request, route, f.result())

        future.add_done_callback(done)


class ThreadDispatcher(Dispatcher):
    """For the blocking ``Codex``: a pump thread and a pool of handler threads."""

    def __init__(self) -> None:
        super().__init__()
        self._pump: threading.Thread | None = None
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._stopping = threading.Event()

    def _ensure_started(self, client: _core.Client) -> None:
        with self._lock:
            if self._pump is not None or not self._routes or self._stopping.is_set():
                return
            # Only now: a client without handlers never pays for the import (about 4 ms).
            import concurrent.futures

            self._pool = concurrent.futures.ThreadPoolExecutor(_POOL_SIZE, thread_name_prefix="openai-codex-handler")
            self._pump = threading.Thread(
                target=self._run, args=(client, self._pool), name="openai-codex-requests", daemon=True
            )
            self._pump.start()

    def _run(self, client: _core.Client, pool: concurrent.futures.ThreadPoolExecutor) -> None:
        while not self._stopping.is_set():
            try:
                request = client.next_server_request(_POLL_S)
            except TransportClosedError:
                break
            except BaseException:  # pragma: no cover - a KeyboardInterrupt delivered here
                _logger().exception("the server request pump stopped")
                break
            if request is None:
                continue
            route = self._route(request.method)
            if route is None:
                request.respond_default()
                continue
            try:
                pool.submit(self._handle, request, route)
            except RuntimeError:  # the pool shut down: closing
                request.respond_fail_closed()
                break

    def _handle(self, request: _core.ServerRequest, route: _Route) -> None:
        import concurrent.futures
        import inspect

        try:
            result = route.handler(request)
            if isinstance(result, concurrent.futures.Future):
                self._settle_later(request, route, result)
                return
            if inspect.isawaitable(result):
                import asyncio

                async def wait(awaitable: Awaitable[Any]) -> Any:
                    return await awaitable

                result = asyncio.run(wait(result))
        except BaseException as exc:
            self._fail(request, route, exc)
            return
        self._answer(request, route, result)

    def close(self) -> None:
        """Stops the pump and lets running handlers finish in the background (no wait)."""
        self._stopping.set()
        with self._lock:
            pump, pool = self._pump, self._pool
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        if pump is not None and pump is not threading.current_thread():
            pump.join(timeout=2 * _POLL_S)


class AsyncioDispatcher(Dispatcher):
    """For ``AsyncCodex``: a pump task on the client's event loop."""

    def __init__(self) -> None:
        super().__init__()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pump: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Future[Any]] = set()
        self._closed = False

    def attach(self, client: _core.Client) -> None:
        """Binds to the started client; must be called on the loop the client is used from."""
        import asyncio

        self._loop = asyncio.get_running_loop()
        super().attach(client)

    def _ensure_started(self, client: _core.Client) -> None:
        loop = self._loop
        with self._lock:
            if self._pump is not None or not self._routes or self._closed or loop is None:
                return
        # register() may be called from another thread: start the pump on the loop's own.
        try:
            import asyncio

            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._start_pump(client)
        else:
            loop.call_soon_threadsafe(self._start_pump, client)

    def _start_pump(self, client: _core.Client) -> None:
        assert self._loop is not None
        with self._lock:
            if self._pump is not None or self._closed:
                return
            self._pump = self._loop.create_task(self._run(client), name="openai-codex-requests")

    async def _run(self, client: _core.Client) -> None:
        while True:
            try:
                request = await client.next_server_request_async()
            except TransportClosedError:
                return
            if request is None:
                continue
            route = self._route(request.method)
            if route is None:
                request.respond_default()
                continue
            self._track(self._handle(request, route))

    def _track(self, coro: Any) -> None:
        assert self._loop is not None
        task = self._loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, request: _core.ServerRequest, route: _Route) -> None:
        import asyncio
        import concurrent.futures
        import inspect

        assert self._loop is not None
        try:
            handler = route.handler
            if inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(
                getattr(handler, "__call__", None)  # noqa: B004 - an async callable object
            ):
                result: object = handler(request)
            else:
                result = await self._loop.run_in_executor(None, handler, request)
            if isinstance(result, concurrent.futures.Future):
                result = asyncio.wrap_future(result)
            if inspect.isawaitable(result):
                result = await result
        except asyncio.CancelledError:
            request.respond_fail_closed()
            raise
        except BaseException as exc:
            self._fail(request, route, exc)
            return
        self._answer(request, route, result)

    async def aclose(self) -> None:
        """Stops the pump and cancels handlers still running (their requests fail closed)."""
        import asyncio

        self._closed = True
        pending = [t for t in (self._pump, *self._tasks) if t is not None and not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
