"""Reading a function's docstring: its description, and one line per parameter.

Three common styles are understood, and may even be mixed:

- Google: an ``Args:`` (or ``Arguments:``, ``Parameters:``) section of ``name: text`` or
  ``name (type): text`` entries, continuation lines indented deeper;
- NumPy: a ``Parameters`` heading underlined with dashes, then ``name : type`` lines with the
  text indented below;
- Sphinx / reST: ``:param name: text`` (or ``:param type name: text``) fields.

The description is the prose before the first section or field. Standard library only.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

__all__ = ["Docstring", "parse_docstring"]

_GOOGLE_PARAMS = {"args", "arguments", "parameters", "params", "keyword args", "keyword arguments", "kwargs"}
_GOOGLE_OTHER = {
    "returns",
    "return",
    "yields",
    "yield",
    "raises",
    "raise",
    "examples",
    "example",
    "note",
    "notes",
    "see also",
    "warning",
    "warnings",
    "attributes",
    "todo",
    "references",
}
_GOOGLE_HEADING = re.compile(r"^([A-Za-z][A-Za-z ]*):\s*$")
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?:\(([^)]*)\))?\s*:\s*(.*)$")
_NUMPY_RULE = re.compile(r"^\s*-{3,}\s*$")
_WORD = re.compile(r"\w+")
_SPHINX_FIELD = re.compile(r"^:(\w+)(?:\s+([^:]*?))?\s*:\s*(.*)$")


@dataclass
class Docstring:
    description: str | None = None
    params: dict[str, str] = field(default_factory=dict)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _text(lines: list[str]) -> str:
    return " ".join(part.strip() for part in lines if part.strip())


def parse_docstring(doc: str | None) -> Docstring:
    """The description and per-parameter texts of a docstring (``None`` gives an empty one)."""
    if not doc or not doc.strip():
        return Docstring()
    lines = inspect.cleandoc(doc).splitlines()
    result = Docstring()
    prose: list[str] = []
    i = 0
    in_prose = True
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        google = _GOOGLE_HEADING.match(line)
        if google and google.group(1).strip().lower() in _GOOGLE_PARAMS | _GOOGLE_OTHER:
            in_prose = False
            name = google.group(1).strip().lower()
            i = _google_section(lines, i + 1, result if name in _GOOGLE_PARAMS else None)
            continue
        if stripped and _NUMPY_RULE.match(nxt) and _indent(line) == 0:
            in_prose = False
            heading = stripped.lower()
            i = _numpy_section(lines, i + 2, result if heading in _GOOGLE_PARAMS else None)
            continue
        sphinx = _SPHINX_FIELD.match(stripped)
        if sphinx and _indent(line) == 0:
            in_prose = False
            i = _sphinx_field(lines, i, sphinx, result)
            continue
        if in_prose:
            prose.append(line)
        i += 1
    description = "\n".join(prose).strip()
    # Paragraphs stay paragraphs; lines wrapped inside one are joined.
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", description) if p.strip()]
    result.description = "\n\n".join(paragraphs) or None
    return result


def _google_section(lines: list[str], i: int, result: Docstring | None) -> int:
    """Reads the indented block after a Google heading; returns the index after it."""
    entry: str | None = None
    entry_indent = -1
    texts: list[str] = []

    def flush() -> None:
        if result is not None and entry is not None:
            text = _text(texts)
            if text:
                result.params[entry] = text

    while i < len(lines):
        line = lines[i]
        if line.strip() and _indent(line) == 0:
            break
        if not line.strip():
            i += 1
            continue
        indent = _indent(line)
        match = _GOOGLE_ENTRY.match(line.strip())
        if match and (entry is None or indent <= entry_indent):
            flush()
            entry, entry_indent, texts = match.group(1), indent, [match.group(3)]
        else:
            texts.append(line)
        i += 1
    flush()
    return i


def _numpy_section(lines: list[str], i: int, result: Docstring | None) -> int:
    """Reads a NumPy section's body (after the dashes) up to the next heading."""
    names: list[str] = []
    texts: list[str] = []

    def flush() -> None:
        if result is not None:
            text = _text(texts)
            for name in names:
                if text:
                    result.params[name] = text

    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and _indent(line) == 0 and _NUMPY_RULE.match(nxt):
            break  # the next section
        if not line.strip():
            i += 1
            continue
        if _indent(line) == 0:
            flush()
            candidates = [n.strip().lstrip("*") for n in line.split(":", 1)[0].split(",")]
            names = [n for n in candidates if _WORD.fullmatch(n)]
            texts = []
        else:
            texts.append(line)
        i += 1
    flush()
    return i


def _sphinx_field(lines: list[str], i: int, match: re.Match[str], result: Docstring) -> int:
    kind, arg, text = match.group(1), match.group(2), match.group(3)
    texts = [text]
    i += 1
    while i < len(lines) and lines[i].strip() and _indent(lines[i]) > 0:
        texts.append(lines[i])
        i += 1
    if kind in ("param", "parameter", "arg", "argument", "key", "keyword") and arg:
        name = arg.split()[-1].lstrip("*")
        described = _text(texts)
        if described:
            result.params[name] = described
    return i
