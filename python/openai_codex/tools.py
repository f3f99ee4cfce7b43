"""Python functions as tools the agent can call.

Decorate a function with :func:`tool` and pass it to ``thread_start(tools=[...])``; the model
is offered it, and when it calls it, the SDK checks the model's arguments against the
function's type hints, calls the function, and sends the return value back::

    from typing import Annotated

    from openai_codex import Codex, tool


    @tool
    def add(a: int, b: Annotated[int, "the number to add to a"] = 1) -> int:
        \"\"\"Adds two integers.\"\"\"
        return a + b


    with Codex() as codex:
        thread = codex.thread_start(tools=[add])
        print(thread.run("What is 2 + 3? Use the add tool.").final_response)

**Input schema.** It is built from the signature: ``str``, ``int``, ``float``, ``bool``,
``None``, ``Any``, ``list[T]`` (also ``Sequence[T]``), ``tuple[T, ...]`` and ``tuple[A, B]``,
``dict[str, T]``, ``Optional[T]`` / ``T | None`` and other unions, ``Literal[...]``, ``Enum``
classes (their values), ``TypedDict`` and dataclasses (objects; nested freely, not recursive).
A parameter with a default is optional. Descriptions come from ``Annotated[T, "text"]`` and
from the docstring: its prose is the tool's description, and per-parameter lines in the Google
(``Args:``), NumPy (``Parameters`` + dashes) or Sphinx (``:param x:``) style describe the
parameters. A hint with no JSON form (a file object, a recursive dataclass, ``*args``...) is a
``TypeError`` at decoration that names the parameter; ``input_schema=`` then gives the schema
yourself (the arguments are still checked against the hints when these can be read).

**Arguments.** Before the call, the model's JSON arguments are checked against the hints and
converted: an object becomes the dataclass (a ``TypedDict`` stays a dict), a value an ``Enum``
member, an array a tuple where the hint says ``tuple``, an integral ``3.0`` an ``int``. A
``null`` for an optional parameter whose type does not allow ``None`` means "use the default".
Arguments that do not fit are not passed to the function: the model gets an error result that
says what was wrong, and may try again.

**Results.** A ``str`` is sent as text; a :class:`ToolImage` as an image; a list holding at
least one :class:`ToolImage` as several items (its strings as text, other values as JSON);
anything else as JSON text (dataclasses and Enum members included; ``None`` is ``null``). An
exception raised by the function becomes a failed result (``success: false``) whose text names
the exception's type and message; the turn goes on and the model reads it.

**Context.** A parameter annotated :class:`ToolContext` is not shown to the model; it receives
the call's thread id, turn id and call id.

**Timeout.** ``@tool(timeout=5)`` fails a call that runs longer than 5 seconds, with a result
that says so. An ``async def`` tool is cancelled; a blocking function cannot be stopped from
outside, so it runs on to its end in its worker thread, and its result is dropped.

**Where tools run.** With :class:`~openai_codex.Codex`, on a pool of worker threads (never on
the thread that reads the runtime's messages: a slow tool delays only its own call). With
:class:`~openai_codex.AsyncCodex`, ``async def`` tools run on the event loop that uses the
client, and blocking functions in the loop's default executor.

Standard library only.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import os
import re
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, overload

from ._docstrings import parse_docstring

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

# asyncio, inspect, concurrent.futures and logging are imported where they are used: the
# root package exports ``tool``, and importing openai_codex must stay light.
from ._toolschema import ArgumentError, Field, ObjectNode, UnsupportedHint, compile_hint

__all__ = ["Tool", "ToolContext", "ToolImage", "tool"]

P = ParamSpec("P")
R = TypeVar("R")


# What the Responses API accepts as a function (and namespace) name.
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

ToolResult = dict[str, Any]
"""The wire answer to ``item/tool/call``: ``{"contentItems": [...], "success": bool}``."""


@dataclasses.dataclass(frozen=True)
class ToolContext:
    """Where a tool call comes from; declare a parameter of this type to receive it.

    The parameter is filled in by the SDK and left out of the schema the model sees::

        @tool
        def note(text: str, ctx: ToolContext) -> str:
            \"\"\"Stores a note for this conversation.\"\"\"
            notes.setdefault(ctx.thread_id, []).append(text)
            return "noted"

    Attributes:
        thread_id: the thread the call belongs to.
        turn_id: the turn in which the model made the call.
        call_id: the runtime's id for this call (the ``callId`` of its ``dynamicToolCall`` item).
        tool: the tool's name as the model called it.
        namespace: the tool's namespace, or None.
    """

    thread_id: str
    turn_id: str
    call_id: str
    tool: str
    namespace: str | None = None


@dataclasses.dataclass(frozen=True)
class ToolImage:
    """An image a tool returns: bytes and their MIME type (e.g. ``"image/png"``).

    Return one (or a list mixing images and text) from a tool to send the model an image::

        @tool
        def chart() -> ToolImage:
            \"\"\"Draws the sales chart.\"\"\"
            return ToolImage(render_png(), "image/png")

    :meth:`from_path` reads a file and guesses its type from the file name.
    """

    data: bytes
    mime_type: str

    def __post_init__(self) -> None:
        if not isinstance(self.data, (bytes, bytearray, memoryview)):
            raise TypeError(f"ToolImage.data must be bytes, not {type(self.data).__name__}")
        if not isinstance(self.mime_type, str) or not self.mime_type.startswith("image/"):
            raise ValueError(
                f"ToolImage.mime_type must be an image MIME type such as 'image/png' (got {self.mime_type!r})"
            )

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], mime_type: str | None = None) -> ToolImage:
        """The image in the file at ``path``; ``mime_type`` defaults to the one its name suggests."""
        import mimetypes

        guessed = mime_type or mimetypes.guess_type(os.fspath(path))[0]
        if guessed is None or not guessed.startswith("image/"):
            raise ValueError(f"cannot tell the image type of {os.fspath(path)!r}: pass mime_type=")
        with open(path, "rb") as f:
            return cls(f.read(), guessed)

    @property
    def image_url(self) -> str:
        """The image as a ``data:`` URL, as it is sent to the model."""
        import base64

        return f"data:{self.mime_type};base64,{base64.b64encode(bytes(self.data)).decode('ascii')}"

    def __repr__(self) -> str:
        return f"ToolImage(<{len(self.data)} bytes>, {self.mime_type!r})"


class _Plan:
    """How to call the function: its parameters as an object node, and where the context goes."""

    def __init__(
        self,
        params: ObjectNode | None,
        positional: tuple[str, ...],
        context_param: str | None,
    ) -> None:
        self.params = params  # None: hints unreadable, arguments pass through unchecked
        self.positional = positional
        self.context_param = context_param


class Tool(Generic[P, R]):
    """A function the agent can call, made by :func:`tool`.

    Calling the tool calls the function, unchanged; the SDK reads :attr:`name`,
    :attr:`description`, :attr:`namespace`, :attr:`input_schema` and :attr:`timeout`.
    """

    def __init__(
        self,
        func: Callable[P, R],
        *,
        name: str | None = None,
        description: str | None = None,
        namespace: str | None = None,
        input_schema: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> None:
        if not callable(func):
            raise TypeError(f"@tool decorates a function, not {type(func).__name__}")
        self.func = func
        functools.update_wrapper(self, func)
        self.name: str = _checked_name("name", name if name is not None else getattr(func, "__name__", ""))
        self.namespace: str | None = None if namespace is None else _checked_name("namespace", namespace)
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
                raise ValueError(f"timeout must be a positive number of seconds (got {timeout!r})")
        self.timeout: float | None = None if timeout is None else float(timeout)
        import inspect

        self.is_async: bool = inspect.iscoroutinefunction(func)
        docs = parse_docstring(getattr(func, "__doc__", None))
        self.description: str = description if description is not None else (docs.description or "")
        plan, schema = _plan(func, self.name, docs.params, explicit_schema=input_schema is not None)
        self._plan = plan
        if input_schema is not None:
            if not isinstance(input_schema, Mapping):
                raise TypeError(f"input_schema must be a dict (a JSON Schema), not {type(input_schema).__name__}")
            schema = json.loads(json.dumps(dict(input_schema)))  # a private, JSON-only copy
        assert schema is not None
        self.input_schema: dict[str, Any] = schema

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.func(*args, **kwargs)

    def __repr__(self) -> str:
        where = f"{self.namespace}." if self.namespace else ""
        return f"<Tool {where}{self.name}>"

    @property
    def key(self) -> tuple[str | None, str]:
        """``(namespace, name)``: how a tool call names this tool."""
        return (self.namespace, self.name)

    def spec(self) -> dict[str, Any]:
        """The tool as the runtime's ``DynamicToolSpec`` (``thread/start``'s ``dynamicTools``)."""
        spec: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "inputSchema": self.input_schema,
        }
        if self.namespace is not None:
            spec["namespace"] = self.namespace
        return spec

    # -- calling from a tool call ----------------------------------------------------------

    def bind_arguments(self, arguments: Any, context: ToolContext) -> tuple[list[Any], dict[str, Any]]:
        """The model's JSON arguments as call arguments; raises ArgumentError when they do not fit."""
        plan = self._plan
        if arguments is None:
            arguments = {}
        if plan.params is not None:
            values = plan.params.convert_fields(arguments, "")
        elif isinstance(arguments, dict):
            values = dict(arguments)
        else:
            raise ArgumentError("", f"expected an object of arguments, got {type(arguments).__name__}")
        if plan.context_param is not None:
            values[plan.context_param] = context
        # Positional-only parameters, in the signature's order (a missing optional one ends them).
        args: list[Any] = []
        for name in plan.positional:
            if name not in values:
                break
            args.append(values.pop(name))
        return args, values


