"""Python functions as tools, end to end: the real runtime, the scripted model, the SDK's answers."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from openai_codex import AsyncCodex, Codex, CodexConfig, tool
from openai_codex.testing import ScriptedModel, function_call_outputs, raw, text, tool_call, user_texts
from openai_codex.tools import ToolContext, ToolImage

pytestmark = pytest.mark.e2e  # every test here starts a runtime (real or fake)


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


def outputs(body: dict[str, Any]) -> list[Any]:
    return [item["output"] for item in function_call_outputs(body)]


def tool_items(items: list[Any]) -> list[Any]:
    return [item.root for item in items if item.root.type == "dynamicToolCall"]


def test_a_tool_runs_with_the_models_arguments_and_the_model_reads_its_result(
    codex: Codex, model: ScriptedModel
) -> None:
    calls: list[tuple[int, int, ToolContext]] = []

    @tool
    def multiply(a: int, b: int, ctx: ToolContext) -> dict[str, int]:
        """Multiplies."""
        calls.append((a, b, ctx))
        return {"product": a * b}

    model.enqueue(tool_call("multiply", {"a": 6, "b": 7}, call_id="call-mul"), text("it is 42"))
    thread = codex.thread_start(tools=[multiply])
    result = thread.run("6 times 7?")
    assert result.final_response == "it is 42"
    [(a, b, ctx)] = calls
    assert (a, b) == (6, 7)
    assert ctx.thread_id == thread.id and ctx.turn_id == result.id and ctx.tool == "multiply" and ctx.call_id
    assert outputs(model.requests[1]) == ['{"product": 42}']
    [item] = tool_items(result.items)
    assert item.tool == "multiply" and item.arguments == {"a": 6, "b": 7}
    assert item.success is True and item.status.value == "completed"
    assert item.content_items[0].root.text == '{"product": 42}'


def test_a_raising_tool_gives_the_model_an_error_text_and_the_turn_goes_on(codex: Codex, model: ScriptedModel) -> None:
    @tool
    def explode(reason: str) -> str:
        raise RuntimeError(f"exploded: {reason}")

    model.enqueue(tool_call("explode", {"reason": "test"}), text("recovered"))
    result = codex.thread_start(tools=[explode]).run("go")
    assert result.final_response == "recovered" and result.status.value == "completed"
    assert outputs(model.requests[1]) == ["Tool 'explode' raised RuntimeError: exploded: test"]
    [item] = tool_items(result.items)
    assert item.success is False and item.status.value == "failed"


def test_wrong_arguments_never_call_the_function(codex: Codex, model: ScriptedModel) -> None:
    calls: list[int] = []

    @tool
    def square(x: int) -> int:
        calls.append(x)
        return x * x

    model.enqueue(tool_call("square", {"x": "four"}), tool_call("square", {"x": 4}), text("16"))
    result = codex.thread_start(tools=[square]).run("square four")
    assert calls == [4], "only the well-formed call ran"
    [bad] = outputs(model.requests[1])
    assert bad.startswith("Invalid arguments for tool 'square': x: expected integer, got string 'four'")
    assert outputs(model.requests[2])[-1] == "16"
    assert [i.success for i in tool_items(result.items)] == [False, True]


def test_a_call_with_no_function_bound_says_to_pass_tools(
    codex: Codex, codex_config: CodexConfig, model: ScriptedModel
) -> None:
    thread = codex.thread_start(tools=[add])
    thread.run("hi")
    # One writer per thread: a newer runtime (0.163) refuses to resume a thread that another
    # live client still has loaded, so the first client lets go of it first.
    codex.close()
    with Codex(codex_config) as fresh:
        # Resumed without tools=: the runtime still offers `add`, and nothing here runs it.
        resumed = fresh.thread_resume(thread.id)
        model.enqueue(tool_call("add", {"a": 1}), text("done"))
        result = resumed.run("add one")
        assert result.final_response == "done"
        [message] = outputs(model.requests[-1])
        assert "No Python function is bound" in message and "tools=[...]" in message
        # Bound on resume, the same thread's call runs the function.
        rebound = fresh.thread_resume(thread.id, tools=[add])
        model.enqueue(tool_call("add", {"a": 1, "b": 2}), text("three"))
        rebound.run("add")
        assert outputs(model.requests[-1])[-1] == "3"


def test_each_thread_runs_its_own_functions(codex: Codex, model: ScriptedModel) -> None:
    @tool(name="add")
    def add_ten(a: int) -> int:
        return a + 10

    first = codex.thread_start(tools=[add])
    second = codex.thread_start(tools=[add_ten])
    model.enqueue(tool_call("add", {"a": 1}), text("done"), tool_call("add", {"a": 1}), text("done"))
    first.run("one")
    second.run("two")
    assert outputs(model.requests[1]) == ["2"]
    assert outputs(model.requests[3]) == ["11"]


def test_an_async_tool_under_async_codex_with_eight_concurrent_turns(tmp_path: Path) -> None:
    running = 0
    most = 0

    @tool
    async def slow_echo(word: str, ctx: ToolContext) -> str:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.3)
        running -= 1
        return f"{word} from {ctx.thread_id[-6:]}"

    def script(body: dict[str, Any]) -> Any:
        done = function_call_outputs(body)
        if done:
            return text(f"tool said: {done[-1]['output']}")
        return tool_call("slow_echo", {"word": user_texts(body)[-1]})

    async def main() -> list[tuple[str, str | None, list[Any]]]:
        with ScriptedModel(default=script) as model:
            async with AsyncCodex(model.config(tmp_path / "home")) as codex:
                threads = await asyncio.gather(*(codex.thread_start(tools=[slow_echo]) for _ in range(8)))

                async def one(i: int) -> tuple[str, str | None, list[Any]]:
                    result = await threads[i].run(f"w{i}")
                    return threads[i].id, result.final_response, tool_items(result.items)

                return await asyncio.gather(*(one(i) for i in range(8)))

    started = time.monotonic()
    results = asyncio.run(main())
    elapsed = time.monotonic() - started
    for i, (thread_id, final, items) in enumerate(results):
        assert final == f"tool said: w{i} from {thread_id[-6:]}"
        assert [item.success for item in items] == [True]
    assert most > 1, "the calls overlapped on the event loop"
    assert elapsed < 8 * 0.3 + 20


def test_a_blocking_tool_under_async_codex_runs_off_the_loop(tmp_path: Path) -> None:
    @tool
    def where() -> str:
        return threading.current_thread().name

    async def main() -> str:
        with ScriptedModel() as model:
            model.enqueue(tool_call("where"), text("ok"))
            async with AsyncCodex(model.config(tmp_path / "home")) as codex:
                await (await codex.thread_start(tools=[where])).run("where?")
                return str(outputs(model.requests[1])[0])

    assert asyncio.run(main()) != threading.main_thread().name


def namespaced_call(namespace: str, name: str, arguments: dict[str, Any]) -> Any:
    """A model reply calling a namespaced tool (the function_call item names its namespace)."""
    item = {
        "type": "function_call",
        "id": "fc_ns",
        "call_id": "call_ns",
        "name": name,
        "namespace": namespace,
        "arguments": json.dumps(arguments),
    }
    usage = {
        "input_tokens": 1,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 1,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 2,
    }
    return raw(
        [
            ("response.created", {"response": {"id": "resp_ns"}}),
            ("response.output_item.added", {"output_index": 0, "item": dict(item, arguments="")}),
            ("response.output_item.done", {"output_index": 0, "item": item}),
            ("response.completed", {"response": {"id": "resp_ns", "usage": usage}}),
        ]
    )


def test_a_namespaced_tool_is_called_by_namespace_and_name(codex: Codex, model: ScriptedModel) -> None:
    @tool(name="lookup")
    def plain_lookup(key: str) -> str:
        return "the plain one"

    model.enqueue(namespaced_call("db", "lookup", {"key": "k"}), text("done"))
    result = codex.thread_start(tools=[plain_lookup, lookup]).run("go")
    assert outputs(model.requests[1]) == ["value of k"]
    [item] = tool_items(result.items)
    assert item.namespace == "db" and item.tool == "lookup"


def test_tool_calls_are_in_the_stream(codex: Codex, model: ScriptedModel) -> None:
    model.enqueue(tool_call("add", {"a": 40, "b": 2}), text("42"))
    handle = codex.thread_start(tools=[add]).turn("go")
    seen = [
        (event.method, event.payload.item.root.status.value)
        for event in handle.stream()
        if event.method in ("item/started", "item/completed") and event.payload.item.root.type == "dynamicToolCall"
    ]
    assert seen == [("item/started", "inProgress"), ("item/completed", "completed")]
    assert handle.run().final_response == "42"


def png(width: int, height: int, rgba: tuple[int, int, int, int]) -> bytes:
    """A valid PNG of one colour (checksums computed, not copied): the 0.163 runtime decodes a
    tool's image and replaces one it cannot read with text."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    rows = b"".join(b"\x00" + bytes(rgba) * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG_1PX = png(1, 1, (255, 0, 0, 255))


