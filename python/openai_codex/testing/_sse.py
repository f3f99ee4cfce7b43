"""Server-sent events as the Responses API frames them (what the runtime reads from a model)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["parse_sse", "sse_frame"]


def sse_frame(event_type: str, data: Mapping[str, Any]) -> bytes:
    """One server-sent event as the runtime reads it: ``event: T``, ``data: JSON``, blank line.

    Args:
        event_type: The event's type, e.g. ``"response.output_text.delta"``; also set as the
            payload's ``type`` unless ``data`` has one.
        data: The event's payload.

    Returns:
        The encoded frame.
    """
    body = dict(data)
    # The real API repeats the event type inside the payload; the runtime dispatches on it.
    body.setdefault("type", event_type)
    return f"event: {event_type}\ndata: {json.dumps(body, separators=(',', ':'))}\n\n".encode()


def parse_sse(raw_bytes: bytes | str) -> list[tuple[str, Any]]:
    """Parses a server-sent-events body back into ``(event_type, data)`` pairs.

    Args:
        raw_bytes: The body, as ``bytes`` (UTF-8) or ``str``.

    Returns:
        One pair per event with data, in order; ``data`` is JSON-decoded when it can be, else
        the text. An event without an ``event:`` line has type ``"message"``.
    """
    text_body = raw_bytes.decode() if isinstance(raw_bytes, bytes) else raw_bytes
    events: list[tuple[str, Any]] = []
    for block in text_body.replace("\r\n", "\n").split("\n\n"):
        event_type, data_lines = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                event_type = line[len("event:") :].strip()
            elif line.startswith("data:"):
                data_lines.append(line[len("data:") :].lstrip())
        if not data_lines:
            continue
        data_text = "\n".join(data_lines)
        try:
            data: Any = json.loads(data_text)
        except ValueError:
            data = data_text
        events.append((event_type, data))
    return events
