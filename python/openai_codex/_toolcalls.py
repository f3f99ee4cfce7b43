"""Which Python function answers a dynamic tool call: per-client bindings, per thread.

``thread_start(tools=...)`` registers specs with the runtime and binds the functions here;
``thread_resume``/``thread_fork`` bind them again (the runtime keeps the specs with the thread,
not the functions). An ``item/tool/call`` is answered from these bindings by
:meth:`ToolBindings.answer_blocking` (a worker thread) or :meth:`ToolBindings.answer_async`
(the event loop). Every path returns a well-formed answer, never an exception: a JSON-RPC
error would hide the text from the model.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .tools import Tool, ToolContext, ToolResult, call_async, call_blocking, failure

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

__all__ = ["ToolBindings", "checked_tools", "missing_tools", "stored_tool_keys"]

Key = tuple[str | None, str]


def checked_tools(tools: Any) -> list[Tool[Any, Any]]:
    """The ``tools=`` argument as a list of tools with distinct names (TypeError/ValueError)."""
    if isinstance(tools, (str, bytes, Mapping)) or not isinstance(tools, Iterable):
        raise TypeError(f"tools must be a list of @tool functions, not {type(tools).__name__}")
    checked: list[Tool[Any, Any]] = []
    seen: set[Key] = set()
    for item in tools:
        if not isinstance(item, Tool):
            name = getattr(item, "__name__", type(item).__name__)
            raise TypeError(f"tools: {name!r} is not a tool; decorate the function with @openai_codex.tool")
        if item.key in seen:
            where = f" in namespace {item.namespace!r}" if item.namespace else ""
            raise ValueError(f"tools: two tools are named {item.name!r}{where}")
        seen.add(item.key)
        checked.append(item)
    return checked


def _describe(key: Key) -> str:
    namespace, name = key
    return f"{namespace}.{name}" if namespace else name


class ToolBindings:
    """The functions bound to each thread's dynamic tools, on one client. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bound: dict[str, dict[Key, Tool[Any, Any]]] = {}
        # Names of the tools each thread is known to have (registered by this client, or read).
        self._known: dict[str, set[Key]] = {}
        self._pool: ThreadPoolExecutor | None = None

    def remember(self, thread_id: str, keys: Iterable[Key]) -> None:
        """Records that the runtime's thread ``thread_id`` has tools with these keys."""
        with self._lock:
            self._known.setdefault(thread_id, set()).update(keys)

    def known(self, thread_id: str) -> set[Key] | None:
        with self._lock:
            keys = self._known.get(thread_id)
            return None if keys is None else set(keys)

    def bind(self, thread_id: str, tools: Iterable[Tool[Any, Any]]) -> None:
        """Binds the functions to the thread's tools (replacing earlier ones of the same name)."""
        with self._lock:
            bound = self._bound.setdefault(thread_id, {})
            for item in tools:
                bound[item.key] = item

    def lookup(self, thread_id: str, namespace: str | None, name: str) -> Tool[Any, Any] | None:
        with self._lock:
            return self._bound.get(thread_id, {}).get((namespace or None, name))

    @property
    def has_bindings(self) -> bool:
        return bool(self._bound)

    # -- answering ---------------------------------------------------------------------------

    def _resolve(self, params: Mapping[str, Any]) -> tuple[Tool[Any, Any] | None, ToolContext, ToolResult | None]:
        thread_id = str(params.get("threadId") or "")
        name = str(params.get("tool") or "")
        namespace = params.get("namespace") or None
        context = ToolContext(
            thread_id=thread_id,
            turn_id=str(params.get("turnId") or ""),
            call_id=str(params.get("callId") or ""),
            tool=name,
            namespace=namespace,
        )
        found = self.lookup(thread_id, namespace, name)
        if found is None:
            label = _describe((namespace, name))
            return (
                None,
                context,
                failure(
                    f"No Python function is bound to the tool {label!r} on this thread, so it was not run. "
                    "The program must pass tools=[...] (with this tool) to thread_start, thread_resume "
                    "or thread_fork for this thread."
                ),
            )
        return found, context, None

    def answer_blocking(self, params: Mapping[str, Any]) -> ToolResult:
        """The answer to one ``item/tool/call``, computed in the calling (worker) thread."""
        found, context, unbound = self._resolve(params)
        if found is None:
            assert unbound is not None
            return unbound
        return call_blocking(found, params.get("arguments"), context, self._timeout_pool())

    async def answer_async(self, params: Mapping[str, Any]) -> ToolResult:
        """The answer to one ``item/tool/call``, computed on the running event loop."""
        found, context, unbound = self._resolve(params)
        if found is None:
            assert unbound is not None
            return unbound
        return await call_async(found, params.get("arguments"), context)

    def _timeout_pool(self) -> ThreadPoolExecutor:
        """Threads for blocking tools with a timeout: the caller waits, the function runs here."""
        with self._lock:
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="openai_codex-tool")
            return self._pool

    def close(self) -> None:
        """Lets go of the worker threads (a running tool finishes in the background)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def stored_tool_keys(rollout_path: str | None) -> set[Key] | None:
    """The dynamic tools a stored thread has, read from its rollout file; None when unknown.

    The runtime writes the thread's ``session_meta`` (with its ``dynamic_tools``) as the first
    line of the JSONL file named by ``thread.path``: one spec per function, with its
    ``namespace`` (0.133), or one ``{"type": "namespace", "tools": [...]}`` spec per namespace
    (0.163). That file is the runtime's own format, not
    the protocol: anything unexpected means "unknown", never an error.
    """
    if not rollout_path:
        return None
    try:
        with open(rollout_path, encoding="utf-8") as f:
            first = json.loads(f.readline())
    except (OSError, ValueError):
        return None
    payload = first.get("payload") if isinstance(first, dict) and first.get("type") == "session_meta" else None
    if not isinstance(payload, dict):
        return None
    specs = payload.get("dynamic_tools")
    if specs is None:
        return set()  # a thread started without dynamic tools
    if not isinstance(specs, list):
        return None
    keys: set[Key] = set()
    for spec in specs:
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            continue
        members = spec.get("tools")
        if spec.get("type") == "namespace" and isinstance(members, list):
            # 0.151+ stores a namespace as one spec holding its functions:
            # {"type": "namespace", "name": "db", "tools": [{"type": "function", "name": "lookup", ...}]}
            keys.update(
                (spec["name"], member["name"])
                for member in members
                if isinstance(member, dict) and isinstance(member.get("name"), str)
            )
        else:
            # One function; up to 0.150 with its namespace beside its name.
            keys.add((spec.get("namespace") or None, spec["name"]))
    return keys


def missing_tools(tools: Iterable[Tool[Any, Any]], known: set[Key]) -> ValueError | None:
    """The error for tools the thread does not have (None when it has them all)."""
    missing = [_describe(t.key) for t in tools if t.key not in known]
    if not missing:
        return None
    has = ", ".join(sorted(_describe(k) for k in known)) or "none"
    return ValueError(
        f"tools: this thread has no tool named {', '.join(map(repr, missing))} (its tools: {has}). "
        "The runtime takes tool definitions only when a thread starts: pass tools= to thread_start, "
        "and to thread_resume/thread_fork the functions for tools the thread already has."
    )
