"""Code a user would write against the typed protocol, checked with ``mypy --strict``.

Not collected by pytest (no test functions run the runtime here); tests/test_protocol_types.py
type-checks this file and also imports it, so every line is valid at runtime too.
"""

from __future__ import annotations

from collections.abc import Iterable

from openai_codex import TurnResult
from openai_codex.generated.notification_registry import NOTIFICATION_MODELS, NotificationPayload
from openai_codex.generated.v2_all import (
    AgentMessageDeltaNotification,
    AgentMessageThreadItem,
    ApiKeyLoginAccountParams,
    AskForApprovalValue,
    CommandExecutionThreadItem,
    ItemCompletedNotification,
    LoginAccountParams,
    ReadOnlySandboxPolicy,
    ThreadStartParams,
    TurnCompletedNotification,
)
from openai_codex.models import Notification, UnknownNotification
from openai_codex.types import (
    SandboxMode,
    SandboxPolicy,
    ThreadItem,
    ThreadTokenUsage,
    TurnError,
    TurnStatus,
    TypedNotification,
)


def stream_text(events: Iterable[Notification]) -> str:
    """Narrowing a payload with isinstance gives its typed attributes."""
    parts: list[str] = []
    for event in events:
        payload = event.payload
        if isinstance(payload, AgentMessageDeltaNotification):
            parts.append(payload.delta)
            turn_id: str = payload.turn_id
            del turn_id
        elif isinstance(payload, ItemCompletedNotification):
            item: ThreadItem = payload.item
            if isinstance(item, AgentMessageThreadItem):
                parts.append(item.text)
        elif isinstance(payload, TurnCompletedNotification):
            status: TurnStatus = payload.turn.status
            if status is TurnStatus.failed and payload.turn.error is not None:
                message: str = payload.turn.error.message
                parts.append(message)
        elif isinstance(payload, UnknownNotification):
            parts.append(str(payload.params.get("delta", "")))
    return "".join(parts)


def stream_text_by_method(events: Iterable[TypedNotification]) -> str:
    """What the docs show: comparing ``event.method`` narrows ``event.payload``, with ``==`` or
    ``match``, for mypy and pyright alike; an item's variant narrows on ``item.root.type``."""
    parts: list[str] = []
    for event in events:
        if event.method == "item/agentMessage/delta":
            delta: str = event.payload.delta
            parts.append(delta)
        elif event.method == "item/completed":
            # The payload may be UnknownNotification (params that do not fit), whose fields are
            # Any: naming the type keeps the item's variants narrowable.
            completed: ThreadItem = event.payload.item
            item = completed.root
            if item.type == "agentMessage":
                text: str = item.text
                parts.append(text)
            elif item.type == "commandExecution":
                parts.append(item.command)
        match event.method:
            case "turn/completed":
                status: TurnStatus = event.payload.turn.status
                parts.append(f"[{status.value}]")
            case "item/commandExecution/requestApproval":
                parts.append(event.payload.command)
            case _:
                pass
    return "".join(parts)


def describe(payload: NotificationPayload) -> str:
    """The registry's union type covers every payload class and UnknownNotification."""
    if isinstance(payload, UnknownNotification):
        return "unknown"
    return type(payload).__name__


def summarize(result: TurnResult) -> tuple[int, list[str]]:
    """TurnResult fields carry the generated types."""
    status: TurnStatus = result.status
    error: TurnError | None = result.error
    usage: ThreadTokenUsage | None = result.usage
    total = usage.total.total_tokens if usage is not None else 0
    commands = [item.command for item in result.items if isinstance(item, CommandExecutionThreadItem)]
    if error is not None and status == TurnStatus.failed:
        commands.append(error.message)
    # Reference-style code reads `.root` on union values; it is the item itself here.
    roots = [item.root for item in result.items]
    return total + len(roots), commands


def build_params() -> tuple[ThreadStartParams, LoginAccountParams, SandboxPolicy]:
    """Params classes take typed keyword arguments."""
    params = ThreadStartParams(model="gpt-5", sandbox=SandboxMode.read_only, approval_policy=AskForApprovalValue.never)
    login = LoginAccountParams(root=ApiKeyLoginAccountParams(api_key="sk-test"))
    policy: SandboxPolicy = ReadOnlySandboxPolicy(network_access=False)
    return params, login, policy


def registry_lookup(method: str) -> str | None:
    cls = NOTIFICATION_MODELS.get(method)
    return None if cls is None else cls.__name__


def enum_values() -> list[str]:
    in_progress: str = TurnStatus.in_progress
    return [in_progress, TurnStatus.completed.value, *(status.value for status in TurnStatus)]
