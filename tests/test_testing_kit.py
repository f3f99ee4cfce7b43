"""openai_codex.testing: the scripted model, its config helper and the pytest plugin, as a user
of the SDK meets them (the project's own suite builds on the same kit)."""

from __future__ import annotations

import asyncio
import re
import textwrap
from pathlib import Path

import pytest
from openai_codex import AsyncCodex, Codex
from openai_codex.testing import ScriptedModel, echo, exec_command, text, user_texts

pytestmark = pytest.mark.e2e  # every test here starts a runtime (real or fake)

pytest_plugins = ["pytester"]


def test_fixtures_run_a_real_turn_against_the_script(codex_offline: Codex, scripted_model: ScriptedModel) -> None:
    scripted_model.enqueue(text("hello there", deltas=3))
    result = codex_offline.thread_start().run("Say hello")
    assert result.final_response == "hello there"
    assert user_texts(scripted_model.requests[0])[-1] == "Say hello"


def test_async_fixture_starts_in_the_tests_own_loop(
    async_codex_offline: AsyncCodex, scripted_model: ScriptedModel
) -> None:
    scripted_model.enqueue(text("from the loop"))

    async def main() -> str | None:
        thread = await async_codex_offline.thread_start()
        return (await thread.run("hi")).final_response

    assert asyncio.run(main()) == "from the loop"


def test_echo_answers_with_what_it_was_sent_and_fills_output_schemas(tmp_path: object) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}, "ok": {"type": "boolean"}}}
    with ScriptedModel(default=echo) as model, Codex(model.config()) as codex:
        thread = codex.thread_start()
        first = thread.run("What is up?").final_response
        second = thread.run("Again", output_schema=schema).final_response
    assert first == "(scripted model) You said 'What is up?'."
    assert second == '{"n": 1, "ok": true}'


def test_config_homes_are_removed_when_the_model_closes() -> None:
    with ScriptedModel() as model:
        config = model.config(approval_policy="on-request")
        assert config.env is not None
        home = config.env["CODEX_HOME"]
        toml = (__import__("pathlib").Path(home) / "config.toml").read_text()
        assert 'approval_policy = "on-request"' in toml and model.base_url in toml
    assert not __import__("os").path.exists(home)


def test_a_users_test_file_is_five_lines(pytester: pytest.Pytester) -> None:
    """The plugin is found through its entry point: a test file with no conftest uses it."""
    pytester.makepyfile(
        textwrap.dedent(
            """
            from openai_codex.testing import exec_command, text

            def test_agent(codex_offline, scripted_model):
                scripted_model.enqueue(exec_command("echo hi", login=False), text("ran it"))
                result = codex_offline.thread_start().run("run echo")
                assert result.final_response == "ran it"
                assert [i.root.type for i in result.items].count("commandExecution") == 1
            """
        )
    )
    outcome = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    outcome.assert_outcomes(passed=1)


def test_exec_command_output_reaches_the_next_model_call(codex_offline: Codex, scripted_model: ScriptedModel) -> None:
    scripted_model.enqueue(exec_command("echo kit-$((6*7))", login=False), text("done"))
    codex_offline.thread_start().run("go")
    outputs = [
        item["output"] for item in scripted_model.requests[1]["input"] if item.get("type") == "function_call_output"
    ]
    assert any("kit-42" in out for out in outputs)


def _doc_blocks() -> list[str]:
    text_ = (Path(__file__).resolve().parents[1] / "docs" / "testing.md").read_text()
    return re.findall(r"```python\n(.*?)```", text_, flags=re.S)


def test_the_testing_guides_pytest_snippets_pass_as_written(pytester: pytest.Pytester) -> None:
    tests = [block for block in _doc_blocks() if "def test_" in block]
    assert len(tests) >= 2
    pytester.makepyfile(**{f"test_doc_{i}": block for i, block in enumerate(tests)})
    outcome = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    outcome.assert_outcomes(passed=len(tests))


def test_the_testing_guides_plain_snippet_runs_as_written() -> None:
    (plain,) = [block for block in _doc_blocks() if "def test_" not in block]
    exec(compile(plain, "docs/testing.md", "exec"), {})
