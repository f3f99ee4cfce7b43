"""A default reply that answers every call with what the model was sent."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ._replies import Reply, text

__all__ = ["echo"]


def echo(body: dict[str, Any]) -> Reply:
    """A default reply for a model that cannot think: it says what it was sent.

    Pass it as ``ScriptedModel(default=echo)``. A plain call is answered with the last user
    message, quoted (``(scripted model) You said 'hi'.``), plus a note of earlier messages and
    images; a call that asks for structured output (an ``output_schema``) is answered with a
    JSON value that fits the schema. Handy for demos and for tests that only need some answer.

    Args:
        body: The model request's body.

    Returns:
        A :func:`text` reply, streamed in up to 8 deltas.
    """
    text_format = (body.get("text") or {}).get("format") or {}
    if text_format.get("type") == "json_schema":
        answer = json.dumps(_fill_schema(text_format.get("schema") or {}, "answer"))
    else:
        answer = _echo(body)
    return text(answer, deltas=max(1, min(8, len(answer))))


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
