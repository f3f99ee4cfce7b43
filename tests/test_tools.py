"""@tool without a runtime: schemas from hints and docstrings, argument checks, results, bindings."""

from __future__ import annotations

import asyncio
import enum
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, TypedDict, Union

import pytest
from openai_codex import tool
from openai_codex._toolcalls import ToolBindings, checked_tools
from openai_codex.tools import Tool, ToolContext, ToolImage, call_async, call_blocking, content_items

CTX = ToolContext(thread_id="thr", turn_id="trn", call_id="call-1", tool="t")


class Color(enum.Enum):
    """A primary colour."""

    red = "red"
    blue = "blue"


class Level(enum.IntEnum):
    low = 1
    high = 2


@dataclass
class Point:
    """A point on the plane."""

    x: float
    y: float = 0.0


@dataclass
class Shape:
    name: str
    points: list[Point] = field(default_factory=list)
    color: Color = Color.red


class Options(TypedDict, total=False):
    verbose: bool
    depth: int


class Query(TypedDict):
    text: str
    options: Options


@dataclass
class Node:
    value: int
    children: list[Node]


def schema_of(t: Tool[Any, Any]) -> dict[str, Any]:
    return t.input_schema


def props(t: Tool[Any, Any]) -> dict[str, Any]:
    return t.input_schema["properties"]


def text_of(result: dict[str, Any]) -> str:
    return "".join(item["text"] for item in result["contentItems"] if item["type"] == "inputText")


# -- the decorator and the spec ---------------------------------------------------------------


def test_bare_decorator_keeps_the_function_callable_and_builds_a_spec() -> None:
    @tool
    def add(a: int, b: int = 2) -> int:
        """Adds two integers."""
        return a + b

    assert add(1) == 3 and add(a=1, b=5) == 6
    assert add.__name__ == "add" and add.__doc__ == "Adds two integers."
    assert add.spec() == {
        "name": "add",
        "description": "Adds two integers.",
        "inputSchema": {
            "type": "object",
            "properties": {
                "a": {"type": "integer"},
                "b": {"type": "integer", "default": 2, "description": "Default: 2."},
            },
            "required": ["a"],
            "additionalProperties": False,
        },
    }
    assert add.timeout is None and add.namespace is None and not add.is_async


def test_options_override_name_description_namespace_and_schema() -> None:
    schema = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}

    @tool(name="lookup", description="Finds things.", namespace="db", input_schema=schema, timeout=2)
    async def find(q: str) -> str:
        """Not this text."""
        return q

    assert find.spec() == {"name": "lookup", "description": "Finds things.", "inputSchema": schema, "namespace": "db"}
    assert find.timeout == 2.0 and find.is_async and find.key == ("db", "lookup")
    schema["required"] = []
    assert find.input_schema["required"] == ["q"], "the tool keeps its own copy"


def test_scalars_none_any_and_containers() -> None:
    @tool
    def f(
        s: str,
        i: int,
        x: float,
        b: bool,
        n: None,
        anything: Any,
        names: list[str],
        seq: Sequence[int],
        pair: tuple[int, str],
        many: tuple[float, ...],
        counts: dict[str, int],
        raw: dict,  # type: ignore[type-arg]
    ) -> None:
        pass

    p = props(f)
    assert p["s"] == {"type": "string"} and p["i"] == {"type": "integer"}
    assert p["x"] == {"type": "number"} and p["b"] == {"type": "boolean"} and p["n"] == {"type": "null"}
    assert p["anything"] == {}
    assert p["names"] == {"type": "array", "items": {"type": "string"}}
    assert p["seq"] == {"type": "array", "items": {"type": "integer"}}
    # The runtime drops prefixItems: the order is said in words.
    assert p["pair"] == {
        "type": "array",
        "items": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
        "minItems": 2,
        "maxItems": 2,
        "description": "Exactly 2 items, in this order: integer, string.",
    }
    assert p["many"] == {"type": "array", "items": {"type": "number"}}
    assert p["counts"] == {"type": "object", "additionalProperties": {"type": "integer"}}
    assert p["raw"] == {"type": "object", "additionalProperties": {}}
    assert schema_of(f)["required"] == list(p)


