"""The main paths, written once and run on both Codex and AsyncCodex against the real runtime.

Each test body calls the API through ``api.call(...)``, which awaits on the async side, so the
two clients are held to the same behaviour by the same assertions.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from openai_codex import AsyncCodex, Codex, CodexConfig, InvalidRequestError
from openai_codex.testing import ScriptedModel, Usage, text, user_texts
from openai_codex.types import TurnStatus

pytestmark = pytest.mark.e2e


class Api:
    """One client, sync or async, and a way to call it that hides the difference."""

    def __init__(self, kind: str, config: CodexConfig) -> None:
        self.kind = kind
        self.loop = asyncio.new_event_loop() if kind == "async" else None
        self.codex: Any = AsyncCodex(config) if kind == "async" else Codex(config)

    def call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        result = method(*args, **kwargs)
        if inspect.isawaitable(result):
            assert self.loop is not None, "the sync API returned an awaitable"
            return self.loop.run_until_complete(result)
        assert self.loop is None, "the async API returned a plain value"
        return result

    def events(self, handle: Any) -> list[Any]:
        if self.loop is None:
            return list(handle.stream())

        async def collect() -> list[Any]:
            return [event async for event in handle.stream()]

        return self.loop.run_until_complete(collect())

    def close(self) -> None:
        self.call(self.codex.close)
        if self.loop is not None:
            self.loop.close()


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, codex_config: CodexConfig) -> Iterator[Api]:
    client = Api(request.param, codex_config)
    try:
        yield client
    finally:
        client.close()


def test_run_returns_the_agents_answer_items_and_usage(api: Api, model: ScriptedModel) -> None:
    model.enqueue(text("forty-two", deltas=3, usage=Usage(input_tokens=11, output_tokens=5)))
    thread = api.call(api.codex.thread_start)
    result = api.call(thread.run, f"the question, asked by {api.kind}")
    assert result.final_response == "forty-two"
    assert result.status is TurnStatus.completed
    kinds = [item.root.type for item in result.items]
    assert kinds == ["userMessage", "agentMessage"]
    assert result.items[-1].root.text == "forty-two"
    assert user_texts(model.requests[0])[-1] == f"the question, asked by {api.kind}"
    assert result.usage is not None and result.usage.last.output_tokens == 5
    assert result.duration_ms is not None and result.duration_ms >= 0


def test_stream_yields_every_delta_then_the_completion_and_run_agrees(api: Api, model: ScriptedModel) -> None:
    model.enqueue(text("one two three", deltas=["one ", "two ", "three"]))
    thread = api.call(api.codex.thread_start)
    handle = api.call(thread.turn, "stream it")
    events = api.events(handle)
    methods = [event.method for event in events]
    assert methods[0] == "turn/started" and methods[-1] == "turn/completed"
    deltas = [event.payload.delta for event in events if event.method == "item/agentMessage/delta"]
    assert deltas == ["one ", "two ", "three"]
    result = api.call(handle.run)
    assert result.id == handle.id and result.final_response == "".join(deltas)
    assert api.events(handle) == []  # consumed once, nothing repeated


def test_the_thread_lifecycle(api: Api, model: ScriptedModel) -> None:
    codex = api.codex
    model.enqueue(text("remembered"))
    thread = api.call(codex.thread_start)
    api.call(thread.run, "remember the word walrus")
    api.call(thread.set_name, f"{api.kind} thread")
    assert api.call(thread.read).thread.name == f"{api.kind} thread"

    fork = api.call(codex.thread_fork, thread.id)
    assert fork.id != thread.id
    assert api.call(codex.thread_resume, thread.id) == thread

    api.call(codex.thread_archive, fork.id)
    assert fork.id in [t.id for t in api.call(codex.thread_list, archived=True).data]
    assert fork.id not in [t.id for t in api.call(codex.thread_list).data]
    restored = api.call(codex.thread_unarchive, fork.id)
    model.enqueue(text("the fork answers"))
    assert api.call(restored.run, "what word?").final_response == "the fork answers"
    assert "remember the word walrus" in repr(model.requests[-1]["input"])


def test_runtime_errors_arrive_typed(api: Api) -> None:
    with pytest.raises(InvalidRequestError):
        api.call(api.codex.thread_resume, "00000000-0000-0000-0000-000000000000")
    models = api.call(api.codex.models)
    assert models.data and all(m.id for m in models.data)
