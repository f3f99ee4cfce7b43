"""Threads: a conversation with the agent, made of turns that share context."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, cast

from .. import _validate as check
from .._approval_policy import ApprovalMode, check_handler, check_user_input_handler
from .._features import check_runtime_supports
from .._params import turn_params
from .._turn_result import TurnResult
from .._wire import model_for
from ..inputs import RunInput
from ..sandbox import Sandbox
from . import ASYNC
from .turns import AsyncTurnHandle

if TYPE_CHECKING:
    from ..approvals import ApprovalHandler
    from ..models import JsonObject
    from ..types import (
        Personality,
        ReasoningEffort,
        ReasoningSummary,
        ThreadCompactStartResponse,
        ThreadReadResponse,
        ThreadSetNameResponse,
    )
    from ..user_input import UserInputHandler
    from .codex import AsyncCodex

__all__ = ["AsyncThread"]


class AsyncThread:
    """A handle on one thread: a conversation with the agent, made of turns that share context.

    Get one from :meth:`AsyncCodex.thread_start`, ``thread_resume``, ``thread_fork`` or
    ``thread_unarchive``; do not build it yourself (a handle for an id the connection has not
    loaded fails on first use). Send the agent a message with :meth:`run` (wait for the
    result) or :meth:`turn` (get a handle on the running turn at once). A thread runs one turn
    at a time: a turn started while another runs waits for it.

    The handle holds no state of its own besides its id: two handles are equal when they name
    the same thread on the same client.

    Args:
        id: The thread's id, as the runtime reported it.

    Attributes:
        id: The thread's id; keep it to resume the thread later with ``thread_resume``.
    """

    __slots__ = ("_codex", "id")

    def __init__(self, _codex: AsyncCodex, id: str) -> None:
        """Wraps a thread the client has loaded; made by the client's ``thread_*`` methods.

        Args:
            id: The thread's id.
        """
        self._codex = _codex
        self.id = id

    async def turn(
        self,
        input: RunInput,
        *,
        approval_mode: ApprovalMode | None = None,
        cwd: str | None = None,
        effort: ReasoningEffort | None = None,
        model: str | None = None,
        output_schema: JsonObject | None = None,
        personality: Personality | None = None,
        sandbox: Sandbox | None = None,
        service_tier: str | None = None,
        summary: ReasoningSummary | None = None,
        approval_handler: ApprovalHandler | None = None,
        user_input_handler: UserInputHandler | None = None,
        source: str | None = None,
        turn_service_tier: str | None = None,
        _start_timeout: float | None = None,
    ) -> AsyncTurnHandle:
        """Starts a turn and returns its handle as soon as the runtime has accepted it.

        The turn runs in the background; read its events with ``handle.stream()`` or wait for
        its result with ``handle.run()``. Every event is recorded from the moment the turn
        starts, so nothing is lost however late the handle is read, even for a turn that
        finishes before this call returns.

        Settings given as keywords (all but ``output_schema``) apply to this turn and, as the
        runtime stores them, to the thread's later turns; keywords left as ``None`` are not
        sent. If another turn is running on this thread (from this or another client), this
        call first waits for it to complete; after :meth:`compact` it first waits (up to 10
        minutes) for the compaction to finish.

        Args:
            input: What to send: a ``str`` (plain text), one input item (``TextInput``,
                ``ImageInput``, ``LocalImageInput``, ``SkillInput``, ``MentionInput``) or a
                list of them, sent in order; or one :class:`~openai_codex.ExternalMessage`:
                content from another agent, tool or application that the model reads with a
                tool's authority, not the user's (runtime 0.151.0 or newer).
            approval_mode: ``ApprovalMode.auto_review`` (an automatic reviewer decides each
                request the sandbox does not allow) or ``ApprovalMode.deny_all`` (every such
                request is declined). ``None`` keeps the thread's setting.
            cwd: Working directory for the agent's commands.
            effort: How hard the model reasons: a ``ReasoningEffort`` member (``none``,
                ``minimal``, ``low``, ``medium``, ``high``, ``xhigh``, least to most) or its
                string value. What a model supports is in :meth:`AsyncCodex.models`.
            model: Name of the model to use.
            output_schema: A JSON Schema (as a dict) the agent's final message must follow;
                its text is then a JSON document. Applies to this turn only.
            personality: ``Personality.none``, ``Personality.friendly`` or
                ``Personality.pragmatic`` (or the plain string values).
            sandbox: ``Sandbox.read_only``, ``Sandbox.workspace_write`` or
                ``Sandbox.full_access``.
            service_tier: Service tier for the model requests (e.g. ``"fast"``).
            summary: Whether and how the model summarizes its reasoning: ``"auto"``,
                ``"concise"``, ``"detailed"`` or ``"none"`` (or a ``ReasoningSummary``).
            approval_handler: Decides this turn's approval requests only, before the
                thread's and the client's handlers (see :mod:`openai_codex.approvals`); the
                next turn on this thread goes back to the thread's own approval settings.
            user_input_handler: Answers this turn's questions and elicitations only, before
                the thread's and the client's handlers (see :mod:`openai_codex.user_input`).
            source: What started this turn, in your own words (e.g. ``"schedule"``,
                ``"webhook"``), recorded by the runtime with the turn (sent as
                ``turnTrigger``). A label only: it grants the turn no authority. Needs the
                Codex runtime 0.151.0 or newer.
            turn_service_tier: Service tier for this turn's model requests only (e.g.
                ``"fast"``, or ``"default"`` for standard speed; sent as
                ``serviceTierForTurn``). Unlike ``service_tier``, the thread's stored tier is
                left as it is. Needs the Codex runtime 0.151.0 or newer.

        Returns:
            The handle of the running turn: ``stream()``, ``run()``, ``steer()`` and
            ``interrupt()``; its ``id`` is the turn's id.

        Raises:
            RuntimeVersionError: The connected runtime is too old for a feature given here
                (an ``ExternalMessage``, ``source`` or ``turn_service_tier``: 0.151.0); nothing
                was sent.
            TypeError: ``input`` (or an item of it) is not one of the accepted types, a
                setting has the wrong type (e.g. ``output_schema`` not a dict), or
                ``output_schema`` holds a value that cannot be sent as JSON.
            ValueError: An ``ExternalMessage`` has a blank ``tool_name`` or a content item of
                an unknown ``type``; ``approval_handler`` is given with ``approval_mode=ApprovalMode.deny_all``
                (the runtime would never ask), ``approval_mode`` is not an ``ApprovalMode``
                member, or ``sandbox`` not
                a ``Sandbox`` member (plain strings are refused too), or ``effort``,
                ``personality`` or ``summary`` is not one of its values (the message names
                the parameter and lists them).
            JsonRpcError: The runtime refused the turn (a subclass chosen by error code, e.g.
                ``InvalidRequestError`` for a thread it does not have loaded).
            TransportClosedError: The runtime has exited or the client was closed.

        Example::

            handle = await thread.turn("Refactor utils.py", effort=ReasoningEffort.high)
            async for event in handle.stream():
                if event.method == "item/agentMessage/delta":
                    print(event.payload.delta, end="", flush=True)
        """
        check_handler(approval_handler, approval_mode)
        check_user_input_handler(user_input_handler)
        params = turn_params(
            self.id,
            input,
            approval_mode=approval_mode,
            cwd=cwd,
            effort=effort,
            model=model,
            output_schema=output_schema,
            personality=personality,
            sandbox=sandbox,
            service_tier=service_tier,
            summary=summary,
            source=source,
            turn_service_tier=turn_service_tier,
        )
        client = await self._codex._ensure_client()
        check_runtime_supports("turn/start", params, self._codex._runtime_version())
        # The core holds a turn back while the thread runs another, or compacts (see compact()).
        approvals, questions = self._codex._approvals, self._codex._user_input
        params.update(approvals.turn_settings(self.id, approval_handler, approval_mode))
        questions.turn_settings(self.id, user_input_handler, None)
        try:
            # The core holds a turn back while the thread runs another, or compacts.
            response, stream = await client.start_turn_async(params, timeout=_start_timeout)
        except BaseException:
            approvals.turn_not_started(self.id, approval_handler)
            questions.turn_not_started(self.id, user_input_handler)
            raise
        turn_id = response["turn"]["id"]
        approvals.turn_started(self.id, turn_id, approval_handler)
        questions.turn_started(self.id, turn_id, user_input_handler)
        return AsyncTurnHandle(self._codex, self.id, turn_id, _stream=stream)

    async def run(
        self,
        input: RunInput,
        *,
        approval_mode: ApprovalMode | None = None,
        cwd: str | None = None,
        effort: ReasoningEffort | None = None,
        model: str | None = None,
        output_schema: JsonObject | None = None,
        personality: Personality | None = None,
        sandbox: Sandbox | None = None,
        service_tier: str | None = None,
        summary: ReasoningSummary | None = None,
        timeout: float | None = None,
        approval_handler: ApprovalHandler | None = None,
        user_input_handler: UserInputHandler | None = None,
        source: str | None = None,
        turn_service_tier: str | None = None,
    ) -> TurnResult:
        """Runs a turn to the end and returns its result.

        The same as :meth:`turn` followed by ``run()`` on its handle: it sends ``input`` with
        the given settings and waits until the turn completes. An interrupted turn is
        returned (``status`` is ``TurnStatus.interrupted``); a failed one raises.[sync:  The wait
        releases the GIL; Ctrl-C in it stops the turn at the runtime (as the handle's ``run()``
        does) and then raises ``KeyboardInterrupt``.]

        Args:
            input: What to send: a ``str`` (plain text), one input item (``TextInput``,
                ``ImageInput``, ``LocalImageInput``, ``SkillInput``, ``MentionInput``) or a
                list of them, sent in order; or one :class:`~openai_codex.ExternalMessage`:
                content from another agent, tool or application that the model reads with a
                tool's authority, not the user's (runtime 0.151.0 or newer).
            approval_mode: ``ApprovalMode.auto_review`` (an automatic reviewer decides each
                request the sandbox does not allow) or ``ApprovalMode.deny_all`` (every such
                request is declined). ``None`` keeps the thread's setting.
            cwd: Working directory for the agent's commands.
            effort: How hard the model reasons: a ``ReasoningEffort`` member (``none``,
                ``minimal``, ``low``, ``medium``, ``high``, ``xhigh``, least to most) or its
                string value. What a model supports is in :meth:`AsyncCodex.models`.
            model: Name of the model to use.
            output_schema: A JSON Schema (as a dict) the agent's final message must follow;
                its text is then a JSON document. Applies to this turn only.
            personality: ``Personality.none``, ``Personality.friendly`` or
                ``Personality.pragmatic`` (or the plain string values).
            sandbox: ``Sandbox.read_only``, ``Sandbox.workspace_write`` or
                ``Sandbox.full_access``.
            service_tier: Service tier for the model requests (e.g. ``"fast"``).
            summary: Whether and how the model summarizes its reasoning: ``"auto"``,
                ``"concise"``, ``"detailed"`` or ``"none"`` (or a ``ReasoningSummary``).
            timeout: Seconds the whole turn may take, from this call (waiting for a turn
                already running on the thread included), or ``None`` (the default) for no
                limit. When it passes, the turn is interrupted at the runtime, so the thread
                is free for the next turn at once, and ``TurnTimeoutError`` is raised.
            approval_handler: Decides this turn's approval requests only, before the
                thread's and the client's handlers (see :mod:`openai_codex.approvals`); the
                next turn on this thread goes back to the thread's own approval settings.
            user_input_handler: Answers this turn's questions and elicitations only, before
                the thread's and the client's handlers (see :mod:`openai_codex.user_input`).
            source: What started this turn, in your own words (e.g. ``"schedule"``,
                ``"webhook"``), recorded by the runtime with the turn (sent as
                ``turnTrigger``). A label only: it grants the turn no authority. Needs the
                Codex runtime 0.151.0 or newer.
            turn_service_tier: Service tier for this turn's model requests only (e.g.
                ``"fast"``, or ``"default"`` for standard speed; sent as
                ``serviceTierForTurn``). Unlike ``service_tier``, the thread's stored tier is
                left as it is. Needs the Codex runtime 0.151.0 or newer.

        Returns:
            The :class:`~openai_codex.TurnResult`: ``final_response`` (the agent's answer),
            ``items`` (everything the turn did), ``usage``, ``status`` and timings.

        Raises:
            ApprovalHandlerError: An approval or user-input handler raised during the turn
                (the request was declined, failing closed); raised once the turn ended, with
                the handler's exception as its ``__cause__``.
            TurnFailedError: The turn ended with status ``failed``; the message is the
                runtime's error message (a ``RuntimeError`` too).
            TurnTimeoutError: The turn ran past ``timeout`` (see ``timeout``); the error holds
                what it produced. Also a ``CodexTimeoutError`` and a ``TimeoutError``.
            RuntimeVersionError: The connected runtime is too old for a feature given here
                (an ``ExternalMessage``, ``source`` or ``turn_service_tier``: 0.151.0); nothing
                was sent.
            TypeError: ``input`` (or an item of it) is not one of the accepted types, a
                setting has the wrong type (e.g. ``output_schema`` not a dict), or
                ``output_schema`` holds a value that cannot be sent as JSON.
            ValueError: An ``ExternalMessage`` has a blank ``tool_name`` or a content item of
                an unknown ``type``; ``approval_handler`` is given with ``approval_mode=ApprovalMode.deny_all``
                (the runtime would never ask), ``approval_mode`` is not an ``ApprovalMode``
                member, or ``sandbox`` not
                a ``Sandbox`` member (plain strings are refused too), or ``effort``,
                ``personality`` or ``summary`` is not one of its values (the message names
                the parameter and lists them).
            JsonRpcError: The runtime refused the turn (a subclass chosen by error code, e.g.
                ``InvalidRequestError`` for a thread it does not have loaded).
            TransportClosedError: The runtime has exited or the client was closed.

        Example::

            result = await thread.run("What does this repository do?")
            print(result.final_response)
        """
        limit = check.seconds("timeout", timeout)
        deadline = None if limit is None else time.monotonic() + limit
        handle = await self.turn(
            input,
            approval_mode=approval_mode,
            cwd=cwd,
            effort=effort,
            model=model,
            output_schema=output_schema,
            personality=personality,
            sandbox=sandbox,
            service_tier=service_tier,
            summary=summary,
            approval_handler=approval_handler,
            user_input_handler=user_input_handler,
            source=source,
            turn_service_tier=turn_service_tier,
            _start_timeout=limit,
        )
        if deadline is None:
            return await handle.run()
        return await handle._run(max(0.0, deadline - time.monotonic()), limit)

    async def read(self, *, include_turns: bool = False) -> ThreadReadResponse:
        """Reads the thread's stored record from the runtime.

        Args:
            include_turns: If true, the record also holds the thread's turns with their
                items. Defaults to false.

        Returns:
            A :class:`~openai_codex.types.ThreadReadResponse` whose ``thread`` has ``id``,
            ``name``, ``preview``, ``status`` (``status.root.type`` is ``"idle"``,
            ``"active"``, ...), ``cwd``, timestamps and, with ``include_turns``, ``turns``.

        Raises:
            JsonRpcError: The runtime refused the request (``InvalidRequestError`` for a
                thread it does not know).
            TransportClosedError: The runtime has exited or the client was closed.
        """
        params = {"threadId": self.id, "includeTurns": include_turns}
        result = await self._codex._request("thread/read", params)
        return cast("ThreadReadResponse", model_for("ThreadReadResponse", result))

    async def set_name(self, name: str) -> ThreadSetNameResponse:
        """Gives the thread a name, the title that listings show.

        Args:
            name: The new name.

        Returns:
            A :class:`~openai_codex.types.ThreadSetNameResponse`, which has no fields.

        Raises:
            JsonRpcError: The runtime refused the request.
            TransportClosedError: The runtime has exited or the client was closed.
        """
        result = await self._codex._request("thread/name/set", {"threadId": self.id, "name": name})
        return cast("ThreadSetNameResponse", model_for("ThreadSetNameResponse", result))

    async def compact(self) -> ThreadCompactStartResponse:
        """Starts replacing the thread's history with a shorter, model-written summary.

        It returns once the runtime has accepted the request; the compaction then runs in the
        background and is recorded as one more turn of the thread (with a
        ``contextCompaction`` item). The runtime would accept a turn sent during the
        compaction and never run it, so the next :meth:`turn` or :meth:`run` on this handle's
        client first waits (up to 10 minutes) for the thread to be idle again.

        Returns:
            A :class:`~openai_codex.types.ThreadCompactStartResponse`, which has no fields.

        Raises:
            JsonRpcError: The runtime refused the request.
            TransportClosedError: The runtime has exited or the client was closed.
        """
        result = await self._codex._request("thread/compact/start", {"threadId": self.id})
        return cast("ThreadCompactStartResponse", model_for("ThreadCompactStartResponse", result))

    def __repr__(self) -> str:
        return f"AsyncThread(id={self.id!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AsyncThread):
            return self.id == other.id and self._codex is other._codex
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.id)


if ASYNC:
    # help() shows the asyncio side of the docstrings above; the sync twin's are resolved when
    # it is generated (tools/async_to_sync.py).
    from .._twin_docs import resolve_module

    resolve_module(globals())