def test_optional_unions_literals_and_enums() -> None:
    @tool
    def f(
        a: Optional[int],  # noqa: UP045 (the spelling under test)
        b: str | None = None,
        c: Union[int, str] = 0,  # noqa: UP007
        mode: Literal["fast", "slow"] = "fast",
        mixed: Literal[1, "one"] = 1,
        color: Color = Color.blue,
        level: Level = Level.low,
    ) -> None:
        pass

    p = props(f)
    assert p["a"] == {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert p["b"] == {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
    assert p["c"] == {"anyOf": [{"type": "integer"}, {"type": "string"}], "default": 0, "description": "Default: 0."}
    assert p["mode"]["enum"] == ["fast", "slow"] and p["mode"]["default"] == "fast"
    assert p["mixed"] == {"enum": [1, "one"], "default": 1, "description": "Default: 1."}
    assert p["color"] == {
        "type": "string",
        "enum": ["red", "blue"],
        "description": 'A primary colour. Default: "blue".',
        "default": "blue",
    }
    assert p["level"] == {"type": "integer", "enum": [1, 2], "default": 1, "description": "Default: 1."}
    assert schema_of(f)["required"] == ["a"]


def test_dataclasses_and_typeddicts_nest() -> None:
    @tool
    def draw(shape: Shape, query: Query) -> None:
        pass

    p = props(draw)
    point = {
        "type": "object",
        "properties": {
            "x": {"type": "number"},
            "y": {"type": "number", "default": 0.0, "description": "Default: 0.0."},
        },
        "required": ["x"],
        "additionalProperties": False,
        "description": "A point on the plane.",
    }
    assert p["shape"] == {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "points": {"type": "array", "items": point},
            "color": {
                "type": "string",
                "enum": ["red", "blue"],
                "description": 'A primary colour. Default: "red".',
                "default": "red",
            },
        },
        "required": ["name"],
        "additionalProperties": False,
    }
    assert p["query"]["required"] == ["text", "options"]
    assert p["query"]["properties"]["options"] == {
        "type": "object",
        "properties": {"verbose": {"type": "boolean"}, "depth": {"type": "integer"}},
        "required": [],
        "additionalProperties": False,
    }


# -- descriptions -----------------------------------------------------------------------------


def test_annotated_and_google_docstring_descriptions() -> None:
    @tool
    def search(query: Annotated[str, "what to look for"], limit: int = 10, exact: bool = False) -> list[str]:
        """Searches the notes.

        Matches are ranked by
        recency.

        Args:
            query: ignored: Annotated wins.
            limit (int): how many results
                to return at most.
            exact: match whole words only.

        Returns:
            The matching notes.
        """
        return []

    assert search.description == "Searches the notes.\n\nMatches are ranked by recency."
    p = props(search)
    assert p["query"]["description"] == "what to look for"
    assert p["limit"]["description"] == "how many results to return at most. Default: 10."
    assert p["exact"]["description"] == "match whole words only. Default: false."


def test_numpy_docstring() -> None:
    @tool
    def area(width: float, height: float, unit: str = "m") -> float:
        """Area of a rectangle.

        Parameters
        ----------
        width, height : float
            The sides,
            in units.
        unit : str, optional
            The unit.

        Returns
        -------
        float
        """
        return width * height

    assert area.description == "Area of a rectangle."
    p = props(area)
    assert p["width"]["description"] == p["height"]["description"] == "The sides, in units."
    assert p["unit"]["description"] == 'The unit. Default: "m".'


def test_sphinx_docstring() -> None:
    @tool
    def greet(name: str, times: int = 1) -> str:
        """Greets someone.

        :param name: who to greet,
            by name.
        :param int times: how often.
        :type times: int
        :returns: the greeting.
        """
        return "hi " * times + name

    assert greet.description == "Greets someone."
    p = props(greet)
    assert p["name"]["description"] == "who to greet, by name."
    assert p["times"]["description"] == "how often. Default: 1."


def test_no_docstring_gives_an_empty_description() -> None:
    @tool
    def f(x: int) -> int:
        return x

    assert f.description == "" and "description" not in props(f)["x"]


# -- decoration errors ------------------------------------------------------------------------


class Unsupported:
    pass


@pytest.mark.parametrize(
    ("define", "match"),
    [
        (lambda: tool(name="f")(lambda x: x), "parameter 'x' has no type hint"),
        ("def f(a: int, blob: Unsupported) -> None: ...", "parameter 'blob'.*Unsupported"),
        ("def f(*args: int) -> None: ...", r"parameter \*args is not supported"),
        ("def f(**kw: int) -> None: ...", r"parameter \*\*kw is not supported"),
        ("def f(m: dict[int, str]) -> None: ...", "parameter 'm'.*keys are strings"),
        ("def f(n: Node) -> None: ...", "parameter 'n'.*recursive"),
        ("def f(s: set[int]) -> None: ...", "parameter 's'"),
        ("def f(x: 'NoSuchType') -> None: ...", "parameter 'x'"),
    ],
)
def test_unsupported_hints_fail_at_decoration_naming_the_parameter(define: Any, match: str) -> None:
    with pytest.raises(TypeError, match=match):
        if isinstance(define, str):
            namespace: dict[str, Any] = dict(globals())
            exec(define, namespace)
            tool(namespace["f"])
        else:
            define()


def test_input_schema_lets_unsupported_hints_through_unchecked() -> None:
    schema = {"type": "object", "properties": {"blob": {"type": "string"}}}

    @tool(input_schema=schema)
    def f(blob: Unsupported) -> str:
        return repr(blob)

    assert f.input_schema == schema
    assert text_of(call_blocking(f, {"blob": "raw"}, CTX)) == "'raw'"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"name": "has space"}, ValueError), ({"namespace": ""}, ValueError), ({"timeout": 0}, ValueError)],
)
def test_bad_options(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        tool(**kwargs)(lambda: None)


def test_a_lambda_needs_a_name() -> None:
    with pytest.raises(ValueError, match="pass name="):
        tool(lambda: None)
    assert tool(name="noop")(lambda: None).name == "noop"


# -- arguments --------------------------------------------------------------------------------


KITCHEN_CALLS: list[int] = []


@tool
def kitchen(
    count: int,
    ratio: float,
    shape: Shape,
    color: Color,
    query: Query,
    pair: tuple[int, str],
    tags: list[str] | None = None,
    mode: Literal["a", "b"] = "a",
    flag: bool = False,
) -> dict[str, Any]:
    """Returns what it got, with Python types."""
    KITCHEN_CALLS.append(count)
    return {
        "count": (type(count).__name__, count),
        "ratio": (type(ratio).__name__, ratio),
        "shape": (type(shape).__name__, type(shape.points[0]).__name__ if shape.points else None, shape.color.name),
        "color": color.name,
        "query": (type(query).__name__, query),
        "pair": (type(pair).__name__, list(pair)),
        "tags": tags,
        "mode": mode,
        "flag": flag,
    }


GOOD = {
    "count": 3.0,
    "ratio": 2,
    "shape": {"name": "tri", "points": [{"x": 1}], "color": "blue"},
    "color": "red",
    "query": {"text": "q", "options": {"depth": 2}},
    "pair": [1, "a"],
}


def test_arguments_are_converted_to_the_hinted_types() -> None:
    import json

    result = call_blocking(kitchen, GOOD, CTX)
    assert result["success"] is True
    assert json.loads(text_of(result)) == {
        "count": ["int", 3],
        "ratio": ["float", 2.0],
        "shape": ["Shape", "Point", "blue"],
        "color": "red",
        "query": ["dict", {"text": "q", "options": {"depth": 2}}],
        "pair": ["tuple", [1, "a"]],
        "tags": None,
        "mode": "a",
        "flag": False,
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"count": "3"}, "count: expected integer, got string '3'"),
        ({"count": 3.5}, "count: expected integer, got number 3.5"),
        ({"count": True}, "count: expected integer, got boolean True"),
        ({"ratio": None}, "ratio: expected number, got null"),
        ({"shape": {"name": "t", "points": [{"y": 1}]}}, "shape.points[0].x: required argument missing"),
        ({"shape": {"name": "t", "colour": "red"}}, "unexpected argument 'colour' in shape"),
        ({"color": "green"}, "color: expected one of ['red', 'blue'], got string 'green'"),
        ({"query": {"text": "q", "options": {"depth": "deep"}}}, "query.options.depth: expected integer"),
        ({"pair": [1]}, "pair: expected an array of 2 items, got 1"),
        ({"tags": ["a", 2]}, "tags[1]: expected string, got integer 2"),
        ({"mode": "c"}, "mode: expected one of ['a', 'b']"),
        ({"flag": 1}, "flag: expected boolean, got integer 1"),
        ({"extra": 1}, "unexpected argument 'extra'"),
    ],
)
def test_wrong_arguments_never_call_the_function_and_say_what_was_wrong(change: dict[str, Any], message: str) -> None:
    KITCHEN_CALLS.clear()
    result = call_blocking(kitchen, {**GOOD, **change}, CTX)
    assert result["success"] is False
    assert message in text_of(result)
    assert text_of(result).startswith("Invalid arguments for tool 'kitchen': ")
    assert "The tool was not run" in text_of(result)
    assert KITCHEN_CALLS == []


