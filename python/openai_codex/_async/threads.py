"""Threads: a conversation with the agent, made of turns that share context."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .._approvals import check_handler, check_user_input_handler
from .._params import turn_params
from .._turn_result import TurnResult
from .._wire import model_for
from ..approvals import ApprovalHandler, ApprovalMode
from ..inputs import RunInput
from ..sandbox import Sandbox
from ..user_input import UserInputHandler
from .turns import AsyncTurnHandle

if TYPE_CHECKING:
    from ..models import JsonObject
    from ..types import (
        Personality,
        ReasoningEffort,
        ReasoningSummary,
        ThreadCompactStartResponse,
        ThreadReadResponse,
        ThreadSetNameResponse,
    )
    from .codex import AsyncCodex

__all__ = ["AsyncThread"]


class AsyncThread:
    """A conversation on the runtime. Start turns with :meth:`run` or :meth:`turn`.

    Two handles are equal when they name the same thread on the same client.
    """

    __slots__ = ("_codex", "id")

    def __init__(self, _codex: AsyncCodex, id: str) -> None:
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
    ) -> AsyncTurnHandle:
        """Starts a turn and returns its handle at once; the turn runs in the background.

        Keyword settings apply to this turn and, as the runtime stores them, to later turns.
        A turn started while another runs on this thread (or while it compacts) waits for it.

        Args:
            approval_handler: Decides this turn's approval requests only (before the thread's
                and the client's handlers); see :mod:`openai_codex.approvals`. The next turn
                on this thread goes back to the thread's own approval settings.
            user_input_handler: Answers this turn's questions and elicitations only (before
                the thread's and the client's handlers); see :mod:`openai_codex.user_input`.

        Raises:
            ValueError: ``approval_handler`` together with ``approval_mode=ApprovalMode.deny_all``.
            TypeError: a handler is not callable.
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
        )
        client = await self._codex._ensure_client()
        approvals, questions = self._codex._approvals, self._codex._user_input
        params.update(approvals.turn_settings(self.id, approval_handler, approval_mode))
        questions.turn_settings(self.id, user_input_handler, None)
        try:
            # The core holds a turn back while the thread runs another, or compacts (see compact()).
            response, stream = await client.start_turn_async(params)
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
        approval_handler: ApprovalHandler | None = None,
        user_input_handler: UserInputHandler | None = None,
    ) -> TurnResult:
        """Runs a turn to completion and returns its result (raises if the turn failed).

        Args:
            approval_handler: Decides this turn's approval requests only (see :meth:`turn`).
            user_input_handler: Answers this turn's questions only (see :meth:`turn`).

        Raises:
            ApprovalHandlerError: An approval handler raised during the turn (the request was
                declined); raised once the turn ended, with the handler's exception chained.
            UserInputHandlerError: A user input handler raised during the turn (nothing was
                answered); raised once the turn ended, with the handler's exception chained.
            ValueError: ``approval_handler`` together with ``approval_mode=ApprovalMode.deny_all``.
        """
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
        )
        return await handle.run()

    async def read(self, *, include_turns: bool = False) -> ThreadReadResponse:
        """The thread's stored state (``thread/read``), with its turns if asked."""
        params = {"threadId": self.id, "includeTurns": include_turns}
        result = await self._codex._request("thread/read", params)
        return cast("ThreadReadResponse", model_for("ThreadReadResponse", result))

    async def set_name(self, name: str) -> ThreadSetNameResponse:
        """Renames the thread."""
        result = await self._codex._request("thread/name/set", {"threadId": self.id, "name": name})
        return cast("ThreadSetNameResponse", model_for("ThreadSetNameResponse", result))

    async def compact(self) -> ThreadCompactStartResponse:
        """Starts compacting the thread's history into a summary; it runs in the background.

        The next turn on this thread waits for the compaction to finish (the runtime would
        otherwise accept that turn and never run it).
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
