"""Request handlers per scope (client, thread, turn), as one client keeps them.

Each client has one :class:`ApprovalScopes` per kind of handler (approvals; user input and
elicitations). It finds the handler for a request (turn, else thread, else client; none: the
core's default answer), turns the handler's answer into the wire result, fails closed when the
handler raises (and keeps the exception for that turn's ``run()``/``stream()``), and, for
approvals, says which settings each ``thread/*`` and ``turn/start`` must send so the runtime
asks this client exactly where a handler is installed.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from ._approval_policy import (
    APPROVAL_METHODS,
    HANDLER_SETTINGS,
    USER_INPUT_METHODS,
    ApprovalDecision,
    decision_of,
)
from .errors import ApprovalHandlerError, CodexError, UserInputHandlerError

if TYPE_CHECKING:
    import concurrent.futures
    import logging

    from . import _core
    from ._dispatch import Dispatcher

__all__ = ["APPROVALS", "USER_INPUT", "ApprovalScopes", "Kind"]


def _logger() -> logging.Logger:
    """The SDK's logger (logging is imported on first use: importing openai_codex stays light)."""
    import logging

    return logging.getLogger("openai_codex")


# The thread settings that decide who is asked; recorded from thread/* responses.
_SETTING_KEYS = ("approvalPolicy", "approvalsReviewer")


class Kind(NamedTuple):
    """What differs between the kinds of handlers."""

    name: str
    methods: tuple[str, ...]
    parse: Callable[[_core.ServerRequest], Any]
    answer: Callable[[Any, object], dict[str, Any]]
    fail_closed: Callable[[Any], dict[str, Any]]
    error: type[ApprovalHandlerError] | type[UserInputHandlerError]
    wants_interrupt: Callable[[Any, object], bool]
    #: Whether a handler needs the runtime to ask the client (approval settings).
    settings: bool


# The request classes (openai_codex.approvals, openai_codex.user_input) are imported when the
# first request reaches a handler: a client without handlers never builds them.


def _on_first_call(module: str, name: str) -> Callable[..., Any]:
    """``module.name`` (a module of this package), imported when first called."""

    def call(*args: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(f"{__package__}.{module}"), name)(*args)

    return call


def _parse_approval(request: _core.ServerRequest) -> Any:
    from .approvals import request_from_wire

    return request_from_wire(request.method, request.params, item=request.item, pending=request)


def _approval_interrupt(typed: Any, outcome: object) -> bool:
    from .approvals import PermissionsApprovalRequest

    # A permissions grant cannot stop the turn: "cancel" there is sent as an interrupt.
    return isinstance(typed, PermissionsApprovalRequest) and _is_cancel(outcome)


def _parse_user_input(request: _core.ServerRequest) -> Any:
    from .user_input import request_from_wire

    return request_from_wire(request.method, request.params, pending=request)


APPROVALS = Kind(
    name="approval",
    methods=APPROVAL_METHODS,
    parse=_parse_approval,
    answer=_on_first_call("approvals", "answer_to_wire"),
    fail_closed=_on_first_call("approvals", "declined"),
    error=ApprovalHandlerError,
    wants_interrupt=_approval_interrupt,
    settings=True,
)

USER_INPUT = Kind(
    name="user input",
    methods=USER_INPUT_METHODS,
    parse=_parse_user_input,
    answer=_on_first_call("user_input", "answer_to_wire"),
    fail_closed=_on_first_call("user_input", "declined"),
    error=UserInputHandlerError,
    wants_interrupt=_on_first_call("user_input", "wants_interrupt"),
    settings=False,
)