def test_missing_required_and_non_object_arguments() -> None:
    result = call_blocking(kitchen, {}, CTX)
    assert "count: required argument missing" in text_of(result)
    result = call_blocking(kitchen, [1, 2], CTX)
    assert "expected object, got array" in text_of(result)


def test_null_for_an_optional_argument_means_its_default() -> None:
    @tool
    def f(a: int = 5, b: int | None = 7) -> list[int | None]:
        return [a, b]

    assert text_of(call_blocking(f, {"a": None, "b": None}, CTX)) == "[5, null]"
    assert text_of(call_blocking(f, None, CTX)) == "[5, 7]"


def test_positional_only_parameters_and_context() -> None:
    seen: list[ToolContext] = []

    @tool
    def f(a: int, /, ctx: ToolContext, b: str = "x") -> str:
        seen.append(ctx)
        return f"{a}{b}"

    assert "ctx" not in props(f) and schema_of(f)["required"] == ["a"]
    assert text_of(call_blocking(f, {"a": 1, "b": "y"}, CTX)) == "1y"
    assert seen == [CTX]
    assert "unexpected argument 'ctx'" in text_of(call_blocking(f, {"a": 1, "ctx": {}}, CTX))


# -- results ----------------------------------------------------------------------------------


@dataclass
class Row:
    id: int
    color: Color


