"""Run the examples offline: a scripted model on 127.0.0.1 stands in for the real one.

Every example opens its client with ``example_config()``. Offline (the default) that starts the
SDK's scripted model (``openai_codex.testing``) and a throwaway CODEX_HOME pointing the real Codex
runtime at it, so no account or network is needed; unscripted calls are answered by
``testing.echo`` (it repeats what it was sent). Set ``CODEX_EXAMPLES_ONLINE=1`` to run an example
against your own Codex configuration and account instead; scripted replies are then ignored.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from openai_codex import CodexConfig, testing

ONLINE_ENV = "CODEX_EXAMPLES_ONLINE"


def is_online() -> bool:
    """True when the examples should use the user's real Codex configuration and account."""
    return os.environ.get(ONLINE_ENV) == "1"


@dataclass(frozen=True)
class ScriptedReply:
    """One canned answer for the next model call of an offline run (ignored online)."""

    text: str | None = None
    http_status: int | None = None
    seconds: float = 0.0
    tool: str | None = None
    arguments: dict[str, Any] = field(default_factory=dict)
    report_tool_output: bool = False
    command: str | None = None


def scripted_text(text: str) -> ScriptedReply:
    """The offline model answers the next call with exactly this text."""
    return ScriptedReply(text=text)


def scripted_slow_text(text: str, seconds: float) -> ScriptedReply:
    """The offline model trickles this text out over about ``seconds``: time to steer or stop it."""
    return ScriptedReply(text=text, seconds=seconds)


def scripted_tool_call(tool: str, arguments: dict[str, Any] | None = None) -> ScriptedReply:
    """The offline model calls the tool ``tool`` (one of the thread's ``tools=``) with ``arguments``."""
    return ScriptedReply(tool=tool, arguments=dict(arguments or {}))


def scripted_tool_report(prefix: str) -> ScriptedReply:
    """The offline model answers with ``prefix`` and the output of the last tool call it got back."""
    return ScriptedReply(text=prefix, report_tool_output=True)


def scripted_escalated_command(command: str) -> ScriptedReply:
    """The offline model asks to run ``command`` outside the sandbox (so it needs approval)."""
    return ScriptedReply(command=command)


def scripted_http_error(status: int) -> ScriptedReply:
    """The offline model fails the next call with this HTTP status (e.g. 500)."""
    return ScriptedReply(http_status=status)


@contextmanager
def example_config(*script: ScriptedReply, requires_openai_auth: bool = False) -> Generator[CodexConfig, None, None]:
    """A CodexConfig for an example: offline against the scripted model unless asked otherwise.

    ``script`` answers the first model calls, in order; after that the offline model echoes the
    prompt (or fills in an output schema). ``requires_openai_auth`` makes the offline provider
    demand a sign-in, as the real OpenAI provider does, for the login example.
    """
    if is_online():
        yield CodexConfig()
        return
    provider = {"requires_openai_auth": True} if requires_openai_auth else None
    with testing.ScriptedModel(default=testing.echo) as model:
        model.enqueue(*[_to_reply(reply) for reply in script])
        yield model.config(provider=provider)


def _to_reply(reply: ScriptedReply) -> testing.ReplySource:
    if reply.command is not None:
        return testing.exec_command(
            reply.command, sandbox_permissions="require_escalated", justification="the example asks", login=False
        )
    if reply.http_status is not None:
        return testing.http_error(reply.http_status)
    if reply.tool is not None:
        return testing.tool_call(reply.tool, reply.arguments)
    if reply.report_tool_output:
        prefix = reply.text or ""

        def report(body: dict[str, Any]) -> testing.Reply:
            outputs = testing.function_call_outputs(body)
            answer = f"{prefix}{outputs[-1]['output'] if outputs else '(no tool output)'}"
            return testing.text(answer, deltas=_delta_count(answer))

        return report
    text = reply.text or ""
    deltas = _delta_count(text)
    return testing.text(text, deltas=deltas, delta_delay=reply.seconds / deltas)


def _delta_count(text: str) -> int:
    # A few deltas, so streaming examples show the answer arriving in pieces.
    return max(1, min(8, len(text)))
