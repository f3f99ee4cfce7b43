"""Code a user would write with @tool, checked with ``mypy --strict`` (``scripts/test.sh``).

A decorated function keeps its signature for type checkers (``Tool`` is generic over the
function's ParamSpec and return type); tests/test_tools.py also asks mypy what
``reveal_type`` says and imports this file, so every line is valid at runtime too.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from openai_codex import Codex, tool
from openai_codex.tools import Tool, ToolContext, ToolImage
from typing_extensions import assert_type


@tool
def add(a: int, b: int = 1) -> int:
    """Adds two integers."""
    return a + b


@tool(name="lookup", namespace="db", timeout=2.5)
async def find(key: str, ctx: ToolContext) -> list[str]:
    """Finds rows."""
    return [key, ctx.call_id]


@tool(input_schema={"type": "object"})
def picture() -> ToolImage:
    return ToolImage(b"\x89PNG", "image/png")


def use() -> None:
    assert_type(add(1, b=2), int)
    # A coroutine (mypy calls it Coroutine, pyright CoroutineType: an annotation suits both).
    pending: Coroutine[Any, Any, list[str]] = find("k", ToolContext("t", "u", "c", "lookup"))
    pending.close()
    assert_type(add.name, str)
    assert_type(add.timeout, float | None)
    assert_type(add.input_schema, dict[str, Any])
    tools: list[Tool[..., Any]] = [add, find, picture]
    del tools


def start(codex: Codex) -> None:
    codex.thread_start(tools=[add, find, picture])
    codex.thread_resume("thread-id", tools=[add])
    codex.thread_fork("thread-id", tools=[find])
