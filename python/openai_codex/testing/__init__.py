"""Run and test your agent code offline, against the real Codex runtime and a scripted model.

:class:`ScriptedModel` is a small Responses-API server on 127.0.0.1. The real runtime
(``codex app-server``) sends its model calls there instead of to OpenAI, so a turn runs for
real (streaming, shell commands, approvals, tool calls, errors) with no account and no network,
and the model's answers are whatever you script::

    from openai_codex import Codex
    from openai_codex.testing import ScriptedModel, exec_command, text, user_texts

    with ScriptedModel() as model, Codex(model.config()) as codex:
        model.enqueue(text("hello there", deltas=3))
        result = codex.thread_start().run("Say hello")
        assert result.final_response == "hello there"
        assert user_texts(model.requests[0])[-1] == "Say hello"

Replies: :func:`text` (a message, optionally streamed in ``deltas``), :func:`slow` (trickled
out, time to steer or interrupt), :func:`hang` (parked until released), :func:`tool_call` and
:func:`exec_command` (the model calls a tool or runs a shell command), :func:`http_error`,
:func:`response` (several output items), :func:`raw` (frames verbatim), and :func:`echo` as a
default that answers with what the model was sent. :attr:`ScriptedModel.requests` holds every
request body the runtime sent; :func:`user_texts` and :func:`function_call_outputs` read them.
``ReplySource`` (the type of what :meth:`ScriptedModel.enqueue` takes) is a :class:`Reply`, or a
callable that takes the request body and returns one.

With pytest, the fixtures ``scripted_model``, ``codex_offline`` and ``async_codex_offline``
are there without any set-up (see :mod:`openai_codex.testing.pytest_plugin`).

Standard library only.
"""

from ._echo import echo
from ._home import codex_env, write_codex_home
from ._replies import (
    Reply,
    Usage,
    exec_command,
    function_call,
    hang,
    http_error,
    message,
    raw,
    response,
    slow,
    text,
    tool_call,
)
from ._requests import function_call_outputs, user_texts
from ._server import ReplySource, ScriptedModel
from ._sse import parse_sse, sse_frame

__all__ = [
    "Reply",
    "ReplySource",
    "ScriptedModel",
    "Usage",
    "codex_env",
    "echo",
    "exec_command",
    "function_call",
    "function_call_outputs",
    "hang",
    "http_error",
    "message",
    "parse_sse",
    "raw",
    "response",
    "slow",
    "sse_frame",
    "text",
    "tool_call",
    "user_texts",
    "write_codex_home",
]