def test_an_image_result_reaches_the_model_as_an_image(codex: Codex, model: ScriptedModel) -> None:
    @tool
    def snapshot() -> list[object]:
        return ["caption", ToolImage(PNG_1PX, "image/png")]

    model.enqueue(tool_call("snapshot"), text("seen"))
    result = codex.thread_start(tools=[snapshot]).run("look")
    [output] = outputs(model.requests[1])
    assert [part["type"] for part in output] == ["input_text", "input_image"]
    assert output[0]["text"] == "caption"
    assert output[1]["image_url"] == ToolImage(PNG_1PX, "image/png").image_url
    [item] = tool_items(result.items)
    assert [c.root.type for c in item.content_items] == ["inputText", "inputImage"]


def test_a_tool_over_its_timeout_gives_a_timeout_result(codex: Codex, model: ScriptedModel) -> None:
    @tool(timeout=0.2)
    def stuck() -> str:
        time.sleep(1.0)
        return "late"

    model.enqueue(tool_call("stuck"), text("moved on"))
    started = time.monotonic()
    result = codex.thread_start(tools=[stuck]).run("go")
    assert result.final_response == "moved on"
    assert time.monotonic() - started < 5
    assert outputs(model.requests[1]) == ["Tool 'stuck' timed out after 0.2 s; it returned no result."]
