"""What a turn can be given: text, images, skills and mentions, or an external message.

``turn()`` and ``run()`` take a :data:`RunInput`: a ``str`` (plain text), one of the input
classes below, a list of them (sent to the agent in order), or one :class:`ExternalMessage`
(content from another agent, tool or application, runtime 0.151.0 or newer). ``steer()`` takes
an ``Input`` or a ``str``. The type aliases:

- ``InputItem``: any one of :class:`TextInput`, :class:`ImageInput`, :class:`LocalImageInput`,
  :class:`SkillInput`, :class:`MentionInput`;
- ``Input``: an ``InputItem`` or a list of them;
- ``RunInput``: an ``Input``, a ``str`` (a ``str`` is sent as a ``TextInput``) or an
  ``ExternalMessage``.

Anything else (for example a ``dict``, or ``None`` inside a list) makes the call raise
``TypeError``. Example::

    thread.run([TextInput("What is in this picture?"), LocalImageInput("/tmp/photo.png")])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import _validate as check

if TYPE_CHECKING:
    from .generated.v2_all import FunctionCallOutputContentItem
    from .models import JsonObject

__all__ = [
    "ExternalMessage",
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


@dataclass(slots=True)
class ExternalMessage:
    """Content that another agent, a tool or an application hands to the agent, as the whole
    input of a turn (``thread.run(ExternalMessage(...))``).

    The model reads it as the output of the tool ``tool_name``, with a tool's authority: below
    the user's and the developer's instructions, and never an approval or an authorization by
    the user. Use it for untrusted text (a web page, another agent's reply, a webhook's body)
    that should inform the agent without being able to instruct it as the user would.

    It is sent as ``turn/start``'s ``toolOutput`` (with an empty ``input``), which needs the Codex
    runtime 0.151.0 or newer: on an older one ``turn()`` and ``run()`` raise
    :class:`~openai_codex.errors.RuntimeVersionError` before sending anything. ``steer()`` does
    not take it (``turn/steer`` has no such field).

    Args:
        tool_name: Name of the tool that delivers the content (not blank), as the model sees it.
        content: The content: a ``str``, or a list of function-output content items, each a
            ``dict`` in the wire form (``{"type": "input_text", "text": ...}``,
            ``{"type": "input_image", "image_url": ...}``) or a generated
            ``FunctionCallOutputContentItem``.
        namespace: The tool's namespace, if it has one.
    """

    tool_name: str
    content: str | Sequence[JsonObject | FunctionCallOutputContentItem]
    namespace: str | None = None


InputItem = TextInput | ImageInput | LocalImageInput | SkillInput | MentionInput
Input = list[InputItem] | InputItem
RunInput = Input | str | ExternalMessage


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
    if isinstance(item, ExternalMessage):
        raise TypeError(
            "an ExternalMessage must be the whole input of turn() or run(), not an item of a list or a steer() input"
        )
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


def external_message_to_wire(message: ExternalMessage) -> dict[str, Any]:
    """``turn/start``'s ``toolOutput`` for ``message``, checked (ValueError/TypeError naming the
    field) before anything is sent."""
    name = message.tool_name
    if not isinstance(name, str):
        raise TypeError(f"ExternalMessage.tool_name must be a str, not {type(name).__name__}")
    if not name.strip():
        raise ValueError("ExternalMessage.tool_name must not be blank")
    namespace = check.text("ExternalMessage.namespace", message.namespace)
    wire: dict[str, Any] = {"name": name, "output": _external_content(message.content)}
    if namespace is not None:
        wire["namespace"] = namespace
    return wire


def _external_content(content: object) -> str | list[dict[str, Any]]:
    if isinstance(content, str):
        return content
    if isinstance(content, bytes) or not isinstance(content, Sequence):
        raise TypeError(
            f"ExternalMessage.content must be a str or a list of content items, not {type(content).__name__}"
        )
    from ._model import WireModel
    from .generated.v2_all import FunctionCallOutputContentItem

    items: list[dict[str, Any]] = []
    for i, item in enumerate(content):
        where = f"ExternalMessage.content[{i}]"
        if isinstance(item, FunctionCallOutputContentItem):
            items.append(item._wire())
        elif isinstance(item, WireModel):
            raise TypeError(f"{where} must be a FunctionCallOutputContentItem, not {type(item).__name__}")
        elif isinstance(item, dict):
            items.append(FunctionCallOutputContentItem._coerce_dict(item, where))
        else:
            raise TypeError(
                f"{where} must be a dict (a content item) or a FunctionCallOutputContentItem, not {type(item).__name__}"
            )
    return items
