"""What openai-codex 0.163.0 added, end to end on the real runtime, sync and async.

The same file runs on every supported runtime (the default suite on 0.133.0; ``scripts/test.sh``
runs it again on 0.163.0 with ``OPENAI_CODEX_TEST_RUNTIME``). A runtime that has a feature
must carry it through to the model (the scripted model records what it is sent); an older one
must refuse it with :class:`RuntimeVersionError` before anything is sent.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from openai_codex import AsyncCodex, Codex, CodexConfig, ExternalMessage, RuntimeVersionError
from openai_codex._features import MINIMUM_RUNTIME, parse_version
from openai_codex.testing import ScriptedModel, function_call_outputs, user_texts

pytestmark = pytest.mark.e2e  # every test here starts the real runtime

TOOL_OUTPUT = MINIMUM_RUNTIME[("turn/start", "toolOutput")][1]
SECTION_ID = MINIMUM_RUNTIME[("thread/list", "sectionId")][1]


def has(version: str, required: str) -> bool:
    """Whether the runtime ``version`` is ``required`` or newer."""
    have, want = parse_version(version), parse_version(required)
    assert have is not None and want is not None
    return have[0] >= want[0]


def version_of(codex: Codex | AsyncCodex) -> str:
    version = codex.metadata.server_info.version
    assert version is not None
    return version


def turn_metadata(headers: dict[str, str]) -> dict[str, Any]:
    """The runtime's per-turn metadata header on a model request (``turn_trigger``, ...)."""
    raw = headers.get("x-codex-turn-metadata")
    assert raw is not None, sorted(headers)
    parsed: dict[str, Any] = json.loads(raw)
    return parsed


