"""Python functions as tools, end to end: the real runtime, the scripted model, the SDK's answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openai_codex import Codex, CodexConfig, tool
from openai_codex.testing import ScriptedModel, text


@tool
def add(a: int, b: int = 1) -> int:
    """Adds two integers.

    Args:
        a: the first number.
        b: the second number.
    """
    return a + b


@tool(namespace="db")
def lookup(key: str) -> str:
    """Looks a key up."""
    return f"value of {key}"


def offered_tools(body: dict[str, Any]) -> dict[str, Any]:
    """The tools in a model request, by name (namespaced ones as NS.name)."""
    found: dict[str, Any] = {}
    for entry in body.get("tools") or []:
        if entry.get("type") == "function":
            found[entry["name"]] = entry
        elif entry.get("type") == "namespace":
            for inner in entry.get("tools") or []:
                found[f"{entry['name']}.{inner['name']}"] = inner
    return found


def test_thread_start_offers_the_tools_with_their_schemas(codex: Codex, model: ScriptedModel) -> None:
    thread = codex.thread_start(tools=[add, lookup])
    thread.run("hi")
    offered = offered_tools(model.requests[0])
    assert offered["add"]["description"] == "Adds two integers."
    # The runtime passes the schema on, less the keywords it drops (`default`, `prefixItems`...).
    parameters = offered["add"]["parameters"]
    assert parameters["required"] == ["a"] and parameters["additionalProperties"] is False
    assert parameters["properties"] == {
        "a": {"type": "integer", "description": "the first number."},
        "b": {"type": "integer", "description": "the second number. Default: 1."},
    }
    assert offered["db.lookup"]["parameters"]["properties"] == {"key": {"type": "string"}}


def test_tools_need_the_experimental_api(model: ScriptedModel, tmp_path: Path) -> None:
    config = CodexConfig(env=model.codex_env(tmp_path / "home"), experimental_api=False)
    with Codex(config) as codex, pytest.raises(ValueError, match="experimental_api=True"):
        codex.thread_start(tools=[add])


def test_resume_and_fork_bind_only_tools_the_thread_has(
    codex: Codex, codex_config: CodexConfig, model: ScriptedModel
) -> None:
    @tool
    def other() -> str:
        return "x"

    thread = codex.thread_start(tools=[add, lookup])
    thread.run("hi")
    with pytest.raises(ValueError, match="no tool named 'other'"):
        codex.thread_resume(thread.id, tools=[add, other])
    assert codex.thread_resume(thread.id, tools=[add]).id == thread.id
    # A new client knows nothing of this thread: it reads the stored definitions.
    with Codex(codex_config) as fresh:
        with pytest.raises(ValueError, match=r"no tool named 'other' \(its tools: add, db.lookup\)"):
            fresh.thread_resume(thread.id, tools=[other])
        with pytest.raises(ValueError, match="no tool named 'other'"):
            fresh.thread_fork(thread.id, tools=[other])
        fork = fresh.thread_fork(thread.id, tools=[lookup])
        assert fork.id != thread.id
        model.enqueue(text("forked"))
        fork.run("again")
        assert set(offered_tools(model.requests[-1])) >= {"add", "db.lookup"}