@overload
def tool(func: Callable[P, R], /) -> Tool[P, R]: ...


@overload
def tool(
    *,
    name: str | None = None,
    description: str | None = None,
    namespace: str | None = None,
    input_schema: Mapping[str, Any] | None = None,
    timeout: float | None = None,
) -> Callable[[Callable[P, R]], Tool[P, R]]: ...


def tool(
    func: Callable[P, R] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    namespace: str | None = None,
    input_schema: Mapping[str, Any] | None = None,
    timeout: float | None = None,
) -> Tool[P, R] | Callable[[Callable[P, R]], Tool[P, R]]:
    """Makes a function (``def`` or ``async def``) a tool the agent can call.

    Use it bare (``@tool``) or with options (``@tool(name="lookup", timeout=10)``). The
    decorated object still calls like the function and keeps its signature for type checkers.

    Args:
        func: The function, when used bare (``@tool``); omitted with options
            (``@tool(name=...)``).
        name: the name the model sees (default: the function's name); letters, digits, ``_``
            and ``-``, at most 64.
        description: what the tool does, for the model (default: the docstring's prose).
        namespace: groups tools under a name the model sees (the runtime's tool namespaces).
        input_schema: a JSON Schema for the arguments, used instead of the one built from the
            type hints.
        timeout: seconds a call may take before it fails with a timeout result.

    Raises:
        TypeError: a parameter's type hint has no JSON Schema form (the message names it).
        ValueError: a bad name, namespace or timeout.

    Example::

        @tool(namespace="files", timeout=5)
        def count_lines(path: str) -> int:
            \"\"\"Counts the lines of a text file.

            Args:
                path: the file, relative to the working directory.
            \"\"\"
            with open(path) as f:
                return sum(1 for _ in f)
    """

    def decorate(fn: Callable[P, R]) -> Tool[P, R]:
        return Tool(
            fn, name=name, description=description, namespace=namespace, input_schema=input_schema, timeout=timeout
        )

    if func is not None:
        return decorate(func)
    return decorate


