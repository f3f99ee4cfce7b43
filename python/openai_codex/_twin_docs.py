"""One docstring for both twins: the ``[async: ...]`` and ``[sync: ...]`` markers.

A docstring in ``_async/`` serves the asyncio class and, through ``tools/async_to_sync.py``,
its blocking twin. Where the two must say different things, the text says so in place:

- ``[async: text]`` is text of the asyncio side only, ``[sync: text]`` of the blocking side
  only (the one space after the colon is not part of the text). The marker may sit inside a
  line (``for [async: asyncio programs][sync: blocking code].``) or span lines and paragraphs;
  brackets inside it must balance, and markers do not nest. Written with ``[async:`` and ``]``
  on lines of their own, it is a block (a paragraph, a ``Raises:`` section, an example).
- Resolving a side keeps the text of that side's markers and drops the others'. A line that held
  a marker and is left blank goes, with the blank line it would double; a space left before
  punctuation, another space or the end of a line by a dropped marker goes too.
- Mark whole sentences, starting on a line of their own, where you can: the text is not
  re-wrapped, so a marker inside a line leaves that line shorter or longer on one side.
- What the renames of ``tools/async_to_sync.py`` already say (``AsyncThread`` -> ``Thread``,
  ``async with`` -> ``with``, ``await codex.run()`` -> ``codex.run()`` in examples) needs no
  marker.

The sync side is resolved when its module is generated (the tool loads this file by path); the
asyncio side when its module is imported (:func:`resolve_module`), so ``help()`` shows neither
the other side's text nor a marker.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MarkerError", "has_markers", "resolve", "resolve_module"]

_KEPT = "\x00"  # where a marker of the side being resolved stood
_DROPPED = "\x01"  # where a marker of the other side stood
_SIDES = ("async", "sync")
# Plain string search, not regular expressions: the async modules resolve their docstrings on
# import, and compiling patterns would cost more than the resolving.


class MarkerError(ValueError):
    """A docstring's side markers do not parse (unclosed or nested)."""


def has_markers(text: str) -> bool:
    """Whether ``text`` holds a side marker (a cheap test before :func:`resolve`)."""
    return "[async:" in text or "[sync:" in text


def resolve(text: str, side: str) -> str:
    """The docstring ``text`` as the ``side`` (``"async"`` or ``"sync"``) twin shows it.

    Args:
        text: A docstring's raw text, indentation included, as in the source.
        side: ``"async"`` or ``"sync"``.

    Returns:
        The text with this side's markers replaced by their content and the other side's
        removed; text without markers comes back unchanged.

    Raises:
        MarkerError: A marker is not closed, or one is nested in another.
    """
    if side not in _SIDES:
        raise ValueError(f"side must be 'async' or 'sync', not {side!r}")
    if not has_markers(text):
        return text
    pieces: list[str] = []
    at = 0
    while (found := _next_open(text, at)) is not None:
        start, marker_side, index = found
        pieces.append(text[at:start])
        depth = 1
        while depth:
            opening, closing = text.find("[", index), text.find("]", index)
            if closing < 0:
                raise MarkerError(f"[{marker_side}: at offset {start} is not closed")
            if 0 <= opening < closing:
                depth, index = depth + 1, opening + 1
            else:
                depth, index = depth - 1, closing + 1
        content = text[start + len(marker_side) + 2 : index - 1]
        if has_markers(content):
            raise MarkerError(f"a marker is nested in [{marker_side}: at offset {start}")
        pieces.append(_KEPT + content.removeprefix(" ") + _KEPT if marker_side == side else _DROPPED)
        at = index
    pieces.append(text[at:])
    return _tidy("".join(pieces).split("\n"))


def _next_open(text: str, at: int) -> tuple[int, str, int] | None:
    """(offset, side, offset after the colon) of the first marker from ``at``, if any."""
    best: tuple[int, str, int] | None = None
    for side in _SIDES:
        start = text.find(f"[{side}:", at)
        if start >= 0 and (best is None or start < best[0]):
            best = (start, side, start + len(side) + 2)
    return best


def _drop_spaces(line: str) -> str:
    """Removes the space a dropped marker leaves before punctuation, a space or the line's end,
    and the space after one that starts a line's text."""
    out = line
    at = out.find(" " + _DROPPED)
    while at >= 0:
        after = out[at + 1 :].lstrip(_DROPPED)
        if not after or after[0] in " .,;:)":
            out = out[:at] + out[at + 1 :]
        at = out.find(" " + _DROPPED, at + 1)
    text = out.lstrip(" ")
    if text.startswith(_DROPPED):
        out = out[: len(out) - len(text)] + text.lstrip(_DROPPED + " ")
    return out


def _tidy(lines: list[str]) -> str:
    """Removes the placeholders of :func:`resolve`, and the lines and spaces markers emptied."""
    out: list[str] = []
    for number, line in enumerate(lines):
        if _KEPT not in line and _DROPPED not in line:
            out.append(line)
            continue
        line = _drop_spaces(line).replace(_KEPT, "").replace(_DROPPED, "").rstrip()
        if line.strip():
            out.append(line)
            continue
        # The line held only markers: it goes, and so does a blank line it leaves doubled.
        if out and not out[-1].strip() and not _next_text(lines, number + 1).strip():
            out.pop()
        if number == 0 and number + 1 < len(lines):
            lines[1] = lines[1].lstrip(" ")  # the next line becomes the summary line
    return "\n".join(out)


def _next_text(lines: list[str], start: int) -> str:
    """The first of ``lines[start:]`` that is not a line of markers only ("" at the end)."""
    for line in lines[start:]:
        bare = line.replace(_KEPT, "").replace(_DROPPED, "")
        if bare.strip() or bare == line:
            return line
    return ""


def _resolve_doc(obj: Any) -> None:
    doc = getattr(obj, "__doc__", None)
    if isinstance(doc, str) and has_markers(doc):
        obj.__doc__ = resolve(doc, "async")


def resolve_module(namespace: dict[str, Any]) -> None:
    """Resolves the asyncio side of every docstring of a module in ``_async/``, in place.

    Called once at the end of each such module: its docstring, its functions, and its classes
    with their methods and properties.

    Args:
        namespace: The module's ``globals()``.

    Raises:
        MarkerError: A docstring's markers do not parse.
    """
    module = namespace["__name__"]
    _resolve_doc_of_module(namespace)
    for value in list(namespace.values()):
        if getattr(value, "__module__", None) != module:
            continue
        _resolve_doc(value)
        if not isinstance(value, type):
            continue
        for member in vars(value).values():
            if isinstance(member, (classmethod, staticmethod)):
                _resolve_doc(member.__func__)
                _resolve_doc(member)
            elif isinstance(member, property):
                _resolve_doc(member.fget)
                _resolve_doc(member)
            elif callable(member):
                _resolve_doc(member)


def _resolve_doc_of_module(namespace: dict[str, Any]) -> None:
    doc = namespace.get("__doc__")
    if isinstance(doc, str) and has_markers(doc):
        namespace["__doc__"] = resolve(doc, "async")