def test_results_become_content_items(tmp_path: Path) -> None:
    png = tmp_path / "dot.png"
    png.write_bytes(b"\x89PNG-ish")
    image = ToolImage.from_path(png)
    assert image.mime_type == "image/png" and image.data == b"\x89PNG-ish"
    url = "data:image/png;base64,iVBORy1pc2g="
    assert image.image_url == url
    assert content_items("plain text") == [{"type": "inputText", "text": "plain text"}]
    assert content_items({"a": [1, 2.5, None], "é": True}) == [
        {"type": "inputText", "text": '{"a": [1, 2.5, null], "é": true}'}
    ]
    assert content_items(["a", "b"]) == [{"type": "inputText", "text": '["a", "b"]'}]
    assert content_items(None) == [{"type": "inputText", "text": "null"}]
    assert content_items(Row(1, Color.blue)) == [{"type": "inputText", "text": '{"id": 1, "color": "blue"}'}]
    assert content_items(image) == [{"type": "inputImage", "imageUrl": url}]
    assert content_items(["look:", image, {"n": 1}]) == [
        {"type": "inputText", "text": "look:"},
        {"type": "inputImage", "imageUrl": url},
        {"type": "inputText", "text": '{"n": 1}'},
    ]


def test_tool_image_checks_its_inputs(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="image MIME type"):
        ToolImage(b"x", "text/plain")
    with pytest.raises(TypeError):
        ToolImage("x", "image/png")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mime_type="):
        ToolImage.from_path(tmp_path / "noext")
    assert "3 bytes" in repr(ToolImage(b"abc", "image/gif"))


def test_a_value_with_no_json_form_is_a_failed_result() -> None:
    @tool
    def f() -> object:
        return object()

    result = call_blocking(f, {}, CTX)
    assert result["success"] is False and "cannot be sent to the model" in text_of(result)


def test_an_exception_becomes_a_failed_result_with_its_type_and_message() -> None:
    @tool
    def boom(x: int) -> int:
        raise LookupError(f"no row {x}")

    result = call_blocking(boom, {"x": 4}, CTX)
    assert result == {
        "contentItems": [{"type": "inputText", "text": "Tool 'boom' raised LookupError: no row 4"}],
        "success": False,
    }


