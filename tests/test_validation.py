"""Bad arguments are refused before anything reaches the runtime, with an error naming them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from openai_codex import AsyncCodex, Codex, CodexConfig
from openai_codex.testing import ScriptedModel, text
from openai_codex.types import Personality, ReasoningEffort

BAD_TURN_ARGUMENTS = [
    ({"effort": "ultra"}, ValueError, "effort must be one of 'none', 'minimal'"),
    ({"effort": 3}, TypeError, "effort must be a ReasoningEffort"),
    ({"personality": "grumpy"}, ValueError, "personality must be one of"),
    ({"summary": "bogus"}, ValueError, "summary must be one of 'auto', 'concise', 'detailed', 'none'"),
    ({"output_schema": "notadict"}, TypeError, "output_schema must be a dict (a JSON Schema), not str"),
    ({"output_schema": {1: "x"}}, TypeError, "output_schema keys must be str"),
    ({"model": 5}, TypeError, "model must be a str, not int"),
    ({"cwd": 5}, TypeError, "cwd must be a str path, not int"),
]


@pytest.mark.e2e
@pytest.mark.parametrize(("kwargs", "error", "message"), BAD_TURN_ARGUMENTS)
def test_bad_turn_arguments_fail_before_sending(
    codex: Codex, model: ScriptedModel, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    thread = codex.thread_start()
    with pytest.raises(error) as raised:
        thread.run("never sent", **kwargs)
    assert message in str(raised.value)
    # Nothing reached the model, and the thread is still usable with valid values.
    assert model.requests == []
    model.enqueue(text("fine"))
    result = thread.run("sent", effort=ReasoningEffort.low, personality="pragmatic", summary="concise")
    assert result.final_response == "fine"


@pytest.mark.e2e
def test_bad_async_turn_and_thread_arguments_fail_before_sending(
    codex_config: CodexConfig, model: ScriptedModel
) -> None:
    async def main() -> None:
        async with AsyncCodex(codex_config) as codex:
            with pytest.raises(ValueError, match="personality must be one of"):
                await codex.thread_start(personality="grumpy")  # type: ignore[arg-type]
            thread = await codex.thread_start(personality=Personality.friendly)
            with pytest.raises(ValueError, match=r"effort must be one of .* \(got 'ultra'\)"):
                await thread.run("never sent", effort="ultra")  # type: ignore[arg-type]
            with pytest.raises(TypeError, match="limit must be an int"):
                await codex.thread_list(limit="10")  # type: ignore[arg-type]
            assert model.requests == []
            model.enqueue(text("fine"))
            assert (await thread.run("sent", effort="high")).final_response == "fine"  # type: ignore[arg-type]

    asyncio.run(main())


@pytest.mark.e2e
def test_thread_list_accepts_a_path_or_a_list_of_paths(codex: Codex, tmp_path: Path) -> None:
    for cwd in (str(tmp_path), [str(tmp_path)], tmp_path):
        assert codex.thread_list(cwd=cwd).data == []  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"cwd\[1\] must be a str path, not int"):
        codex.thread_list(cwd=[str(tmp_path), 3])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (CodexConfig(env={"CODEX_HOME": 1}), "CodexConfig.env['CODEX_HOME'] must be a str, not int"),  # type: ignore[dict-item]
        (CodexConfig(config_overrides="a=b"), "CodexConfig.config_overrides must be a list of str, not str"),  # type: ignore[arg-type]
        (CodexConfig(cwd=3), "CodexConfig.cwd must be a str path, not int"),  # type: ignore[arg-type]
        (CodexConfig(experimental_api="yes"), "CodexConfig.experimental_api must be a bool"),  # type: ignore[arg-type]
        ("/bin/cat", "config must be a CodexConfig or None, not str; to run a particular binary, pass"),
    ],
)
def test_bad_config_is_refused_before_spawning(config: Any, message: str) -> None:
    with pytest.raises(TypeError) as raised:
        Codex(config)
    assert message in str(raised.value)

    async def main() -> None:
        with pytest.raises(TypeError) as raised:
            async with AsyncCodex(config):
                pass
        assert message in str(raised.value)

    asyncio.run(main())


@pytest.mark.e2e
def test_config_paths_may_be_path_objects(codex_config: CodexConfig, tmp_path: Path) -> None:
    config = CodexConfig(env=codex_config.env, cwd=tmp_path)  # type: ignore[arg-type]
    with Codex(config) as codex:
        assert codex.metadata.server_info is not None