def _checked_name(what: str, value: Any) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise ValueError(
            f"a tool's {what} must be 1 to 64 letters, digits, '_' or '-' (got {value!r}); pass name= to choose one"
        )
    return value


def _hints(func: Callable[..., Any], tool_name: str) -> dict[str, Any]:
    """The function's resolved hints; a TypeError naming the parameter whose hint does not resolve."""
    import inspect

    target = inspect.unwrap(func)
    try:
        return typing.get_type_hints(target, include_extras=True)
    except Exception as exc:
        globalns = getattr(target, "__globals__", {})
        for pname, annotation in getattr(target, "__annotations__", {}).items():
            if isinstance(annotation, str):
                try:
                    resolved = eval(annotation, globalns)
                    if isinstance(resolved, str):  # a quoted hint under `from __future__ import annotations`
                        eval(resolved, globalns)
                except Exception:
                    raise TypeError(
                        f"tool {tool_name!r}: cannot resolve the type hint {annotation!r} of parameter {pname!r}"
                        f" ({exc}); define the type at module level"
                    ) from None
        raise TypeError(f"tool {tool_name!r}: cannot resolve its type hints: {exc}") from None


def _plan(
    func: Callable[..., Any], tool_name: str, param_docs: dict[str, str], *, explicit_schema: bool
) -> tuple[_Plan, dict[str, Any] | None]:
    """How the function is called, and (unless one is given) the schema of its arguments."""
    import inspect

    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"tool {tool_name!r}: cannot read the function's signature ({exc})") from None
    try:
        hints = _hints(func, tool_name)
    except TypeError:
        if not explicit_schema:
            raise
        return _Plan(None, (), None), None
    node = ObjectNode(None, None, dict)
    positional: list[str] = []
    context_param: str | None = None
    problem: str | None = None
    for param in signature.parameters.values():
        hint = hints.get(param.name, inspect.Parameter.empty)
        if _is_context(hint):
            context_param = param.name
            if param.kind is param.POSITIONAL_ONLY:
                positional.append(param.name)
            continue
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            stars = "*" if param.kind is param.VAR_POSITIONAL else "**"
            problem = problem or (
                f"tool {tool_name!r}: parameter {stars}{param.name} is not supported; a tool's arguments are"
                " named, so list them as parameters (or pass input_schema=)"
            )
            continue
        if hint is inspect.Parameter.empty:
            problem = problem or (
                f"tool {tool_name!r}: parameter {param.name!r} has no type hint; annotate it (Any accepts any JSON)"
            )
            continue
        try:
            pnode = compile_hint(hint)
        except UnsupportedHint as exc:
            problem = problem or f"tool {tool_name!r}: parameter {param.name!r}: {exc}"
            continue
        if not pnode.description and param.name in param_docs:
            pnode.description = param_docs[param.name]
        has_default = param.default is not inspect.Parameter.empty
        node.fields.append(
            Field(param.name, pnode, not has_default, param.default if has_default else dataclasses.MISSING)
        )
        if param.kind is param.POSITIONAL_ONLY:
            positional.append(param.name)
    if problem is not None:
        if not explicit_schema:
            raise TypeError(problem)
        return _Plan(None, tuple(positional), context_param), None
    plan = _Plan(node, tuple(positional), context_param)
    return plan, (None if explicit_schema else node.schema())