class ApprovalScopes:
    """The handlers of one kind of one client and, for approvals, the settings they imply."""

    def __init__(self, dispatcher: Dispatcher, client_handler: Any = None, kind: Kind = APPROVALS) -> None:
        self._kind = kind
        self._dispatcher = dispatcher
        self._lock = threading.Lock()
        self._client_handler = client_handler
        self._threads: dict[str, Any] = {}
        self._turns: dict[str, Any] = {}
        # A per-turn handler whose turn/start is in flight, by thread: its requests may come
        # before the response that names the turn.
        self._starting: dict[str, Any] = {}
        self._known_turns: set[str] = set()
        # Each thread's own approval settings (from its thread/* response) and the threads whose
        # last turn overrode them with a per-turn handler (the runtime keeps a turn's settings).
        self._settings: dict[str, dict[str, Any]] = {}
        self._restore: set[str] = set()
        self._errors: dict[str, list[CodexError]] = {}
        self._client: _core.Client | None = None
        if client_handler is not None:
            self._install()

    @property
    def client_handler(self) -> Any:
        return self._client_handler

    def attach(self, client: _core.Client) -> None:
        self._client = client

    def active(self) -> bool:
        """Whether any handler is installed (then turns may carry handler errors)."""
        return self._client_handler is not None or bool(self._threads) or bool(self._turns or self._starting)

    def _install(self) -> None:
        for method in self._kind.methods:
            if method not in self._dispatcher.methods():
                self._dispatcher.register(method, self.handle)

    # -- settings --------------------------------------------------------------------------

    def thread_settings(self, handler: Any, approval_mode: Any, *, explicit_mode: bool) -> dict[str, Any] | None:
        """The approval settings a thread/start|resume|fork must send, or None to keep its own.

        ``explicit_mode`` says whether ``approval_mode`` was given (resume/fork) or is a
        default (start): a client handler gives way to an explicit mode.
        """
        if not self._kind.settings:
            return None
        if handler is not None:
            return dict(HANDLER_SETTINGS)
        if self._client_handler is not None and not (explicit_mode and approval_mode is not None):
            return dict(HANDLER_SETTINGS)
        return None

    def thread_opened(self, thread_id: str, response: dict[str, Any], handler: Any) -> None:
        """Records a thread's settings and handler from its thread/* response."""
        settings = {k: response[k] for k in _SETTING_KEYS if k in response}
        with self._lock:
            self._settings[thread_id] = settings
            if handler is not None:
                self._threads[thread_id] = handler
        if handler is not None:
            self._install()

    def turn_settings(self, thread_id: str, handler: Any, approval_mode: Any) -> dict[str, Any]:
        """The approval settings a turn/start must send (beyond approval_mode's own)."""
        if handler is not None:
            # Before the turn is sent: its first request must already go to the handler.
            self._install()
        with self._lock:
            if handler is not None:
                self._starting[thread_id] = handler
                if not self._kind.settings:
                    return {}
                self._restore.add(thread_id)
                return dict(HANDLER_SETTINGS)
            if not self._kind.settings:
                return {}
            if approval_mode is not None:
                # The turn sets the thread's settings from now on (the runtime keeps them).
                self._restore.discard(thread_id)
                return {}
            if thread_id in self._restore:
                self._restore.discard(thread_id)
                return dict(self._settings.get(thread_id, {}))
            return {}

    def turn_started(self, thread_id: str, turn_id: str, handler: Any) -> None:
        """Binds a per-turn handler (given to turn_settings) to the turn the runtime started."""
        with self._lock:
            self._known_turns.add(turn_id)
            if handler is not None:
                self._turns[turn_id] = handler
                if self._starting.get(thread_id) is handler:
                    del self._starting[thread_id]
        if handler is not None:
            self._install()

    def turn_not_started(self, thread_id: str, handler: Any) -> None:
        with self._lock:
            if handler is not None and self._starting.get(thread_id) is handler:
                del self._starting[thread_id]

    # -- errors ----------------------------------------------------------------------------

    def take_error(self, turn_id: str) -> CodexError | None:
        """The first handler failure of the turn (forgetting the turn's handler state)."""
        with self._lock:
            errors = self._errors.pop(turn_id, None)
            self._turns.pop(turn_id, None)
            self._known_turns.discard(turn_id)
        return errors[0] if errors else None

    def _record(self, typed: Any, exc: BaseException) -> dict[str, Any]:
        message = f"the {self._kind.name} handler raised on {_describe(typed)}; it was answered failing closed: {exc!r}"
        _logger().error("%s", message, exc_info=exc)
        error = self._kind.error(message, typed)
        error.__cause__ = exc
        if typed.turn_id:
            with self._lock:
                self._errors.setdefault(typed.turn_id, []).append(error)
        return self._kind.fail_closed(typed)

    # -- answering -------------------------------------------------------------------------

    def _handler_for(self, thread_id: str | None, turn_id: str | None) -> Any:
        with self._lock:
            if turn_id is not None:
                handler = self._turns.get(turn_id)
                if handler is not None:
                    return handler
                if turn_id not in self._known_turns and thread_id is not None:
                    handler = self._starting.get(thread_id)
                    if handler is not None:
                        return handler
            if thread_id is not None:
                handler = self._threads.get(thread_id)
                if handler is not None:
                    return handler
            return self._client_handler

    def handle(self, request: _core.ServerRequest) -> object:
        """The dispatcher's handler for the approval methods."""
        import concurrent.futures
        import inspect

        handler = self._handler_for(request.thread_id, request.turn_id)
        if handler is None:
            request.respond_default()
            return None
        try:
            typed = self._kind.parse(request)
        except Exception:
            _logger().exception("could not read %s request %r; answering it failing closed", self._kind.name, request)
            request.respond_fail_closed()
            return None
        try:
            outcome = handler(typed)
        except Exception as exc:
            return self._record(typed, exc)
        if isinstance(outcome, concurrent.futures.Future):
            answer: concurrent.futures.Future[dict[str, Any]] = concurrent.futures.Future()

            def done(f: concurrent.futures.Future[Any]) -> None:
                try:
                    answer.set_result(self._answer(typed, f.result()))
                except BaseException as exc:
                    answer.set_result(self._record(typed, exc))

            outcome.add_done_callback(done)
            return answer
        if inspect.isawaitable(outcome):
            return self._await(typed, outcome)
        try:
            return self._answer(typed, outcome)
        except Exception as exc:
            return self._record(typed, exc)

    async def _await(self, typed: Any, outcome: Awaitable[Any]) -> dict[str, Any]:
        try:
            return self._answer(typed, await outcome)
        except Exception as exc:
            return self._record(typed, exc)

    def _answer(self, typed: Any, outcome: object) -> dict[str, Any]:
        result = self._kind.answer(typed, outcome)
        if self._client is not None and typed.turn_id and self._kind.wants_interrupt(typed, outcome):
            # The answer cannot stop the turn: ask the runtime to, as "cancel" does elsewhere.
            client, params = self._client, {"threadId": typed.thread_id, "turnId": typed.turn_id}
            threading.Thread(target=_interrupt, args=(client, params), daemon=True).start()
        return result


