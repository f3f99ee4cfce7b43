"""What a turn can be given: text, images, skills and mentions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ImageInput",
    "Input",
    "InputItem",
    "LocalImageInput",
    "MentionInput",
    "RunInput",
    "SkillInput",
    "TextInput",
]


@dataclass(slots=True)
class TextInput:
    """Plain text for a turn or a steer."""

    text: str


@dataclass(slots=True)
class ImageInput:
    """An image the model fetches from a URL (``https://…`` or a ``data:`` URL)."""

    url: str


@dataclass(slots=True)
class LocalImageInput:
    """An image file on the machine running the runtime, given by path."""

    path: str


@dataclass(slots=True)
class SkillInput:
    """A reference to a skill by name and path."""

    name: str
    path: str


@dataclass(slots=True)
class MentionInput:
    """A mention of a named resource (file, app, …) by name and path."""

    name: str
    path: str


InputItem = TextInput | ImageInput | LocalImageInput | SkillInput | MentionInput
Input = list[InputItem] | InputItem
RunInput = Input | str


def _item_to_wire(item: object) -> dict[str, Any]:
    if isinstance(item, TextInput):
        return {"type": "text", "text": item.text}
    if isinstance(item, ImageInput):
        return {"type": "image", "url": item.url}
    if isinstance(item, LocalImageInput):
        return {"type": "localImage", "path": str(item.path)}
    if isinstance(item, SkillInput):
        return {"type": "skill", "name": item.name, "path": str(item.path)}
    if isinstance(item, MentionInput):
        return {"type": "mention", "name": item.name, "path": str(item.path)}
    if isinstance(item, str):
        return {"type": "text", "text": item}
    raise TypeError(
        f"unsupported input item: {type(item)!r} (expected str, TextInput, ImageInput, "
        "LocalImageInput, SkillInput or MentionInput)"
    )


def input_to_wire(input: object) -> list[dict[str, Any]]:
    """The ``input`` array of ``turn/start`` and ``turn/steer`` for any accepted input shape."""
    # A str is a Sequence too, but it is one text item; the input dataclasses are not Sequences.
    if isinstance(input, Sequence) and not isinstance(input, str):
        return [_item_to_wire(item) for item in input]
    return [_item_to_wire(input)]
