"""What a turn can be given: text, images, skills and mentions.

``turn()``, ``run()`` and ``steer()`` take a :data:`RunInput`: a ``str`` (plain text), one of
the input classes below, or a list of them, sent to the agent in order. The type aliases:

- ``InputItem``: any one of :class:`TextInput`, :class:`ImageInput`, :class:`LocalImageInput`,
  :class:`SkillInput`, :class:`MentionInput`;
- ``Input``: an ``InputItem`` or a list of them;
- ``RunInput``: an ``Input`` or a ``str`` (a ``str`` is sent as a ``TextInput``).

Anything else (for example a ``dict``, or ``None`` inside a list) makes the call raise
``TypeError``. Example::

    thread.run([TextInput("What is in this picture?"), LocalImageInput("/tmp/photo.png")])
"""

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
    """Plain text for a turn or a steer; a bare ``str`` means the same.

    Args:
        text: The text, sent as the user's message.
    """

    text: str


@dataclass(slots=True)
class ImageInput:
    """An image given by URL, for models that accept image input.

    Args:
        url: Where the image is: an ``https://`` address or a ``data:`` URL holding the
            image itself (``"data:image/png;base64,..."``).
    """

    url: str


@dataclass(slots=True)
class LocalImageInput:
    """An image file, read by the runtime and sent to the model with the message.

    Args:
        path: Path of the image file on the machine running the runtime. A
            ``pathlib.Path`` works too: it is sent as ``str``.
    """

    path: str


@dataclass(slots=True)
class SkillInput:
    """A reference to a skill (a packaged set of instructions for the agent) to use in the turn.

    Args:
        name: The skill's name.
        path: Path of the skill on the machine running the runtime; a ``pathlib.Path`` is
            sent as ``str``.
    """

    name: str
    path: str


@dataclass(slots=True)
class MentionInput:
    """A mention of a named resource (a file, an app, ...) to draw the agent's attention to.

    Args:
        name: The name shown for the resource.
        path: Where the resource is, as the runtime identifies it (for a file, its path);
            a ``pathlib.Path`` is sent as ``str``.
    """

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