def _describe(typed: Any) -> str:
    """A short description of a request for messages: its kind, item, and what it asks."""
    from . import user_input
    from .approvals import CommandApprovalRequest, FileChangeApprovalRequest

    if isinstance(typed, user_input.UserInputRequest):
        return f"user input request (item {typed.item_id}, turn {typed.turn_id}): {[q.id for q in typed.questions]}"
    if isinstance(typed, user_input.ElicitationRequest):
        return f"elicitation from {typed.server_name!r} (turn {typed.turn_id}): {typed.message!r}"
    if isinstance(typed, CommandApprovalRequest):
        what = f"command {typed.command!r}"
    elif isinstance(typed, FileChangeApprovalRequest):
        what = f"changes to {', '.join(typed.paths) or 'unknown files'}"
    else:
        what = f"permissions (read {list(typed.read)}, write {list(typed.write)}, network {typed.network})"
    return f"{typed.kind} request (item {typed.item_id}, turn {typed.turn_id}): {what}"


def _is_cancel(outcome: object) -> bool:
    try:
        return decision_of(outcome) is ApprovalDecision.cancel
    except ValueError:
        return False


def _interrupt(client: _core.Client, params: dict[str, Any]) -> None:
    try:
        client.request("turn/interrupt", params, timeout=30)
    except Exception:
        _logger().warning("could not interrupt turn %s after a cancelled permissions request", params["turnId"])
