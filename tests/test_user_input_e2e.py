"""User input and elicitation handlers: the runtime's ``request_user_input`` tool (offered in
Plan mode) against the real runtime, and the answers' wire form."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from openai_codex import ApprovalDecision, AsyncCodex, Codex
from openai_codex._async.turns import AsyncTurnHandle
from openai_codex._sync.turns import TurnHandle
from openai_codex.errors import UserInputHandlerError
from openai_codex.testing import Reply, ScriptedModel, function_call_outputs, text, tool_call
from openai_codex.types import TurnStatus
from openai_codex.user_input import (
    ElicitationRequest,
    ElicitationResponse,
    UserInputRequest,
    answer_to_wire,
    request_from_wire,
)

pytestmark = pytest.mark.e2e  # every test here starts a runtime (real or fake)

QUESTIONS = [
    {
        "id": "color",
        "header": "Color",
        "question": "Which color?",
        "options": [{"label": "blue", "description": "the sky"}, {"label": "red", "description": "fire"}],
    }
]


def ask() -> Reply:
    return tool_call("request_user_input", {"questions": QUESTIONS})


def plan_turn(thread_id: str) -> dict[str, Any]:
    """turn/start params in Plan mode, where the runtime offers the agent request_user_input."""
    return {
        "threadId": thread_id,
        "input": [{"type": "text", "text": "ask me"}],
        "collaborationMode": {"mode": "plan", "settings": {"model": "mock-model", "developer_instructions": None}},
    }


def test_the_handler_answers_the_agents_questions(model: ScriptedModel, tmp_path: Path) -> None:
    seen: list[Any] = []

    def answer(request: Any) -> dict[str, str]:
        seen.append(request)
        return {"color": "blue"}

    with Codex(model.config(tmp_path / "home"), user_input_handler=answer) as codex:
        thread = codex.thread_start()
        model.enqueue(ask(), text("blue it is"))
        response, stream = codex._client.start_turn(plan_turn(thread.id))
        result = TurnHandle(codex, thread.id, response["turn"]["id"], _stream=stream).run()
    assert result.final_response == "blue it is"
    [request] = seen
    assert isinstance(request, UserInputRequest) and request.kind == "user_input"
    assert request.questions[0].id == "color" and [o.label for o in request.questions[0].options] == ["blue", "red"]
    assert request.thread_id == thread.id and request.turn_id == result.id
    [output] = function_call_outputs(model.requests[-1])
    assert '"color":{"answers":["blue"]}' in output["output"]


def test_a_raising_user_input_handler_answers_nothing_and_reaches_run(model: ScriptedModel, tmp_path: Path) -> None:
    def broken(request: Any) -> dict[str, str]:
        raise LookupError("nobody home")

    with Codex(model.config(tmp_path / "home")) as codex:
        thread = codex.thread_start(user_input_handler=broken)
        model.enqueue(ask(), text("ok then"))
        response, stream = codex._client.start_turn(plan_turn(thread.id))
        handle = TurnHandle(codex, thread.id, response["turn"]["id"], _stream=stream)
        with pytest.raises(UserInputHandlerError) as raised:
            handle.run()
    assert isinstance(raised.value.__cause__, LookupError)
    [output] = function_call_outputs(model.requests[-1])
    assert '"answers":{}' in output["output"]


def test_an_async_user_input_handler(model: ScriptedModel, tmp_path: Path) -> None:
    async def main() -> None:
        async def answer(request: Any) -> dict[str, list[str]]:
            await asyncio.sleep(0.1)
            return {"color": ["red"]}

        async with AsyncCodex(model.config(tmp_path / "home")) as codex:
            thread = await codex.thread_start(user_input_handler=answer)
            model.enqueue(ask(), text("red"))
            client = await codex._ensure_client()
            response, stream = await client.start_turn_async(plan_turn(thread.id))
            result = await AsyncTurnHandle(codex, thread.id, response["turn"]["id"], _stream=stream).run()
        assert result.status == TurnStatus.completed
        [output] = function_call_outputs(model.requests[-1])
        assert '"color":{"answers":["red"]}' in output["output"]

    asyncio.run(main())


def test_user_input_answers() -> None:
    request = request_from_wire("item/tool/requestUserInput", {"threadId": "t", "turnId": "u", "questions": QUESTIONS})
    assert isinstance(request, UserInputRequest)
    assert answer_to_wire(request, {"color": "blue"}) == {"answers": {"color": {"answers": ["blue"]}}}
    assert answer_to_wire(request, None) == {"answers": {}}
    assert answer_to_wire(request, ApprovalDecision.decline) == {"answers": {}}
    with pytest.raises(ValueError, match="no question"):
        answer_to_wire(request, {"size": "L"})
    with pytest.raises(ValueError, match="mapping"):
        answer_to_wire(request, "blue")


def test_elicitation_answers() -> None:
    params = {
        "threadId": "t",
        "serverName": "docs",
        "mode": "form",
        "message": "Your name?",
        "requestedSchema": {"type": "object", "properties": {"name": {"type": "string"}}},
    }
    request = request_from_wire("mcpServer/elicitation/request", params)
    assert isinstance(request, ElicitationRequest) and request.kind == "elicitation"
    assert request.server_name == "docs" and request.requested_schema is not None
    assert answer_to_wire(request, {"name": "Ada"}) == {"action": "accept", "content": {"name": "Ada"}}
    assert answer_to_wire(request, ElicitationResponse("cancel")) == {"action": "cancel"}
    assert answer_to_wire(request, "decline") == {"action": "decline"}
    assert answer_to_wire(request, None) == {"action": "decline"}
