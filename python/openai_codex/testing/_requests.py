"""Reading what the model was sent: the request bodies a :class:`ScriptedModel` recorded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["function_call_outputs", "user_texts"]


def user_texts(body: Mapping[str, Any]) -> list[str]:
    """The text parts of the user messages in a model request's ``input``, in order.

    The runtime also sends context (instructions, environment details) as user messages, so
    the turn's own text is usually the last entry.

    Args:
        body: A request body from :attr:`ScriptedModel.requests`.

    Returns:
        The ``input_text`` parts' texts.
    """
    found = []
    for item in body.get("input") or []:
        if item.get("type", "message") == "message" and item.get("role") == "user":
            for part in item.get("content") or []:
                if part.get("type") == "input_text":
                    found.append(part.get("text", ""))
    return found


def function_call_outputs(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``function_call_output`` items in a model request's ``input``: tool results sent back.

    Args:
        body: A request body from :attr:`ScriptedModel.requests`.

    Returns:
        The items, as dicts (``call_id``, ``output``, ...), in order.
    """
    return [item for item in body.get("input") or [] if item.get("type") == "function_call_output"]