def _is_context(hint: Any) -> bool:
    """``ToolContext``, also inside ``Annotated`` or as ``ToolContext | None``."""
    if typing.get_origin(hint) is typing.Annotated:
        hint = typing.get_args(hint)[0]
    if hint is ToolContext:
        return True
    args = typing.get_args(hint)
    return bool(args) and ToolContext in args and all(a in (ToolContext, type(None)) for a in args)


# -- results -------------------------------------------------------------------------------


def _text_item(text: str) -> dict[str, Any]:
    return {"type": "inputText", "text": text}


def _json_default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, (bytes, bytearray)):
        raise TypeError("bytes are not JSON: return a str, or a ToolImage for an image")
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"a {type(value).__name__} is not JSON-serialisable")


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def content_items(value: Any) -> list[dict[str, Any]]:
    """A tool's return value as the ``contentItems`` of its answer (raises TypeError if it has no form)."""
    if isinstance(value, ToolImage):
        return [{"type": "inputImage", "imageUrl": value.image_url}]
    if isinstance(value, (list, tuple)) and any(isinstance(v, ToolImage) for v in value):
        items: list[dict[str, Any]] = []
        for part in value:
            items.extend(content_items(part) if isinstance(part, ToolImage) else [_text_item(_as_text(part))])
        return items
    return [_text_item(_as_text(value))]


