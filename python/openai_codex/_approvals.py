"""Approval handlers per scope (client, thread, turn), as one client keeps them.

Each client has one :class:`ApprovalScopes`. It finds the handler for a request (turn, else
thread, else client; none: the core's default answer), turns the handler's answer into the
wire result, fails closed when the handler raises (and keeps the exception for that turn's
``run()``/``stream()``), and says which approval settings each ``thread/*`` and ``turn/start``
must send so the runtime asks this client exactly where a handler is installed.
"""

from __future__ import annotations

import concurrent.futures
import inspect
import logging
import threading
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from .approvals import (
    APPROVAL_METHODS,
    HANDLER_SETTINGS,
    ApprovalDecision,
    ApprovalMode,
    ApprovalRequest,
    CommandApprovalRequest,
    FileChangeApprovalRequest,
    PermissionsApprovalRequest,
    answer_to_wire,
    decision_of,
    declined,
    request_from_wire,
)
from .errors import ApprovalHandlerError

if TYPE_CHECKING:
    from . import _core
    from ._dispatch import Dispatcher

__all__ = ["ApprovalScopes", "check_handler"]

logger = logging.getLogger("openai_codex")

# The thread settings that decide who is asked; recorded from thread/* responses.
_SETTING_KEYS = ("approvalPolicy", "approvalsReviewer")


def check_handler(handler: object, approval_mode: object) -> None:
    """Refuses a handler that can never be called, or one that is not callable.

    Raises:
        TypeError: ``handler`` is not callable.
        ValueError: ``handler`` together with ``ApprovalMode.deny_all``.
    """
    if handler is None:
        return
    if not callable(handler):
        raise TypeError(f"approval_handler must be callable, got {handler!r}")
    if approval_mode is ApprovalMode.deny_all or approval_mode == ApprovalMode.deny_all.value:
        raise ValueError(
            "approval_handler cannot be combined with approval_mode=ApprovalMode.deny_all: "
            "the runtime would refuse every escalation without asking the handler"
        )


class ApprovalScopes:
    """The approval handlers of one client and the settings they imply."""

    def __init__(self, dispatcher: Dispatcher, client_handler: Any = None) -> None:
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
        self._errors: dict[str, list[ApprovalHandlerError]] = {}
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
        for method in APPROVAL_METHODS:
            if method not in self._dispatcher.methods():
                self._dispatcher.register(method, self.handle)

    # -- settings --------------------------------------------------------------------------

    def thread_settings(self, handler: Any, approval_mode: Any, *, explicit_mode: bool) -> dict[str, Any] | None:
        """The approval settings a thread/start|resume|fork must send, or None to keep its own.

        ``explicit_mode`` says whether ``approval_mode`` was given (resume/fork) or is a
        default (start): a client handler gives way to an explicit mode.
        """
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
        with self._lock:
            if handler is not None:
                self._restore.add(thread_id)
                self._starting[thread_id] = handler
                return dict(HANDLER_SETTINGS)
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

    def take_error(self, turn_id: str) -> ApprovalHandlerError | None:
        """The first handler failure of the turn (forgetting the turn's handler state)."""
        with self._lock:
            errors = self._errors.pop(turn_id, None)
            self._turns.pop(turn_id, None)
            self._known_turns.discard(turn_id)
        return errors[0] if errors else None

    def _record(self, typed: ApprovalRequest, exc: BaseException) -> dict[str, Any]:
        message = f"the approval handler raised on {_describe(typed)}; the request was declined: {exc!r}"
        logger.error("%s", message, exc_info=exc)
        error = ApprovalHandlerError(message, typed)
        error.__cause__ = exc
        with self._lock:
            self._errors.setdefault(typed.turn_id, []).append(error)
        return declined(typed)

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
        handler = self._handler_for(request.thread_id, request.turn_id)
        if handler is None:
            request.respond_default()
            return None
        try:
            typed = request_from_wire(request.method, request.params, item=request.item, pending=request)
        except Exception:
            logger.exception("could not read approval request %r; declining it", request)
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

    async def _await(self, typed: ApprovalRequest, outcome: Awaitable[Any]) -> dict[str, Any]:
        try:
            return self._answer(typed, await outcome)
        except Exception as exc:
            return self._record(typed, exc)

    def _answer(self, typed: ApprovalRequest, outcome: object) -> dict[str, Any]:
        result = answer_to_wire(typed, outcome)
        if (
            isinstance(typed, PermissionsApprovalRequest)
            and not isinstance(outcome, type(None))
            and _is_cancel(outcome)
            and self._client is not None
        ):
            # A grant cannot stop the turn: ask the runtime to, as "cancel" does elsewhere.
            client, params = self._client, {"threadId": typed.thread_id, "turnId": typed.turn_id}
            threading.Thread(target=_interrupt, args=(client, params), daemon=True).start()
        return result


def _describe(typed: ApprovalRequest) -> str:
    """A short description of a request for messages: its kind, item, and what it asks."""
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
        logger.warning("could not interrupt turn %s after a cancelled permissions request", params["turnId"])
