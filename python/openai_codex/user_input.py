"""Answering the agent's questions: user input and MCP elicitation requests.

Pass ``user_input_handler=`` (on ``Codex(...)``/``AsyncCodex(...)``, ``thread_start``,
``thread_resume``, ``thread_fork``, ``run()``/``turn()``; the turn's handler first, then the
thread's, then the client's) to answer:

- :class:`UserInputRequest` (``item/tool/requestUserInput``): the agent asks one to three
  questions, each with options. Return a mapping of question id to the answer (a string, or a
  list of strings); a missing question is unanswered. ``ApprovalDecision.decline`` (or None)
  answers nothing; ``ApprovalDecision.cancel`` answers nothing and stops the turn.
- :class:`ElicitationRequest` (``mcpServer/elicitation/request``): an MCP server asks for a
  form (a JSON schema) to be filled in, or a URL to be visited. Return an
  :class:`ElicitationResponse`, a dict (the form's content: accepted), or
  ``"accept"``/``"decline"``/``"cancel"``.

Like approval handlers, a handler may be ``async def`` (under ``AsyncCodex``) or return a future
resolved later; one that raises fails closed (nothing answered, the elicitation declined) and
its exception is raised from the turn's ``run()`` as a ``UserInputHandlerError``.

**Default, without a handler** (the reference SDK's answers): questions get no answers, and
elicitations are declined.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Union

from ._approval_policy import ELICITATION, USER_INPUT, ApprovalDecision, decision_of
from .errors import UserInputHandlerError

if TYPE_CHECKING:
    import concurrent.futures

    from . import _core

__all__ = [
    "ElicitationRequest",
    "ElicitationResponse",
    "UserInputHandler",
    "UserInputHandlerError",
    "UserInputOption",
    "UserInputQuestion",
    "UserInputRequest",
]


@dataclass(frozen=True, slots=True)
class UserInputOption:
    """One choice offered for a question.

    Attributes:
        label: The choice, as the user sees it.
        description: What choosing it means.
    """

    label: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class UserInputQuestion:
    """One question the agent asks.

    Attributes:
        id: The id to answer it under.
        header: A short label for it.
        question: The question.
        options: The choices offered (the user may also answer freely when ``is_other``).
        is_secret: The answer is a secret (do not echo it).
        is_other: A free-form answer is allowed besides the options.
    """

    id: str
    header: str
    question: str
    options: tuple[UserInputOption, ...] = ()
    is_secret: bool = False
    is_other: bool = False


@dataclass(frozen=True, slots=True)
class _Pending:
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    _pending: _core.ServerRequest | None = field(default=None, repr=False, compare=False)

    @property
    def cancelled(self) -> bool:
        """True once the runtime withdrew the request; an answer given after that is ignored."""
        return self._pending is not None and self._pending.cancelled


@dataclass(frozen=True, slots=True)
class UserInputRequest(_Pending):
    """The agent asks the user questions (``item/tool/requestUserInput``).

    Attributes:
        thread_id: The thread asking.
        turn_id: The turn asking.
        item_id: The tool call's item.
        questions: The questions, in order.
    """

    kind: Literal["user_input"] = "user_input"
    thread_id: str = ""
    turn_id: str = ""
    item_id: str = ""
    questions: tuple[UserInputQuestion, ...] = ()


@dataclass(frozen=True, slots=True)
class ElicitationRequest(_Pending):
    """An MCP server asks for information (``mcpServer/elicitation/request``).

    Attributes:
        thread_id: The thread the server works for.
        turn_id: The turn, if the request belongs to one.
        server_name: The MCP server asking.
        mode: ``"form"`` (fill in ``requested_schema``) or ``"url"`` (visit ``url``).
        message: What the server says to the user.
        requested_schema: For a form: the JSON schema of the content asked.
        url: For a URL elicitation: the address to visit.
        elicitation_id: For a URL elicitation: its id.
    """

    kind: Literal["elicitation"] = "elicitation"
    thread_id: str = ""
    turn_id: str | None = None
    server_name: str = ""
    mode: str = "form"
    message: str = ""
    requested_schema: Mapping[str, Any] | None = None
    url: str | None = None
    elicitation_id: str | None = None


@dataclass(frozen=True, slots=True)
class ElicitationResponse:
    """An answer to an :class:`ElicitationRequest`.

    Args:
        action: ``"accept"`` (with ``content`` for a form), ``"decline"`` or ``"cancel"``.
        content: The form's content, matching the requested schema.
    """

    action: Literal["accept", "decline", "cancel"] = "accept"
    content: Any = None

    def to_wire(self) -> dict[str, Any]:
        """The ``mcpServer/elicitation/request`` result."""
        if self.action not in ("accept", "decline", "cancel"):
            raise ValueError(f"an elicitation action must be accept, decline or cancel, got {self.action!r}")
        result: dict[str, Any] = {"action": self.action}
        if self.content is not None:
            result["content"] = self.content
        return result


UserInputRequests = UserInputRequest | ElicitationRequest
UserInputAnswer = Mapping[str, Any] | ElicitationResponse | ApprovalDecision | str | None

#: What a user input handler is: a function of the request returning the answer, or an
#: awaitable / ``concurrent.futures.Future`` of it.
UserInputHandler = Callable[
    [Any],
    Union[UserInputAnswer, Awaitable[UserInputAnswer], "concurrent.futures.Future[Any]"],
]


def request_from_wire(method: str, params: Mapping[str, Any], *, pending: Any = None) -> UserInputRequests:
    """The typed request for a user input or elicitation request's params.

    Raises:
        ValueError: ``method`` is not one of these.
    """
    if method == USER_INPUT:
        questions = []
        for q in params.get("questions") or ():
            if not isinstance(q, dict):
                continue
            options = tuple(
                UserInputOption(str(o.get("label", "")), str(o.get("description") or ""))
                for o in q.get("options") or ()
                if isinstance(o, dict)
            )
            questions.append(
                UserInputQuestion(
                    id=str(q.get("id", "")),
                    header=str(q.get("header") or ""),
                    question=str(q.get("question") or ""),
                    options=options,
                    is_secret=bool(q.get("isSecret")),
                    is_other=bool(q.get("isOther")),
                )
            )
        return UserInputRequest(
            raw=dict(params),
            _pending=pending,
            thread_id=str(params.get("threadId", "")),
            turn_id=str(params.get("turnId", "")),
            item_id=str(params.get("itemId", "")),
            questions=tuple(questions),
        )
    if method == ELICITATION:
        return ElicitationRequest(
            raw=dict(params),
            _pending=pending,
            thread_id=str(params.get("threadId", "")),
            turn_id=params.get("turnId"),
            server_name=str(params.get("serverName", "")),
            mode=str(params.get("mode") or "form"),
            message=str(params.get("message") or ""),
            requested_schema=params.get("requestedSchema"),
            url=params.get("url"),
            elicitation_id=params.get("elicitationId"),
        )
    raise ValueError(f"not a user input request method: {method!r}")


def _decision(answer: object) -> ApprovalDecision | None:
    try:
        return decision_of(answer)
    except ValueError:
        return None


def answer_to_wire(request: UserInputRequests, answer: object) -> dict[str, Any]:
    """The result that answers ``request`` with what a handler returned.

    Raises:
        ValueError: ``answer`` cannot answer this kind of request.
    """
    if isinstance(request, ElicitationRequest):
        if isinstance(answer, ElicitationResponse):
            return answer.to_wire()
        if answer is None:
            return {"action": "decline"}
        if isinstance(answer, Mapping):
            return {"action": "accept", "content": dict(answer)}
        decision = _decision(answer)
        if decision is ApprovalDecision.accept or decision is ApprovalDecision.accept_for_session:
            return {"action": "accept"}
        if decision is ApprovalDecision.decline:
            return {"action": "decline"}
        if decision is ApprovalDecision.cancel:
            return {"action": "cancel"}
        raise ValueError(
            f"an elicitation handler must return an ElicitationResponse, a dict or a decision, got {answer!r}"
        )
    if answer is None or _decision(answer) in (ApprovalDecision.decline, ApprovalDecision.cancel):
        return {"answers": {}}
    if not isinstance(answer, Mapping):
        raise ValueError(f"a user input handler must return a mapping of question id to answer, got {answer!r}")
    known = {q.id for q in request.questions}
    answers: dict[str, Any] = {}
    for question_id, value in answer.items():
        if question_id not in known:
            raise ValueError(f"no question {question_id!r} was asked (asked: {sorted(known)})")
        values = [value] if isinstance(value, str) else list(value) if isinstance(value, Sequence) else None
        if values is None or not all(isinstance(v, str) for v in values):
            raise ValueError(f"the answer to {question_id!r} must be a string or a list of strings, got {value!r}")
        answers[question_id] = {"answers": values}
    return {"answers": answers}


def wants_interrupt(request: UserInputRequests, answer: object) -> bool:
    """Whether ``answer`` asks to stop the turn (``cancel`` to questions, which cannot say so)."""
    return isinstance(request, UserInputRequest) and _decision(answer) is ApprovalDecision.cancel


def declined(request: UserInputRequests) -> dict[str, Any]:
    """The fail-closed answer: nothing answered, the elicitation declined."""
    return answer_to_wire(request, None)
