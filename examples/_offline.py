"""Run the examples offline: a scripted model on 127.0.0.1 stands in for the real one.

Every example opens its client with ``example_config()``. Offline (the default) that starts the
scripted model from ``devtools/scripted_model.py`` and a throwaway CODEX_HOME pointing the real
Codex runtime at it, so no account or network is needed. Set ``CODEX_EXAMPLES_ONLINE=1`` to run an
example against your own Codex configuration and account instead; scripted replies are then
ignored.

This helper is for the examples only; it is not part of the SDK.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openai_codex import CodexConfig

_REPO_ROOT = Path(__file__).resolve().parents[1]
if str(_REPO_ROOT) not in sys.path:
    sys.path.append(str(_REPO_ROOT))

# Loaded by name rather than imported: devtools is test tooling, not part of what the examples
# show, and this keeps `mypy --strict examples` about the examples themselves.
_scripted: Any = importlib.import_module("devtools.scripted_model")

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


def scripted_text(text: str) -> ScriptedReply:
    """The offline model answers the next call with exactly this text."""
    return ScriptedReply(text=text)


def scripted_slow_text(text: str, seconds: float) -> ScriptedReply:
    """The offline model trickles this text out over about ``seconds``: time to steer or stop it."""
    return ScriptedReply(text=text, seconds=seconds)


def scripted_http_error(status: int) -> ScriptedReply:
    """The offline model fails the next call with this HTTP status (e.g. 500)."""
    return ScriptedReply(http_status=status)


@contextmanager
def example_config(*script: ScriptedReply, requires_openai_auth: bool = False) -> Iterator[CodexConfig]:
    """A CodexConfig for an example: offline against the scripted model unless asked otherwise.

    ``script`` answers the first model calls, in order; after that the offline model echoes the
    prompt (or fills in an output schema). ``requires_openai_auth`` makes the offline provider
    demand a sign-in, as the real OpenAI provider does, for the login example.
    """
    if is_online():
        yield CodexConfig()
        return
    provider = {"requires_openai_auth": True} if requires_openai_auth else None
    with _scripted.ScriptedModel(default=_default_reply) as model, tempfile.TemporaryDirectory() as home:
        model.enqueue(*[_to_reply(reply) for reply in script])
        yield CodexConfig(env=model.codex_env(home, provider=provider))


def _to_reply(reply: ScriptedReply) -> Any:
    if reply.http_status is not None:
        return _scripted.http_error(reply.http_status)
    text = reply.text or ""
    deltas = _delta_count(text)
    return _scripted.text(text, deltas=deltas, delta_delay=reply.seconds / deltas)


def _delta_count(text: str) -> int:
    # A few deltas, so streaming examples show the answer arriving in pieces.
    return max(1, min(8, len(text)))


# -- the offline model's default answer --------------------------------------------------------


def _default_reply(body: dict[str, Any]) -> Any:
    text_format = (body.get("text") or {}).get("format") or {}
    if text_format.get("type") == "json_schema":
        answer = json.dumps(_fill_schema(text_format.get("schema") or {}, "answer"))
    else:
        answer = _echo(body)
    return _scripted.text(answer, deltas=_delta_count(answer))


def _echo(body: dict[str, Any]) -> str:
    """An honest answer from a model that cannot think: what it was sent, described."""
    user_messages = [
        item
        for item in body.get("input") or []
        if item.get("type", "message") == "message" and item.get("role") == "user" and not _is_context(item)
    ]
    if not user_messages:
        return "(scripted model) Hello! I received no user message."
    parts = user_messages[-1].get("content") or []
    # The runtime wraps each image in "<image ...>" / "</image>" text markers; skip those.
    words = [
        p.get("text", "")
        for p in parts
        if p.get("type") == "input_text" and not p.get("text", "").startswith(("<image", "</image"))
    ]
    images = [_describe_image(p.get("image_url", "")) for p in parts if p.get("type") == "input_image"]
    answer = f"(scripted model) You said {' '.join(words)!r}"
    if images:
        answer += f" and sent {len(images)} image(s): {', '.join(images)}"
    earlier = len(user_messages) - 1
    if earlier:
        answer += f"; {earlier} earlier message(s) of yours are in this thread's history"
    answer += "."
    return answer


def _is_context(message: dict[str, Any]) -> bool:
    # The runtime adds user messages of its own (e.g. "<environment_context>...") that are
    # entirely tagged text; they are context, not something the user said.
    parts = message.get("content") or []
    return bool(parts) and all(
        p.get("type") == "input_text" and p.get("text", "").lstrip().startswith("<") for p in parts
    )


def _describe_image(url: str) -> str:
    if not url.startswith("data:"):
        return url
    header, _, data = url.partition(",")
    try:
        size = len(base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError):
        size = 0
    return f"{header[len('data:') :].split(';')[0]} ({size} bytes, inlined by the runtime)"


def _fill_schema(schema: dict[str, Any], name: str) -> Any:
    """A placeholder value that satisfies a (simple) JSON schema: what the offline model answers."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        return {key: _fill_schema(sub, key) for key, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [_fill_schema(schema.get("items") or {}, name)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return f"scripted {name}"