# -- sync and async execution, timeouts -------------------------------------------------------


def test_async_tools_run_from_a_worker_thread_and_on_a_loop() -> None:
    @tool
    async def double(x: int, ctx: ToolContext) -> str:
        await asyncio.sleep(0)
        return f"{x * 2} for {ctx.call_id}"

    assert text_of(call_blocking(double, {"x": 2}, CTX)) == "4 for call-1"
    assert text_of(asyncio.run(call_async(double, {"x": 3}, CTX))) == "6 for call-1"


def test_sync_tools_under_asyncio_run_in_the_executor() -> None:
    threads: list[str] = []

    @tool
    def where() -> str:
        threads.append(threading.current_thread().name)
        return "ok"

    assert text_of(asyncio.run(call_async(where, {}, CTX))) == "ok"
    assert threads and threads[0] != threading.main_thread().name


def test_timeouts_fail_the_call_sync_and_async() -> None:
    @tool(timeout=0.05)
    def slow() -> str:
        time.sleep(0.5)
        return "late"

    @tool(timeout=0.05)
    async def slow_async() -> str:
        await asyncio.sleep(5)
        return "late"

    bindings = ToolBindings()
    try:
        started = time.monotonic()
        result = call_blocking(slow, {}, CTX, bindings._timeout_pool())
        assert time.monotonic() - started < 0.4
        assert result["success"] is False and "timed out after 0.05 s" in text_of(result)
        assert "timed out" in text_of(call_blocking(slow_async, {}, CTX))
        assert "timed out" in text_of(asyncio.run(call_async(slow_async, {}, CTX)))
        assert "timed out" in text_of(asyncio.run(call_async(slow, {}, CTX)))
    finally:
        bindings.close()


# -- bindings ---------------------------------------------------------------------------------


@tool
def ping(word: str = "pong") -> str:
    """Answers."""
    return word


@tool(name="ping", namespace="net")
def net_ping(host: str) -> str:
    return f"reply from {host}"


def test_checked_tools() -> None:
    assert checked_tools((ping, net_ping)) == [ping, net_ping]
    with pytest.raises(TypeError, match="not a tool"):
        checked_tools([ping, len])
    with pytest.raises(TypeError, match="list of @tool"):
        checked_tools(ping)
    with pytest.raises(ValueError, match="two tools are named 'ping'"):
        checked_tools([ping, tool(name="ping")(lambda: None)])


def test_bindings_answer_per_thread_and_namespace() -> None:
    bindings = ToolBindings()
    bindings.bind("t1", [ping, net_ping])
    call = {"threadId": "t1", "turnId": "u", "callId": "c", "tool": "ping", "arguments": {"word": "hi"}}
    assert bindings.answer_blocking(call) == {"contentItems": [{"type": "inputText", "text": "hi"}], "success": True}
    namespaced = {**call, "namespace": "net", "arguments": {"host": "h"}}
    assert text_of(asyncio.run(bindings.answer_async(namespaced))) == "reply from h"
    other = bindings.answer_blocking({**call, "threadId": "t2"})
    assert other["success"] is False
    assert "No Python function is bound to the tool 'ping'" in text_of(other)
    assert "tools=[...]" in text_of(other)
    unknown = asyncio.run(bindings.answer_async({**call, "tool": "nope"}))
    assert unknown["success"] is False and "'nope'" in text_of(unknown)
    bindings.close()


def test_many_concurrent_calls_through_one_binding() -> None:
    @tool
    async def square(x: int) -> int:
        await asyncio.sleep(0.01)
        return x * x

    bindings = ToolBindings()
    bindings.bind("t", [square])

    async def main() -> list[dict[str, Any]]:
        calls = [
            {"threadId": "t", "turnId": "u", "callId": str(i), "tool": "square", "arguments": {"x": i}}
            for i in range(50)
        ]
        return await asyncio.gather(*(bindings.answer_async(c) for c in calls))

    started = time.monotonic()
    results = asyncio.run(main())
    assert [text_of(r) for r in results] == [str(i * i) for i in range(50)]
    assert time.monotonic() - started < 0.4, "the calls overlap on the loop"


# -- the guide's snippets ---------------------------------------------------------------------