class ResponseSpy:
    """Records the runtime's answers to one request method, through the client's one request path."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, cls: type[Any], method: str) -> None:
        self.answers: list[Any] = []
        original = cls._request
        spy = self

        if cls is AsyncCodex:

            async def request_async(self: Any, name: str, params: Any = None) -> Any:
                result = await original(self, name, params)
                if name == method:
                    spy.answers.append(result)
                return result

            monkeypatch.setattr(cls, "_request", request_async)
        else:

            def request(self: Any, name: str, params: Any = None) -> Any:
                result = original(self, name, params)
                if name == method:
                    spy.answers.append(result)
                return result

            monkeypatch.setattr(cls, "_request", request)


# -- ExternalMessage -------------------------------------------------------------------------


def test_external_message_reaches_the_model_as_a_tool_output(codex: Codex, model: ScriptedModel) -> None:
    if not has(version_of(codex), TOOL_OUTPUT):
        pytest.skip(f"runtime {version_of(codex)} has no toolOutput (the gating test covers it)")
    thread = codex.thread_start()
    result = thread.run(ExternalMessage("webhook", "the build on main is green"))

    assert result.status.value == "completed"
    body = model.requests[-1]
    outputs = [o for o in function_call_outputs(body) if o.get("name") == "webhook"]
    assert [o["output"] for o in outputs] == ["the build on main is green"]
    # Not a user message: the model reads it with a tool's authority.
    assert not any("the build on main is green" in text for text in user_texts(body))
    assert [item.type for item in result.items] == ["functionCallOutput", "agentMessage"]

    # Content items (dicts in the wire form) and a namespace go through too.
    thread.run(ExternalMessage("feed", [{"type": "input_text", "text": "item one"}], namespace="news"))
    sent = function_call_outputs(model.requests[-1])
    assert any("item one" in json.dumps(o.get("output")) for o in sent), sent


def test_external_message_async(model: ScriptedModel, codex_config: CodexConfig) -> None:
    async def main() -> None:
        async with AsyncCodex(codex_config) as codex:
            if not has(version_of(codex), TOOL_OUTPUT):
                pytest.skip(f"runtime {version_of(codex)} has no toolOutput (the gating test covers it)")
            thread = await codex.thread_start()
            handle = await thread.turn(ExternalMessage("monitor", "disk usage is 91%"))
            methods = [event.method async for event in handle.stream()]
            assert methods[-1] == "turn/completed"
            outputs = function_call_outputs(model.requests[-1])
            assert [o["output"] for o in outputs if o.get("name") == "monitor"] == ["disk usage is 91%"]

    asyncio.run(main())


def test_steer_refuses_an_external_message_before_sending(codex: Codex, model: ScriptedModel) -> None:
    thread = codex.thread_start()
    handle = thread.turn("hello")
    with pytest.raises(TypeError, match="ExternalMessage"):
        handle.steer(ExternalMessage("webhook", "late news"))
    assert handle.run().status.value == "completed"
    assert len(model.requests) == 1


# -- source= and turn_service_tier= ------------------------------------------------------------


def test_source_and_turn_service_tier_reach_the_model_request(codex: Codex, model: ScriptedModel) -> None:
    if not has(version_of(codex), TOOL_OUTPUT):
        pytest.skip(f"runtime {version_of(codex)} has no turnTrigger (the gating test covers it)")
    thread = codex.thread_start()
    thread.run("nightly check", source="schedule", turn_service_tier="flex")
    assert turn_metadata(model.request_headers[-1]).get("turn_trigger") == "schedule"
    assert model.requests[-1].get("service_tier") == "flex"

    # Both apply to that turn only: the next one has neither.
    thread.run("and now?")
    assert turn_metadata(model.request_headers[-1]).get("turn_trigger") != "schedule"
    assert model.requests[-1].get("service_tier") != "flex"


def test_source_and_turn_service_tier_async(model: ScriptedModel, codex_config: CodexConfig) -> None:
    async def main() -> None:
        async with AsyncCodex(codex_config) as codex:
            if not has(version_of(codex), TOOL_OUTPUT):
                pytest.skip(f"runtime {version_of(codex)} has no turnTrigger (the gating test covers it)")
            thread = await codex.thread_start()
            result = await thread.run("ping", source="webhook", turn_service_tier="flex")
            assert result.status.value == "completed"
            assert turn_metadata(model.request_headers[-1]).get("turn_trigger") == "webhook"
            assert model.requests[-1].get("service_tier") == "flex"

    asyncio.run(main())


# -- include_turns= (every supported runtime has excludeTurns) --------------------------------


def test_include_turns_decides_whether_resume_and_fork_answer_with_the_history(
    codex: Codex, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = codex.thread_start()
    thread.run("first")
    thread.run("second")
    resumed = ResponseSpy(monkeypatch, Codex, "thread/resume")
    forked = ResponseSpy(monkeypatch, Codex, "thread/fork")

    assert codex.thread_resume(thread.id, include_turns=False).id == thread.id
    codex.thread_resume(thread.id, include_turns=True)
    assert [len(a["thread"]["turns"]) for a in resumed.answers] == [0, 2]

    fork = codex.thread_fork(thread.id, include_turns=False)
    codex.thread_fork(thread.id, include_turns=True)
    assert [len(a["thread"]["turns"]) for a in forked.answers] == [0, 2]
    # Left out of the answer, not out of the thread: the fork still has the history.
    assert len(fork.read(include_turns=True).thread.turns) == 2


def test_include_turns_async(codex_config: CodexConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    resumed = ResponseSpy(monkeypatch, AsyncCodex, "thread/resume")

    async def main() -> None:
        async with AsyncCodex(codex_config) as codex:
            thread = await codex.thread_start()
            await thread.run("only turn")
            await codex.thread_resume(thread.id, include_turns=False)
            await codex.thread_resume(thread.id, include_turns=True)

    asyncio.run(main())
    assert [len(a["thread"]["turns"]) for a in resumed.answers] == [0, 1]


# -- section_id= --------------------------------------------------------------------------------


def test_section_id_lists_only_the_threads_of_that_section(codex: Codex) -> None:
    if not has(version_of(codex), SECTION_ID):
        pytest.skip(f"runtime {version_of(codex)} has no sections (the gating test covers it)")
    inside, outside = codex.thread_start(), codex.thread_start()
    inside.run("in the section")
    outside.run("not in it")
    section = codex._request("threadSection/create", {"name": "work"})["section"]["id"]
    codex._request("thread/section/move", {"threadId": inside.id, "sectionId": section})

    assert [t.id for t in codex.thread_list(section_id=section).data] == [inside.id]
    assert {inside.id, outside.id} <= {t.id for t in codex.thread_list().data}


# -- the gate on an older runtime -------------------------------------------------------------------


def test_an_older_runtime_refuses_the_newer_features_before_sending(codex: Codex, model: ScriptedModel) -> None:
    version = version_of(codex)
    if has(version, TOOL_OUTPUT):
        pytest.skip(f"runtime {version} has every feature (the feature tests cover it)")
    thread = codex.thread_start()
    cases: list[tuple[str, dict[str, Any], Any]] = [
        ("ExternalMessage input", {}, ExternalMessage("webhook", "news")),
        ("source=", {"source": "schedule"}, "hi"),
        ("turn_service_tier=", {"turn_service_tier": "flex"}, "hi"),
    ]
    for feature, kwargs, prompt in cases:
        with pytest.raises(RuntimeVersionError) as raised:
            thread.run(prompt, **kwargs)
        error = raised.value
        assert (error.feature, error.required_version, error.runtime_version) == (feature, TOOL_OUTPUT, version)
        assert feature in str(error) and TOOL_OUTPUT in str(error) and version in str(error)
    if not has(version, SECTION_ID):
        with pytest.raises(RuntimeVersionError, match="section_id="):
            codex.thread_list(section_id="anything")

    # Nothing reached the runtime: no model call, no turn; the thread works as before.
    assert model.requests == []
    assert thread.run("plain").status.value == "completed"
    assert len(thread.read(include_turns=True).thread.turns) == 1


def test_an_older_runtime_refuses_the_newer_features_async(model: ScriptedModel, codex_config: CodexConfig) -> None:
    async def main() -> None:
        async with AsyncCodex(codex_config) as codex:
            version = version_of(codex)
            if has(version, TOOL_OUTPUT):
                pytest.skip(f"runtime {version} has every feature (the feature tests cover it)")
            thread = await codex.thread_start()
            with pytest.raises(RuntimeVersionError) as raised:
                await thread.turn(ExternalMessage("webhook", "news"))
            assert raised.value.runtime_version == version
            with pytest.raises(RuntimeVersionError, match="source="):
                await thread.run("hi", source="schedule")
            assert model.requests == []
            assert (await thread.run("plain")).status.value == "completed"

    asyncio.run(main())