def success(value: Any) -> ToolResult:
    return {"contentItems": content_items(value), "success": True}


def failure(text: str) -> ToolResult:
    return {"contentItems": [_text_item(text)], "success": False}


def _label(tool: Tool[Any, Any]) -> str:
    return f"{tool.namespace}.{tool.name}" if tool.namespace else tool.name


def _bad_arguments(tool: Tool[Any, Any], exc: ArgumentError) -> ToolResult:
    return failure(
        f"Invalid arguments for tool {_label(tool)!r}: {exc}. The tool was not run; "
        "call it again with arguments that match its parameters."
    )


def _raised(tool: Tool[Any, Any], exc: BaseException) -> ToolResult:
    import logging  # only when a tool raised: importing the SDK stays light

    logging.getLogger("openai_codex").debug("tool %s raised", _label(tool), exc_info=exc)
    message = str(exc)
    return failure(f"Tool {_label(tool)!r} raised {type(exc).__name__}" + (f": {message}" if message else ""))


def _timed_out(tool: Tool[Any, Any]) -> ToolResult:
    return failure(f"Tool {_label(tool)!r} timed out after {tool.timeout:g} s; it returned no result.")


def _finish(tool: Tool[Any, Any], value: Any) -> ToolResult:
    try:
        return success(value)
    except (TypeError, ValueError) as exc:
        return failure(f"Tool {_label(tool)!r} returned a value that cannot be sent to the model: {exc}")


def _run_coroutine(tool: Tool[Any, Any], args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    """An async tool called from a worker thread (no loop there): runs it on its own loop."""
    import asyncio

    async def bounded() -> Any:
        result = tool.func(*args, **kwargs)
        return await asyncio.wait_for(result, tool.timeout) if tool.timeout else await result

    return asyncio.run(bounded())


def call_blocking(
    tool: Tool[Any, Any], arguments: Any, context: ToolContext, pool: ThreadPoolExecutor | None = None
) -> ToolResult:
    """Runs one tool call in this (worker) thread and returns its answer; never raises.

    A blocking tool with a timeout runs on ``pool`` so the wait can end first.
    """
    import asyncio
    from concurrent.futures import TimeoutError as FutureTimeoutError

    try:
        args, kwargs = tool.bind_arguments(arguments, context)
    except ArgumentError as exc:
        return _bad_arguments(tool, exc)
    try:
        if tool.is_async:
            value = _run_coroutine(tool, args, kwargs)
        elif tool.timeout is not None and pool is not None:
            future = pool.submit(tool.func, *args, **kwargs)
            try:
                value = future.result(tool.timeout)
            except FutureTimeoutError:
                return _timed_out(tool)
        else:
            value = tool.func(*args, **kwargs)
    except (asyncio.TimeoutError, FutureTimeoutError):
        return _timed_out(tool)
    except Exception as exc:
        return _raised(tool, exc)
    return _finish(tool, value)


async def call_async(tool: Tool[Any, Any], arguments: Any, context: ToolContext) -> ToolResult:
    """Runs one tool call from the event loop: an async tool on it, a blocking one in its executor."""
    import asyncio

    try:
        args, kwargs = tool.bind_arguments(arguments, context)
    except ArgumentError as exc:
        return _bad_arguments(tool, exc)
    try:
        if tool.is_async:
            awaitable: Awaitable[Any] = tool.func(*args, **kwargs)
        else:
            loop = asyncio.get_running_loop()
            awaitable = loop.run_in_executor(None, functools.partial(tool.func, *args, **kwargs))
        value = await (asyncio.wait_for(awaitable, tool.timeout) if tool.timeout is not None else awaitable)
    except asyncio.TimeoutError:
        return _timed_out(tool)
    except Exception as exc:
        return _raised(tool, exc)
    return _finish(tool, value)