def _guide_blocks() -> list[str]:
    import re

    guide = (Path(__file__).resolve().parents[1] / "docs" / "controlling-the-agent.md").read_text()
    section = guide.split("## Python functions as tools", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


@pytest.mark.e2e
def test_the_guides_tool_snippets_run_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = _guide_blocks()
    assert len(blocks) >= 5
    for index, block in enumerate(blocks):
        code = compile(block, f"docs/controlling-the-agent.md#{index}", "exec")
        exec(code, {"__name__": f"guide_{index}"})
    printed = capsys.readouterr().out
    assert "['amount']" in printed
    assert "add {'a': 2, 'b': 3} True" in printed and "2 + 3 = 5" in printed
    assert "this thread has no tool named 'subtract' (its tools: add)" in printed


def test_a_decorated_function_keeps_its_signature_for_mypy(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    probe = tmp_path / "probe_reveal.py"
    probe.write_text(
        "from openai_codex import tool\n"
        "from openai_codex.tools import ToolContext\n\n"
        "@tool\n"
        "def add(a: int, b: int = 1) -> int:\n    return a + b\n\n"
        "@tool(timeout=1)\n"
        "async def find(key: str, ctx: ToolContext) -> list[str]:\n    return [key]\n\n"
        "reveal_type(add)\nreveal_type(find)\nadd('x')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(probe)],
        capture_output=True,
        text=True,
        cwd=root,
    )
    out = proc.stdout
    assert 'Revealed type is "openai_codex.tools.Tool[[a: int, b: int =], int]"' in out, out
    assert (
        'Revealed type is "openai_codex.tools.Tool[[key: str, ctx: openai_codex.tools.ToolContext], '
        'typing.Coroutine[Any, Any, list[str]]]"' in out
    ), out
    assert 'Argument 1 to "__call__" of "Tool" has incompatible type "str"; expected "int"' in out, out


def test_the_typed_usage_file_imports() -> None:
    import importlib

    module = importlib.import_module("tests.typing.typed_tools")
    assert module.add(2) == 3


def test_stored_tool_keys_reads_the_rollouts_session_meta_and_never_raises(tmp_path: Path) -> None:
    import json

    from openai_codex._toolcalls import missing_tools, stored_tool_keys

    rollout = tmp_path / "rollout.jsonl"
    meta = {
        "type": "session_meta",
        "payload": {"dynamic_tools": [{"name": "ping"}, {"name": "ping", "namespace": "net"}]},
    }
    rollout.write_text(json.dumps(meta) + "\n" + json.dumps({"type": "turn_context"}) + "\n")
    keys = stored_tool_keys(str(rollout))
    assert keys == {(None, "ping"), ("net", "ping")}
    assert missing_tools([ping, net_ping], keys) is None
    error = missing_tools([kitchen], keys)
    assert error is not None and "no tool named 'kitchen' (its tools: net.ping, ping)" in str(error)
    # 0.163 stores a namespace as one spec holding its functions.
    namespaced = [
        {"type": "function", "name": "ping", "inputSchema": {}},
        {"type": "namespace", "name": "net", "tools": [{"type": "function", "name": "ping"}, "junk"]},
    ]
    meta = {"type": "session_meta", "payload": {"dynamic_tools": namespaced}}
    rollout.write_text(json.dumps(meta) + "\n")
    assert stored_tool_keys(str(rollout)) == {(None, "ping"), ("net", "ping")}
    rollout.write_text(json.dumps({"type": "session_meta", "payload": {}}) + "\n")
    assert stored_tool_keys(str(rollout)) == set()
    for junk in ("not json\n", json.dumps({"type": "other"}) + "\n", ""):
        rollout.write_text(junk)
        assert stored_tool_keys(str(rollout)) is None
    assert stored_tool_keys(str(tmp_path / "missing.jsonl")) is None
    assert stored_tool_keys(None) is None


def test_an_optional_context_is_still_the_context_and_positional_order_holds() -> None:
    @tool
    def f(a: int, b: int = 0, /, ctx: ToolContext | None = None) -> list[Any]:
        return [a, b, ctx.call_id if ctx else None]

    assert list(props(f)) == ["a", "b"]
    assert text_of(call_blocking(f, {"b": 2, "a": 1}, CTX)) == '[1, 2, "call-1"]'
    assert text_of(call_blocking(f, {"a": 1}, CTX)) == '[1, 0, "call-1"]'
